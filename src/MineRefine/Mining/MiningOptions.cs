namespace MineRefine.Mining;

/// <summary>Options of ANN hard-sample mining (paper §6). Every default is a [choice] where the paper is silent.</summary>
public sealed class MiningOptions
{
    /// <summary>Items retrieved per training query (paper: k ∈ [100, 200]; default 150).</summary>
    public int K { get; set; } = 150;
    /// <summary>Rank split: grade-0 items ranked at or above it are hard negatives, grade ≥ 1 items ranked below it
    /// are hard positives. Null = K / 2 (the paper's split).</summary>
    public int? SplitRank { get; set; }
    /// <summary>Most hard negatives kept per query (hardest, i.e. best-ranked, first). Default 10.</summary>
    public int MaxNegativesPerQuery { get; set; } = 10;
    /// <summary>Most hard positives kept per query (hardest, i.e. worst-ranked, first). Default 5.</summary>
    public int MaxPositivesPerQuery { get; set; } = 5;
    /// <summary>Keep grade-0 items ranked in the top <see cref="TopNegativeWindow"/> (the very hardest negatives;
    /// the paper found including them helped slightly). Default true.</summary>
    public bool IncludeTopNegatives { get; set; } = true;
    /// <summary>Size of the "very hardest" window for <see cref="IncludeTopNegatives"/>. Default 10.</summary>
    public int TopNegativeWindow { get; set; } = 10;
    /// <summary>When false (ablation "no re-labeling"), unjudged retrieved items are assumed grade 0 instead of
    /// being graded by the labeler. Default true.</summary>
    public bool Relabel { get; set; } = true;
    /// <summary>Most unjudged pairs graded per query (budget; the best-ranked unjudged pairs of the top part and
    /// the worst-ranked of the bottom part are graded first). Null = all K. Pairs over the budget are dropped and
    /// counted.</summary>
    public int? MaxLabelsPerQuery { get; set; }
    /// <summary>Mine only this many training queries (seeded sample; budget for CPU). Null = all.</summary>
    public int? MaxQueries { get; set; }
    /// <summary>Catalogs up to this size use exact search, larger ones the HNSW index. Default 200,000.</summary>
    public int ExactSearchMaxItems { get; set; } = 200_000;
    /// <summary>Seed for the query sample.</summary>
    public int Seed { get; set; } = 13;

    /// <summary>The effective split rank.</summary>
    public int EffectiveSplit => SplitRank ?? K / 2;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option and how to fix it.</summary>
    public void Validate()
    {
        if (K < 2) throw new ArgumentException($"mining k must be at least 2 (got {K}); the paper uses 100–200.");
        if (EffectiveSplit < 1 || EffectiveSplit >= K)
            throw new ArgumentException($"mining split rank must be in [1, k) (got {EffectiveSplit} with k = {K}).");
        if (MaxNegativesPerQuery < 0 || MaxPositivesPerQuery < 0)
            throw new ArgumentException("max negatives/positives per query must be ≥ 0.");
        if (TopNegativeWindow < 0) throw new ArgumentException("top negative window must be ≥ 0.");
        if (MaxLabelsPerQuery is < 0) throw new ArgumentException("max labels per query must be ≥ 0.");
        if (MaxQueries is < 1) throw new ArgumentException("max queries must be ≥ 1 when set.");
    }
}
