namespace MineRefine.Evaluation;

/// <summary>Reciprocal rank at a cut-off; its mean over queries is MRR@K (reported as <c>mrr@10</c>).</summary>
/// <remarks>
/// RR@K = 1 / i* where i* is the 1-based rank of the first retrieved item with grade ≥ g (g = <c>minGrade</c>,
/// default 1; unjudged = 0), and RR@K = 0 when no such item is in the first K. MRR@K = mean over queries of RR@K.
/// </remarks>
public static class ReciprocalRank
{
    /// <summary>RR@<paramref name="k"/> of one query.</summary>
    public static double At(IReadOnlyList<int> retrievedGrades, int k = 10, int minGrade = 1)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "K must be ≥ 1.");
        int n = Math.Min(k, retrievedGrades.Count);
        for (int i = 0; i < n; i++)
            if (retrievedGrades[i] >= minGrade) return 1.0 / (i + 1);
        return 0.0;
    }
}
