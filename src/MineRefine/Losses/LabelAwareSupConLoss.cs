using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MineRefine.Losses;

/// <summary>Options of <see cref="LabelAwareSupConLoss"/> (paper §5).</summary>
public sealed class SupConOptions
{
    /// <summary>Initial temperature τ₀ [choice]. Default 0.05 (= scale 20).</summary>
    public double InitialTemperature { get; set; } = 0.05;
    /// <summary>Lower clamp of the learned τ [choice]. Default 0.01.</summary>
    public double MinTemperature { get; set; } = 0.01;
    /// <summary>Upper clamp of the learned τ [choice]. Default 1.</summary>
    public double MaxTemperature { get; set; } = 1.0;
    /// <summary>Learn τ (paper: τ is learned). When false τ stays at <see cref="InitialTemperature"/>. Default true.</summary>
    public bool LearnTemperature { get; set; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (!(MinTemperature > 0) || !(MaxTemperature >= MinTemperature))
            throw new ArgumentException($"SupCon temperatures need 0 < MinTemperature ≤ MaxTemperature (got {MinTemperature}, {MaxTemperature}); e.g. 0.01 and 1.");
        if (!(InitialTemperature >= MinTemperature && InitialTemperature <= MaxTemperature))
            throw new ArgumentException($"SupCon initial temperature τ₀ (--tau) {InitialTemperature} must lie in [{MinTemperature}, {MaxTemperature}] (MinTemperature, MaxTemperature); the default is 0.05.");
    }
}

/// <summary>
/// Label-aware supervised contrastive loss — paper §5, eq. 2. For one instance with items d_1..d_N (padding
/// excluded), grades r_i and P = {i : r_i &gt; 0}:
/// <code>
///   L_q = −(1 / Σ_{i∈P} r_i) · Σ_{i∈P} r_i · log( exp(s_i/τ) / Σ_{j=1..N} exp(s_j/τ) )
///   L   = Σ_q L_q      (instance losses summed, not averaged)
/// </code>
/// The softmax denominator runs over the instance's own non-padding items only (no in-batch negatives, §3);
/// grade-0 items appear only there. τ is learned: the module holds <c>logInvTau</c> = log(1/τ), initialised to
/// log(1/τ₀) with τ₀ = 0.05, and τ is clamped to [0.01, 1] (see <see cref="SupConOptions"/>).
/// Edge cases: an instance with no positive contributes 0; a single (positive) item gives log 1 = 0; all-padding
/// rows give 0. Padding is masked with a large negative logit (−1e9), never −∞, so no NaN can arise.
/// Breakdown terms: "supcon/pos2" and "supcon/pos1" (the part of the loss carried by grade-2 / grade-1 positives,
/// count = number of such items), "supcon/no_positive" (count of instances that contributed 0 because they have no
/// positive; value 0) and "supcon/tau" (current τ).
/// </summary>
public sealed class LabelAwareSupConLoss : nn.Module, ILoss
{
    private readonly Parameter logInvTau;
    private readonly double _minLogInv, _maxLogInv;

    /// <summary>Creates the loss with a learned (or fixed) temperature.</summary>
    public LabelAwareSupConLoss(SupConOptions? options = null) : base(nameof(LabelAwareSupConLoss))
    {
        Options = options ?? new SupConOptions();
        Options.Validate();
        _minLogInv = Math.Log(1.0 / Options.MaxTemperature);
        _maxLogInv = Math.Log(1.0 / Options.MinTemperature);
        logInvTau = new Parameter(torch.tensor(Math.Log(1.0 / Options.InitialTemperature), ScalarType.Float32),
            requires_grad: Options.LearnTemperature);
        RegisterComponents();
    }

    /// <summary>The options this loss was built with.</summary>
    public SupConOptions Options { get; }

    /// <inheritdoc />
    public string Name => "supcon";

    /// <summary>The learned parameter log(1/τ) (unclamped).</summary>
    public Parameter LogInvTau => logInvTau;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> TrainableParameters =>
        Options.LearnTemperature ? new[] { logInvTau } : Array.Empty<Parameter>();

    /// <summary>Current (clamped) temperature τ.</summary>
    public double Temperature
    {
        get
        {
            double li = Math.Clamp(logInvTau.detach().cpu().to_type(ScalarType.Float64).item<double>(), _minLogInv, _maxLogInv);
            return Math.Exp(-li);
        }
    }

    /// <summary>Sets τ (e.g. when restoring a checkpoint written as a plain number).</summary>
    public void SetTemperature(double tau)
    {
        if (!(tau > 0)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "Temperature must be > 0.");
        using var _ = torch.no_grad();
        logInvTau.fill_(Math.Log(1.0 / tau));
    }

    /// <summary>1/τ as a differentiable scalar: exp(clamp(logInvTau, log 1/τmax, log 1/τmin)).</summary>
    public Tensor InverseTemperature() => logInvTau.clamp(_minLogInv, _maxLogInv).exp();

    /// <inheritdoc />
    public (Tensor Loss, LossBreakdown Breakdown) Compute(Tensor scores, Tensor grades)
    {
        LossGuards.CheckShapes(scores, grades);
        var invTau = InverseTemperature();
        var perItem = PerItem(scores, grades, invTau);
        var loss = perItem.sum();
        var bd = Breakdown(perItem, grades);
        bd.Set("supcon/tau", 1.0 / invTau.detach().cpu().to_type(ScalarType.Float64).item<double>());
        return (loss, bd);
    }

    /// <summary>Eq. 2 on raw tensors with a fixed temperature <paramref name="tau"/>; returns the scalar sum over
    /// instances.</summary>
    public static Tensor ComputeLoss(Tensor scores, Tensor grades, double tau)
    {
        if (!(tau > 0)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "Temperature must be > 0.");
        LossGuards.CheckShapes(scores, grades);
        return PerItem(scores, grades, torch.tensor(1.0 / tau, scores.dtype)).sum();
    }

    /// <summary>Eq. 2 on raw tensors with a temperature tensor (scalar, may require grad).</summary>
    public static Tensor ComputeLoss(Tensor scores, Tensor grades, Tensor tau)
    {
        LossGuards.CheckShapes(scores, grades);
        ArgumentNullException.ThrowIfNull(tau);
        return PerItem(scores, grades, tau.reciprocal()).sum();
    }

    /// <summary>Per-item terms −(r_i/Σ_P r)·log softmax_i, zero for non-positives and padding; shape [B, N].</summary>
    internal static Tensor PerItem(Tensor scores, Tensor grades, Tensor invTau)
    {
        var valid = grades.ge(0);
        var logits = (scores * invTau).masked_fill(valid.logical_not(), LossGuards.MaskedLogit);
        var logProb = logits - logits.logsumexp(1, keepdim: true);
        var r = grades.clamp_min(0).to_type(logProb.dtype);            // r_i for positives, 0 for grade 0 and padding
        var sumR = r.sum(1, keepdim: true);
        var denom = torch.where(sumR.gt(0), sumR, torch.ones_like(sumR)); // no positive → numerator is 0 anyway
        return -(r / denom) * logProb;
    }

    internal static LossBreakdown Breakdown(Tensor perItem, Tensor grades)
    {
        var bd = new LossBreakdown();
        double[] v = LossTensors.ToDoubles(perItem);
        long[] g = LossTensors.ToLongs(grades);
        int n = (int)grades.shape[1], b = (int)grades.shape[0];
        double total = 0, pos2 = 0, pos1 = 0;
        long c2 = 0, c1 = 0, noPos = 0;
        for (int i = 0; i < b; i++)
        {
            bool any = false;
            for (int j = 0; j < n; j++)
            {
                int k = i * n + j;
                total += v[k];
                if (g[k] == 2) { pos2 += v[k]; c2++; any = true; }
                else if (g[k] == 1) { pos1 += v[k]; c1++; any = true; }
            }
            if (!any) noPos++;
        }
        bd.Total = total;
        bd.Add("supcon/pos2", pos2, c2);
        bd.Add("supcon/pos1", pos1, c1);
        bd.Add("supcon/no_positive", 0, noPos);
        return bd;
    }
}

/// <summary>Copies small tensors to managed arrays for diagnostics.</summary>
internal static class LossTensors
{
    public static double[] ToDoubles(Tensor t)
    {
        using var c = t.detach().cpu().to_type(ScalarType.Float64).contiguous();
        return c.data<double>().ToArray();
    }

    public static long[] ToLongs(Tensor t)
    {
        using var c = t.detach().cpu().to_type(ScalarType.Int64).contiguous();
        return c.data<long>().ToArray();
    }
}
