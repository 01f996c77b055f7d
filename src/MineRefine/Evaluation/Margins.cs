namespace MineRefine.Evaluation;

/// <summary>Score margins between exact (grade 2) and irrelevant (grade 0) items of the same query (paper §7).</summary>
/// <remarks>
/// Average margin = E_q[ mean_{d: r=2} s(q,d) − mean_{d: r=0} s(q,d) ].
/// Worst-case margin = E_q[ min_{d: r=2} s(q,d) − max_{d: r=0} s(q,d) ].
/// E_q is the plain mean over the queries that have at least one grade-2 and at least one grade-0 judged item
/// (other queries are left out); null when there is no such query. A positive worst-case margin for a query means
/// every exact item outscores every irrelevant one.
/// </remarks>
public static class Margins
{
    /// <summary>mean(grade-2 scores) − mean(grade-0 scores) of one query; null if either list is empty.</summary>
    public static double? QueryAverageMargin(IReadOnlyList<double> exactScores, IReadOnlyList<double> irrelevantScores) =>
        exactScores.Count == 0 || irrelevantScores.Count == 0 ? null : exactScores.Average() - irrelevantScores.Average();

    /// <summary>min(grade-2 scores) − max(grade-0 scores) of one query; null if either list is empty.</summary>
    public static double? QueryWorstCaseMargin(IReadOnlyList<double> exactScores, IReadOnlyList<double> irrelevantScores) =>
        exactScores.Count == 0 || irrelevantScores.Count == 0 ? null : exactScores.Min() - irrelevantScores.Max();

    /// <summary>Average margin over queries (each item: that query's grade-2 and grade-0 scores).</summary>
    public static double? Average(IEnumerable<(IReadOnlyList<double> Exact, IReadOnlyList<double> Irrelevant)> queries) =>
        MeanOf(queries.Select(q => QueryAverageMargin(q.Exact, q.Irrelevant)));

    /// <summary>Worst-case margin over queries (each item: that query's grade-2 and grade-0 scores).</summary>
    public static double? WorstCase(IEnumerable<(IReadOnlyList<double> Exact, IReadOnlyList<double> Irrelevant)> queries) =>
        MeanOf(queries.Select(q => QueryWorstCaseMargin(q.Exact, q.Irrelevant)));

    private static double? MeanOf(IEnumerable<double?> values)
    {
        double sum = 0;
        int n = 0;
        foreach (var v in values)
        {
            if (v is not { } x) continue;
            sum += x;
            n++;
        }
        return n == 0 ? null : sum / n;
    }
}
