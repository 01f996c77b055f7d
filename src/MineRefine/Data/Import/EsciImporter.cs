namespace MineRefine.Data.Import;

/// <summary>
/// Amazon Shopping Queries (ESCI) parquet files, read one row group at a time with Parquet.Net.
/// Products parquet: product_id, product_title, product_description, product_bullet_point, product_brand,
/// product_color, product_locale. Examples parquet: example_id, query, query_id, product_id, product_locale,
/// esci_label (E → 2, S and C → 1, I → 0); other columns (small_version, large_version, split) are not needed.
/// <para><b>Product ids.</b> A product is keyed by its <c>product_id</c> and keeps <c>product_locale</c> as
/// <see cref="Product.Locale"/>. When the same product_id occurs in several locales (ESCI reuses ASINs across
/// marketplaces), every occurrence of that id is keyed <c>{locale}:{product_id}</c> instead, so no catalog entry is
/// lost; an example is matched to its product by (product_locale, product_id). The same (locale, id) twice counts as
/// a duplicate product (last wins).</para>
/// Query id = query_id (as text), query locale = the example's product_locale. Description = product_description,
/// or the bullet points when the description is empty; attributes: brand, color, bullet_points when present.
/// </summary>
public static class EsciImporter
{
    private static readonly string[] ProductColumns =
        ["product_id", "product_title", "product_description", "product_bullet_point", "product_brand", "product_color", "product_locale"];
    private static readonly string[] ExampleColumns = ["query", "query_id", "product_id", "product_locale", "esci_label"];

    /// <summary>Loads the two parquet files.</summary>
    public static Dataset Load(string productsPath, string examplesPath, DataSourceOptions options) =>
        LoadAsync(productsPath, examplesPath, options).GetAwaiter().GetResult();

    /// <summary>Loads the two parquet files.</summary>
    public static async Task<Dataset> LoadAsync(string productsPath, string examplesPath, DataSourceOptions options)
    {
        var b = new DatasetBuilder();
        using var sink = new BadRowSink(options.SkipBadRows, options.RejectedPath, b.Report);

        // Pass over the products file: keep products by (locale, id).
        var byKey = new Dictionary<(string Locale, string Id), Product>();
        var order = new List<(string Locale, string Id)>();
        var localesPerId = new Dictionary<string, int>(StringComparer.Ordinal);
        await ParquetRows.ForEachRowAsync(productsPath, ProductColumns, ["product_id", "product_title"], (row, line) =>
        {
            b.CountRow(productsPath);
            try
            {
                string id = Required(productsPath, line, row, 0, "product_id");
                string title = Required(productsPath, line, row, 1, "product_title");
                string locale = row[6]?.Trim() ?? "";
                string? desc = Blank(row[2]) ? (Blank(row[3]) ? null : row[3]!.Trim()) : row[2]!.Trim();
                var attrs = new Dictionary<string, string>(StringComparer.Ordinal);
                if (!Blank(row[4])) attrs["brand"] = row[4]!.Trim();
                if (!Blank(row[5])) attrs["color"] = row[5]!.Trim();
                if (!Blank(row[3])) attrs["bullet_points"] = row[3]!.Trim();
                var key = (locale, id);
                if (byKey.ContainsKey(key)) b.Report.DuplicateProducts++;
                else
                {
                    order.Add(key);
                    localesPerId[id] = localesPerId.GetValueOrDefault(id) + 1;
                }
                byKey[key] = new Product(id, title, desc, Array.Empty<string>(), attrs, locale);
            }
            catch (DataFormatException ex) when (sink.SkipBadRows)
            {
                sink.Reject(ex, ParquetRows.RawOf(ProductColumns, row));
            }
        });
        string Key(string locale, string id) => localesPerId.GetValueOrDefault(id) > 1 ? $"{locale}:{id}" : id;
        foreach (var key in order)
        {
            var p = byKey[key];
            b.AddProduct(p with { Id = Key(key.Locale, key.Id) });
        }
        byKey.Clear();

        await ParquetRows.ForEachRowAsync(examplesPath, ExampleColumns, ExampleColumns, (row, line) =>
        {
            b.CountRow(examplesPath);
            try
            {
                string text = Required(examplesPath, line, row, 0, "query");
                string qid = Required(examplesPath, line, row, 1, "query_id");
                string pid = Required(examplesPath, line, row, 2, "product_id");
                string locale = row[3]?.Trim() ?? "";
                string label = Required(examplesPath, line, row, 4, "esci_label");
                int grade = label switch
                {
                    "E" => Grades.Exact,
                    "S" or "C" => Grades.Partial,
                    "I" => Grades.Irrelevant,
                    _ => throw new DataFormatException(examplesPath, line, "esci_label",
                        $"unknown label '{label}' (expected E, S, C or I)"),
                };
                b.AddQueryIfAbsent(new Query(qid, text, locale));
                b.AddJudgment(new Judgment(qid, Key(locale, pid), grade, JudgmentSource.Human));
            }
            catch (DataFormatException ex) when (sink.SkipBadRows)
            {
                sink.Reject(ex, ParquetRows.RawOf(ExampleColumns, row));
            }
        });
        return b.Build();
    }

    private static bool Blank(string? s) => string.IsNullOrWhiteSpace(s);

    private static string Required(string file, long line, string?[] row, int i, string name)
    {
        string? v = row[i]?.Trim();
        if (string.IsNullOrEmpty(v)) throw new DataFormatException(file, line, name, "empty or null value");
        return v;
    }
}
