namespace MineRefine.Evaluation;

/// <summary>Empirical quantiles with linear interpolation (Hyndman–Fan type 7, the NumPy/R default), used for the
/// per-grade score distributions of <see cref="ScoreSeparation"/> (paper §7).</summary>
/// <remarks>
/// For sorted values x_0 ≤ … ≤ x_{n−1} and p ∈ [0, 1]: h = (n − 1)·p, Q(p) = x_⌊h⌋ + (h − ⌊h⌋)·(x_⌊h⌋+1 − x_⌊h⌋).
/// Null for an empty list.
/// </remarks>
public static class Quantiles
{
    /// <summary>Q(<paramref name="p"/>) of <paramref name="values"/> (any order), or null if empty.</summary>
    public static double? Of(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return null;
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return OfSorted(sorted, p);
    }

    /// <summary>Q(<paramref name="p"/>) of values already sorted ascending (non-empty).</summary>
    public static double OfSorted(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) throw new ArgumentException("No values.", nameof(sorted));
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "p must be in [0, 1].");
        double h = (sorted.Count - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
