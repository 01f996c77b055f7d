namespace MineRefine.Retrieval.Hybrid;

/// <summary>
/// Score normalisations for the linear blend (paper §9 [choice]). Fused(d) = w_dense·n_dense(d) + w_bm25·n_bm25(d),
/// where n is one of:
/// <list type="bullet">
/// <item>min-max per query: n(s) = (s − min) / (max − min); all 1 when max = min;</item>
/// <item>fixed min-max: n(s) = clamp((s − lo) / (hi − lo), 0, 1) with configured bounds;</item>
/// <item>z-score: n(s) = (s − mean) / std (population std over the list); all 0 when std = 0.</item>
/// </list>
/// An item missing from one list gets that list's <see cref="MissingValue"/>: the floor of the normalised range
/// (0 for both min-max variants; the list's minimum z for z-score), i.e. it is treated as no better than the
/// last retrieved item.
/// </summary>
public static class ScoreNormalization
{
    /// <summary>Per-query min-max.</summary>
    public static double[] MinMax(IReadOnlyList<double> scores)
    {
        var r = new double[scores.Count];
        if (r.Length == 0) return r;
        double min = scores.Min(), max = scores.Max();
        for (var i = 0; i < r.Length; i++) r[i] = max > min ? (scores[i] - min) / (max - min) : 1.0;
        return r;
    }

    /// <summary>Min-max with fixed bounds, clamped to [0, 1].</summary>
    public static double[] FixedMinMax(IReadOnlyList<double> scores, ScoreBounds bounds)
    {
        var r = new double[scores.Count];
        for (var i = 0; i < r.Length; i++)
            r[i] = Math.Clamp((scores[i] - bounds.Min) / (bounds.Max - bounds.Min), 0.0, 1.0);
        return r;
    }

    /// <summary>Z-score with the population standard deviation.</summary>
    public static double[] ZScore(IReadOnlyList<double> scores)
    {
        var r = new double[scores.Count];
        if (r.Length == 0) return r;
        var mean = scores.Average();
        var variance = scores.Sum(s => (s - mean) * (s - mean)) / scores.Count;
        var std = Math.Sqrt(variance);
        for (var i = 0; i < r.Length; i++) r[i] = std > 0 ? (scores[i] - mean) / std : 0.0;
        return r;
    }

    /// <summary>Normalises with the given kind (bounds used only by <see cref="NormalizationKind.FixedMinMax"/>).</summary>
    public static double[] Normalize(IReadOnlyList<double> scores, NormalizationKind kind, ScoreBounds bounds) => kind switch
    {
        NormalizationKind.MinMax => MinMax(scores),
        NormalizationKind.FixedMinMax => FixedMinMax(scores, bounds),
        NormalizationKind.ZScore => ZScore(scores),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown normalisation."),
    };

    /// <summary>Value given to an item absent from a list whose normalised scores are <paramref name="normalized"/>.</summary>
    public static double MissingValue(IReadOnlyList<double> normalized, NormalizationKind kind) =>
        kind == NormalizationKind.ZScore && normalized.Count > 0 ? normalized.Min() : 0.0;
}
