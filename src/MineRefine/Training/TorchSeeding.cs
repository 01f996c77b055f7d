using TorchSharp;

namespace MineRefine.Training;

/// <summary>
/// Torch RNG seeding for reproducible, resumable training. libtorch's generator state can be read but is awkward to
/// checkpoint, so instead of saving it the trainer re-seeds the global torch generator at the start of every
/// optimizer step from (seed, step): dropout masks and any other torch randomness of step t then depend only on
/// (seed, t), and a run resumed at step t draws exactly what the uninterrupted run drew.
/// </summary>
public static class TorchSeeding
{
    /// <summary>The seed used for step <paramref name="step"/> (stable, non-negative).</summary>
    public static long SeedForStep(long seed, long step) =>
        (long)(SerializableRandom.DeriveSeed(unchecked((ulong)seed), step) & 0x7FFF_FFFF_FFFF_FFFFUL);

    /// <summary>Seeds the global torch generator for step <paramref name="step"/> (call before the step's forward
    /// pass) and returns the seed used.</summary>
    public static long ForStep(long seed, long step)
    {
        long s = SeedForStep(seed, step);
        torch.random.manual_seed(s);
        return s;
    }
}
