using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using MineRefine.Common;
using MineRefine.Data;

namespace MineRefine.Evaluation;

/// <summary>The outcome of <see cref="RetrievalEvaluator.Evaluate"/>. Serialises (with <see cref="Json.Options"/>) to
/// <c>{"system", "queries", "skipped", "queries_grade2", "metrics": {…}, "separation": {…} | null}</c>.</summary>
public sealed class EvaluationResult
{
    /// <summary>File names written by <see cref="WriteTo"/>.</summary>
    public const string MetricsFile = "metrics.json", PerQueryFile = "per_query.csv", RunFile = "run.trec", QrelsFile = "qrels.trec";

    /// <summary>System name.</summary>
    [JsonPropertyName("system")] public required string System { get; init; }
    /// <summary>Queries averaged over (those with at least one judged item of grade ≥ 1).</summary>
    [JsonPropertyName("queries")] public required int Queries { get; init; }
    /// <summary>Judged queries skipped because none of their judged items has grade ≥ 1.</summary>
    [JsonPropertyName("skipped")] public required int Skipped { get; init; }
    /// <summary>Queries with at least one grade-2 item: the grade-2 variants (recall2/precision2) average over these.</summary>
    [JsonPropertyName("queries_grade2")] public required int QueriesWithExact { get; init; }
    /// <summary>Mean metric values by key in the fixed order of <see cref="EvaluationOptions.MetricKeys"/>; null when no
    /// query defines the metric.</summary>
    [JsonPropertyName("metrics")] public required OrderedDictionary<string, double?> Metrics { get; init; }
    /// <summary>Score separation over judged pairs; null when the system cannot score pairs.</summary>
    [JsonPropertyName("separation")] public SeparationResult? Separation { get; init; }

    /// <summary>Per-query details (every judged query, skipped ones included), in judgment order.</summary>
    [JsonIgnore] public IReadOnlyList<QueryEvaluation> PerQuery { get; init; } = [];
    /// <summary>The judgments evaluated against (written as qrels).</summary>
    [JsonIgnore] public IReadOnlyList<Judgment> Judgments { get; init; } = [];
    /// <summary>The metric keys in output order.</summary>
    [JsonIgnore] public IReadOnlyList<string> MetricKeys => Metrics.Keys.ToList();

    /// <summary>The metrics JSON (indented, snake_case).</summary>
    public string ToJson() => Json.Serialize(this);

    /// <summary>Writes <c>metrics.json</c>, <c>per_query.csv</c>, <c>run.trec</c> and <c>qrels.trec</c> into
    /// <paramref name="folder"/> (created if missing) and returns their paths.</summary>
    public IReadOnlyList<string> WriteTo(string folder)
    {
        Directory.CreateDirectory(folder);
        var utf8 = new UTF8Encoding(false);
        var metrics = Path.Combine(folder, MetricsFile);
        Json.WriteFile(metrics, this);
        var perQuery = Path.Combine(folder, PerQueryFile);
        using (var w = new StreamWriter(perQuery, false, utf8)) WritePerQueryCsv(w);
        var run = Path.Combine(folder, RunFile);
        using (var w = new StreamWriter(run, false, utf8))
            TrecWriter.WriteRun(w, PerQuery.Select(q => (q.QueryId, q.Hits)), TrecRunName(System));
        var qrels = Path.Combine(folder, QrelsFile);
        using (var w = new StreamWriter(qrels, false, utf8)) TrecWriter.WriteQrels(w, Judgments);
        return [metrics, perQuery, run, qrels];
    }

    /// <summary>Writes the per-query CSV: <c>query_id,query_text,n_judged,n_relevant,n_exact,skipped,</c> then one
    /// column per metric key (empty cell when undefined for the query) and, when the system scored the judged pairs
    /// (<see cref="Separation"/>), <c>margin,worst_margin</c> (the query's average and worst-case margin; empty
    /// unless it has a grade-2 and a grade-0 judged item), so <c>compare</c> can test margins per query too.
    /// RFC 4180 quoting, invariant numbers.</summary>
    public void WritePerQueryCsv(TextWriter w)
    {
        var keys = MetricKeys;
        var margins = Separation?.QueryMargins;
        w.Write("query_id,query_text,n_judged,n_relevant,n_exact,skipped");
        foreach (var k in keys) { w.Write(','); w.Write(k); }
        if (margins is not null) w.Write(",margin,worst_margin");
        w.Write('\n');
        foreach (var q in PerQuery)
        {
            w.Write(Csv(q.QueryId)); w.Write(',');
            w.Write(Csv(q.Text)); w.Write(',');
            w.Write(q.Judged.ToString(CultureInfo.InvariantCulture)); w.Write(',');
            w.Write(q.Relevant.ToString(CultureInfo.InvariantCulture)); w.Write(',');
            w.Write(q.Exact.ToString(CultureInfo.InvariantCulture)); w.Write(',');
            w.Write(q.Skipped ? "true" : "false");
            foreach (var k in keys)
            {
                w.Write(',');
                if (q.Metrics.TryGetValue(k, out var v) && !double.IsNaN(v))
                    w.Write(v.ToString("0.######", CultureInfo.InvariantCulture));
            }
            if (margins is not null)
            {
                if (margins.TryGetValue(q.QueryId, out var qm))
                    w.Write($",{qm.Average.ToString("0.######", CultureInfo.InvariantCulture)},{qm.WorstCase.ToString("0.######", CultureInfo.InvariantCulture)}");
                else w.Write(",,");
            }
            w.Write('\n');
        }
    }

    /// <summary>The system name made safe for a TREC run column (white space → '_').</summary>
    public static string TrecRunName(string system)
    {
        var s = new string(system.Select(c => char.IsWhiteSpace(c) ? '_' : c).ToArray());
        return s.Length == 0 ? "run" : s;
    }

    private static string Csv(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
