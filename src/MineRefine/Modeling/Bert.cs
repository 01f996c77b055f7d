using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MineRefine.Modeling;

/// <summary>Word + position + token-type embeddings, then LayerNorm and dropout. Parameter names follow Hugging Face
/// (<c>word_embeddings</c>, <c>position_embeddings</c>, <c>token_type_embeddings</c>, <c>LayerNorm</c>).</summary>
public sealed class BertEmbeddings : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding _word, _position, _tokenType;
    private readonly LayerNorm _norm;
    private readonly Dropout _dropout;
    private readonly int _offset;

    /// <summary>Creates the embedding block for <paramref name="config"/>.</summary>
    public BertEmbeddings(TransformerConfig config) : base(nameof(BertEmbeddings))
    {
        config.Validate();
        _offset = config.PositionOffset;
        _word = nn.Embedding(config.VocabSize, config.HiddenSize);
        _position = nn.Embedding(config.MaxPositions, config.HiddenSize);
        _tokenType = nn.Embedding(config.TypeVocabSize, config.HiddenSize);
        _norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        _dropout = nn.Dropout(config.HiddenDropout);
        register_module("word_embeddings", _word);
        register_module("position_embeddings", _position);
        register_module("token_type_embeddings", _tokenType);
        register_module("LayerNorm", _norm);
        register_module("dropout", _dropout);
    }

    /// <summary>[B, S] int64 ids and token types → [B, S, H].</summary>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds)
    {
        long s = inputIds.shape[1];
        var pos = _position.weight!.narrow(0, _offset, s); // [S, H], broadcast over batch
        var x = _word.forward(inputIds) + _tokenType.forward(tokenTypeIds) + pos;
        return _dropout.forward(_norm.forward(x));
    }
}

/// <summary>Multi-head self-attention projections (<c>query</c>, <c>key</c>, <c>value</c>) and the attention itself:
/// softmax(QKᵀ/√d + mask)·V, or libtorch's fused scaled_dot_product_attention (same function).</summary>
public sealed class BertSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear _q, _k, _v;
    private readonly int _heads, _headDim;
    private readonly double _attnDropout;
    private readonly bool _fused;

    /// <summary>Creates the attention block.</summary>
    public BertSelfAttention(TransformerConfig config) : base(nameof(BertSelfAttention))
    {
        _heads = config.NumHeads;
        _headDim = config.HeadDim;
        _attnDropout = config.AttentionDropout;
        _fused = config.FusedAttention;
        _q = nn.Linear(config.HiddenSize, config.HiddenSize);
        _k = nn.Linear(config.HiddenSize, config.HiddenSize);
        _v = nn.Linear(config.HiddenSize, config.HiddenSize);
        register_module("query", _q);
        register_module("key", _k);
        register_module("value", _v);
    }

    /// <summary><paramref name="x"/> [B, S, H]; <paramref name="additiveMask"/> [B, 1, 1, S] float (0 keep,
    /// large negative for padding). Returns [B, S, H].</summary>
    public override Tensor forward(Tensor x, Tensor additiveMask)
    {
        long b = x.shape[0], s = x.shape[1];
        var q = _q.forward(x).view(b, s, _heads, _headDim).transpose(1, 2);
        var k = _k.forward(x).view(b, s, _heads, _headDim).transpose(1, 2);
        var v = _v.forward(x).view(b, s, _heads, _headDim).transpose(1, 2);
        double p = training ? _attnDropout : 0.0;
        Tensor ctx;
        if (_fused)
        {
            ctx = nn.functional.scaled_dot_product_attention(q, k, v, additiveMask, p);
        }
        else
        {
            var scores = q.matmul(k.transpose(-1, -2)).div_(Math.Sqrt(_headDim)).add_(additiveMask);
            var probs = scores.softmax(-1);
            if (p > 0) probs = nn.functional.dropout(probs, p, training);
            ctx = probs.matmul(v);
        }
        return ctx.transpose(1, 2).reshape(b, s, (long)_heads * _headDim);
    }
}

/// <summary>Dense + dropout + residual + LayerNorm (post-LN). Used as <c>attention.output</c> and <c>output</c>.</summary>
public sealed class BertResidualOutput : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear _dense;
    private readonly LayerNorm _norm;
    private readonly Dropout _dropout;

    /// <summary>Dense <paramref name="inSize"/> → hidden, then LayerNorm(hidden + residual).</summary>
    public BertResidualOutput(TransformerConfig config, int inSize) : base(nameof(BertResidualOutput))
    {
        _dense = nn.Linear(inSize, config.HiddenSize);
        _norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        _dropout = nn.Dropout(config.HiddenDropout);
        register_module("dense", _dense);
        register_module("LayerNorm", _norm);
        register_module("dropout", _dropout);
    }

    /// <summary>LayerNorm(dropout(dense(<paramref name="x"/>)) + <paramref name="residual"/>).</summary>
    public override Tensor forward(Tensor x, Tensor residual) =>
        _norm.forward(_dropout.forward(_dense.forward(x)).add_(residual));
}

/// <summary><c>attention</c> = <c>self</c> + <c>output</c> (names as in Hugging Face BERT).</summary>
public sealed class BertAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly BertSelfAttention _self;
    private readonly BertResidualOutput _output;

    /// <summary>Creates the block.</summary>
    public BertAttention(TransformerConfig config) : base(nameof(BertAttention))
    {
        _self = new BertSelfAttention(config);
        _output = new BertResidualOutput(config, config.HiddenSize);
        register_module("self", _self);
        register_module("output", _output);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor additiveMask) => _output.forward(_self.forward(x, additiveMask), x);
}

/// <summary>Feed-forward expansion with exact (erf) GELU: <c>intermediate.dense</c>.</summary>
public sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    private readonly Linear _dense;

    /// <summary>Creates the block.</summary>
    public BertIntermediate(TransformerConfig config) : base(nameof(BertIntermediate))
    {
        _dense = nn.Linear(config.HiddenSize, config.IntermediateSize);
        register_module("dense", _dense);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => nn.functional.gelu(_dense.forward(x));
}

/// <summary>One post-LN transformer layer: attention, intermediate, output.</summary>
public sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly BertAttention _attention;
    private readonly BertIntermediate _intermediate;
    private readonly BertResidualOutput _output;

    /// <summary>Creates the layer.</summary>
    public BertLayer(TransformerConfig config) : base(nameof(BertLayer))
    {
        _attention = new BertAttention(config);
        _intermediate = new BertIntermediate(config);
        _output = new BertResidualOutput(config, config.IntermediateSize);
        register_module("attention", _attention);
        register_module("intermediate", _intermediate);
        register_module("output", _output);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor additiveMask)
    {
        var a = _attention.forward(x, additiveMask);
        return _output.forward(_intermediate.forward(a), a);
    }
}

/// <summary>The stack of layers, registered as <c>layer.0 … layer.N-1</c>.</summary>
public sealed class BertEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<BertLayer> _layers;

    /// <summary>Creates <see cref="TransformerConfig.NumLayers"/> layers.</summary>
    public BertEncoder(TransformerConfig config) : base(nameof(BertEncoder))
    {
        _layers = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(_ => new BertLayer(config)).ToArray());
        register_module("layer", _layers);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor additiveMask)
    {
        foreach (var layer in _layers) x = layer.forward(x, additiveMask);
        return x;
    }
}

/// <summary>Embeddings + encoder (no pooler). State-dict keys match Hugging Face <c>BertModel</c> without prefix:
/// <c>embeddings.*</c>, <c>encoder.layer.N.*</c>.</summary>
public sealed class BertModel : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    private readonly BertEmbeddings _embeddings;
    private readonly BertEncoder _encoder;

    /// <summary>Masking value added to attention scores of padding keys.</summary>
    public const float MaskValue = -1e9f;

    /// <summary>Creates a randomly initialised model (torch's default init; seed with <c>torch.manual_seed</c>).</summary>
    public BertModel(TransformerConfig config) : base(nameof(BertModel))
    {
        Config = config.Validate();
        _embeddings = new BertEmbeddings(config);
        _encoder = new BertEncoder(config);
        register_module("embeddings", _embeddings);
        register_module("encoder", _encoder);
    }

    /// <summary>The configuration.</summary>
    public TransformerConfig Config { get; }

    /// <summary>Last hidden state [B, S, H] for int64 <paramref name="inputIds"/> [B, S] and
    /// <paramref name="attentionMask"/> [B, S] (1 = token, 0 = padding); token types default to zeros.</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds)
    {
        if (inputIds.shape[1] > Config.MaxSequenceLength)
            throw new ArgumentException($"Sequence length {inputIds.shape[1]} exceeds the model's maximum {Config.MaxSequenceLength}.");
        using var tt = tokenTypeIds is null ? zeros_like(inputIds) : null;
        var x = _embeddings.forward(inputIds, tokenTypeIds ?? tt!);
        var mask = AdditiveMask(attentionMask, x.dtype);
        return _encoder.forward(x, mask);
    }

    /// <summary>[B, S] 0/1 mask → [B, 1, 1, S] additive float mask (0 keep, <see cref="MaskValue"/> pad).</summary>
    public static Tensor AdditiveMask(Tensor attentionMask, ScalarType dtype) =>
        (1 - attentionMask.to(dtype)).mul_(MaskValue).view(attentionMask.shape[0], 1, 1, attentionMask.shape[1]);
}
