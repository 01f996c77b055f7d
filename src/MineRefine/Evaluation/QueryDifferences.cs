using System.Text.Json.Serialization;

namespace MineRefine.Evaluation;

/// <summary>One query's value of a metric in two runs, with what each run returned at the top when known.</summary>
public sealed class QueryDifference
{
    /// <summary>The query id.</summary>
    [JsonPropertyName("query_id")] public required string QueryId { get; init; }
    /// <summary>The query text, when the per-query file has it.</summary>
    [JsonPropertyName("query_text")] public string? QueryText { get; init; }
    /// <summary>The metric in run A.</summary>
    [JsonPropertyName("a")] public required double A { get; init; }
    /// <summary>The metric in run B.</summary>
    [JsonPropertyName("b")] public required double B { get; init; }
    /// <summary>B − A.</summary>
    [JsonPropertyName("delta")] public double Delta => B - A;
    /// <summary>Run A's top hits (when its run.trec was read).</summary>
    [JsonPropertyName("top_a"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<RankedHit>? TopA { get; set; }
    /// <summary>Run B's top hits (when its run.trec was read).</summary>
    [JsonPropertyName("top_b"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<RankedHit>? TopB { get; set; }
}

/// <summary>A retrieved product with its judged grade for the query (null: not judged, which plain NDCG, recall and
/// precision count as grade 0) and, when the catalog was read, its title.</summary>
/// <param name="ProductId">The product id.</param>
/// <param name="Grade">Its grade in the run's qrels, or null when unjudged.</param>
/// <param name="Title">Its title, when known.</param>
public sealed record RankedHit(
    [property: JsonPropertyName("product_id")] string ProductId,
    [property: JsonPropertyName("grade")] int? Grade,
    [property: JsonPropertyName("title"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Title);

/// <summary>The queries where run B differs most from run A on one metric, both ways.</summary>
public sealed class QueryDifferences
{
    /// <summary>The metric.</summary>
    [JsonPropertyName("metric")] public required string Metric { get; init; }
    /// <summary>Compared queries (not skipped in either run, metric defined in both).</summary>
    [JsonPropertyName("compared")] public required int Compared { get; init; }
    /// <summary>Queries where B is below A, largest loss first.</summary>
    [JsonPropertyName("b_worse")] public required IReadOnlyList<QueryDifference> BWorse { get; init; }
    /// <summary>Queries where B is above A, largest gain first.</summary>
    [JsonPropertyName("b_better")] public required IReadOnlyList<QueryDifference> BBetter { get; init; }

    /// <summary>The queries of both lists.</summary>
    [JsonIgnore] public IEnumerable<QueryDifference> All => BWorse.Concat(BBetter);

    /// <summary>The <paramref name="n"/> queries where B loses most against A on <paramref name="metric"/> and the
    /// <paramref name="n"/> where it gains most, over the queries <see cref="RunComparison.Compare"/> pairs (common,
    /// skipped in neither, metric defined in both). Equal differences are ordered by query id, so the lists are
    /// deterministic; queries with no difference are in neither list.</summary>
    public static QueryDifferences Largest(PerQueryTable a, PerQueryTable b, string metric, int n)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (n < 1) throw new ArgumentException($"The number of queries to show must be ≥ 1 (got {n}).", nameof(n));
        int ia = a.MetricIndex(metric), ib = b.MetricIndex(metric);
        var diffs = new List<QueryDifference>();
        foreach (var ra in a.Rows)
        {
            if (ra.Skipped || b.Find(ra.QueryId) is not { Skipped: false } rb) continue;
            if (ra.Values[ia] is not { } va || rb.Values[ib] is not { } vb) continue;
            diffs.Add(new QueryDifference { QueryId = ra.QueryId, QueryText = ra.QueryText ?? rb.QueryText, A = va, B = vb });
        }
        return new QueryDifferences
        {
            Metric = metric,
            Compared = diffs.Count,
            BWorse = diffs.Where(d => d.Delta < 0).OrderBy(d => d.Delta).ThenBy(d => d.QueryId, StringComparer.Ordinal).Take(n).ToList(),
            BBetter = diffs.Where(d => d.Delta > 0).OrderByDescending(d => d.Delta).ThenBy(d => d.QueryId, StringComparer.Ordinal).Take(n).ToList(),
        };
    }

    /// <summary>Fills <see cref="QueryDifference.TopA"/> / <see cref="QueryDifference.TopB"/> from each run's ranked ids
    /// and qrels (an <c>eval</c> folder's run.trec and qrels.trec), with titles from <paramref name="titles"/> when
    /// given.</summary>
    public void AttachHits(IReadOnlyDictionary<string, IReadOnlyList<string>>? runA, IReadOnlyDictionary<(string, string), int>? qrelsA,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? runB, IReadOnlyDictionary<(string, string), int>? qrelsB,
        Func<string, string?>? titles = null)
    {
        foreach (var d in All)
        {
            if (runA is not null) d.TopA = Hits(d.QueryId, runA, qrelsA, titles);
            if (runB is not null) d.TopB = Hits(d.QueryId, runB, qrelsB, titles);
        }
    }

    /// <summary><see cref="AttachHits"/> from <c>eval</c> output folders: each side's top <paramref name="depth"/> from its
    /// run.trec, graded by its qrels.trec (when present); a null folder leaves that side without hits.</summary>
    public void AttachHitsFrom(string? evalFolderA, string? evalFolderB, int depth, Func<string, string?>? titles = null)
    {
        static IReadOnlyDictionary<string, IReadOnlyList<string>>? Run(string? folder, int depth) =>
            folder is null ? null : TrecReader.ReadRun(Path.Combine(folder, EvaluationResult.RunFile), depth);
        static IReadOnlyDictionary<(string, string), int>? Qrels(string? folder) =>
            folder is not null && File.Exists(Path.Combine(folder, EvaluationResult.QrelsFile))
                ? TrecReader.ReadQrels(Path.Combine(folder, EvaluationResult.QrelsFile)) : null;
        AttachHits(Run(evalFolderA, depth), Qrels(evalFolderA), Run(evalFolderB, depth), Qrels(evalFolderB), titles);
    }

    private static List<RankedHit> Hits(string queryId, IReadOnlyDictionary<string, IReadOnlyList<string>> run,
        IReadOnlyDictionary<(string, string), int>? qrels, Func<string, string?>? titles) =>
        (run.TryGetValue(queryId, out var ids) ? ids : [])
        .Select(id => new RankedHit(id, qrels is not null && qrels.TryGetValue((queryId, id), out int g) ? g : null, titles?.Invoke(id)))
        .ToList();
}
