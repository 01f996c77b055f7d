using System.Globalization;
using System.Text;
using MineRefine.Data;
using MineRefine.Data.Import;

namespace MineRefine.Evaluation;

/// <summary>One row of a <c>per_query.csv</c>.</summary>
/// <param name="QueryId">The query id.</param>
/// <param name="Skipped">True when the evaluator skipped the query (no relevant judged item).</param>
/// <param name="Line">1-based line on which the row starts.</param>
/// <param name="Values">One value per <see cref="PerQueryTable.MetricKeys"/> entry; null for an empty cell (metric
/// undefined for the query, e.g. recall2 without a grade-2 item).</param>
/// <param name="QueryText">The query text (the <c>query_text</c> column), when the file has one.</param>
public sealed record PerQueryRow(string QueryId, bool Skipped, long Line, IReadOnlyList<double?> Values, string? QueryText = null);

/// <summary>A <c>per_query.csv</c> read by <see cref="PerQueryFile.Read(string)"/>: rows in file order, unique query
/// ids.</summary>
public sealed class PerQueryTable
{
    private readonly Dictionary<string, PerQueryRow> _byId;

    internal PerQueryTable(string file, IReadOnlyList<string> metricKeys, IReadOnlyList<PerQueryRow> rows)
    {
        File = file;
        MetricKeys = metricKeys;
        Rows = rows;
        _byId = rows.ToDictionary(r => r.QueryId, StringComparer.Ordinal);
    }

    /// <summary>The file read (as given).</summary>
    public string File { get; }
    /// <summary>The metric columns, in file order (every column after the fixed ones).</summary>
    public IReadOnlyList<string> MetricKeys { get; }
    /// <summary>The rows in file order.</summary>
    public IReadOnlyList<PerQueryRow> Rows { get; }

    /// <summary>The per-query mean of several runs of the same system (e.g. training seeds), for a paired comparison
    /// that pools seeds: every run must list the same query ids with the same skipped flags (an error names the file,
    /// the line and the query otherwise) and have every metric column of the first run; a cell is the mean of the
    /// runs' cells, empty when any run's cell is empty. Row order and lines are the first run's.</summary>
    /// <param name="runs">One or more tables; a single table is returned as is.</param>
    public static PerQueryTable Mean(IReadOnlyList<PerQueryTable> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("Mean needs at least one per-query table.", nameof(runs));
        if (runs.Count == 1) return runs[0];
        var first = runs[0];
        var index = runs.Select(t => first.MetricKeys.Select(t.MetricIndex).ToArray()).ToArray();
        foreach (var t in runs.Skip(1))
        {
            foreach (var r in t.Rows)
            {
                var f = first.Find(r.QueryId)
                    ?? throw new DataFormatException(t.File, r.Line, "query_id",
                        $"query '{r.QueryId}' is not in '{first.File}'; runs pooled with ',' must be evaluated on the same queries");
                if (f.Skipped != r.Skipped)
                    throw new DataFormatException(t.File, r.Line, "skipped",
                        $"query '{r.QueryId}' is skipped={r.Skipped.ToString().ToLowerInvariant()} here but skipped={f.Skipped.ToString().ToLowerInvariant()} in '{first.File}' (line {f.Line}); were the runs evaluated on the same judgments?");
            }
            if (t.Rows.Count != first.Rows.Count)
            {
                var missing = first.Rows.First(r => t.Find(r.QueryId) is null);
                throw new DataFormatException(first.File, missing.Line, "query_id",
                    $"query '{missing.QueryId}' is not in '{t.File}'; runs pooled with ',' must be evaluated on the same queries");
            }
        }
        var rows = new List<PerQueryRow>(first.Rows.Count);
        foreach (var r0 in first.Rows)
        {
            var values = new double?[first.MetricKeys.Count];
            for (int m = 0; m < values.Length; m++)
            {
                double sum = 0;
                bool defined = true;
                for (int k = 0; k < runs.Count && defined; k++)
                {
                    var v = k == 0 ? r0.Values[m] : runs[k].Find(r0.QueryId)!.Values[index[k][m]];
                    if (v is { } x) sum += x; else defined = false;
                }
                values[m] = defined ? sum / runs.Count : null;
            }
            rows.Add(r0 with { Values = values });
        }
        return new PerQueryTable($"mean of {runs.Count} runs ({string.Join(", ", runs.Select(t => t.File))})", first.MetricKeys, rows);
    }

    /// <summary>The row of <paramref name="queryId"/>, or null.</summary>
    public PerQueryRow? Find(string queryId) => _byId.GetValueOrDefault(queryId);

    /// <summary>The column index of <paramref name="metric"/> in <see cref="PerQueryRow.Values"/>; throws
    /// <see cref="DataFormatException"/> (naming the file, its header line and the available metrics) when the file has
    /// no such column.</summary>
    public int MetricIndex(string metric)
    {
        for (int i = 0; i < MetricKeys.Count; i++)
            if (string.Equals(MetricKeys[i], metric, StringComparison.Ordinal)) return i;
        throw new DataFormatException(File, 1, metric,
            $"no such metric column; available: {(MetricKeys.Count == 0 ? "(none)" : string.Join(", ", MetricKeys))}");
    }
}

/// <summary>Reads the <c>per_query.csv</c> written by <see cref="EvaluationResult.WritePerQueryCsv"/>: header
/// <c>query_id,query_text,n_judged,n_relevant,n_exact,skipped,&lt;metric&gt;…</c>, RFC 4180 quoting, invariant-culture
/// numbers, <c>skipped</c> = true/false, an empty metric cell = undefined for that query.</summary>
/// <remarks>Required columns: <c>query_id</c> and <c>skipped</c>; every column other than the six fixed ones is a
/// metric. Errors (<see cref="DataFormatException"/>) name the file, the line and the column: an empty or duplicate
/// query id, a <c>skipped</c> value other than true/false, a metric cell that is not a finite number, a row with more
/// fields than the header.</remarks>
public static class PerQueryFile
{
    /// <summary>The non-metric columns written by the evaluator.</summary>
    public static readonly IReadOnlyList<string> FixedColumns =
        ["query_id", "query_text", "n_judged", "n_relevant", "n_exact", "skipped"];

    /// <summary>Reads <paramref name="path"/> (UTF-8).</summary>
    public static PerQueryTable Read(string path)
    {
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"per-query file '{path}' does not exist.", path);
        using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        return Read(reader, path);
    }

    /// <summary>Reads a per-query CSV from <paramref name="reader"/>; <paramref name="file"/> names it in errors.</summary>
    public static PerQueryTable Read(TextReader reader, string file)
    {
        var csv = new CsvRecordReader(reader, file);
        if (!csv.TryRead(out var header))
            throw new DataFormatException(file, 1, null,
                "the file is empty; expected a header 'query_id,query_text,n_judged,n_relevant,n_exact,skipped,<metrics>…' " +
                "(the per_query.csv written by 'minerefine eval --out DIR').");
        var names = header.Fields.Select(f => f.Trim().TrimStart('\uFEFF')).ToArray();
        int Col(string name)
        {
            int i = Array.IndexOf(names, name);
            if (i < 0)
                throw new DataFormatException(file, header.Line, name,
                    $"missing column in header (found: {string.Join(", ", names)}); is this a per_query.csv from 'minerefine eval'?");
            return i;
        }
        int idCol = Col("query_id"), skippedCol = Col("skipped"), textCol = Array.IndexOf(names, "query_text");
        var metricCols = Enumerable.Range(0, names.Length).Where(i => !FixedColumns.Contains(names[i])).ToArray();
        var dup = metricCols.GroupBy(i => names[i]).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new DataFormatException(file, header.Line, dup.Key, "the column appears more than once in the header");

        var rows = new List<PerQueryRow>();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        while (csv.TryRead(out var r))
        {
            if (r.Fields.Length > names.Length)
                throw new DataFormatException(file, r.Line, null,
                    $"row has {r.Fields.Length} fields but the header has {names.Length} (unquoted comma in query_text?)");
            string Field(int col) => col < r.Fields.Length
                ? r.Fields[col]
                : throw new DataFormatException(file, r.Line, $"{names[col]} (column {col + 1})",
                    $"missing field (row has {r.Fields.Length} fields, the header has {names.Length})");
            string id = Field(idCol).Trim();
            if (id.Length == 0) throw new DataFormatException(file, r.Line, $"query_id (column {idCol + 1})", "empty query id");
            if (seen.TryGetValue(id, out long first))
                throw new DataFormatException(file, r.Line, $"query_id (column {idCol + 1})",
                    $"duplicate query id '{id}' (first on line {first})");
            seen[id] = r.Line;
            bool skipped = Field(skippedCol).Trim().ToLowerInvariant() switch
            {
                "true" => true,
                "false" => false,
                var s => throw new DataFormatException(file, r.Line, $"skipped (column {skippedCol + 1})",
                    $"expected true or false, got '{s}'"),
            };
            var values = new double?[metricCols.Length];
            for (int m = 0; m < metricCols.Length; m++)
            {
                int col = metricCols[m];
                string cell = Field(col).Trim();
                if (cell.Length == 0) continue; // undefined for this query
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                    throw new DataFormatException(file, r.Line, $"{names[col]} (column {col + 1})",
                        $"'{cell}' is not a finite number (invariant culture, '.' as decimal separator)");
                values[m] = v;
            }
            rows.Add(new PerQueryRow(id, skipped, r.Line, values, textCol >= 0 && textCol < r.Fields.Length ? r.Fields[textCol] : null));
        }
        return new PerQueryTable(file, metricCols.Select(i => names[i]).ToList(), rows);
    }
}
