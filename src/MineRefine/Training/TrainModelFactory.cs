using MineRefine.Modeling;
using MineRefine.Text.Tokenization;

namespace MineRefine.Training;

/// <summary>Creates the model a training run starts from: <c>minilm</c> (all-MiniLM-L6-v2 with fresh 256-d query
/// and item heads, paper §4), <c>tiny</c> (random 2-layer, hidden-32 encoder over the MiniLM WordPiece vocabulary,
/// 32-d heads — for tests and CI), or a model folder written by <see cref="SiameseModel.Save"/> (e.g. a stage-1
/// result for stage 2).</summary>
public static class TrainModelFactory
{
    /// <summary>Output dimension of the projection heads for <c>minilm</c> [paper §4 choice]. Default 256.</summary>
    public const int DefaultHeadDim = 256;

    /// <summary>Builds the model named by <paramref name="spec"/>; <paramref name="seed"/> seeds new weights.</summary>
    public static SiameseModel Create(string spec, int seed, int headDim = DefaultHeadDim)
    {
        ArgumentException.ThrowIfNullOrEmpty(spec);
        switch (spec.ToLowerInvariant())
        {
            case "minilm":
                return SiameseModel.CreateMiniLm(new HeadConfig { OutputDim = headDim, Shared = false, Pooling = PoolingMode.Mean },
                    maxQueryLength: 256, maxItemLength: 256, seed: seed);
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
                    throw new ArgumentException($"--model '{spec}' is neither 'minilm', 'tiny' nor an existing model folder.");
                return SiameseModel.Load(spec);
        }
    }
}
