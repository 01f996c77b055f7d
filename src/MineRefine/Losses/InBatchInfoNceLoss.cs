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
/// uses <b>no</b> in-batch negatives, §3; issue 4 lists it "for comparison"). For B (query, positive item) pairs with
/// embeddings q_b, d_b:
/// <code>
///   S_bc = scale · cos(q_b, d_c)            (scale = 1/τ, default 20)
///   ℓ_b  = −log( exp(S_bb) / Σ_{c=1..B} exp(S_bc) )
///   L    = (1/B) Σ_b ℓ_b                    (mean, as MNRL; Σ_b with SumOverBatch)
/// </code>
/// <para><b>Graded form</b> (<see cref="Compute(Tensor, Tensor)"/>, the trainer's <c>--loss infonce</c>): on the
/// trainer's [B, N] cosine scores and 2/1/0/−1 grades, instance b's positive p_b is its highest-graded item (grade ≥ 1;
/// the first on ties) and its negatives 𝒩_b are all its grade-0 items — its own hard negatives, the shared random
/// negatives and, with <c>--in-batch-negatives</c> (on by default for this loss), every other instance's items:
/// <code>
///   ℓ_b = −scale·S_b,p_b + log( exp(scale·S_b,p_b) + Σ_{n∈𝒩_b} exp(scale·S_bn) )
///   L   = (1/|ℬ|) Σ_{b∈ℬ} ℓ_b                (ℬ = instances with a positive; Σ with SumOverBatch)
/// </code>
/// The instance's other positives are left out of the softmax (neither positive nor negative), and the grade of the
/// positive does not weight it: this is the one-positive recipe, not the paper's grade-aware loss. An instance without a
/// positive adds nothing; a batch without any gives a zero loss (never NaN). With the B×B similarity matrix, grade 2 on
/// the diagonal and 0 elsewhere, the graded form equals the pair form (<see cref="ComputePair"/>, <see cref="ComputePairLoss"/>).</para>
/// Breakdown: "infonce/ce" (summed ℓ_b, count = |ℬ|) and "infonce/top1" (share of ℬ whose positive outscores every
/// negative; count = |ℬ|).
/// </summary>
public sealed class InBatchInfoNceLoss : ILoss
{
    /// <summary>Creates the loss.</summary>
    public InBatchInfoNceLoss(InBatchInfoNceOptions? options = null)
    {
        Options = options ?? new InBatchInfoNceOptions();
        Options.Validate();
    }

    /// <summary>The options this loss was built with.</summary>
    public InBatchInfoNceOptions Options { get; }

    /// <inheritdoc />
    public string Name => "infonce";

    /// <inheritdoc />
    public IReadOnlyList<TorchSharp.Modules.Parameter> TrainableParameters => Array.Empty<TorchSharp.Modules.Parameter>();

    /// <summary>The graded form (see the class summary) on the trainer's cosine scores [B, N] and grades [B, N].</summary>
    public (Tensor Loss, LossBreakdown Breakdown) Compute(Tensor scores, Tensor grades)
    {
        var (loss, perInstance, hasPositive, top1) = Graded(scores, grades, Options);
        var bd = new LossBreakdown { Total = LossTensors.ToDoubles(loss)[0] };
        int n = hasPositive.Count(h => h);
        bd.Add("infonce/ce", LossTensors.ToDoubles(perInstance).Sum(), n);   // 0 for instances without a positive
        bd.Add("infonce/top1", n == 0 ? 0 : (double)top1 / n, n);
        return (loss, bd);
    }

    /// <summary>The graded form on raw tensors: scores [B, N] (cosine), grades [B, N] int64 (2/1/0, −1 padding).</summary>
    public static Tensor ComputeLoss(Tensor scores, Tensor grades, InBatchInfoNceOptions? options = null)
    {
        options ??= new InBatchInfoNceOptions();
        options.Validate();
        return Graded(scores, grades, options).Loss;
    }

    private static (Tensor Loss, Tensor PerInstance, bool[] HasPositive, int Top1) Graded(Tensor scores, Tensor grades, InBatchInfoNceOptions o)
    {
        LossGuards.CheckShapes(scores, grades);
        long rows = scores.shape[0], cols = scores.shape[1];
        long[] g = LossTensors.ToLongs(grades);
        double[] sc = LossTensors.ToDoubles(scores.detach());
        var posIndex = new long[rows];
        var keep = new bool[rows * cols];       // in the softmax: the positive and the grade-0 items
        var has = new bool[rows];
        int top1 = 0;
        for (long b = 0; b < rows; b++)
        {
            long best = -1;
            for (long j = 0; j < cols; j++)
                if (g[b * cols + j] >= 1 && (best < 0 || g[b * cols + j] > g[b * cols + best])) best = j;
            posIndex[b] = Math.Max(0, best);
            if (best < 0) continue;
            has[b] = true;
            double maxNeg = double.NegativeInfinity;
            for (long j = 0; j < cols; j++)
            {
                bool neg = g[b * cols + j] == 0;
                keep[b * cols + j] = neg || j == best;
                if (neg) maxNeg = Math.Max(maxNeg, sc[b * cols + j]);
            }
            if (sc[b * cols + best] > maxNeg) top1++;
        }
        var logits = scores * o.Scale;
        var masked = logits.masked_fill(torch.tensor(keep, new[] { rows, cols }, device: scores.device).logical_not(), LossGuards.MaskedLogit);
        var pos = logits.gather(1, torch.tensor(posIndex, new[] { rows, 1L }, device: scores.device)).squeeze(1);
        var hasT = torch.tensor(has, device: scores.device).to_type(scores.dtype);
        var perInstance = (masked.logsumexp(1) - pos) * hasT;      // [B]; 0 where no positive
        int n = has.Count(h => h);
        var loss = o.SumOverBatch || n == 0 ? perInstance.sum() : perInstance.sum() / n;
        return (loss, perInstance, has, top1);
    }

    /// <inheritdoc />
    public void Dispose() { }

    /// <summary>The pair form: loss and diagnostics for query embeddings [B, D] and their positive item embeddings [B, D].</summary>
    public (Tensor Loss, LossBreakdown Breakdown) ComputePair(Tensor queryEmbeddings, Tensor positiveEmbeddings)
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

    /// <summary>The pair form on raw tensors: query embeddings [B, D] and their positive item embeddings [B, D].</summary>
    public static Tensor ComputePairLoss(Tensor queryEmbeddings, Tensor positiveEmbeddings, InBatchInfoNceOptions? options = null)
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
