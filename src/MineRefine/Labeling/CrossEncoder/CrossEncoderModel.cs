using System.Text.Json;
using System.Text.Json.Serialization;
using MineRefine.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MineRefine.Labeling.CrossEncoder;

/// <summary>Everything in a labeler folder's <c>config.json</c>.</summary>
public sealed record CrossEncoderConfig
{
    /// <summary>Format tag.</summary>
    public string Format { get; init; } = "minerefine-cross-encoder";
    /// <summary>Format version.</summary>
    public int FormatVersion { get; init; } = 1;
    /// <summary>Backbone configuration.</summary>
    public TransformerConfig Transformer { get; init; } = new();
    /// <summary>How token states become the pair vector. all-MiniLM-L6-v2 has no trained pooler, so the default
    /// is the masked mean; <see cref="PoolingMode.Cls"/> takes the [CLS] state.</summary>
    public PoolingMode Pooling { get; init; } = PoolingMode.Mean;
    /// <summary>Dropout before the classification head (training only).</summary>
    public double HeadDropout { get; init; } = 0.1;
    /// <summary>Maximum tokens of <c>[CLS] q [SEP] item [SEP]</c> (longest-first truncation).</summary>
    public int MaxPairLength { get; init; } = 64;
    /// <summary>Taxonomy levels in the item text (<see cref="LabelingText.ItemText"/>; paper §3: 2).</summary>
    public int ItemTextLevels { get; init; } = 2;
    /// <summary>Tokenizer description.</summary>
    public TokenizerSpec Tokenizer { get; init; } = new();
    /// <summary>Where the weights started from: "all-MiniLM-L6-v2" or "random".</summary>
    public string BaseModel { get; init; } = "all-MiniLM-L6-v2";

    /// <summary>Number of classes (grades 0, 1, 2).</summary>
    public const int NumClasses = 3;

    /// <summary>Throws <see cref="ArgumentException"/> naming the invalid field and how to fix it.</summary>
    public CrossEncoderConfig Validate()
    {
        Transformer.Validate();
        if (MaxPairLength < 3 || MaxPairLength > Transformer.MaxSequenceLength)
            throw new ArgumentException($"Invalid CrossEncoderConfig: MaxPairLength must be in [3, {Transformer.MaxSequenceLength}] (got {MaxPairLength}); the position table has {Transformer.MaxSequenceLength} positions.");
        if (Pooling == PoolingMode.Attention)
            throw new ArgumentException("Invalid CrossEncoderConfig: Pooling must be Mean or Cls; attention pooling is for two-tower models.");
        if (HeadDropout is < 0 or >= 1)
            throw new ArgumentException($"Invalid CrossEncoderConfig: HeadDropout must be in [0, 1) (got {HeadDropout}).");
        if (ItemTextLevels < 0)
            throw new ArgumentException($"Invalid CrossEncoderConfig: ItemTextLevels must be ≥ 0 (got {ItemTextLevels}).");
        if (Tokenizer.Kind is not ("wordpiece" or "o200k-compact"))
            throw new ArgumentException($"Invalid CrossEncoderConfig: Tokenizer.Kind must be 'wordpiece' or 'o200k-compact' (got '{Tokenizer.Kind}').");
        if (Transformer.TypeVocabSize < 2)
            throw new ArgumentException($"Invalid CrossEncoderConfig: the backbone needs TypeVocabSize ≥ 2 for pair inputs (got {Transformer.TypeVocabSize}).");
        return this;
    }

    /// <summary>JSON settings of config.json (camelCase, enums as strings).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };
}

/// <summary>
/// Cross-encoder relevance classifier (paper §2, our analogue of the fine-tuned LLM judge): a BERT encoder over
/// <c>[CLS] q [SEP] item [SEP]</c> with token types 0…0 1…1, pooled (masked mean or [CLS]), dropout, then a
/// linear head h → 3 giving logits of grades 0, 1, 2. Parameter names: <c>bert.*</c> (Hugging Face BertModel names),
/// <c>classifier.weight</c>, <c>classifier.bias</c>.
/// </summary>
public sealed class CrossEncoderModel : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly BertModel _bert;
    private readonly Pooling _pooling;
    private readonly Dropout _dropout;
    private readonly Linear _classifier;

    /// <summary>Randomly initialised model (seed torch before calling).</summary>
    public CrossEncoderModel(CrossEncoderConfig config) : this(new BertModel(config.Validate().Transformer), config) { }

    /// <summary>Wraps a (pretrained) backbone and adds a freshly initialised head (seed torch before calling).
    /// Takes ownership of <paramref name="bert"/>.</summary>
    public CrossEncoderModel(BertModel bert, CrossEncoderConfig config) : base(nameof(CrossEncoderModel))
    {
        Config = config.Validate();
        if (bert.Config != config.Transformer)
            throw new ArgumentException("CrossEncoderConfig.Transformer differs from the backbone's configuration.");
        _bert = bert;
        _pooling = new Pooling(config.Pooling);
        _dropout = nn.Dropout(config.HeadDropout);
        _classifier = nn.Linear(config.Transformer.HiddenSize, CrossEncoderConfig.NumClasses);
        register_module("bert", _bert);
        register_module("pooling", _pooling);
        register_module("dropout", _dropout);
        register_module("classifier", _classifier);
    }

    /// <summary>The configuration.</summary>
    public CrossEncoderConfig Config { get; }

    /// <summary>The backbone.</summary>
    public BertModel Bert => _bert;

    /// <summary>Logits [B, 3] for int64 <paramref name="inputIds"/>, <paramref name="attentionMask"/> and
    /// <paramref name="tokenTypeIds"/>, each [B, S].</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        var hidden = _bert.forward(inputIds, attentionMask, tokenTypeIds);
        var pooled = _pooling.forward(hidden, attentionMask);
        return _classifier.forward(_dropout.forward(pooled));
    }
}
