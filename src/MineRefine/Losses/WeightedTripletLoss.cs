using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Losses;

/// <summary>Options of <see cref="WeightedTripletLoss"/>: one margin and one weight per ordered grade pair.</summary>
public sealed class WeightedTripletOptions
{
    /// <summary>Margin m(2,1) between an exact and a partial item [choice]. Default 0.1.</summary>
    public double Margin21 { get; set; } = 0.1;
    /// <summary>Margin m(1,0) between a partial and an irrelevant item [choice]. Default 0.1.</summary>
    public double Margin10 { get; set; } = 0.1;
    /// <summary>Margin m(2,0) between an exact and an irrelevant item [choice]. Default 0.2.</summary>
    public double Margin20 { get; set; } = 0.2;
    /// <summary>Weight w(2,1) of (exact, partial) pairs. Default 1.</summary>
    public double Weight21 { get; set; } = 1.0;
    /// <summary>Weight w(1,0) of (partial, irrelevant) pairs. Default 1.</summary>
    public double Weight10 { get; set; } = 1.0;
    /// <summary>Weight w(2,0) of (exact, irrelevant) pairs. Default 1.</summary>
    public double Weight20 { get; set; } = 1.0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        foreach (var (name, v) in new[] { ("Margin21", Margin21), ("Margin10", Margin10), ("Margin20", Margin20) })
            if (!double.IsFinite(v) || v < 0) throw new ArgumentException($"Triplet {name} must be a finite number ≥ 0 (got {v}); e.g. 0.1.");
        foreach (var (name, v) in new[] { ("Weight21", Weight21), ("Weight10", Weight10), ("Weight20", Weight20) })
            if (!double.IsFinite(v) || v < 0) throw new ArgumentException($"Triplet {name} must be a finite number ≥ 0 (got {v}); use 1 for an unweighted loss.");
    }
}

/// <summary>
/// Weighted triplet (pairwise hinge) loss — the paper's baseline (§7: Facebook EBR triplet loss adapted to 3 grades).
/// For one instance, over every ordered pair of non-padding items (i, j) with r_i &gt; r_j:
/// <code>
///   ℓ_ij = w(r_i, r_j) · max(0, m(r_i, r_j) − (s_i − s_j))
///   L_q  = (1 / |pairs_q|) · Σ_{(i,j)} ℓ_ij          (mean over the instance's valid pairs; 0 when it has none)
///   L    = Σ_q L_q                                     (summed over instances)
/// </code>
/// The weights scale pairs absolutely (the divisor is the pair count, not the weight sum). Defaults: m(2,1) = 0.1,
/// m(1,0) = 0.1, m(2,0) = 0.2, all weights 1 (<see cref="WeightedTripletOptions"/>).
/// Breakdown terms "triplet/2v1", "triplet/1v0", "triplet/2v0" (summed normalised contributions; count = pairs)
/// and "triplet/2v1_active" etc. (count of pairs with a non-zero hinge; value 0).
/// </summary>
public sealed class WeightedTripletLoss : ILoss
{
    private static readonly (int Hi, int Lo, string Key)[] Pairs = { (2, 1, "2v1"), (1, 0, "1v0"), (2, 0, "2v0") };

    /// <summary>Creates the loss.</summary>
    public WeightedTripletLoss(WeightedTripletOptions? options = null)
    {
        Options = options ?? new WeightedTripletOptions();
        Options.Validate();
    }

    /// <summary>The options this loss was built with.</summary>
    public WeightedTripletOptions Options { get; }

    /// <inheritdoc />
    public string Name => "triplet";

    /// <inheritdoc />
    public IReadOnlyList<TorchSharp.Modules.Parameter> TrainableParameters => Array.Empty<TorchSharp.Modules.Parameter>();

    /// <inheritdoc />
    public (Tensor Loss, LossBreakdown Breakdown) Compute(Tensor scores, Tensor grades)
    {
        LossGuards.CheckShapes(scores, grades);
        var (perPair, pairCount) = PerPair(scores, grades, Options);
        var loss = perPair.sum();
        return (loss, Breakdown(perPair, grades, scores, Options));
    }

    /// <summary>The loss on raw tensors (scalar, summed over instances).</summary>
    public static Tensor ComputeLoss(Tensor scores, Tensor grades, WeightedTripletOptions? options = null)
    {
        LossGuards.CheckShapes(scores, grades);
        options ??= new WeightedTripletOptions();
        options.Validate();
        return PerPair(scores, grades, options).PerPair.sum();
    }

    /// <summary>[B, N, N] terms ℓ_ij / |pairs_q| (zero off valid pairs) and the [B] pair counts.</summary>
    internal static (Tensor PerPair, Tensor PairCount) PerPair(Tensor scores, Tensor grades, WeightedTripletOptions o)
    {
        var gi = grades.unsqueeze(2);
        var gj = grades.unsqueeze(1);
        var mask = gi.gt(gj).logical_and(gj.ge(0));                 // r_i > r_j ≥ 0 (so both are real items)
        var diff = scores.unsqueeze(2) - scores.unsqueeze(1);         // s_i − s_j
        var idx = gi.clamp(0, 2) * 3 + gj.clamp(0, 2);               // table index hi*3+lo
        var margins = torch.zeros(9, scores.dtype);
        var weights = torch.zeros(9, scores.dtype);
        margins[2 * 3 + 1] = o.Margin21; margins[1 * 3 + 0] = o.Margin10; margins[2 * 3 + 0] = o.Margin20;
        weights[2 * 3 + 1] = o.Weight21; weights[1 * 3 + 0] = o.Weight10; weights[2 * 3 + 0] = o.Weight20;
        var m = margins.take(idx);
        var w = weights.take(idx);
        var maskF = mask.to_type(scores.dtype);
        var hinge = nn.functional.relu(m - diff) * w * maskF;
        var count = maskF.sum(new long[] { 1, 2 });
        var denom = torch.where(count.gt(0), count, torch.ones_like(count));
        return (hinge / denom.view(-1, 1, 1), count);
    }

    private static LossBreakdown Breakdown(Tensor perPair, Tensor grades, Tensor scores, WeightedTripletOptions o)
    {
        var bd = new LossBreakdown();
        double[] v = LossTensors.ToDoubles(perPair);
        long[] g = LossTensors.ToLongs(grades);
        double[] s = LossTensors.ToDoubles(scores);
        int b = (int)grades.shape[0], n = (int)grades.shape[1];
        double total = 0;
        var sums = new double[3];
        var counts = new long[3];
        var active = new long[3];
        for (int q = 0; q < b; q++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    long ri = g[q * n + i], rj = g[q * n + j];
                    if (!(ri > rj && rj >= 0)) continue;
                    int p = ri == 2 && rj == 1 ? 0 : ri == 1 ? 1 : 2;
                    double val = v[(q * n + i) * n + j];
                    total += val; sums[p] += val; counts[p]++;
                    double margin = p == 0 ? o.Margin21 : p == 1 ? o.Margin10 : o.Margin20;
                    if (margin - (s[q * n + i] - s[q * n + j]) > 0) active[p]++;
                }
        bd.Total = total;
        for (int p = 0; p < 3; p++)
        {
            bd.Add($"triplet/{Pairs[p].Key}", sums[p], counts[p]);
            bd.Add($"triplet/{Pairs[p].Key}_active", 0, active[p]);
        }
        return bd;
    }

    /// <summary>No native state to release.</summary>
    public void Dispose() { }
}
