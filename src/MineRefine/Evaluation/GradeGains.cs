namespace MineRefine.Evaluation;

/// <summary>Maps a relevance grade to an NDCG gain (paper §7: 2 → 1.0, 1 → 0.5, 0 → 0).</summary>
public sealed class GradeGains
{
    private readonly double[] _gains;

    /// <summary>Creates a gain map; gains must be finite, non-negative and non-decreasing in the grade.</summary>
    /// <param name="grade0">Gain of an irrelevant item (default 0).</param>
    /// <param name="grade1">Gain of a partial match (default 0.5).</param>
    /// <param name="grade2">Gain of an exact match (default 1.0).</param>
    public GradeGains(double grade0 = 0.0, double grade1 = 0.5, double grade2 = 1.0)
    {
        _gains = [grade0, grade1, grade2];
        foreach (var g in _gains)
            if (!double.IsFinite(g) || g < 0)
                throw new ArgumentException($"NDCG gains must be finite and ≥ 0; got {grade0}, {grade1}, {grade2}.");
        if (grade0 > grade1 || grade1 > grade2)
            throw new ArgumentException(
                $"NDCG gains must not decrease with the grade (grade0 ≤ grade1 ≤ grade2); got {grade0}, {grade1}, {grade2}.");
    }

    /// <summary>The paper's default: 2 → 1.0, 1 → 0.5, 0 → 0.</summary>
    public static GradeGains Default { get; } = new();

    /// <summary>Gain of <paramref name="grade"/> (0, 1 or 2).</summary>
    public double Of(int grade) => grade is >= 0 and <= 2
        ? _gains[grade]
        : throw new ArgumentOutOfRangeException(nameof(grade), grade, "Grades are 0, 1 or 2.");
}
