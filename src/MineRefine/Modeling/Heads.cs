using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MineRefine.Modeling;

/// <summary>How token states become one vector.</summary>
public enum PoolingMode
{
    /// <summary>Mean over non-padding tokens (sentence-transformers default).</summary>
    Mean,
    /// <summary>The first ([CLS]) token's state.</summary>
    Cls,
    /// <summary>
    /// Learned attention over the tokens: a_t = softmax over non-padding t of (w·h_t), pooled = Σ_t a_t h_t, with one
    /// weight vector w ∈ ℝᴴ per tower (registered as <c>query_pool.weight</c> / <c>item_pool.weight</c>). w starts at 0,
    /// so a model begins exactly as masked-mean pooling and training decides which tokens (a brand, a model number)
    /// should weigh more than the rest of the text [choice; attention pooling as in Lin et al. 2017, "A structured
    /// self-attentive sentence embedding", with one head]. Two-tower models only.
    /// </summary>
    Attention,
}

/// <summary>Pools [B, S, H] states with a [B, S] attention mask into [B, H]. Masked mean is
/// Σ_t m_t h_t / max(Σ_t m_t, 1e-9); attention is Σ_t a_t h_t with a = softmax_t(w·h_t + (m_t − 1)·10⁹) (see
/// <see cref="PoolingMode.Attention"/>; its only parameter is <c>weight</c> [H], initialised to 0).</summary>
public sealed class Pooling : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter? _weight;

    /// <summary>Creates a pooling layer; <paramref name="hiddenSize"/> is required (and only used) for
    /// <see cref="PoolingMode.Attention"/>.</summary>
    public Pooling(PoolingMode mode, int hiddenSize = 0) : base(nameof(Pooling))
    {
        Mode = mode;
        if (mode == PoolingMode.Attention)
        {
            if (hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), "Attention pooling needs the hidden size (> 0).");
            _weight = nn.Parameter(zeros(hiddenSize));
            register_parameter("weight", _weight);
        }
    }

    /// <summary>The pooling mode.</summary>
    public PoolingMode Mode { get; }

    /// <summary>Token weights [B, S] (each row sums to 1 over its non-padding tokens) for any mode: the attention
    /// weights, the uniform mean weights, or one-hot on [CLS].</summary>
    public Tensor TokenWeights(Tensor hidden, Tensor attentionMask)
    {
        var m = attentionMask.to(hidden.dtype); // [B, S]
        switch (Mode)
        {
            case PoolingMode.Cls:
                return zeros_like(m).index_fill_(1, tensor(0L), 1.0);
            case PoolingMode.Attention:
                var logits = hidden.matmul(_weight!) + (m - 1) * 1e9; // padding → −10⁹
                return nn.functional.softmax(logits, 1);
            default:
                return m / m.sum(1, keepdim: true).clamp_min(1e-9);
        }
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor hidden, Tensor attentionMask)
    {
        if (Mode == PoolingMode.Cls) return hidden.select(1, 0);
        if (Mode == PoolingMode.Attention)
            return (hidden * TokenWeights(hidden, attentionMask).unsqueeze(-1)).sum(1);
        var m = attentionMask.to(hidden.dtype).unsqueeze(-1); // [B, S, 1]
        return (hidden * m).sum(1).div_(m.sum(1).clamp_min(1e-9));
    }
}

/// <summary>Linear h → d_out projection head (registered as <c>linear</c>), or identity when
/// the output dimension is 0.</summary>
public sealed class Projection : nn.Module<Tensor, Tensor>
{
    private readonly Linear? _linear;

    /// <summary>Creates the head; <paramref name="outputDim"/> = 0 means identity (output dim = input dim).</summary>
    public Projection(int inputDim, int outputDim, bool bias = true) : base(nameof(Projection))
    {
        if (inputDim <= 0) throw new ArgumentOutOfRangeException(nameof(inputDim), "inputDim must be > 0.");
        if (outputDim < 0) throw new ArgumentOutOfRangeException(nameof(outputDim), "outputDim must be >= 0 (0 = identity).");
        InputDim = inputDim;
        OutputDim = outputDim == 0 ? inputDim : outputDim;
        if (outputDim > 0)
        {
            _linear = nn.Linear(inputDim, outputDim, bias);
            register_module("linear", _linear);
        }
    }

    /// <summary>Input width.</summary>
    public int InputDim { get; }
    /// <summary>Output width.</summary>
    public int OutputDim { get; }
    /// <summary>True when this head has no parameters.</summary>
    public bool IsIdentity => _linear is null;

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => _linear is null ? x.alias() : _linear.forward(x);
}

/// <summary>L2 normalisation along the last dimension: x / max(‖x‖₂, 1e-12).</summary>
public sealed class Normalize : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public Normalize() : base(nameof(Normalize)) { }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => nn.functional.normalize(x, 2.0, -1);
}
