namespace MineRefine.Evaluation;

/// <summary>Options of <see cref="RetrievalEvaluator"/> (paper §7).</summary>
public sealed class EvaluationOptions
{
    /// <summary>Cut-offs for NDCG, Recall and Precision (default 10, 50, 100 — the paper's). Changing them changes
    /// the metric keys.</summary>
    public IReadOnlyList<int> Cutoffs { get; init; } = [10, 50, 100];
    /// <summary>Cut-off of the reciprocal rank (default 10 → key <c>mrr@10</c>).</summary>
    public int MrrCutoff { get; init; } = 10;
    /// <summary>NDCG gains (default 2 → 1.0, 1 → 0.5, 0 → 0).</summary>
    public GradeGains Gains { get; init; } = GradeGains.Default;
    /// <summary>Compute score separation when the system can score pairs (default true).</summary>
    public bool ComputeSeparation { get; init; } = true;

    /// <summary>How many items are retrieved per query: the largest of the cut-offs.</summary>
    public int Depth => Math.Max(Cutoffs.Max(), MrrCutoff);

    /// <summary>Throws <see cref="ArgumentException"/> when an option is out of range.</summary>
    public void Validate()
    {
        if (Cutoffs.Count == 0) throw new ArgumentException("Evaluation needs at least one cut-off K.");
        if (Cutoffs.Any(k => k <= 0)) throw new ArgumentException("Every cut-off K must be ≥ 1.");
        if (Cutoffs.Distinct().Count() != Cutoffs.Count) throw new ArgumentException("Cut-offs must be distinct.");
        if (MrrCutoff <= 0) throw new ArgumentException("The MRR cut-off must be ≥ 1.");
    }

    /// <summary>The metric keys in their fixed output order: ndcg@K…, recall@K…, precision@K…, mrr@K,
    /// recall2@K…, precision2@K…, ndcg_judged@K… (<see cref="CondensedNdcg"/>), judged@K… (<see cref="JudgedAtK"/>),
    /// ndcg_tie_aware@K…, tied@K… (<see cref="TieAwareNdcg"/>).</summary>
    public IReadOnlyList<string> MetricKeys()
    {
        var keys = new List<string>();
        foreach (var prefix in new[] { "ndcg", "recall", "precision" })
            keys.AddRange(Cutoffs.Select(k => $"{prefix}@{k}"));
        keys.Add($"mrr@{MrrCutoff}");
        foreach (var prefix in new[] { "recall2", "precision2", "ndcg_judged", "judged", "ndcg_tie_aware", "tied" })
            keys.AddRange(Cutoffs.Select(k => $"{prefix}@{k}"));
        return keys;
    }
}
