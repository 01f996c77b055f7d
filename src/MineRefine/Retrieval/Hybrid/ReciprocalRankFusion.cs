namespace MineRefine.Retrieval.Hybrid;

/// <summary>
/// Reciprocal rank fusion (paper §9 [choice]: k = 60, 1-based ranks, per-retriever weights):
/// RRF(d) = Σ_i w_i / (k + rank_i(d)), where a list that does not contain d contributes 0.
/// </summary>
public static class ReciprocalRankFusion
{
    /// <summary>One retriever's contribution: w / (k + rank), or 0 when <paramref name="rank"/> is null.</summary>
    /// <param name="rank">1-based rank in that retriever's list, or null when absent.</param>
    /// <param name="weight">Retriever weight w ≥ 0.</param>
    /// <param name="k">RRF constant (&gt; 0), usually 60.</param>
    public static double Term(int? rank, double weight, double k = 60)
    {
        if (rank is null) return 0;
        if (rank < 1) throw new ArgumentOutOfRangeException(nameof(rank), rank, "RRF ranks are 1-based.");
        return weight / (k + rank.Value);
    }

    /// <summary>Fused score of one item from its dense and BM25 ranks.</summary>
    public static double Score(int? denseRank, int? bm25Rank, double denseWeight, double bm25Weight, double k = 60) =>
        Term(denseRank, denseWeight, k) + Term(bm25Rank, bm25Weight, k);
}
