namespace MineRefine.Evaluation;

/// <summary>Area under the ROC curve of one grade against another, pooled over all judged pairs (used by
/// <see cref="ScoreSeparation"/> for 2 vs 0, 1 vs 0 and 2 vs 1; paper §7 score separation).</summary>
/// <remarks>
/// AUC = (1 / (|P|·|N|)) Σ_{p∈P} Σ_{n∈N} [s_p &gt; s_n] + ½·[s_p = s_n], the probability that a random positive
/// (higher-grade) pair scores above a random negative (lower-grade) pair, ties counting one half. Computed in
/// O((|P|+|N|) log(|P|+|N|)) with mid-ranks (Mann–Whitney U): AUC = (R_P − |P|(|P|+1)/2) / (|P|·|N|), R_P the
/// sum of the positives' ranks in the pooled ascending order, tied values sharing their average rank.
/// Null when either side is empty. Scores must not be NaN.
/// </remarks>
public static class RocAuc
{
    /// <summary>AUC of <paramref name="positives"/> above <paramref name="negatives"/>, or null if either is empty.</summary>
    public static double? Compute(IReadOnlyList<double> positives, IReadOnlyList<double> negatives)
    {
        int np = positives.Count, nn = negatives.Count;
        if (np == 0 || nn == 0) return null;
        var all = new (double Score, bool Positive)[np + nn];
        for (int i = 0; i < np; i++) all[i] = (Check(positives[i]), true);
        for (int i = 0; i < nn; i++) all[np + i] = (Check(negatives[i]), false);
        Array.Sort(all, (a, b) => a.Score.CompareTo(b.Score));

        double rankSumPositives = 0;
        int start = 0;
        while (start < all.Length)
        {
            int end = start;
            while (end + 1 < all.Length && all[end + 1].Score == all[start].Score) end++;
            double midRank = (start + end) / 2.0 + 1.0; // 1-based average rank of the tie group
            for (int i = start; i <= end; i++)
                if (all[i].Positive) rankSumPositives += midRank;
            start = end + 1;
        }
        double u = rankSumPositives - np * (np + 1.0) / 2.0;
        return u / ((double)np * nn);
    }

    private static double Check(double s) =>
        double.IsNaN(s) ? throw new ArgumentException("A score is NaN; AUC needs comparable scores.") : s;
}
