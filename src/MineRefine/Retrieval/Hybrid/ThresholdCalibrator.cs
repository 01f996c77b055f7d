using MineRefine.Data;

namespace MineRefine.Retrieval.Hybrid;

/// <summary>How a cut point is chosen from a precision/recall curve.</summary>
public enum CalibrationCriterion
{
    /// <summary>The lowest cut (highest recall) whose precision reaches <see cref="CalibrationOptions.TargetPrecision"/>.</summary>
    TargetPrecision,
    /// <summary>The cut with the highest F1 (ties: the higher cut).</summary>
    MaxF1,
}

/// <summary>Options of <see cref="ThresholdCalibrator"/>.</summary>
public sealed class CalibrationOptions
{
    /// <summary>Selection rule; default <see cref="CalibrationCriterion.TargetPrecision"/>. [choice]</summary>
    public CalibrationCriterion Criterion { get; set; } = CalibrationCriterion.TargetPrecision;
    /// <summary>Precision to reach with <see cref="CalibrationCriterion.TargetPrecision"/>, in (0, 1]; default 0.8. [choice]</summary>
    public double TargetPrecision { get; set; } = 0.8;

    /// <summary>Fails early with a message saying what to fix.</summary>
    public CalibrationOptions Validate()
    {
        if (!(TargetPrecision > 0 && TargetPrecision <= 1))
            throw new ArgumentException($"CalibrationOptions.TargetPrecision must be in (0, 1] (got {TargetPrecision}); e.g. 0.8.");
        if (!Enum.IsDefined(Criterion))
            throw new ArgumentException($"CalibrationOptions.Criterion '{Criterion}' is unknown; use TargetPrecision or MaxF1.");
        return this;
    }

    /// <summary>Short text for reports, e.g. "precision>=0.8" or "max-f1".</summary>
    public string Describe() => Criterion == CalibrationCriterion.MaxF1 ? "max-f1" : $"precision>={TargetPrecision:0.###}";
}

/// <summary>Result of a calibration: thresholds plus both full PR curves (for the report).</summary>
/// <param name="Thresholds">Chosen cuts with the achieved precision/recall/F1.</param>
/// <param name="ExactCurve">PR curve of "grade ≥ 2" at every distinct score, highest cut first.</param>
/// <param name="PartialCurve">PR curve of "grade ≥ 1" at every distinct score, highest cut first.</param>
/// <param name="ExactTargetReached">False when no cut reached the target precision for "≥ exact" (the highest-precision cut was taken).</param>
/// <param name="PartialTargetReached">Same for "≥ partial".</param>
/// <param name="PartialClampedToExact">True when the partial cut came out above the exact cut and was lowered to it.</param>
public sealed record CalibrationResult(
    GradeThresholds Thresholds,
    IReadOnlyList<PrPoint> ExactCurve,
    IReadOnlyList<PrPoint> PartialCurve,
    bool ExactTargetReached,
    bool PartialTargetReached,
    bool PartialClampedToExact);

/// <summary>
/// Calibrates per-grade cut points on dense scores from dev judgments (paper §9: "threshold on calibrated dense
/// scores"). For each target ("≥ exact": grade = 2; "≥ partial": grade ≥ 1) every distinct observed score t is a
/// candidate cut, predicting positive when s ≥ t; precision(t) = TP/(TP+FP), recall(t) = TP/P,
/// F1 = 2PR/(P+R). The cut is chosen by <see cref="CalibrationOptions.Criterion"/>; afterwards Partial ≤ Exact is
/// enforced by lowering the partial cut to the exact cut when needed.
/// </summary>
public static class ThresholdCalibrator
{
    /// <summary>Calibrates on (dense score, grade) pairs.</summary>
    /// <exception cref="ArgumentException">No pairs, a non-finite score, an invalid grade, or no positive for a target.</exception>
    public static CalibrationResult Calibrate(IReadOnlyList<(float Score, int Grade)> pairs, CalibrationOptions? options = null)
    {
        options = (options ?? new CalibrationOptions()).Validate();
        if (pairs.Count == 0) throw new ArgumentException("Calibration needs at least one (score, grade) pair; got none.", nameof(pairs));
        for (var i = 0; i < pairs.Count; i++)
        {
            if (!float.IsFinite(pairs[i].Score))
                throw new ArgumentException($"Calibration pair {i}: score must be finite (got {pairs[i].Score}).", nameof(pairs));
            if (!Grades.IsValid(pairs[i].Grade))
                throw new ArgumentException($"Calibration pair {i}: grade must be 0, 1 or 2 (got {pairs[i].Grade}).", nameof(pairs));
        }

        var exactCurve = Curve(pairs, Grades.Exact);
        var partialCurve = Curve(pairs, Grades.Partial);
        if (exactCurve.Count == 0 || exactCurve[0].Positives == 0)
            throw new ArgumentException("Calibration set has no grade-2 (exact) pair; the exact cut cannot be calibrated.", nameof(pairs));
        if (partialCurve[0].Positives == 0)
            throw new ArgumentException("Calibration set has no grade ≥ 1 pair; the partial cut cannot be calibrated.", nameof(pairs));

        var (exactAt, exactOk) = Choose(exactCurve, options);
        var (partialAt, partialOk) = Choose(partialCurve, options);
        var clamped = false;
        if (partialAt.Threshold > exactAt.Threshold)
        {
            // The exact cut is an observed score, so it is a point of the partial curve too.
            partialAt = partialCurve.First(p => p.Threshold == exactAt.Threshold);
            clamped = true;
        }

        var thresholds = new GradeThresholds
        {
            Exact = exactAt.Threshold,
            Partial = partialAt.Threshold,
            Criterion = options.Describe(),
            ExactAt = exactAt,
            PartialAt = partialAt,
        }.Validate();
        return new CalibrationResult(thresholds, exactCurve, partialCurve, exactOk, partialOk, clamped);
    }

    /// <summary>PR curve for "grade ≥ <paramref name="minGrade"/>" at every distinct score, highest cut first.</summary>
    public static IReadOnlyList<PrPoint> Curve(IReadOnlyList<(float Score, int Grade)> pairs, int minGrade)
    {
        var sorted = pairs.OrderByDescending(p => p.Score).ToArray();
        var positives = sorted.Count(p => p.Grade >= minGrade);
        var curve = new List<PrPoint>();
        int tp = 0, fp = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (sorted[i].Grade >= minGrade) tp++; else fp++;
            if (i + 1 < sorted.Length && sorted[i + 1].Score == sorted[i].Score) continue; // ties share one cut
            var precision = (double)tp / (tp + fp);
            var recall = positives == 0 ? 0 : (double)tp / positives;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            curve.Add(new PrPoint(sorted[i].Score, precision, recall, f1, tp, fp, positives));
        }
        return curve;
    }

    private static (PrPoint Point, bool TargetReached) Choose(IReadOnlyList<PrPoint> curve, CalibrationOptions options)
    {
        if (options.Criterion == CalibrationCriterion.MaxF1)
        {
            var best = curve[0];
            foreach (var p in curve) if (p.F1 > best.F1) best = p; // strict: ties keep the higher cut
            return (best, true);
        }
        // Lowest cut (curve is highest-first, so the last qualifying point) with precision ≥ target.
        PrPoint? chosen = null;
        foreach (var p in curve) if (p.Precision >= options.TargetPrecision) chosen = p;
        if (chosen is not null) return (chosen, true);
        var fallback = curve[0];
        foreach (var p in curve)
            if (p.Precision > fallback.Precision || (p.Precision == fallback.Precision && p.Recall > fallback.Recall)) fallback = p;
        return (fallback, false);
    }

    /// <summary>Builds (dense score, grade) pairs by scoring every judgment with <paramref name="scorer"/>.</summary>
    /// <exception cref="ArgumentException">A judgment names a query that is not in <paramref name="queries"/>.</exception>
    public static (float Score, int Grade)[] ScoreJudgments(
        IPairScorer scorer, IReadOnlyList<Query> queries, IReadOnlyList<Judgment> judgments, IProgress<int>? progress = null)
    {
        var byId = queries.ToDictionary(q => q.Id, StringComparer.Ordinal);
        var input = new (string Query, string ProductId)[judgments.Count];
        for (var i = 0; i < judgments.Count; i++)
        {
            if (!byId.TryGetValue(judgments[i].QueryId, out var q))
                throw new ArgumentException($"Judgment {i} names query id '{judgments[i].QueryId}' which is not in the query list.", nameof(judgments));
            input[i] = (q.Text, judgments[i].ProductId);
        }
        var scores = scorer.ScorePairs(input, progress);
        if (scores.Length != judgments.Count)
            throw new InvalidOperationException($"Pair scorer returned {scores.Length} scores for {judgments.Count} pairs.");
        var result = new (float, int)[judgments.Count];
        for (var i = 0; i < result.Length; i++) result[i] = (scores[i], judgments[i].Grade);
        return result;
    }
}
