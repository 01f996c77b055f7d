using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Losses;

/// <summary>Which graded loss the trainer uses and its parameters (paper §5, §6).</summary>
public sealed class LossOptions
{
    /// <summary>One of <see cref="LossFactory.Names"/>: "supcon" (stage 1), "circle" (stage 2), "triplet"
    /// (baseline), "supcon+circle" (weighted sum). Default "supcon".</summary>
    public string Name { get; set; } = "supcon";
    /// <summary>SupCon parameters.</summary>
    public SupConOptions SupCon { get; set; } = new();
    /// <summary>Triplet parameters.</summary>
    public WeightedTripletOptions Triplet { get; set; } = new();
    /// <summary>Circle parameters.</summary>
    public MultiClassCircleOptions Circle { get; set; } = new();
    /// <summary>InfoNCE parameters (the baseline "infonce").</summary>
    public InBatchInfoNceOptions InfoNce { get; set; } = new();
    /// <summary>Weight of the SupCon term in "supcon+circle". Default 1.</summary>
    public double SupConWeight { get; set; } = 1.0;
    /// <summary>Weight of the circle term in "supcon+circle". Default 1.</summary>
    public double CircleWeight { get; set; } = 1.0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (!LossFactory.Names.Contains(Name, StringComparer.Ordinal))
            throw new ArgumentException($"Unknown loss '{Name}'; use one of: {string.Join(", ", LossFactory.Names)}.");
        if (!double.IsFinite(SupConWeight) || SupConWeight < 0 || !double.IsFinite(CircleWeight) || CircleWeight < 0)
            throw new ArgumentException($"Loss weights must be finite and ≥ 0 (SupConWeight={SupConWeight}, CircleWeight={CircleWeight}).");
        SupCon.Validate();
        Triplet.Validate();
        Circle.Validate();
        InfoNce.Validate();
    }
}

/// <summary>Builds an <see cref="ILoss"/> by name so the trainer can switch losses by option.</summary>
public static class LossFactory
{
    /// <summary>The accepted names.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "supcon", "triplet", "circle", "supcon+circle", "infonce" };

    /// <summary>Creates the loss named by <paramref name="options"/> (validated first).</summary>
    public static ILoss Create(LossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Name switch
        {
            "supcon" => new LabelAwareSupConLoss(options.SupCon),
            "triplet" => new WeightedTripletLoss(options.Triplet),
            "circle" => new MultiClassCircleLoss(options.Circle),
            "infonce" => new InBatchInfoNceLoss(options.InfoNce),
            "supcon+circle" => new CombinedLoss("supcon+circle", new (ILoss, double)[]
            {
                (new LabelAwareSupConLoss(options.SupCon), options.SupConWeight),
                (new MultiClassCircleLoss(options.Circle), options.CircleWeight),
            }),
            _ => throw new ArgumentException($"Unknown loss '{options.Name}'."),
        };
    }

    /// <summary>Shortcut: <c>Create(new LossOptions { Name = name })</c>.</summary>
    public static ILoss Create(string name) => Create(new LossOptions { Name = name });
}

/// <summary>
/// Weighted sum of losses: L = Σ_k w_k · L_k. The breakdown keeps every part's terms unweighted, records each part's
/// unweighted total as "{part}/total" and its weight as "weight/{part}"; <see cref="LossBreakdown.Total"/> is the
/// weighted sum. Owns (and disposes) its parts.
/// </summary>
public sealed class CombinedLoss : ILoss
{
    private readonly (ILoss Loss, double Weight)[] _parts;

    /// <summary>Creates the combination.</summary>
    public CombinedLoss(string name, IReadOnlyList<(ILoss Loss, double Weight)> parts)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (parts is null || parts.Count == 0) throw new ArgumentException("CombinedLoss needs at least one part.", nameof(parts));
        Name = name;
        _parts = parts.ToArray();
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The parts and their weights.</summary>
    public IReadOnlyList<(ILoss Loss, double Weight)> Parts => _parts;

    /// <inheritdoc />
    public IReadOnlyList<TorchSharp.Modules.Parameter> TrainableParameters =>
        _parts.SelectMany(p => p.Loss.TrainableParameters).ToArray();

    /// <inheritdoc />
    public (Tensor Loss, LossBreakdown Breakdown) Compute(Tensor scores, Tensor grades)
    {
        var bd = new LossBreakdown();
        Tensor? total = null;
        double totalValue = 0;
        foreach (var (loss, w) in _parts)
        {
            var (l, b) = loss.Compute(scores, grades);
            var wl = l * w;
            total = total is null ? wl : total + wl;
            bd.Merge(b);
            bd.Set($"{loss.Name}/total", b.Total);
            bd.Set($"weight/{loss.Name}", w);
            totalValue += w * b.Total;
        }
        bd.Total = totalValue;
        return (total!, bd);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (l, _) in _parts) l.Dispose();
    }
}
