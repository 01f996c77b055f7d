using System.Text.Json.Serialization;
using MineRefine.Common;

namespace MineRefine.Evaluation;

/// <summary>How the queries of two per-query files were paired (metric-independent part). Nothing is dropped
/// silently: every query of either file is in exactly one of <see cref="Compared"/>, <see cref="OnlyInA"/>,
/// <see cref="OnlyInB"/> or <see cref="SkippedInEither"/> (common queries).</summary>
public sealed class QueryAlignment
{
    /// <summary>Rows in file A.</summary>
    [JsonPropertyName("queries_a")] public required int QueriesA { get; init; }
    /// <summary>Rows in file B.</summary>
    [JsonPropertyName("queries_b")] public required int QueriesB { get; init; }
    /// <summary>Query ids present in both files.</summary>
    [JsonPropertyName("common")] public required int Common { get; init; }
    /// <summary>Common queries not skipped in either file: the pool every metric is compared on.</summary>
    [JsonPropertyName("compared")] public required int Compared { get; init; }
    /// <summary>Query ids only in A (not compared), in A's order.</summary>
    [JsonPropertyName("only_in_a")] public required IReadOnlyList<string> OnlyInA { get; init; }
    /// <summary>Query ids only in B (not compared), in B's order.</summary>
    [JsonPropertyName("only_in_b")] public required IReadOnlyList<string> OnlyInB { get; init; }
    /// <summary>Common query ids skipped (no relevant judged item) in A or in B (not compared), in A's order.</summary>
    [JsonPropertyName("skipped_in_either")] public required IReadOnlyList<string> SkippedInEither { get; init; }
}

/// <summary>One metric of a <see cref="RunComparisonResult"/>.</summary>
public sealed class MetricComparison
{
    /// <summary>The metric key (a per_query.csv column).</summary>
    [JsonPropertyName("metric")] public required string Metric { get; init; }
    /// <summary>Queries of the compared pool whose cell for this metric is empty (undefined) in A or B, e.g. recall2
    /// on a query without a grade-2 item; not compared for this metric.</summary>
    [JsonPropertyName("undefined_in_either")] public required int UndefinedInEither { get; init; }
    /// <summary>The paired statistics over the remaining queries.</summary>
    [JsonPropertyName("result")] public required PairedComparisonResult Result { get; init; }
}

/// <summary>The outcome of <see cref="RunComparison.Compare"/>; serialises with <see cref="Json.Options"/>.</summary>
public sealed class RunComparisonResult
{
    /// <summary>File A (the baseline).</summary>
    [JsonPropertyName("a")] public required string A { get; init; }
    /// <summary>File B (the candidate).</summary>
    [JsonPropertyName("b")] public required string B { get; init; }
    /// <summary>R, the bootstrap resamples and sign flips.</summary>
    [JsonPropertyName("resamples")] public required int Resamples { get; init; }
    /// <summary>The seed.</summary>
    [JsonPropertyName("seed")] public required int Seed { get; init; }
    /// <summary>The bootstrap interval's coverage.</summary>
    [JsonPropertyName("confidence_level")] public required double ConfidenceLevel { get; init; }
    /// <summary>How the queries were paired.</summary>
    [JsonPropertyName("alignment")] public required QueryAlignment Alignment { get; init; }
    /// <summary>One entry per requested metric, in request order.</summary>
    [JsonPropertyName("metrics")] public required IReadOnlyList<MetricComparison> Metrics { get; init; }
    /// <summary>The queries that differ most (<c>compare --show N</c>); null when not asked for.</summary>
    [JsonPropertyName("query_differences"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QueryDifferences? Differences { get; set; }

    /// <summary>The JSON document (indented, snake_case).</summary>
    public string ToJson() => Json.Serialize(this);
}

/// <summary>Compares two evaluation runs (their per_query.csv files) metric by metric with
/// <see cref="PairedComparison"/>.</summary>
/// <remarks>Alignment: a query is compared only when its id is in both files and it is skipped in neither; for each
/// metric, queries whose cell is empty in A or B are further left out and counted
/// (<see cref="MetricComparison.UndefinedInEither"/>). Queries only in A, only in B and skipped in either are listed in
/// <see cref="QueryAlignment"/>. Throws <see cref="ArgumentException"/> when no query is left to compare.</remarks>
public static class RunComparison
{
    /// <summary>The metrics compared when none are named (plus <see cref="JudgedOnlyMetrics"/> and
    /// <see cref="TieMetrics"/> when both runs have them).</summary>
    public static readonly IReadOnlyList<string> DefaultMetrics = ["ndcg@10", "ndcg@50", "ndcg@100", "recall@100"];

    /// <summary>The judged-only view (<see cref="CondensedNdcg"/>, <see cref="JudgedAtK"/>) added to the default metrics
    /// when both per-query files have the columns (files written before these metrics existed do not).</summary>
    public static readonly IReadOnlyList<string> JudgedOnlyMetrics = ["ndcg_judged@10", "judged@10"];

    /// <summary>The tie view (<see cref="TieAwareNdcg"/>) added to the default metrics when both per-query files have
    /// the columns.</summary>
    public static readonly IReadOnlyList<string> TieMetrics = ["ndcg_tie_aware@10", "tied@10"];

    /// <summary>The metrics compared when none are named: <see cref="DefaultMetrics"/>, then
    /// <see cref="JudgedOnlyMetrics"/> and <see cref="TieMetrics"/>, each group if both <paramref name="a"/> and
    /// <paramref name="b"/> have all of its columns.</summary>
    public static IReadOnlyList<string> DefaultMetricsFor(PerQueryTable a, PerQueryTable b)
    {
        bool Has(PerQueryTable t, string m) => t.MetricKeys.Contains(m, StringComparer.Ordinal);
        var metrics = new List<string>(DefaultMetrics);
        foreach (var group in new[] { JudgedOnlyMetrics, TieMetrics })
            if (group.All(m => Has(a, m) && Has(b, m))) metrics.AddRange(group);
        return metrics;
    }

    /// <summary>Pairs the queries of <paramref name="a"/> and <paramref name="b"/> (see remarks).</summary>
    public static QueryAlignment Align(PerQueryTable a, PerQueryTable b)
    {
        var onlyA = new List<string>();
        var skipped = new List<string>();
        int common = 0, compared = 0;
        foreach (var ra in a.Rows)
        {
            if (b.Find(ra.QueryId) is not { } rb) { onlyA.Add(ra.QueryId); continue; }
            common++;
            if (ra.Skipped || rb.Skipped) skipped.Add(ra.QueryId);
            else compared++;
        }
        return new QueryAlignment
        {
            QueriesA = a.Rows.Count,
            QueriesB = b.Rows.Count,
            Common = common,
            Compared = compared,
            OnlyInA = onlyA,
            OnlyInB = b.Rows.Where(r => a.Find(r.QueryId) is null).Select(r => r.QueryId).ToList(),
            SkippedInEither = skipped,
        };
    }

    /// <summary>Compares B with A on each of <paramref name="metrics"/> (default <see cref="DefaultMetricsFor"/>).
    /// Throws <see cref="Data.DataFormatException"/> when a file lacks a metric column (listing the available ones) and
    /// <see cref="ArgumentException"/> when there is nothing to compare.</summary>
    public static RunComparisonResult Compare(PerQueryTable a, PerQueryTable b, IReadOnlyList<string>? metrics = null,
        PairedComparisonOptions? options = null)
    {
        options ??= new PairedComparisonOptions();
        options.Validate();
        metrics = metrics is { Count: > 0 } ? metrics.Distinct(StringComparer.Ordinal).ToList() : DefaultMetricsFor(a, b);
        var columns = metrics.Select(m => (Metric: m, A: a.MetricIndex(m), B: b.MetricIndex(m))).ToList();
        var alignment = Align(a, b);
        if (alignment.Compared == 0)
            throw new ArgumentException(
                $"No query to compare: {alignment.Common} query ids are common to '{a.File}' and '{b.File}' " +
                $"({alignment.SkippedInEither.Count} of them skipped in either; {alignment.OnlyInA.Count} only in A, " +
                $"{alignment.OnlyInB.Count} only in B). Were both runs evaluated on the same judgments and split?");
        var pairs = a.Rows.Where(r => !r.Skipped)
            .Select(r => (A: r, B: b.Find(r.QueryId)))
            .Where(p => p.B is { Skipped: false })
            .ToList();
        var results = new List<MetricComparison>();
        foreach (var (metric, ia, ib) in columns)
        {
            var xa = new List<double>();
            var xb = new List<double>();
            int undefined = 0;
            foreach (var (ra, rb) in pairs)
            {
                if (ra.Values[ia] is { } va && rb!.Values[ib] is { } vb) { xa.Add(va); xb.Add(vb); }
                else undefined++;
            }
            if (xa.Count == 0)
                throw new ArgumentException(
                    $"Metric '{metric}' is undefined (empty cell) in A or B on all {alignment.Compared} compared queries; " +
                    "pick another --metric.");
            results.Add(new MetricComparison
            {
                Metric = metric,
                UndefinedInEither = undefined,
                Result = PairedComparison.Compare(xa, xb, options),
            });
        }
        return new RunComparisonResult
        {
            A = a.File,
            B = b.File,
            Resamples = options.Resamples,
            Seed = options.Seed,
            ConfidenceLevel = options.ConfidenceLevel,
            Alignment = alignment,
            Metrics = results,
        };
    }
}
