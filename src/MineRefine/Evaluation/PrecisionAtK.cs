namespace MineRefine.Evaluation;

/// <summary>Precision at a cut-off (paper §7; [choice] relevant = grade ≥ 1, grade-2-only variant with
/// <c>minGrade = 2</c>).</summary>
/// <remarks>
/// Precision@K = |{i ≤ K : r_i ≥ g}| / K with g = <c>minGrade</c> and r_i the grade at rank i (unjudged = 0).
/// The denominator is always K, also when fewer than K items were retrieved.
/// </remarks>
public static class PrecisionAtK
{
    /// <summary>Precision@<paramref name="k"/>.</summary>
    /// <param name="retrievedGrades">Grades of the retrieved items in rank order (unjudged = 0).</param>
    /// <param name="k">Cut-off (the denominator).</param>
    /// <param name="minGrade">Lowest grade counted as relevant: 1 (default) or 2.</param>
    public static double At(IReadOnlyList<int> retrievedGrades, int k, int minGrade = 1)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "K must be ≥ 1.");
        return (double)CountRelevant(retrievedGrades, k, minGrade) / k;
    }

    /// <summary>Number of items among the first <paramref name="k"/> with grade ≥ <paramref name="minGrade"/>.</summary>
    public static int CountRelevant(IReadOnlyList<int> retrievedGrades, int k, int minGrade)
    {
        if (minGrade is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(minGrade), minGrade, "Use 1 or 2.");
        int n = Math.Min(k, retrievedGrades.Count), hits = 0;
        for (int i = 0; i < n; i++)
            if (retrievedGrades[i] >= minGrade) hits++;
        return hits;
    }
}
