namespace MineRefine.Data.Import;

/// <summary>
/// WANDS (Wayfair ANnotation DataSet): a folder with tab-separated <c>product.csv</c>, <c>query.csv</c> and
/// <c>label.csv</c>, each with a header row. Products: id = product_id, title = product_name, description =
/// product_description, category path = the full <c>category hierarchy</c> split on " / " (consumers take the first
/// two levels), attributes = product_features (<c>name:value|name:value</c>) plus product_class, rating_count,
/// average_rating and review_count when present. Queries: query_id, query (locale "en"). Labels: Exact → 2,
/// Partial → 1, Irrelevant → 0. A label naming an unknown query id is a bad row.
/// </summary>
public static class WandsImporter
{
    /// <summary>Loads the folder.</summary>
    public static Dataset Load(string folder, DataSourceOptions options)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"WANDS folder not found: {folder}");
        var b = new DatasetBuilder();
        using (var sink = new BadRowSink(options.SkipBadRows, options.RejectedPath, b.Report))
        {
            ReadProducts(Path.Combine(folder, "product.csv"), b, sink);
            ReadQueries(Path.Combine(folder, "query.csv"), b, sink);
            ReadLabels(Path.Combine(folder, "label.csv"), b, sink);
        }
        return b.Build();
    }

    private static CsvTable Open(string path, TextReader text, params string[] cols) =>
        new(new CsvRecordReader(text, path, '\t'), path, cols);

    private static void ReadProducts(string path, DatasetBuilder b, BadRowSink sink)
    {
        using var text = DataFiles.OpenText(path);
        var t = Open(path, text, "product_id", "product_name");
        while (t.Reader.TryRead(out var r))
        {
            b.CountRow(path);
            try
            {
                t.CheckWidth(r);
                string id = t.GetNonEmpty(r, "product_id");
                string title = t.GetNonEmpty(r, "product_name");
                string? desc = t.GetOptional(r, "product_description")?.Trim();
                var path2 = (t.GetOptional(r, "category hierarchy") ?? "")
                    .Split(" / ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var attrs = new Dictionary<string, string>(StringComparer.Ordinal);
                string? cls = t.GetOptional(r, "product_class")?.Trim();
                if (!string.IsNullOrEmpty(cls)) attrs["product_class"] = cls;
                foreach (var part in (t.GetOptional(r, "product_features") ?? "").Split('|'))
                {
                    int colon = part.IndexOf(':');
                    if (colon <= 0) continue;
                    string k = part[..colon].Trim(), v = part[(colon + 1)..].Trim();
                    if (k.Length > 0 && v.Length > 0) attrs[k] = v;
                }
                foreach (var col in new[] { "rating_count", "average_rating", "review_count" })
                {
                    string? v = t.GetOptional(r, col)?.Trim();
                    if (!string.IsNullOrEmpty(v)) attrs[col] = v;
                }
                b.AddProduct(new Product(id, title, string.IsNullOrEmpty(desc) ? null : desc, path2, attrs, "en"));
            }
            catch (DataFormatException ex) when (sink.SkipBadRows)
            {
                sink.Reject(ex, r.Raw);
            }
        }
    }

    private static void ReadQueries(string path, DatasetBuilder b, BadRowSink sink)
    {
        using var text = DataFiles.OpenText(path);
        var t = Open(path, text, "query_id", "query");
        while (t.Reader.TryRead(out var r))
        {
            b.CountRow(path);
            try
            {
                t.CheckWidth(r);
                b.SetQuery(new Query(t.GetNonEmpty(r, "query_id"), t.GetNonEmpty(r, "query"), "en"));
            }
            catch (DataFormatException ex) when (sink.SkipBadRows)
            {
                sink.Reject(ex, r.Raw);
            }
        }
    }

    private static void ReadLabels(string path, DatasetBuilder b, BadRowSink sink)
    {
        using var text = DataFiles.OpenText(path);
        var t = Open(path, text, "query_id", "product_id", "label");
        while (t.Reader.TryRead(out var r))
        {
            b.CountRow(path);
            try
            {
                t.CheckWidth(r);
                string qid = t.GetNonEmpty(r, "query_id");
                if (!b.HasQuery(qid))
                    throw new DataFormatException(path, r.Line, "query_id", $"unknown query id '{qid}' (not in query.csv)");
                string pid = t.GetNonEmpty(r, "product_id");
                string label = t.GetNonEmpty(r, "label");
                int grade = label switch
                {
                    "Exact" => Grades.Exact,
                    "Partial" => Grades.Partial,
                    "Irrelevant" => Grades.Irrelevant,
                    _ => throw new DataFormatException(path, r.Line, "label",
                        $"unknown label '{label}' (expected Exact, Partial or Irrelevant)"),
                };
                b.AddJudgment(new Judgment(qid, pid, grade, JudgmentSource.Human));
            }
            catch (DataFormatException ex) when (sink.SkipBadRows)
            {
                sink.Reject(ex, r.Raw);
            }
        }
    }
}
