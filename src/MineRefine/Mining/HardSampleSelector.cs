namespace MineRefine.Mining;

/// <summary>
/// Selects hard samples from one query's ranked, graded candidates (paper §6, step 3):
/// hard negatives are grade-0 items ranked at or above the split (default k/2), hardest (best-ranked) first;
/// hard positives are grade ≥ 1 items ranked below the split, hardest (worst-ranked) first. Candidates without a
/// grade are never selected. Every decision is counted in <see cref="MiningStats"/>.
/// </summary>
public static class HardSampleSelector
{
    /// <summary>Selects the hard samples of one query. <paramref name="ranked"/> must be sorted by rank.</summary>
    public static List<MinedPair> Select(IReadOnlyList<MiningCandidate> ranked, MiningOptions options, MiningStats stats)
    {
        int split = options.EffectiveSplit;
        var negatives = new List<MiningCandidate>();
        var positives = new List<MiningCandidate>();
        foreach (var c in ranked)
        {
            stats.Candidates++;
            if (c.Grade is not int g)
            {
                stats.DroppedUnlabeled++;
                continue;
            }
            stats.RecordScore(g, c.Score);
            if (c.Label == CandidateLabel.Labeled) stats.RecordNewLabel(g, c.Rank <= split);
            if (g == 0 && c.Rank <= split)
            {
                if (!options.IncludeTopNegatives && c.Rank <= options.TopNegativeWindow)
                {
                    stats.DroppedTopWindowNegatives++;
                    continue;
                }
                negatives.Add(c);
            }
            else if (g > 0 && c.Rank > split)
            {
                positives.Add(c);
            }
            else if (g == 0)
            {
                stats.DroppedEasyNegatives++;
            }
            else
            {
                stats.DroppedEasyPositives++;
            }
        }
        var result = new List<MinedPair>();
        // Hardest negatives: best-ranked first.
        negatives.Sort((a, b) => a.Rank.CompareTo(b.Rank));
        int keepNeg = Math.Min(options.MaxNegativesPerQuery, negatives.Count);
        stats.DroppedNegativesOverCap += negatives.Count - keepNeg;
        for (int i = 0; i < keepNeg; i++)
            result.Add(ToPair(negatives[i], MinedKind.HardNegative));
        // Hardest positives: worst-ranked first.
        positives.Sort((a, b) => b.Rank.CompareTo(a.Rank));
        int keepPos = Math.Min(options.MaxPositivesPerQuery, positives.Count);
        stats.DroppedPositivesOverCap += positives.Count - keepPos;
        for (int i = 0; i < keepPos; i++)
            result.Add(ToPair(positives[i], MinedKind.HardPositive));
        stats.HardNegatives += keepNeg;
        stats.HardPositives += keepPos;
        return result;
    }

    private static MinedPair ToPair(MiningCandidate c, MinedKind kind) =>
        new(c.QueryId, c.ProductId, c.Grade!.Value, c.Rank, c.Score, kind, c.Label);
}
