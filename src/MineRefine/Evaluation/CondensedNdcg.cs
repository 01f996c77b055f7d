namespace MineRefine.Evaluation;

/// <summary>Condensed-list NDCG ("NDCG′", Sakai 2007, <i>Alternatives to Bpref</i>, SIGIR): NDCG@K computed after the
/// retrieved items nobody judged are removed from the ranking. Key <c>ndcg_judged@K</c>.</summary>
/// <remarks>
/// Let r′_1, r′_2, … be the grades of the <em>judged</em> retrieved items in rank order (every unjudged item dropped,
/// the judged ones moved up). Then NDCG′@K = DCG@K(r′) / IDCG@K, with the same gains and the same ideal DCG as
/// <see cref="Ndcg"/> (all of the query's judged grades, sorted best first).
/// <para>Why: with incomplete judgments (Home Depot judges a few products per query) plain NDCG counts every unjudged
/// retrieved item as irrelevant, which penalises a system for finding relevant products no rater saw — most often
/// near-duplicates of judged ones (<c>bench/results/judged-only.md</c> measures this against a complete truth). NDCG′ measures only how the judged items are ordered, so it
/// neither rewards nor punishes unjudged retrievals. It is a complement, not a replacement: a system that retrieves
/// nothing judged scores 0, and one that ranks every judged item below 100 unjudged ones is not seen through it
/// (read <see cref="JudgedAtK"/> beside it).</para>
/// <para>The condensed list is taken from the evaluated depth (top 100 by default), so it holds at most that many
/// items; Sakai condenses the full ranking. Equal to plain NDCG@K when every one of the top K is judged.</para>
/// </remarks>
public static class CondensedNdcg
{
    /// <summary>NDCG′@<paramref name="k"/>.</summary>
    /// <param name="retrievedGrades">Grades of the retrieved items in rank order (any value for unjudged items).</param>
    /// <param name="retrievedJudged">Whether each retrieved item was judged (same length).</param>
    /// <param name="judgedGrades">All judged grades of the query.</param>
    /// <param name="k">Cut-off.</param>
    /// <param name="gains">Gain map (default: paper's).</param>
    public static double At(IReadOnlyList<int> retrievedGrades, IReadOnlyList<bool> retrievedJudged,
        IEnumerable<int> judgedGrades, int k, GradeGains? gains = null)
    {
        ArgumentNullException.ThrowIfNull(retrievedGrades);
        ArgumentNullException.ThrowIfNull(retrievedJudged);
        if (retrievedGrades.Count != retrievedJudged.Count)
            throw new ArgumentException(
                $"{retrievedGrades.Count} retrieved grades but {retrievedJudged.Count} judged flags; give one flag per retrieved item.");
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "K must be ≥ 1.");
        var condensed = new List<int>(Math.Min(k, retrievedGrades.Count));
        for (int i = 0; i < retrievedGrades.Count && condensed.Count < k; i++)
            if (retrievedJudged[i]) condensed.Add(retrievedGrades[i]);
        return Ndcg.At(condensed, judgedGrades, k, gains);
    }
}
