using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace MineRefine.Reporting;

/// <summary>One evaluated system: its metrics and (for pair scorers) its score separation.</summary>
public sealed record SystemMetrics(
    string Name, IReadOnlyDictionary<string, double> Metrics, IReadOnlyDictionary<string, double>? Separation);

/// <summary>
/// Builds <c>report.md</c> and a self-contained <c>report.html</c> (plots inlined as SVG, opens offline): a metrics
/// table of every system with relative lifts over a baseline, score distribution plots, confusion matrix and free-form
/// sections (audit, mining, thresholds, timings, manifest) rendered from any JSON-serialisable object.
/// </summary>
public sealed class ReportBuilder
{
    private readonly List<(string Kind, string Title, object Payload)> _parts = new();

    /// <summary>Report title.</summary>
    public string Title { get; }

    /// <summary>Creates an empty report.</summary>
    public ReportBuilder(string title) => Title = title;

    /// <summary>Metric keys shown in the main table, in order.</summary>
    public static readonly string[] MainMetrics =
    [
        "ndcg@10", "ndcg@50", "ndcg@100", "recall@10", "recall@50", "recall@100",
        "precision@10", "precision@50", "precision@100", "mrr@10",
    ];

    /// <summary>Separation keys shown in the separation table, in order.</summary>
    public static readonly string[] SeparationMetrics =
    [
        "average_margin", "worst_case_margin", "auc_2_vs_0", "auc_1_vs_0", "auc_2_vs_1",
        "mean_score_grade0", "mean_score_grade1", "mean_score_grade2",
    ];

    /// <summary>Adds the metrics table; lifts are relative to <paramref name="baseline"/> (default: first system).</summary>
    public ReportBuilder AddMetrics(string title, IReadOnlyList<SystemMetrics> systems, string? baseline = null)
    {
        _parts.Add(("metrics", title, (systems, baseline ?? systems.FirstOrDefault()?.Name)));
        return this;
    }

    /// <summary>Adds a per-grade score distribution plot.</summary>
    public ReportBuilder AddScorePlot(string title, IReadOnlyList<float>[] scoresByGrade, string? pngPath = null)
    {
        var plot = ScorePlots.GradeDensity(title, scoresByGrade);
        if (pngPath is not null) ScorePlots.SavePng(plot, pngPath);
        _parts.Add(("plot", title, (ScorePlots.ToSvg(plot), pngPath)));
        return this;
    }

    /// <summary>Adds a 3×3 confusion matrix (rows true grade, columns predicted grade).</summary>
    public ReportBuilder AddConfusion(string title, long[][] confusion)
    {
        _parts.Add(("confusion", title, confusion));
        return this;
    }

    /// <summary>Adds a plain table (cells as given) with an optional line of explanation above it.</summary>
    public ReportBuilder AddTable(string title, string[] header, IReadOnlyList<string[]> rows, string? note = null)
    {
        if (rows.Any(r => r.Length != header.Length))
            throw new ArgumentException($"Every row of table '{title}' needs {header.Length} cells.", nameof(rows));
        _parts.Add(("table", title, (header, rows.ToList(), note)));
        return this;
    }

    /// <summary>Adds any JSON-serialisable object as a key/value section.</summary>
    public ReportBuilder AddSection(string title, object? payload)
    {
        if (payload is not null) _parts.Add(("section", title, payload));
        return this;
    }

    /// <summary>Writes <c>report.md</c> and <c>report.html</c> into <paramref name="folder"/>.</summary>
    public void WriteTo(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "report.md"), RenderMarkdown(folder));
        File.WriteAllText(Path.Combine(folder, "report.html"), RenderHtml());
    }

    private static string F(double v) => double.IsNaN(v) ? "–" : v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Lift(double v, double b) =>
        double.IsNaN(v) || double.IsNaN(b) || Math.Abs(b) < 1e-12 ? "" :
        ((v - b) / Math.Abs(b) * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + "%";

    private static double Get(IReadOnlyDictionary<string, double>? d, string k) =>
        d is not null && d.TryGetValue(k, out var v) ? v : double.NaN;

    /// <summary>Rows × columns of cells for the metrics and separation tables.</summary>
    private static (string[] Header, List<string[]> Rows) Table(
        IReadOnlyList<SystemMetrics> systems, string? baseline, string[] keys, bool separation)
    {
        var b = systems.FirstOrDefault(s => s.Name == baseline);
        var rows = new List<string[]>();
        foreach (var s in systems)
        {
            var src = separation ? s.Separation : s.Metrics;
            if (separation && src is null) continue;
            var cells = new List<string> { s.Name };
            foreach (var k in keys)
            {
                double v = Get(src, k);
                string lift = !separation && b is not null && b != s ? Lift(v, Get(b.Metrics, k)) : "";
                cells.Add(lift.Length > 0 ? $"{F(v)} ({lift})" : F(v));
            }
            rows.Add(cells.ToArray());
        }
        return (["system", .. keys], rows);
    }

    private string RenderMarkdown(string folder)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# {Title}").AppendLine();
        int plotIndex = 0;
        foreach (var (kind, title, payload) in _parts)
        {
            sb.AppendLine($"## {title}").AppendLine();
            switch (kind)
            {
                case "metrics":
                {
                    var (systems, baseline) = ((IReadOnlyList<SystemMetrics>, string?))payload;
                    sb.AppendLine($"Relative lifts in brackets are over `{baseline}`.").AppendLine();
                    AppendMdTable(sb, Table(systems, baseline, MainMetrics, false));
                    var sep = Table(systems, baseline, SeparationMetrics, true);
                    if (sep.Rows.Count > 0)
                    {
                        sb.AppendLine().AppendLine("Score separation on judged pairs:").AppendLine();
                        AppendMdTable(sb, sep);
                    }
                    break;
                }
                case "plot":
                {
                    var (svg, png) = ((string, string?))payload;
                    string file = png is not null ? Path.GetRelativePath(folder, png) : $"plot-{plotIndex}.svg";
                    if (png is null) File.WriteAllText(Path.Combine(folder, file), svg);
                    sb.AppendLine($"![{title}]({file})");
                    plotIndex++;
                    break;
                }
                case "confusion":
                {
                    var m = (long[][])payload;
                    AppendMdTable(sb, (["true \\ predicted", "0", "1", "2"],
                        m.Select((r, i) => new[] { i.ToString(CultureInfo.InvariantCulture) }
                            .Concat(r.Select(x => x.ToString(CultureInfo.InvariantCulture))).ToArray()).ToList()));
                    break;
                }
                case "table":
                {
                    var (header, rows, note) = ((string[], List<string[]>, string?))payload;
                    if (note is not null) sb.AppendLine(note).AppendLine();
                    AppendMdTable(sb, (header, rows));
                    break;
                }
                default:
                    AppendMdTable(sb, (["key", "value"], Flatten(payload).Select(kv => new[] { kv.Key, kv.Value }).ToList()));
                    break;
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static void AppendMdTable(StringBuilder sb, (string[] Header, List<string[]> Rows) t)
    {
        sb.AppendLine("| " + string.Join(" | ", t.Header) + " |");
        sb.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", t.Header.Length)));
        foreach (var r in t.Rows) sb.AppendLine("| " + string.Join(" | ", r.Select(c => c.Replace("|", "\\|"))) + " |");
    }

    private string RenderHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
          .Append(WebUtility.HtmlEncode(Title))
          .Append("</title><style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px;color:#222}" +
                  "table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}" +
                  "th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}" +
                  "th{background:#f3f3f3}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem}.svg svg{max-width:100%;height:auto}" +
                  "</style></head><body>");
        sb.Append("<h1>").Append(WebUtility.HtmlEncode(Title)).Append("</h1>");
        foreach (var (kind, title, payload) in _parts)
        {
            sb.Append("<h2>").Append(WebUtility.HtmlEncode(title)).Append("</h2>");
            switch (kind)
            {
                case "metrics":
                {
                    var (systems, baseline) = ((IReadOnlyList<SystemMetrics>, string?))payload;
                    sb.Append("<p>Relative lifts in brackets are over <code>").Append(WebUtility.HtmlEncode(baseline ?? ""))
                      .Append("</code>.</p>");
                    AppendHtmlTable(sb, Table(systems, baseline, MainMetrics, false));
                    var sep = Table(systems, baseline, SeparationMetrics, true);
                    if (sep.Rows.Count > 0)
                    {
                        sb.Append("<p>Score separation on judged pairs:</p>");
                        AppendHtmlTable(sb, sep);
                    }
                    break;
                }
                case "plot":
                {
                    var (svg, _) = ((string, string?))payload;
                    int start = svg.IndexOf("<svg", StringComparison.Ordinal);
                    sb.Append("<div class=\"svg\">").Append(start >= 0 ? svg[start..] : svg).Append("</div>");
                    break;
                }
                case "confusion":
                {
                    var m = (long[][])payload;
                    AppendHtmlTable(sb, (["true \\ predicted", "0", "1", "2"],
                        m.Select((r, i) => new[] { i.ToString(CultureInfo.InvariantCulture) }
                            .Concat(r.Select(x => x.ToString(CultureInfo.InvariantCulture))).ToArray()).ToList()));
                    break;
                }
                case "table":
                {
                    var (header, rows, note) = ((string[], List<string[]>, string?))payload;
                    if (note is not null) sb.Append("<p>").Append(WebUtility.HtmlEncode(note)).Append("</p>");
                    AppendHtmlTable(sb, (header, rows));
                    break;
                }
                default:
                    AppendHtmlTable(sb, (["key", "value"], Flatten(payload).Select(kv => new[] { kv.Key, kv.Value }).ToList()));
                    break;
            }
        }
        sb.Append("</body></html>");
        return sb.ToString();
    }

    private static void AppendHtmlTable(StringBuilder sb, (string[] Header, List<string[]> Rows) t)
    {
        sb.Append("<table><thead><tr>");
        foreach (var h in t.Header) sb.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var r in t.Rows)
        {
            sb.Append("<tr>");
            foreach (var c in r) sb.Append("<td>").Append(WebUtility.HtmlEncode(c)).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
    }

    /// <summary>Flattens an object's JSON form into dotted keys and display values.</summary>
    public static List<KeyValuePair<string, string>> Flatten(object payload)
    {
        var element = payload is JsonElement je ? je : JsonSerializer.SerializeToElement(payload, payload.GetType(),
            new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        var result = new List<KeyValuePair<string, string>>();
        void Walk(string prefix, JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject()) Walk(prefix.Length == 0 ? p.Name : prefix + "." + p.Name, p.Value);
                    break;
                case JsonValueKind.Array when e.GetArrayLength() <= 12 && e.EnumerateArray().All(x => x.ValueKind != JsonValueKind.Object):
                    result.Add(new(prefix, "[" + string.Join(", ", e.EnumerateArray().Select(Scalar)) + "]"));
                    break;
                case JsonValueKind.Array:
                    int i = 0;
                    foreach (var x in e.EnumerateArray().Take(50)) Walk($"{prefix}[{i++}]", x);
                    break;
                default:
                    result.Add(new(prefix, Scalar(e)));
                    break;
            }
        }
        Walk("", element);
        return result;
    }

    /// <summary>Four decimals, or scientific notation for a non-zero value that would print as 0 (a parity check's
    /// 2.4E-7 must not read as an exact 0).</summary>
    private static string Number(double v) =>
        v != 0 && Math.Abs(v) < 5e-5 ? v.ToString("0.##E+0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number when e.TryGetInt64(out long l) => l.ToString(CultureInfo.InvariantCulture),
        JsonValueKind.Number => Number(e.GetDouble()),
        JsonValueKind.String => e.GetString() ?? "",
        _ => e.GetRawText(),
    };
}
