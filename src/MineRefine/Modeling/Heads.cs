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
}

/// <summary>Pools [B, S, H] states with a [B, S] attention mask into [B, H]. Masked mean is
/// Σ_t m_t h_t / max(Σ_t m_t, 1e-9).</summary>
public sealed class Pooling : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates a pooling layer.</summary>
    public Pooling(PoolingMode mode) : base(nameof(Pooling)) => Mode = mode;

    /// <summary>The pooling mode.</summary>
    public PoolingMode Mode { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor hidden, Tensor attentionMask)
    {
        if (Mode == PoolingMode.Cls) return hidden.select(1, 0);
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
