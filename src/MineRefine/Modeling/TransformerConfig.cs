using System.Text.Json.Serialization;

namespace MineRefine.Modeling;

/// <summary>Hyper-parameters of a BERT-family encoder (BERT, MiniLM, XLM-R shapes).</summary>
public sealed record TransformerConfig
{
    /// <summary>Number of token ids (rows of the word embedding).</summary>
    public int VocabSize { get; init; } = 30522;
    /// <summary>Hidden size (embedding width).</summary>
    public int HiddenSize { get; init; } = 384;
    /// <summary>Number of transformer layers.</summary>
    public int NumLayers { get; init; } = 6;
    /// <summary>Number of attention heads; must divide <see cref="HiddenSize"/>.</summary>
    public int NumHeads { get; init; } = 12;
    /// <summary>Feed-forward inner size.</summary>
    public int IntermediateSize { get; init; } = 1536;
    /// <summary>Rows of the position embedding (max sequence length + <see cref="PositionOffset"/>).</summary>
    public int MaxPositions { get; init; } = 512;
    /// <summary>Number of token types (segment ids); 2 for BERT, 1 for XLM-R.</summary>
    public int TypeVocabSize { get; init; } = 2;
    /// <summary>LayerNorm epsilon (1e-12 for BERT, 1e-5 for XLM-R).</summary>
    public double LayerNormEps { get; init; } = 1e-12;
    /// <summary>Dropout on embeddings and sub-layer outputs (training only).</summary>
    public double HiddenDropout { get; init; } = 0.1;
    /// <summary>Dropout on attention probabilities (training only).</summary>
    public double AttentionDropout { get; init; } = 0.1;
    /// <summary>First position id: 0 for BERT; padding_idx + 1 = 2 for XLM-R/RoBERTa checkpoints.</summary>
    public int PositionOffset { get; init; }
    /// <summary>Use libtorch's fused <c>scaled_dot_product_attention</c> (true) or the explicit
    /// softmax(QKᵀ/√d + mask)·V (false, default; it mirrors the ONNX graph, and fused was not faster in noisy
    /// measurements, see bench/results/encoder.md). Both compute the same function.</summary>
    public bool FusedAttention { get; init; }

    /// <summary>Per-head width.</summary>
    [JsonIgnore]
    public int HeadDim => HiddenSize / Math.Max(1, NumHeads);

    /// <summary>all-MiniLM-L6-v2 (BERT uncased vocabulary, 6 layers, 384 hidden, 12 heads).</summary>
    public static TransformerConfig MiniLmL6 { get; } = new();

    /// <summary>A tiny configuration for tests: 2 layers, hidden 32, 4 heads, FFN 64, 64 positions.</summary>
    public static TransformerConfig Tiny(int vocabSize) => new()
    {
        VocabSize = vocabSize, HiddenSize = 32, NumLayers = 2, NumHeads = 4, IntermediateSize = 64,
        MaxPositions = 64, HiddenDropout = 0, AttentionDropout = 0,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field and how to fix it.</summary>
    public TransformerConfig Validate()
    {
        static void Need(bool ok, string message)
        {
            if (!ok) throw new ArgumentException("Invalid TransformerConfig: " + message);
        }
        Need(VocabSize > 0, $"VocabSize must be > 0 (got {VocabSize}); set it to the tokenizer's vocabulary size.");
        Need(HiddenSize > 0, $"HiddenSize must be > 0 (got {HiddenSize}).");
        Need(NumLayers > 0, $"NumLayers must be > 0 (got {NumLayers}).");
        Need(NumHeads > 0, $"NumHeads must be > 0 (got {NumHeads}).");
        Need(HiddenSize % NumHeads == 0, $"HiddenSize ({HiddenSize}) must be divisible by NumHeads ({NumHeads}).");
        Need(IntermediateSize > 0, $"IntermediateSize must be > 0 (got {IntermediateSize}); BERT uses 4 × HiddenSize.");
        Need(MaxPositions > PositionOffset, $"MaxPositions ({MaxPositions}) must exceed PositionOffset ({PositionOffset}).");
        Need(TypeVocabSize > 0, $"TypeVocabSize must be > 0 (got {TypeVocabSize}); use 1 when segments are unused.");
        Need(LayerNormEps > 0 && LayerNormEps < 1e-2, $"LayerNormEps must be in (0, 0.01) (got {LayerNormEps}).");
        Need(HiddenDropout is >= 0 and < 1, $"HiddenDropout must be in [0, 1) (got {HiddenDropout}).");
        Need(AttentionDropout is >= 0 and < 1, $"AttentionDropout must be in [0, 1) (got {AttentionDropout}).");
        Need(PositionOffset >= 0, $"PositionOffset must be >= 0 (got {PositionOffset}); XLM-R uses 2.");
        return this;
    }

    /// <summary>Longest sequence the position table allows.</summary>
    [JsonIgnore]
    public int MaxSequenceLength => MaxPositions - PositionOffset;
}
