namespace MineRefine.Evaluation;

/// <summary>Tie-aware NDCG (McSherry &amp; Najork 2008, <i>Computing Information Retrieval Performance Measures
/// Efficiently in the Presence of Tied Scores</i>, ECIR): the expected NDCG@K over every order of the items a system
/// scored equally. Key <c>ndcg_tie_aware@K</c>; its companion <c>tied@K</c> (<see cref="TiedAt"/>) says for which
/// queries the plain value depends on how ties were broken.</summary>
/// <remarks>
/// Split the retrieved list into maximal runs of equal scores (adjacent items with <c>score_i == score_{i+1}</c>;
/// the list is in rank order, so equal scores are adjacent). If a run R covers the ranks i ∈ R (1-based), every order
/// of its items is equally likely under arbitrary tie-breaking, so by linearity of expectation each of those ranks
/// holds the run's mean gain:
/// <code>
/// E[DCG@K] = Σ_R ( (1/|R|) Σ_{j∈R} gain(r_j) ) · Σ_{i∈R, i≤K} 1 / log2(i + 1)
/// NDCG_tie-aware@K = E[DCG@K] / IDCG@K
/// </code>
/// with the gains and ideal DCG of <see cref="Ndcg"/> (unjudged items have grade 0). It equals plain NDCG@K when every
/// run within the top K holds items of equal gain (in particular, without ties); otherwise the tie-break decided which
/// items made the top K, or their order within it, and the two can differ.
/// <para>Why it matters: BM25 ties often. Lucene stores a document's length in one byte, so products of similar title
/// length that match the same query terms get identical scores, and Lucene breaks the tie by index order — the
/// catalog file's order. On Home Depot that order (ascending product id) correlates with how often a product was
/// judged, which lifts BM25's plain NDCG@10 by a tie-break nobody chose (<c>bench/results/judged-only.md</c>).
/// A dense model rarely ties except on identical texts.</para>
/// <para>Only the retrieved list is seen: a run that reaches the end of a full list (rank = the evaluated depth, 100
/// by default) may continue past it, and its expected gain is then taken over its retrieved items only. At cut-offs
/// below the depth this needs a run spanning from rank K to the depth; at K = depth the evaluator cannot see a tie with
/// the first unretrieved item and reports <c>tied@K</c> as undefined (null in <c>metrics.json</c>, "–" in the table)
/// for a full list. NaN scores never tie.</para>
/// </remarks>
public static class TieAwareNdcg
{
    /// <summary>Expected DCG@<paramref name="k"/> over all orders within each run of equal scores.</summary>
    /// <param name="gradesInRankOrder">Grades of the retrieved items in rank order (unjudged = 0).</param>
    /// <param name="scoresInRankOrder">The system's scores of the same items, in the same order.</param>
    /// <param name="k">Cut-off.</param>
    /// <param name="gains">Gain map (default: paper's).</param>
    public static double ExpectedDcg(IReadOnlyList<int> gradesInRankOrder, IReadOnlyList<float> scoresInRankOrder, int k,
        GradeGains? gains = null)
    {
        ArgumentNullException.ThrowIfNull(gradesInRankOrder);
        ArgumentNullException.ThrowIfNull(scoresInRankOrder);
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "K must be ≥ 1.");
        if (gradesInRankOrder.Count != scoresInRankOrder.Count)
            throw new ArgumentException($"{gradesInRankOrder.Count} grades but {scoresInRankOrder.Count} scores; give one score per retrieved item.");
        gains ??= GradeGains.Default;
        double dcg = 0;
        int n = gradesInRankOrder.Count;
        for (int start = 0; start < n && start < k;)
        {
            int end = RunEnd(scoresInRankOrder, start);
            double gainSum = 0, discountSum = 0;
            for (int i = start; i < end; i++)
            {
                gainSum += gains.Of(gradesInRankOrder[i]);
                if (i < k) discountSum += 1 / Math.Log2(i + 2);
            }
            dcg += gainSum / (end - start) * discountSum;
            start = end;
        }
        return dcg;
    }

    /// <summary>Tie-aware NDCG@<paramref name="k"/>: <see cref="ExpectedDcg"/> over the ideal DCG of the query's
    /// judged grades; 0 when the ideal DCG is 0.</summary>
    /// <param name="retrievedGrades">Grades of the retrieved items in rank order (unjudged = 0).</param>
    /// <param name="retrievedScores">Their scores, same order.</param>
    /// <param name="judgedGrades">All judged grades of the query.</param>
    /// <param name="k">Cut-off.</param>
    /// <param name="gains">Gain map (default: paper's).</param>
    public static double At(IReadOnlyList<int> retrievedGrades, IReadOnlyList<float> retrievedScores,
        IEnumerable<int> judgedGrades, int k, GradeGains? gains = null)
    {
        double ideal = Ndcg.IdealDcg(judgedGrades, k, gains);
        return ideal > 0 ? ExpectedDcg(retrievedGrades, retrievedScores, k, gains) / ideal : 0.0;
    }

    /// <summary><c>tied@K</c>: 1 when the item at rank <paramref name="k"/> has the same score as the retrieved item
    /// right after it, so which items make the top K depends on the tie-break; else 0 (also when fewer than K + 1
    /// items were retrieved). Averaged over queries it is the share of queries whose top K is decided by ties.</summary>
    public static double TiedAt(IReadOnlyList<float> scoresInRankOrder, int k)
    {
        ArgumentNullException.ThrowIfNull(scoresInRankOrder);
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "K must be ≥ 1.");
        return scoresInRankOrder.Count > k && scoresInRankOrder[k - 1] == scoresInRankOrder[k] ? 1.0 : 0.0;
    }

    /// <summary>Exclusive end of the run of scores equal to <c>scores[start]</c> that begins at
    /// <paramref name="start"/>.</summary>
    private static int RunEnd(IReadOnlyList<float> scores, int start)
    {
        int end = start + 1;
        while (end < scores.Count && scores[end] == scores[start]) end++;
        return end;
    }
}
