using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Losses;

/// <summary>
/// A graded-relevance loss on raw score tensors (paper §5, §6). <c>scores</c> is [B, N]: the cosine similarity of
/// instance b's query to each of its N items; <c>grades</c> is [B, N] int64 with 2/1/0 and −1 for padding (an absent
/// item). The returned loss is a scalar tensor, the <b>sum</b> over instances (paper §5: instance losses are summed) —
/// except the "infonce" baseline, which averages as sentence-transformers does unless told to sum.
/// </summary>
public interface ILoss : IDisposable
{
    /// <summary>Factory name: "supcon", "triplet", "circle", "supcon+circle" or "infonce".</summary>
    string Name { get; }

    /// <summary>Learned parameters of the loss itself (the SupCon temperature); add them to the optimizer.
    /// Empty when the loss has none.</summary>
    IReadOnlyList<TorchSharp.Modules.Parameter> TrainableParameters { get; }

    /// <summary>Computes the loss (scalar, differentiable) and its per-term diagnostics.</summary>
    (Tensor Loss, LossBreakdown Breakdown) Compute(Tensor scores, Tensor grades);
}

/// <summary>Shared checks and masking helpers for the losses.</summary>
internal static class LossGuards
{
    /// <summary>A large negative used instead of −∞ to mask logits, so that no 0·∞ or ∞−∞ can produce NaN.</summary>
    public const double MaskedLogit = -1e9;

    public static void CheckShapes(Tensor scores, Tensor grades)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(grades);
        if (scores.dim() != 2)
            throw new ArgumentException($"scores must be [B, N] (2-D) but has shape [{string.Join(", ", scores.shape)}].", nameof(scores));
        if (!scores.shape.SequenceEqual(grades.shape))
            throw new ArgumentException(
                $"grades shape [{string.Join(", ", grades.shape)}] must equal scores shape [{string.Join(", ", scores.shape)}].", nameof(grades));
        if (grades.dtype != ScalarType.Int64)
            throw new ArgumentException($"grades must be int64 (2/1/0, −1 = padding) but is {grades.dtype}.", nameof(grades));
        if (!scores.is_floating_point())
            throw new ArgumentException($"scores must be a floating-point tensor but is {scores.dtype}.", nameof(scores));
    }
}
