using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Losses;

/// <summary>Options of <see cref="InBatchInfoNceLoss"/>.</summary>
public sealed class InBatchInfoNceOptions
{
    /// <summary>Logit scale 1/τ. Default 20 (τ = 0.05), as sentence-transformers' MultipleNegativesRankingLoss.</summary>
    public double Scale { get; set; } = 20.0;
    /// <summary>L2-normalise both embedding sets first (cosine similarity, as MNRL's cos_sim). Default true.</summary>
    public bool NormalizeEmbeddings { get; set; } = true;
    /// <summary>Sum the per-query cross-entropies instead of averaging them. Default false: MNRL averages.</summary>
    public bool SumOverBatch { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Scale) || Scale <= 0)
            throw new ArgumentException($"InfoNCE Scale must be a finite number > 0 (got {Scale}); the default is 20.");
    }
}

/// <summary>
/// In-batch InfoNCE — sentence-transformers' MultipleNegativesRankingLoss recipe, a generic baseline only (the paper
/// uses <b>no</b> in-batch negatives, §3). For B (query, positive item) pairs with embeddings q_b, d_b:
/// <code>
///   S_bc = scale · cos(q_b, d_c)            (scale = 1/τ, default 20)
///   ℓ_b  = −log( exp(S_bb) / Σ_{c=1..B} exp(S_bc) )
///   L    = (1/B) Σ_b ℓ_b                    (mean, as MNRL; Σ_b with SumOverBatch)
/// </code>
/// Breakdown: "infonce/ce" (same as total) and "infonce/top1" (in-batch top-1 accuracy, count = B).
/// </summary>
public sealed class InBatchInfoNceLoss
{
    /// <summary>Creates the loss.</summary>
    public InBatchInfoNceLoss(InBatchInfoNceOptions? options = null)
    {
        Options = options ?? new InBatchInfoNceOptions();
        Options.Validate();
    }

    /// <summary>The options this loss was built with.</summary>
    public InBatchInfoNceOptions Options { get; }

    /// <summary>Loss and diagnostics for query embeddings [B, D] and their positive item embeddings [B, D].</summary>
    public (Tensor Loss, LossBreakdown Breakdown) Compute(Tensor queryEmbeddings, Tensor positiveEmbeddings)
    {
        var (loss, sim) = Core(queryEmbeddings, positiveEmbeddings, Options);
        var bd = new LossBreakdown { Total = LossTensors.ToDoubles(loss)[0] };
        bd.Add("infonce/ce", bd.Total, queryEmbeddings.shape[0]);
        long[] arg = LossTensors.ToLongs(sim.argmax(1));
        long correct = 0;
        for (int i = 0; i < arg.Length; i++) if (arg[i] == i) correct++;
        bd.Add("infonce/top1", arg.Length == 0 ? 0 : (double)correct / arg.Length, arg.Length);
        return (loss, bd);
    }

    /// <summary>The loss on raw tensors.</summary>
    public static Tensor ComputeLoss(Tensor queryEmbeddings, Tensor positiveEmbeddings, InBatchInfoNceOptions? options = null)
    {
        options ??= new InBatchInfoNceOptions();
        options.Validate();
        return Core(queryEmbeddings, positiveEmbeddings, options).Loss;
    }

    private static (Tensor Loss, Tensor Sim) Core(Tensor q, Tensor d, InBatchInfoNceOptions o)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(d);
        if (q.dim() != 2 || !q.shape.SequenceEqual(d.shape))
            throw new ArgumentException($"InfoNCE needs query and positive embeddings of the same shape [B, D]; got [{string.Join(", ", q.shape)}] and [{string.Join(", ", d.shape)}].");
        if (o.NormalizeEmbeddings)
        {
            q = nn.functional.normalize(q, p: 2, dim: 1);
            d = nn.functional.normalize(d, p: 2, dim: 1);
        }
        var sim = q.matmul(d.t()) * o.Scale;
        var labels = torch.arange(q.shape[0], dtype: ScalarType.Int64, device: q.device);
        var loss = nn.functional.cross_entropy(sim, labels,
            reduction: o.SumOverBatch ? nn.Reduction.Sum : nn.Reduction.Mean);
        return (loss, sim);
    }
}
