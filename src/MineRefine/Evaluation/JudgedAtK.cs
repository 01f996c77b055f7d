namespace MineRefine.Evaluation;

/// <summary>Judged@K: the share of the top K retrieved items that carry a judgment for the query (the "Judged@k" of
/// <c>ir_measures</c>/Anserini). Key <c>judged@K</c>.</summary>
/// <remarks>
/// Judged@K = |{i ≤ K : item i judged}| / K; the denominator is always K, also when fewer were retrieved.
/// <para>It says how far plain NDCG/precision can be trusted for a system: every unjudged item in the top K counts as
/// grade 0 there, so a system with low Judged@K is graded on guesses. Comparing two systems whose Judged@10 differs
/// by much (BM25, which the judgments were often pooled from, against a dense model) is exactly where plain NDCG is
/// biased towards the pooled system; <see cref="CondensedNdcg"/> is the judged-only counterpart.</para>
/// </remarks>
public static class JudgedAtK
{
    /// <summary>Judged@<paramref name="k"/>.</summary>
    /// <param name="retrievedJudged">Whether each retrieved item (rank order) was judged for the query.</param>
    /// <param name="k">Cut-off (the denominator).</param>
    public static double At(IReadOnlyList<bool> retrievedJudged, int k)
    {
        ArgumentNullException.ThrowIfNull(retrievedJudged);
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "K must be ≥ 1.");
        int n = Math.Min(k, retrievedJudged.Count), judged = 0;
        for (int i = 0; i < n; i++)
            if (retrievedJudged[i]) judged++;
        return (double)judged / k;
    }
}
