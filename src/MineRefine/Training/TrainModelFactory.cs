using MineRefine.Modeling;
using MineRefine.Text.Tokenization;

namespace MineRefine.Training;

/// <summary>Creates the model a training run starts from: <c>minilm</c> (all-MiniLM-L6-v2 with fresh 256-d query
/// and item heads, paper §4) or another <see cref="PretrainedModels"/> name (<c>arctic-xs</c>: same shape,
/// retrieval-tuned, [CLS] pooling and a query prefix), <c>tiny</c> (random 2-layer, hidden-32 encoder over the MiniLM WordPiece vocabulary,
/// 32-d heads — for tests and CI), or a model folder written by <see cref="SiameseModel.Save"/> (e.g. a stage-1
/// result for stage 2).</summary>
public static class TrainModelFactory
{
    /// <summary>Output dimension of the projection heads for <c>minilm</c> [paper §4 choice]. Default 256.</summary>
    public const int DefaultHeadDim = 256;

    /// <summary>
    /// Initialises the query and item heads to the <b>same</b> random semi-orthogonal projection W (rows orthonormal,
    /// W = Qᵀ from the QR decomposition of a seeded Gaussian h × d matrix) with zero bias [choice]. Two independently
    /// random heads would make cos(W_q·q, W_i·d) unrelated to the pretrained similarity, so a fine-tune would start
    /// from noise; with tied, near-isometric heads the starting model ranks almost like the zero-shot encoder and the
    /// heads are free to diverge during training.
    /// </summary>
    public static void AlignHeads(SiameseEncoder encoder, long seed)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var p = encoder.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        if (!p.TryGetValue("query_head.linear.weight", out var wq)) return; // identity head: nothing to align
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        var gen = new TorchSharp.torch.Generator((ulong)seed);
        long d = wq.shape[0], h = wq.shape[1];
        var g = TorchSharp.torch.randn(new[] { Math.Max(h, d), Math.Min(h, d) }, generator: gen);
        var (q, _) = TorchSharp.torch.linalg.qr(g);
        var w = d <= h ? q.t() : q; // [d, h] with orthonormal rows (d ≤ h) or columns
        foreach (var name in new[] { "query_head.linear.weight", "item_head.linear.weight" })
            if (p.TryGetValue(name, out var t)) t.copy_(w);
        foreach (var name in new[] { "query_head.linear.bias", "item_head.linear.bias" })
            if (p.TryGetValue(name, out var t)) t.zero_();
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="headDim"/> is a usable projection head size
    /// (<c>--head-dim</c> of <c>train</c> and <c>pipeline</c>): 1 to 4,096.</summary>
    public static void ValidateHeadDim(int headDim)
    {
        if (headDim is < 1 or > 4096)
            throw new ArgumentException($"--head-dim must be in [1, 4096] (got {headDim}); default {DefaultHeadDim}, 384 keeps the encoder's width.");
    }

    /// <summary>Parses a <c>--pooling</c> value (mean, cls, attention; case-insensitive).</summary>
    public static PoolingMode ParsePooling(string value) => value.Trim().ToLowerInvariant() switch
    {
        "mean" => PoolingMode.Mean,
        "cls" => PoolingMode.Cls,
        "attention" => PoolingMode.Attention,
        _ => throw new ArgumentException($"--pooling must be mean, cls or attention (got '{value}')."),
    };

    /// <summary>Builds the model named by <paramref name="spec"/>; <paramref name="seed"/> seeds new weights;
    /// <paramref name="pooling"/> overrides a pretrained model's own pooling for the new towers (null keeps it).</summary>
    public static SiameseModel Create(string spec, int seed, int headDim = DefaultHeadDim, PoolingMode? pooling = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(spec);
        switch (spec.ToLowerInvariant())
        {
            case var name when PretrainedModels.Find(name) is { } pretrained:
                var m = SiameseModel.CreatePretrained(pretrained, new HeadConfig { OutputDim = headDim, Shared = false, Pooling = pooling ?? pretrained.Pooling },
                    maxQueryLength: 256, maxItemLength: 256, seed: seed);
                AlignHeads(m.Encoder, seed);
                return m;
            case "tiny":
                var tok = WordPieceTokenizer.MiniLm();
                return SiameseModel.CreateRandom(new SiameseConfig
                {
                    Transformer = TransformerConfig.Tiny(tok.VocabSize),
                    Head = new HeadConfig { OutputDim = 32 },
                    MaxQueryLength = 24,
                    MaxItemLength = 48,
                }, tok, seed);
            default:
                if (!Directory.Exists(spec))
                    throw new ArgumentException($"--model '{spec}' is neither a pretrained model ({PretrainedModels.Names}), 'tiny' nor an existing model folder.");
                return SiameseModel.Load(spec);
        }
    }
}
