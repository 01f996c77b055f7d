namespace MineRefine.Training;

/// <summary>Decay after warm-up.</summary>
public enum LearningRateDecay
{
    /// <summary>Linear to 0 at the last step.</summary>
    Linear,
    /// <summary>Half-cosine to 0 at the last step.</summary>
    Cosine,
    /// <summary>Stay at the peak.</summary>
    Constant,
}

/// <summary>
/// Learning-rate multiplier at optimizer step t (0-based index of the step about to be taken), W warm-up steps,
/// T total steps:
/// <code>
///   t &lt; W:  f = (t + 1) / W                      (the first step already moves; step W−1 reaches the peak)
///   t ≥ W:  p = (t − W) / max(1, T − W)
///           Linear: f = max(0, 1 − p);  Cosine: f = ½ (1 + cos(π · min(p, 1)));  Constant: f = 1
///   t ≥ T:  f = 0 (Linear, Cosine)
/// </code>
/// </summary>
public sealed class LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public LearningRateSchedule(int warmupSteps, int totalSteps, LearningRateDecay decay = LearningRateDecay.Linear)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "totalSteps must be ≥ 1.");
        if (warmupSteps < 0 || warmupSteps > totalSteps)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"warmupSteps must be in [0, totalSteps = {totalSteps}] (typically 5–10% of it).");
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
        Decay = decay;
    }

    /// <summary>W.</summary>
    public int WarmupSteps { get; }
    /// <summary>T.</summary>
    public int TotalSteps { get; }
    /// <summary>Decay kind.</summary>
    public LearningRateDecay Decay { get; }

    /// <summary>The multiplier f(t) in [0, 1].</summary>
    public double Factor(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps) return (step + 1.0) / WarmupSteps;
        if (Decay == LearningRateDecay.Constant) return 1.0;
        if (step >= TotalSteps) return 0.0;
        double p = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return Decay == LearningRateDecay.Linear ? Math.Max(0.0, 1.0 - p) : 0.5 * (1.0 + Math.Cos(Math.PI * Math.Min(p, 1.0)));
    }

    /// <summary>baseLr · f(t).</summary>
    public double LearningRate(double baseLr, long step) => baseLr * Factor(step);

    /// <summary>Sets the learning rate of every parameter group of a TorchSharp optimizer.</summary>
    public static void Apply(TorchSharp.torch.optim.Optimizer optimizer, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var g in optimizer.ParamGroups) g.LearningRate = learningRate;
    }
}
