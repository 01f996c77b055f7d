using System.Globalization;
using Parquet;
using Parquet.Schema;

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
        await ForEachRowAsync(productsPath, ProductColumns, ["product_id", "product_title"], (row, line) =>
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
                sink.Reject(ex, RawOf(ProductColumns, row));
            }
        });
        string Key(string locale, string id) => localesPerId.GetValueOrDefault(id) > 1 ? $"{locale}:{id}" : id;
        foreach (var key in order)
        {
            var p = byKey[key];
            b.AddProduct(p with { Id = Key(key.Locale, key.Id) });
        }
        byKey.Clear();

        await ForEachRowAsync(examplesPath, ExampleColumns, ExampleColumns, (row, line) =>
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
                sink.Reject(ex, RawOf(ExampleColumns, row));
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

    private static string RawOf(string[] names, string?[] row)
    {
        var d = new Dictionary<string, string?>();
        for (int i = 0; i < names.Length; i++) d[names[i]] = row[i];
        return System.Text.Json.JsonSerializer.Serialize(d);
    }

    /// <summary>Streams rows of <paramref name="columns"/> (missing optional columns read as null); the row number
    /// passed on is 1-based over the whole file.</summary>
    private static async Task ForEachRowAsync(string path, string[] columns, string[] required, Action<string?[], long> onRow)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file not found: {path}", path);
        await using var fs = File.OpenRead(path);
        ParquetReader reader;
        try { reader = await ParquetReader.CreateAsync(fs); }
        catch (Exception ex) when (ex is not DataFormatException)
        {
            throw new DataFormatException(path, 0, null, $"not a readable parquet file: {ex.Message}");
        }
        await using (reader)
        {
            var fields = new DataField?[columns.Length];
            for (int c = 0; c < columns.Length; c++)
            {
                fields[c] = reader.Schema.DataFields.FirstOrDefault(f => f.Name == columns[c]);
                if (fields[c] is null && required.Contains(columns[c]))
                    throw new DataFormatException(path, 0, columns[c],
                        $"missing column (found: {string.Join(", ", reader.Schema.DataFields.Select(f => f.Name))})");
            }
            long rowBase = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                int n = checked((int)rg.RowCount);
                var cols = new string?[columns.Length][];
                for (int c = 0; c < columns.Length; c++)
                    cols[c] = fields[c] is { } f ? await ReadAsStringsAsync(rg, f, n, path) : new string?[n];
                var row = new string?[columns.Length];
                for (int i = 0; i < n; i++)
                {
                    for (int c = 0; c < columns.Length; c++) row[c] = cols[c][i];
                    onRow(row, rowBase + i + 1);
                }
                rowBase += n;
            }
        }
    }

    private static async Task<string?[]> ReadAsStringsAsync(ParquetRowGroupReader rg, DataField f, int n, string path)
    {
        if (f.IsArray)
            throw new DataFormatException(path, 0, f.Name, "repeated (list) columns are not supported here");
        Type t = f.ClrType;
        if (t == typeof(string))
        {
            var buf = new string?[n];
            await rg.ReadAsync(f, buf.AsMemory(), null);
            return buf;
        }
        if (t == typeof(long)) return await ReadNumbersAsync<long>(rg, f, n);
        if (t == typeof(int)) return await ReadNumbersAsync<int>(rg, f, n);
        if (t == typeof(short)) return await ReadNumbersAsync<short>(rg, f, n);
        if (t == typeof(bool)) return await ReadNumbersAsync<bool>(rg, f, n);
        if (t == typeof(double)) return await ReadNumbersAsync<double>(rg, f, n);
        throw new DataFormatException(path, 0, f.Name, $"unsupported column type {t.Name}");
    }

    private static async Task<string?[]> ReadNumbersAsync<T>(ParquetRowGroupReader rg, DataField f, int n) where T : struct
    {
        var result = new string?[n];
        if (f.IsNullable)
        {
            var buf = new T?[n];
            await rg.ReadAsync(f, buf.AsMemory(), null);
            for (int i = 0; i < n; i++) result[i] = buf[i] is { } v ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;
        }
        else
        {
            var buf = new T[n];
            await rg.ReadAsync(f, buf.AsMemory(), null);
            for (int i = 0; i < n; i++) result[i] = Convert.ToString(buf[i], CultureInfo.InvariantCulture);
        }
        return result;
    }
}
