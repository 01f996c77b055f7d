namespace MineRefine.Evaluation;

/// <summary>Normalised discounted cumulative gain at a cut-off (paper §7).</summary>
/// <remarks>
/// DCG@K = Σ_{i=1..min(K,n)} gain(r_i) / log2(i + 1), where r_i is the grade of the item at rank i (1-based);
/// an unjudged retrieved item has grade 0.
/// IDCG@K is the DCG@K of the query's judged grades sorted in decreasing order (the ideal ranking of everything
/// judged for the query, whether or not it was retrieved).
/// NDCG@K = DCG@K / IDCG@K, and 0 when IDCG@K = 0 (no judged item with a positive gain; the evaluator skips such
/// queries anyway). Gains come from <see cref="GradeGains"/> (default 2 → 1.0, 1 → 0.5, 0 → 0).
/// </remarks>
public static class Ndcg
{
    /// <summary>DCG@<paramref name="k"/> of grades in rank order.</summary>
    public static double Dcg(IReadOnlyList<int> gradesInRankOrder, int k, GradeGains? gains = null)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "K must be ≥ 1.");
        gains ??= GradeGains.Default;
        double dcg = 0;
        int n = Math.Min(k, gradesInRankOrder.Count);
        for (int i = 0; i < n; i++)
            dcg += gains.Of(gradesInRankOrder[i]) / Math.Log2(i + 2);
        return dcg;
    }

    /// <summary>IDCG@<paramref name="k"/>: DCG of the judged grades sorted best first.</summary>
    public static double IdealDcg(IEnumerable<int> judgedGrades, int k, GradeGains? gains = null) =>
        Dcg(judgedGrades.OrderDescending().ToArray(), k, gains);

    /// <summary>NDCG@<paramref name="k"/>.</summary>
    /// <param name="retrievedGrades">Grades of the retrieved items in rank order (unjudged = 0).</param>
    /// <param name="judgedGrades">All judged grades of the query.</param>
    /// <param name="k">Cut-off.</param>
    /// <param name="gains">Gain map (default: paper's).</param>
    public static double At(IReadOnlyList<int> retrievedGrades, IEnumerable<int> judgedGrades, int k, GradeGains? gains = null)
    {
        double ideal = IdealDcg(judgedGrades, k, gains);
        return ideal > 0 ? Dcg(retrievedGrades, k, gains) / ideal : 0.0;
    }
}
