using static TorchSharp.torch;

namespace MineRefine.Labeling.CrossEncoder;

/// <summary>How classes are weighted in the labeler's cross-entropy.</summary>
public enum ClassWeighting
{
    /// <summary>All classes weigh 1.</summary>
    None,
    /// <summary>w_c = n / (C · n_c): rare grades weigh more (classes absent from the data get weight 1).</summary>
    InverseFrequency,
}

/// <summary>
/// Class-weighted, label-smoothed cross-entropy of the cross-encoder labeler (paper §2: the labeler is a 3-class
/// classifier fine-tuned on human grades). For logits z_i ∈ ℝ^C, target y_i, class weights w (default all 1) and
/// smoothing ε ∈ [0, 1) (default 0):
/// <code>
///   log p_i = log_softmax(z_i)
///   q_i(c)  = (1 − ε)·1[c = y_i] + ε / C                 (smoothed target)
///   ℓ_i     = − Σ_c q_i(c) · log p_i(c)
///   L       = Σ_i w_{y_i} · ℓ_i / Σ_i w_{y_i}             (weighted mean; = plain mean when w ≡ 1)
/// </code>
/// With ε = 0 and w ≡ 1 this is the ordinary mean cross-entropy.
/// </summary>
public static class GradeCrossEntropy
{
    /// <summary>Loss on raw arrays (for tests and hand checks): <paramref name="logits"/>[i] has C entries.</summary>
    public static double Compute(IReadOnlyList<float[]> logits, IReadOnlyList<int> targets, IReadOnlyList<float>? classWeights = null,
        double labelSmoothing = 0.0)
    {
        Check(logits.Count, targets.Count, labelSmoothing);
        double num = 0, den = 0;
        for (int i = 0; i < logits.Count; i++)
        {
            var z = logits[i];
            int c = z.Length;
            if (targets[i] < 0 || targets[i] >= c) throw new ArgumentException($"targets[{i}] = {targets[i]} is not a class in [0, {c}).");
            double max = z.Max();
            double lse = max + Math.Log(z.Sum(v => Math.Exp(v - max)));
            double li = 0;
            for (int k = 0; k < c; k++)
            {
                double q = (1 - labelSmoothing) * (k == targets[i] ? 1 : 0) + labelSmoothing / c;
                li -= q * (z[k] - lse);
            }
            double w = classWeights?[targets[i]] ?? 1.0;
            num += w * li;
            den += w;
        }
        return num / den;
    }

    /// <summary>Loss on torch tensors: <paramref name="logits"/> [B, C] float, <paramref name="targets"/> [B] int64,
    /// <paramref name="classWeights"/> [C] float or null. Returns a scalar tensor.</summary>
    public static Tensor Compute(Tensor logits, Tensor targets, Tensor? classWeights = null, double labelSmoothing = 0.0)
    {
        Check((int)logits.shape[0], (int)targets.shape[0], labelSmoothing);
        long c = logits.shape[1];
        var logp = logits.log_softmax(-1);
        var nll = -logp.gather(1, targets.unsqueeze(1)).squeeze(1);              // −log p(y)
        var perRow = labelSmoothing > 0
            ? nll * (1 - labelSmoothing) + (-logp.sum(1)) * (labelSmoothing / c)
            : nll;
        if (classWeights is null) return perRow.mean();
        var w = classWeights.index_select(0, targets);
        return (perRow * w).sum() / w.sum();
    }

    /// <summary>Inverse-frequency weights w_c = n / (C · n_c) over <paramref name="targets"/> (weight 1 for an
    /// absent class), or all ones for <see cref="ClassWeighting.None"/>.</summary>
    public static float[] Weights(IReadOnlyList<int> targets, int numClasses, ClassWeighting weighting)
    {
        var w = Enumerable.Repeat(1f, numClasses).ToArray();
        if (weighting == ClassWeighting.None || targets.Count == 0) return w;
        var counts = new int[numClasses];
        foreach (var t in targets) counts[t]++;
        for (int k = 0; k < numClasses; k++)
            if (counts[k] > 0) w[k] = (float)targets.Count / (numClasses * counts[k]);
        return w;
    }

    private static void Check(int n, int m, double eps)
    {
        if (n == 0) throw new ArgumentException("No rows to compute the loss on.");
        if (n != m) throw new ArgumentException($"{n} logit rows but {m} targets.");
        if (eps is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(eps), eps, "Label smoothing must be in [0, 1).");
    }
}
