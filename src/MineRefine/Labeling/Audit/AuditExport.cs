using System.Globalization;
using System.Text;
using System.Text.Json;
using MineRefine.Data;

namespace MineRefine.Labeling.Audit;

/// <summary>Export of audit flags for human review and strict re-import of the decisions. Format by extension:
/// <c>.jsonl</c> = one JSON object per line, anything else = CSV (RFC 4180, header row). Columns/fields:
/// query_id, product_id, query_text, item_text, grade, kind, bucket, impressions, events, smoothed_rate, new_grade.
/// The reviewer fills <c>new_grade</c> with 0, 1 or 2 (blank/null = undecided); only query_id, product_id and
/// new_grade are read back.</summary>
public static class AuditExport
{
    private static readonly string[] Columns =
        { "query_id", "product_id", "query_text", "item_text", "grade", "kind", "bucket", "impressions", "events", "smoothed_rate", "new_grade" };

    /// <summary>Writes <paramref name="flags"/> to <paramref name="path"/> (new_grade left empty).</summary>
    public static void Write(IReadOnlyList<AuditFlag> flags, string path)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        w.NewLine = "\n";
        if (IsJsonl(path))
        {
            foreach (var f in flags)
            {
                var row = new Dictionary<string, object?>
                {
                    ["query_id"] = f.QueryId, ["product_id"] = f.ProductId, ["query_text"] = f.QueryText, ["item_text"] = f.ItemText,
                    ["grade"] = f.Grade, ["kind"] = f.Kind.ToString(), ["bucket"] = f.Bucket, ["impressions"] = f.Impressions,
                    ["events"] = f.Events, ["smoothed_rate"] = f.SmoothedRate, ["new_grade"] = null,
                };
                w.WriteLine(JsonSerializer.Serialize(row));
            }
            return;
        }
        w.WriteLine(string.Join(",", Columns));
        foreach (var f in flags)
            w.WriteLine(string.Join(",", new[]
            {
                f.QueryId, f.ProductId, f.QueryText, f.ItemText, f.Grade.ToString(CultureInfo.InvariantCulture), f.Kind.ToString(), f.Bucket,
                f.Impressions.ToString(CultureInfo.InvariantCulture), f.Events.ToString(CultureInfo.InvariantCulture),
                f.SmoothedRate.ToString("R", CultureInfo.InvariantCulture), "",
            }.Select(Quote)));
    }

    /// <summary>Reads reviewer decisions. Throws <see cref="DataFormatException"/> naming file, line and field for a
    /// missing column, empty id, grade other than 0/1/2/blank, duplicate pair, wrong field count or bad JSON.</summary>
    public static IReadOnlyList<AuditDecision> ReadDecisions(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Audit decision file not found: {path}", path);
        var list = new List<AuditDecision>();
        var seen = new Dictionary<(string, string), long>();
        void Add(long line, string q, string p, int? g)
        {
            if (seen.TryGetValue((q, p), out long first))
                throw new DataFormatException(path, line, "product_id", $"pair ({q}, {p}) already decided on line {first}");
            seen[(q, p)] = line;
            list.Add(new AuditDecision(q, p, g));
        }
        if (IsJsonl(path))
        {
            long n = 0;
            foreach (var raw in File.ReadLines(path))
            {
                n++;
                if (raw.Trim().Length == 0) continue;
                JsonDocument doc;
                try { doc = JsonDocument.Parse(raw); }
                catch (JsonException ex) { throw new DataFormatException(path, n, null, $"not valid JSON: {ex.Message}"); }
                using (doc)
                {
                    var r = doc.RootElement;
                    if (r.ValueKind != JsonValueKind.Object) throw new DataFormatException(path, n, null, "line is not a JSON object");
                    string q = JsonId(r, "query_id", path, n), p = JsonId(r, "product_id", path, n);
                    int? g;
                    if (!r.TryGetProperty("new_grade", out var ng)) throw new DataFormatException(path, n, "new_grade", "missing (use null for undecided)");
                    if (ng.ValueKind == JsonValueKind.Null) g = null;
                    else if (ng.ValueKind == JsonValueKind.Number && ng.TryGetInt32(out int gi) && Grades.IsValid(gi)) g = gi;
                    else throw new DataFormatException(path, n, "new_grade", $"'{ng.GetRawText()}' is not 0, 1, 2 or null");
                    Add(n, q, p, g);
                }
            }
            return list;
        }

        using var reader = new StreamReader(path, Encoding.UTF8);
        var rows = ReadCsv(reader, path).GetEnumerator();
        if (!rows.MoveNext()) throw new DataFormatException(path, 1, null, "file is empty; expected a header row");
        var header = rows.Current.Fields.Select(h => h.Trim()).ToList();
        int Col(string name)
        {
            int i = header.IndexOf(name);
            if (i < 0) throw new DataFormatException(path, 1, name, $"required column is missing (header: {string.Join(",", header)})");
            return i;
        }
        int cq = Col("query_id"), cp = Col("product_id"), cg = Col("new_grade");
        while (rows.MoveNext())
        {
            var (line, f) = rows.Current;
            if (f.Count == 1 && f[0].Length == 0) continue; // blank line
            if (f.Count != header.Count)
                throw new DataFormatException(path, line, null, $"has {f.Count} fields, header has {header.Count}");
            string q = f[cq].Trim(), p = f[cp].Trim(), gs = f[cg].Trim();
            if (q.Length == 0) throw new DataFormatException(path, line, "query_id", "empty");
            if (p.Length == 0) throw new DataFormatException(path, line, "product_id", "empty");
            int? g = null;
            if (gs.Length > 0)
            {
                if (!int.TryParse(gs, NumberStyles.None, CultureInfo.InvariantCulture, out int gi) || !Grades.IsValid(gi))
                    throw new DataFormatException(path, line, "new_grade", $"'{gs}' is not 0, 1, 2 or blank");
                g = gi;
            }
            Add(line, q, p, g);
        }
        return list;
    }

    private static bool IsJsonl(string path) =>
        path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase);

    private static string JsonId(JsonElement r, string name, string path, long line)
    {
        if (!r.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
            throw new DataFormatException(path, line, name, "missing or not a non-empty string");
        return v.GetString()!.Trim();
    }

    private static string Quote(string s) =>
        s.IndexOfAny(new[] { ',', '"', '\n', '\r' }) >= 0 || s != s.Trim() ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    /// <summary>RFC 4180 records with the 1-based line on which each record starts.</summary>
    private static IEnumerable<(long Line, List<string> Fields)> ReadCsv(TextReader r, string path)
    {
        long line = 1;
        while (r.Peek() >= 0)
        {
            long start = line;
            var fields = new List<string>();
            var sb = new StringBuilder();
            bool quoted = false, wasQuoted = false, endOfRecord = false;
            while (!endOfRecord)
            {
                int ch = r.Read();
                if (ch < 0)
                {
                    if (quoted) throw new DataFormatException(path, start, null, "unterminated quoted field");
                    break;
                }
                char c = (char)ch;
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (r.Peek() == '"') { r.Read(); sb.Append('"'); }
                        else quoted = false;
                    }
                    else { if (c == '\n') line++; sb.Append(c); }
                    continue;
                }
                switch (c)
                {
                    case '"' when sb.Length == 0 && !wasQuoted: quoted = wasQuoted = true; break;
                    case '"': throw new DataFormatException(path, line, null, "stray quote inside an unquoted field");
                    case ',': fields.Add(sb.ToString()); sb.Clear(); wasQuoted = false; break;
                    case '\r': break;
                    case '\n': line++; endOfRecord = true; break;
                    default:
                        if (wasQuoted) throw new DataFormatException(path, line, null, "text after a closing quote");
                        sb.Append(c); break;
                }
            }
            fields.Add(sb.ToString());
            yield return (start, fields);
        }
    }
}
