using System.Text.Json;
using System.Text.Json.Serialization;

namespace MineRefine.Labeling;

/// <summary>Precision, recall and F1 of one grade.</summary>
public sealed record ClassMetrics(
    [property: JsonPropertyName("grade")] int Grade,
    [property: JsonPropertyName("precision")] double Precision,
    [property: JsonPropertyName("recall")] double Recall,
    [property: JsonPropertyName("f1")] double F1,
    [property: JsonPropertyName("support")] int Support);

/// <summary>Quality of a labeler against reference (human) grades; JSON keys <c>accuracy, within1, macro_f1, ece,
/// confusion, per_class, n</c>.</summary>
public sealed record LabelerMetricsResult(
    [property: JsonPropertyName("n")] int Count,
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("within1")] double Within1,
    [property: JsonPropertyName("macro_f1")] double MacroF1,
    [property: JsonPropertyName("ece")] double? Ece,
    [property: JsonPropertyName("confusion")] int[][] Confusion,
    [property: JsonPropertyName("per_class")] IReadOnlyList<ClassMetrics> PerClass)
{
    /// <summary>Indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });
}

/// <summary>Labeler metrics of paper §2 (3-class accuracy 87.6%, within-1 accuracy 98.8% for the paper's judge),
/// plus per-class P/R/F1, macro-F1, the confusion matrix and expected calibration error. Every function takes raw
/// arrays (truth t_i, prediction p_i ∈ {0,1,2}, i = 1..n, n &gt; 0).</summary>
public static class LabelerMetrics
{
    /// <summary>All metrics. <paramref name="probabilities"/> (n × 3) is optional; without it <c>ece</c> is null.</summary>
    public static LabelerMetricsResult Compute(IReadOnlyList<int> truth, IReadOnlyList<int> predicted,
        IReadOnlyList<float[]>? probabilities = null)
    {
        var cm = Confusion(truth, predicted);
        var per = PerClass(cm);
        return new LabelerMetricsResult(truth.Count, Accuracy(truth, predicted), Within1(truth, predicted),
            per.Average(c => c.F1), probabilities is null ? null : ExpectedCalibrationError(truth, probabilities),
            cm, per);
    }

    /// <summary>All metrics from labeler results (grade = prediction, probabilities for ECE).</summary>
    public static LabelerMetricsResult Compute(IReadOnlyList<int> truth, IReadOnlyList<LabelResult> results) =>
        Compute(truth, results.Select(r => r.Grade).ToList(), results.Select(r => r.Probabilities).ToList());

    // ---------------------------------------------------------------- accuracy
    /// <summary>3-class accuracy = (1/n) Σ_i 1[p_i = t_i] (paper §2).</summary>
    public static double Accuracy(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        Check(truth, predicted);
        int ok = 0;
        for (int i = 0; i < truth.Count; i++) if (truth[i] == predicted[i]) ok++;
        return (double)ok / truth.Count;
    }

    // ---------------------------------------------------------------- within-1
    /// <summary>Within-1 accuracy = (1/n) Σ_i 1[|p_i − t_i| ≤ 1] (paper §2); on 3 grades it only penalises 0↔2.</summary>
    public static double Within1(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        Check(truth, predicted);
        int ok = 0;
        for (int i = 0; i < truth.Count; i++) if (Math.Abs(truth[i] - predicted[i]) <= 1) ok++;
        return (double)ok / truth.Count;
    }

    // ---------------------------------------------------------------- confusion
    /// <summary>Confusion matrix C[t, p] = Σ_i 1[t_i = t ∧ p_i = p], rows = truth, columns = prediction.</summary>
    public static int[][] Confusion(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        Check(truth, predicted);
        var cm = new int[3][] { new int[3], new int[3], new int[3] };
        for (int i = 0; i < truth.Count; i++) cm[truth[i]][predicted[i]]++;
        return cm;
    }

    // ---------------------------------------------------------------- per class / macro-F1
    /// <summary>Per grade g: precision_g = C[g,g] / Σ_t C[t,g], recall_g = C[g,g] / Σ_p C[g,p],
    /// F1_g = 2·P·R / (P + R); each is 0 when its denominator is 0. Support = Σ_p C[g,p].</summary>
    public static IReadOnlyList<ClassMetrics> PerClass(int[][] confusion)
    {
        var list = new List<ClassMetrics>(3);
        for (int g = 0; g < 3; g++)
        {
            int tp = confusion[g][g];
            int predG = confusion[0][g] + confusion[1][g] + confusion[2][g];
            int trueG = confusion[g][0] + confusion[g][1] + confusion[g][2];
            double p = predG == 0 ? 0 : (double)tp / predG;
            double r = trueG == 0 ? 0 : (double)tp / trueG;
            double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
            list.Add(new ClassMetrics(g, p, r, f, trueG));
        }
        return list;
    }

    /// <summary>Macro-F1 = (1/3) Σ_g F1_g (unweighted mean over the three grades, see <see cref="PerClass"/>).</summary>
    public static double MacroF1(IReadOnlyList<int> truth, IReadOnlyList<int> predicted) =>
        PerClass(Confusion(truth, predicted)).Average(c => c.F1);

    // ---------------------------------------------------------------- ECE
    /// <summary>Expected calibration error with B equal-width confidence bins (default 10):
    /// conf_i = max_g P_i(g), ŷ_i = argmax_g P_i(g) (lowest grade on ties); bin b holds conf ∈ (b/B, (b+1)/B]
    /// (conf = 0 goes to bin 0); ECE = Σ_b (|b|/n)·|acc(b) − conf(b)| with acc(b) = mean 1[ŷ_i = t_i] and
    /// conf(b) = mean conf_i over the bin.</summary>
    public static double ExpectedCalibrationError(IReadOnlyList<int> truth, IReadOnlyList<float[]> probabilities, int bins = 10)
    {
        if (truth.Count == 0 || truth.Count != probabilities.Count)
            throw new ArgumentException($"Need as many probability rows as truths (> 0); got {probabilities.Count} and {truth.Count}.");
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), "bins must be ≥ 1.");
        var count = new int[bins];
        var correct = new double[bins];
        var confSum = new double[bins];
        for (int i = 0; i < truth.Count; i++)
        {
            var p = probabilities[i];
            if (p is null || p.Length != 3) throw new ArgumentException($"probabilities[{i}] must have 3 entries.");
            CheckGrade(truth[i], "truth", i);
            int arg = 0;
            for (int g = 1; g < 3; g++) if (p[g] > p[arg]) arg = g;
            double conf = p[arg];
            int b = Math.Clamp((int)Math.Ceiling(conf * bins) - 1, 0, bins - 1);
            count[b]++;
            confSum[b] += conf;
            if (arg == truth[i]) correct[b]++;
        }
        double ece = 0;
        for (int b = 0; b < bins; b++)
            if (count[b] > 0) ece += (double)count[b] / truth.Count * Math.Abs(correct[b] / count[b] - confSum[b] / count[b]);
        return ece;
    }

    private static void Check(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count == 0) throw new ArgumentException("No pairs to score.");
        if (truth.Count != predicted.Count) throw new ArgumentException($"truth has {truth.Count} grades, predicted has {predicted.Count}.");
        for (int i = 0; i < truth.Count; i++) { CheckGrade(truth[i], "truth", i); CheckGrade(predicted[i], "predicted", i); }
    }

    private static void CheckGrade(int g, string what, int i)
    {
        if (!Data.Grades.IsValid(g)) throw new ArgumentException($"{what}[{i}] = {g} is not a grade (0, 1, 2).");
    }
}
