using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Losses;

/// <summary>One case of the multi-class circle loss: which grade is the positive side, which the negative side, and
/// their (O, Δ) parameters (paper §6, eqs. 3–5).</summary>
/// <param name="Name">Breakdown key, e.g. "2v0".</param>
/// <param name="PositiveGrade">Grade of the positive set P.</param>
/// <param name="NegativeGrade">Grade of the negative set N.</param>
/// <param name="Op">Optimum O_p of the positive side (α_p = [O_p − s]₊).</param>
/// <param name="DeltaP">Margin Δ_p of the positive side.</param>
/// <param name="On">Optimum O_n of the negative side (α_n = [s − O_n]₊).</param>
/// <param name="DeltaN">Margin Δ_n of the negative side.</param>
/// <param name="Weight">Multiplier of this case's loss [choice]; default 1 (the paper sums the cases).</param>
public sealed record CircleCase(string Name, int PositiveGrade, int NegativeGrade,
    double Op, double DeltaP, double On, double DeltaN, double Weight = 1.0)
{
    /// <summary>Case I (2 vs 0): (O_p, Δ_p) = (1.25, 0.75), (O_n, Δ_n) = (−0.25, 0.25) — Sun et al.'s circle loss, m = 0.25.</summary>
    public static CircleCase CaseI => new("2v0", 2, 0, 1.25, 0.75, -0.25, 0.25);
    /// <summary>Case II (1 vs 0): (0.60, 0.40) vs (−0.25, 0.25).</summary>
    public static CircleCase CaseII => new("1v0", 1, 0, 0.60, 0.40, -0.25, 0.25);
    /// <summary>Case III (2 vs 1): (1.25, 0.75) vs (0.30, 0.60).</summary>
    public static CircleCase CaseIII => new("2v1", 2, 1, 1.25, 0.75, 0.30, 0.60);
}

/// <summary>Options of <see cref="MultiClassCircleLoss"/>.</summary>
public sealed class MultiClassCircleOptions
{
    /// <summary>Scale γ [choice; the paper gives none]. Default 64 (try 32–128).</summary>
    public double Gamma { get; set; } = 64;

    /// <summary>The cases; default the paper's three (<see cref="CircleCase.CaseI"/>, II, III).</summary>
    public IReadOnlyList<CircleCase> Cases { get; set; } = new[] { CircleCase.CaseI, CircleCase.CaseII, CircleCase.CaseIII };

    /// <summary>Apply the paper's 1/|N| factor inside the log (eq. 5). Default true. False gives Sun et al.'s
    /// original form log(1 + Σ_P … · Σ_N …).</summary>
    public bool NormalizeByNegativeCount { get; set; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Gamma) || Gamma <= 0)
            throw new ArgumentException($"Circle Gamma must be a finite number > 0 (got {Gamma}); the default is 64.");
        if (Cases is null || Cases.Count == 0)
            throw new ArgumentException("Circle Cases must list at least one case; the default is CaseI, CaseII, CaseIII.");
        foreach (var c in Cases)
        {
            if (c.PositiveGrade <= c.NegativeGrade || c.NegativeGrade < 0 || c.PositiveGrade > 2)
                throw new ArgumentException($"Circle case '{c.Name}': PositiveGrade ({c.PositiveGrade}) must be greater than NegativeGrade ({c.NegativeGrade}), both in 0..2.");
            if (!(c.Op > c.DeltaP) || !(c.On < c.DeltaN))
                throw new ArgumentException($"Circle case '{c.Name}': need O_p > Δ_p and O_n < Δ_n (got O_p={c.Op}, Δ_p={c.DeltaP}, O_n={c.On}, Δ_n={c.DeltaN}).");
            if (!double.IsFinite(c.Weight) || c.Weight < 0)
                throw new ArgumentException($"Circle case '{c.Name}': Weight must be finite and ≥ 0 (got {c.Weight}).");
        }
    }
}

/// <summary>
/// Multi-class circle loss — paper §6, eqs. 3–5 (stage 2, "refine"). For a positive set P and a negative set N of
/// one instance, with α_p,i = [O_p − s_i]₊ and α_n,j = [s_j − O_n]₊ treated as constants (detached):
/// <code>
///   L(P, N) = log( 1 + (1/|N|) · Σ_{i∈P} exp(−γ·α_p,i·(s_i − Δ_p)) · Σ_{j∈N} exp(γ·α_n,j·(s_j − Δ_n)) )
///           = softplus( logsumexp_i(−γ α_p,i (s_i − Δ_p)) + logsumexp_j(γ α_n,j (s_j − Δ_n)) − log|N| )
///   Case I   (2 vs 0): P = grade 2, (O_p, Δ_p) = (1.25, 0.75); N = grade 0, (O_n, Δ_n) = (−0.25, 0.25)
///   Case II  (1 vs 0): P = grade 1, (0.60, 0.40);              N = grade 0, (−0.25, 0.25)
///   Case III (2 vs 1): P = grade 2, (1.25, 0.75);              N = grade 1, (0.30, 0.60)
///   L_q = Σ_{cases with P ≠ ∅ and N ≠ ∅} w_case · L(P, N);     L = Σ_q L_q
/// </code>
/// γ defaults to 64 [choice]. Case I equals Sun et al. (2020) with m = 0.25 except for the paper's 1/|N| factor
/// (<see cref="MultiClassCircleOptions.NormalizeByNegativeCount"/>; identical when |N| = 1 or when the option is off).
/// Targets: ≈1.0 for grade 2, ≈0.5 for grade 1, ≤0 for grade 0. Empty sides are masked with −1e9 logits and the case
/// is switched off with a select, so no NaN arises. Breakdown terms "circle/2v0", "circle/1v0", "circle/2v1" (summed
/// weighted case losses; count = instances where the case applies).
/// </summary>
public sealed class MultiClassCircleLoss : ILoss
{
    /// <summary>Creates the loss.</summary>
    public MultiClassCircleLoss(MultiClassCircleOptions? options = null)
    {
        Options = options ?? new MultiClassCircleOptions();
        Options.Validate();
    }

    /// <summary>The options this loss was built with.</summary>
    public MultiClassCircleOptions Options { get; }

    /// <inheritdoc />
    public string Name => "circle";

    /// <inheritdoc />
    public IReadOnlyList<TorchSharp.Modules.Parameter> TrainableParameters => Array.Empty<TorchSharp.Modules.Parameter>();

    /// <inheritdoc />
    public (Tensor Loss, LossBreakdown Breakdown) Compute(Tensor scores, Tensor grades)
    {
        LossGuards.CheckShapes(scores, grades);
        var bd = new LossBreakdown();
        Tensor? total = null;
        double totalValue = 0;
        foreach (var c in Options.Cases)
        {
            var (perInstance, applies) = CaseLoss(scores, grades, c, Options.Gamma, Options.NormalizeByNegativeCount);
            var weighted = perInstance * c.Weight;
            total = total is null ? weighted.sum() : total + weighted.sum();
            double v = LossTensors.ToDoubles(weighted.sum())[0];
            long n = LossTensors.ToLongs(applies.sum())[0];
            bd.Add($"circle/{c.Name}", v, n);
            totalValue += v;
        }
        bd.Total = totalValue;
        return (total!, bd);
    }

    /// <summary>The loss on raw tensors (scalar, summed over cases and instances).</summary>
    public static Tensor ComputeLoss(Tensor scores, Tensor grades, MultiClassCircleOptions? options = null)
    {
        options ??= new MultiClassCircleOptions();
        options.Validate();
        LossGuards.CheckShapes(scores, grades);
        Tensor? total = null;
        foreach (var c in options.Cases)
        {
            var t = CaseLoss(scores, grades, c, options.Gamma, options.NormalizeByNegativeCount).PerInstance.sum() * c.Weight;
            total = total is null ? t : total + t;
        }
        return total!;
    }

    /// <summary>L(P, N) of one case for every instance ([B], zero where the case does not apply) and the [B] bool
    /// mask of instances where it applies (both sides non-empty). The weight of the case is not applied here.</summary>
    public static (Tensor PerInstance, Tensor Applies) CaseLoss(Tensor scores, Tensor grades, CircleCase c,
        double gamma, bool normalizeByNegativeCount = true)
    {
        LossGuards.CheckShapes(scores, grades);
        var pos = grades.eq(c.PositiveGrade);
        var neg = grades.eq(c.NegativeGrade);
        var alphaP = nn.functional.relu(c.Op - scores).detach();
        var alphaN = nn.functional.relu(scores - c.On).detach();
        var logitP = (-gamma * alphaP * (scores - c.DeltaP)).masked_fill(pos.logical_not(), LossGuards.MaskedLogit);
        var logitN = (gamma * alphaN * (scores - c.DeltaN)).masked_fill(neg.logical_not(), LossGuards.MaskedLogit);
        var z = logitP.logsumexp(1) + logitN.logsumexp(1);
        var negCount = neg.sum(1).to_type(scores.dtype);
        if (normalizeByNegativeCount) z = z - negCount.clamp_min(1).log();
        var applies = pos.any(1).logical_and(neg.any(1));
        var per = torch.where(applies, nn.functional.softplus(z), torch.zeros_like(z));
        return (per, applies);
    }

    /// <summary>No native state to release.</summary>
    public void Dispose() { }
}
