using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MineRefine.Training;

/// <summary>
/// TorchSharp's AdamW (Loshchilov &amp; Hutter, decoupled weight decay) with the same update, in the same operation order,
/// so its parameters are bit-identical to <see cref="torch.optim.AdamW(IEnumerable{AdamW.ParamGroup}, double, double, double, double, double, bool, bool)"/>'s
/// (tested), but with every scalar operand an explicit <see cref="Scalar"/> held until the step is done:
/// <code>
/// θ ← θ·(1 − lr·λ);  m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
/// θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// Why: TorchSharp 0.107's AdamW passes C# doubles that convert implicitly into temporary <see cref="Scalar"/> objects,
/// which nothing keeps alive during the native call; a garbage collection at that moment can finalize (free) one while
/// libtorch reads it. Seen once in CI under load: <c>Expected false to be true</c> from <c>c10::Scalar::toFloat</c> (a
/// scalar whose type tag is garbage) inside <c>AdamW.step</c>. The optimizer makes several such temporaries per
/// parameter and step, more than any other code here, so it is the likeliest place for that race; this class removes it
/// there. The state (steps, moments) and its checkpoint format are TorchSharp's own.
/// </summary>
public sealed class ScalarSafeAdamW : AdamW
{
    /// <summary>Same arguments as TorchSharp's AdamW constructor (AMSGrad is not supported).</summary>
    public ScalarSafeAdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0)
        : base(groups, lr, beta1, beta2, eps, weightDecay, amsgrad: false, maximize: false)
    {
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = (Options)group.Options;
        double beta1 = o.beta1!.Value, beta2 = o.beta2!.Value, weightDecay = o.weight_decay!.Value, eps = o.eps!.Value;
        double lr = o.LearningRate!.Value;
        if (o.amsgrad == true || o.maximize == true)
            throw new NotSupportedException("ScalarSafeAdamW implements plain AdamW (no AMSGrad, no maximize).");
        using var decay = (1 - lr * weightDecay).ToScalar();
        using var oneMinusBeta1 = (1 - beta1).ToScalar();
        using var oneMinusBeta2 = (1 - beta2).ToScalar();
        using var beta1S = beta1.ToScalar();
        using var beta2S = beta2.ToScalar();
        using var epsS = eps.ToScalar();
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            param.mul_(decay);
            double biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            double biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            state.exp_avg.mul_(beta1S).add_(grad, alpha: oneMinusBeta1);
            state.exp_avg_sq.mul_(beta2S).addcmul_(grad, grad, value: oneMinusBeta2);
            using var sqrtBc2 = Math.Sqrt(biasCorrection2).ToScalar();
            using var negStep = (-(lr / biasCorrection1)).ToScalar();
            var denom = state.exp_avg_sq.sqrt().div_(sqrtBc2).add_(epsS);
            param.addcdiv_(state.exp_avg, denom, value: negStep);
        }
    }, closure);
}
