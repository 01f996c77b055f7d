using System.Text.Json.Serialization;

namespace MineRefine.Evaluation;

/// <summary>One judged query–item pair with the model's score.</summary>
/// <param name="QueryId">Query id.</param>
/// <param name="Grade">Judged grade 0, 1 or 2.</param>
/// <param name="Score">The system's score s(q, d).</param>
public readonly record struct ScoredPair(string QueryId, int Grade, double Score);

/// <summary>How well a system's scores separate the grades over judged pairs (paper §7 "score separation").</summary>
/// <remarks>
/// Per grade g: mean and p10/p50/p90 (<see cref="Quantiles"/>) of s over all judged pairs with grade g (pooled
/// over queries). Margins: <see cref="Margins"/> (average and worst-case, over queries having both grade 2 and
/// grade 0). AUC: <see cref="RocAuc"/> pooled over pairs for 2 vs 0, 1 vs 0 and 2 vs 1.
/// Every statistic is null when its inputs are empty.
/// </remarks>
public static class ScoreSeparation
{
    /// <summary>Computes the separation statistics of <paramref name="pairs"/>.</summary>
    public static SeparationResult Compute(IReadOnlyList<ScoredPair> pairs)
    {
        var byGrade = new List<double>[3] { new(), new(), new() };
        var perQuery = new Dictionary<string, (List<double> Exact, List<double> Irrelevant)>(StringComparer.Ordinal);
        foreach (var p in pairs)
        {
            if (p.Grade is < 0 or > 2)
                throw new ArgumentException($"Pair ({p.QueryId}) has grade {p.Grade}; grades are 0, 1 or 2.");
            if (double.IsNaN(p.Score))
                throw new ArgumentException($"Pair ({p.QueryId}, grade {p.Grade}) has a NaN score.");
            byGrade[p.Grade].Add(p.Score);
            if (p.Grade == 1) continue;
            if (!perQuery.TryGetValue(p.QueryId, out var lists))
                perQuery[p.QueryId] = lists = (new List<double>(), new List<double>());
            (p.Grade == 2 ? lists.Exact : lists.Irrelevant).Add(p.Score);
        }
        var withBoth = perQuery.Where(kv => kv.Value.Exact.Count > 0 && kv.Value.Irrelevant.Count > 0).ToList();
        var marginInputs = withBoth
            .Select(kv => ((IReadOnlyList<double>)kv.Value.Exact, (IReadOnlyList<double>)kv.Value.Irrelevant))
            .ToList();
        var queryMargins = withBoth.ToDictionary(kv => kv.Key, kv => new QueryMargin(
            Margins.QueryAverageMargin(kv.Value.Exact, kv.Value.Irrelevant)!.Value,
            Margins.QueryWorstCaseMargin(kv.Value.Exact, kv.Value.Irrelevant)!.Value), StringComparer.Ordinal);
        var stats = new GradeStats[3];
        for (int g = 0; g < 3; g++)
        {
            var sorted = byGrade[g].ToArray();
            Array.Sort(sorted);
            stats[g] = sorted.Length == 0
                ? new GradeStats(0, null, null, null, null)
                : new GradeStats(sorted.Length, sorted.Average(),
                    Quantiles.OfSorted(sorted, 0.10), Quantiles.OfSorted(sorted, 0.50), Quantiles.OfSorted(sorted, 0.90));
        }
        return new SeparationResult
        {
            AverageMargin = Margins.Average(marginInputs),
            WorstCaseMargin = Margins.WorstCase(marginInputs),
            MarginQueries = marginInputs.Count,
            QueryMargins = queryMargins,
            Auc2Vs0 = RocAuc.Compute(byGrade[2], byGrade[0]),
            Auc1Vs0 = RocAuc.Compute(byGrade[1], byGrade[0]),
            Auc2Vs1 = RocAuc.Compute(byGrade[2], byGrade[1]),
            Grade0 = stats[0],
            Grade1 = stats[1],
            Grade2 = stats[2],
        };
    }
}

/// <summary>The margins of one query (<see cref="Margins"/>): mean(grade 2) − mean(grade 0) and min(grade 2) − max(grade 0).</summary>
public readonly record struct QueryMargin(double Average, double WorstCase);

/// <summary>Count, mean and quantiles of the scores of one grade.</summary>
public sealed record GradeStats(int Count, double? Mean, double? P10, double? P50, double? P90);

/// <summary>Result of <see cref="ScoreSeparation.Compute"/>; serialised with stable snake_case keys
/// (<c>average_margin</c>, <c>worst_case_margin</c>, <c>auc_2_vs_0</c>, …, <c>mean_score_grade0</c>,
/// <c>p10_score_grade0</c>, …, <c>pairs_grade0</c>, …).</summary>
public sealed class SeparationResult
{
    /// <summary>E_q[mean s(2) − mean s(0)].</summary>
    [JsonPropertyName("average_margin")] public double? AverageMargin { get; init; }
    /// <summary>E_q[min s(2) − max s(0)].</summary>
    [JsonPropertyName("worst_case_margin")] public double? WorstCaseMargin { get; init; }
    /// <summary>Queries with both grade 2 and grade 0 (the margins' E_q).</summary>
    [JsonPropertyName("margin_queries")] public int MarginQueries { get; init; }
    /// <summary>Per query id, the margins of the queries with a grade-2 and a grade-0 judged item (the
    /// <see cref="MarginQueries"/> queries); written to per_query.csv as <c>margin</c> and <c>worst_margin</c>.</summary>
    [JsonIgnore] public IReadOnlyDictionary<string, QueryMargin> QueryMargins { get; init; } = new Dictionary<string, QueryMargin>();
    /// <summary>AUC grade 2 vs grade 0.</summary>
    [JsonPropertyName("auc_2_vs_0")] public double? Auc2Vs0 { get; init; }
    /// <summary>AUC grade 1 vs grade 0.</summary>
    [JsonPropertyName("auc_1_vs_0")] public double? Auc1Vs0 { get; init; }
    /// <summary>AUC grade 2 vs grade 1.</summary>
    [JsonPropertyName("auc_2_vs_1")] public double? Auc2Vs1 { get; init; }

    /// <summary>Statistics of grade-0 scores.</summary>
    [JsonIgnore] public GradeStats Grade0 { get; init; } = new(0, null, null, null, null);
    /// <summary>Statistics of grade-1 scores.</summary>
    [JsonIgnore] public GradeStats Grade1 { get; init; } = new(0, null, null, null, null);
    /// <summary>Statistics of grade-2 scores.</summary>
    [JsonIgnore] public GradeStats Grade2 { get; init; } = new(0, null, null, null, null);

    /// <summary>Statistics of grade <paramref name="g"/>.</summary>
    public GradeStats ForGrade(int g) => g switch
    {
        0 => Grade0, 1 => Grade1, 2 => Grade2,
        _ => throw new ArgumentOutOfRangeException(nameof(g)),
    };

#pragma warning disable CS1591
    [JsonPropertyName("mean_score_grade0")] public double? MeanScoreGrade0 => Grade0.Mean;
    [JsonPropertyName("mean_score_grade1")] public double? MeanScoreGrade1 => Grade1.Mean;
    [JsonPropertyName("mean_score_grade2")] public double? MeanScoreGrade2 => Grade2.Mean;
    [JsonPropertyName("p10_score_grade0")] public double? P10ScoreGrade0 => Grade0.P10;
    [JsonPropertyName("p50_score_grade0")] public double? P50ScoreGrade0 => Grade0.P50;
    [JsonPropertyName("p90_score_grade0")] public double? P90ScoreGrade0 => Grade0.P90;
    [JsonPropertyName("p10_score_grade1")] public double? P10ScoreGrade1 => Grade1.P10;
    [JsonPropertyName("p50_score_grade1")] public double? P50ScoreGrade1 => Grade1.P50;
    [JsonPropertyName("p90_score_grade1")] public double? P90ScoreGrade1 => Grade1.P90;
    [JsonPropertyName("p10_score_grade2")] public double? P10ScoreGrade2 => Grade2.P10;
    [JsonPropertyName("p50_score_grade2")] public double? P50ScoreGrade2 => Grade2.P50;
    [JsonPropertyName("p90_score_grade2")] public double? P90ScoreGrade2 => Grade2.P90;
    [JsonPropertyName("pairs_grade0")] public int PairsGrade0 => Grade0.Count;
    [JsonPropertyName("pairs_grade1")] public int PairsGrade1 => Grade1.Count;
    [JsonPropertyName("pairs_grade2")] public int PairsGrade2 => Grade2.Count;
#pragma warning restore CS1591

    /// <summary>Judged pairs left out because their product is not in the catalog (cannot be scored).</summary>
    [JsonPropertyName("pairs_unscorable")] public int PairsUnscorable { get; set; }
    /// <summary>Judged pairs left out because the system has no score for them: for a replayed run file
    /// (<see cref="Retrieval.IQueryIdPairScorer"/>), the judged pairs the run does not rank. Null when every judged pair
    /// could be asked for a score (a retriever that scores any pair).</summary>
    [JsonPropertyName("pairs_without_score")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PairsWithoutScore { get; set; }
}
