using System.IO.Compression;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace MineRefine.Data.Import;

/// <summary>
/// Writes a <see cref="Dataset"/> as CSV or Parquet tables in the layout <see cref="TabularFormat"/> reads:
/// <c>products</c>, <c>queries</c>, <c>judgments</c> and (when there is engagement) <c>engagement</c>. Products get
/// one <c>attr.&lt;name&gt;</c> column per attribute name of any product (ordinal order; a product without the
/// attribute gets a blank cell), and the category path joined with <c>" > "</c>.
/// <para>Nothing is changed silently: a category level that cannot be joined and split back
/// (<see cref="TabularFormat.JoinCategoryPath"/>) or an attribute name that cannot be a column name throws
/// <see cref="ArgumentException"/> before any file is written. An empty attribute value is written as a blank cell,
/// which the format defines as "attribute absent"; a missing description or empty locale is a blank cell.</para>
/// <para><b>CSV</b>: UTF-8 without BOM, comma-separated, LF line ends, header row; a field is quoted (RFC 4180,
/// <c>"</c> doubled) when it holds a comma, a quote or a line break. <b>Parquet</b>: text columns as nullable
/// strings (blank = null), grades and counts as int64, row groups of at most <see cref="RowGroupSize"/> rows.</para>
/// </summary>
public static class TabularWriter
{
    /// <summary>Most rows per Parquet row group.</summary>
    public const int RowGroupSize = 100_000;

    /// <summary>Writes <paramref name="data"/> as CSV files into <paramref name="folder"/> (created when needed) and
    /// returns their paths. With <paramref name="gzip"/> each table is written gzip-compressed as <c>name.csv.gz</c>,
    /// and a plain <c>name.csv</c> left in the folder by an earlier write is deleted (the loader prefers the plain
    /// file, so it would hide the new one).</summary>
    /// <exception cref="ArgumentException">A category level or attribute name cannot be written (see the class
    /// remarks).</exception>
    public static IReadOnlyList<string> WriteCsv(Dataset data, string folder, bool gzip = false)
    {
        var tables = Tables(data);
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        foreach (var (table, rows, columns) in tables)
            files.Add(WriteCsvTable(folder, table, rows, columns, gzip));
        return files;
    }

    /// <summary>Writes <paramref name="judgments"/> as one more judgments-shaped table named <paramref name="table"/>
    /// (e.g. the sample's <c>truth</c> and <c>truth-complete</c> qrels) into <paramref name="folder"/> in
    /// <paramref name="format"/>, with the columns of the judgments table, and returns its path; readable with
    /// <see cref="DatasetLoader.ReadJudgments"/> (<c>eval --qrels</c>).</summary>
    public static string WriteJudgmentsTable(IReadOnlyList<Judgment> judgments, string folder, string table, DatasetFileFormat format, bool gzip = false)
    {
        Directory.CreateDirectory(folder);
        var columns = JudgmentColumns(judgments);
        switch (format)
        {
            case DatasetFileFormat.Jsonl:
                string jsonl = Path.Combine(folder, format.FileName(table));
                DatasetWriter.WriteJudgments(judgments, jsonl);
                return jsonl;
            case DatasetFileFormat.Csv:
                return WriteCsvTable(folder, table, judgments.Count, columns, gzip);
            case DatasetFileFormat.Parquet:
                string parquet = Path.Combine(folder, format.FileName(table));
                WriteParquetTableAsync(parquet, judgments.Count, columns).GetAwaiter().GetResult();
                return parquet;
            default:
                throw new ArgumentOutOfRangeException(nameof(format));
        }
    }

    private static string WriteCsvTable(string folder, string table, int rows, Column[] columns, bool gzip)
    {
        string plain = Path.Combine(folder, DatasetFileFormat.Csv.FileName(table));
        string path = gzip ? plain + ".gz" : plain;
        Stream stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        if (gzip) stream = new GZipStream(stream, CompressionLevel.Optimal);
        using (var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16))
        {
            WriteCsvRow(w, columns, c => c.Name);
            for (int r = 0; r < rows; r++) WriteCsvRow(w, columns, c => c.Cell(r));
        }
        if (gzip && File.Exists(plain)) File.Delete(plain);
        return path;
    }

    private static Column[] JudgmentColumns(IReadOnlyList<Judgment> j) =>
    [
        new("query_id", r => j[r].QueryId), new("product_id", r => j[r].ProductId), new("grade", null, r => j[r].Grade),
        new("source", r => JsonlFormat.SourceName(j[r].Source)),
    ];

    /// <summary>Writes <paramref name="data"/> as Parquet files into <paramref name="folder"/> (created when needed)
    /// and returns their paths.</summary>
    /// <exception cref="ArgumentException">A category level or attribute name cannot be written (see the class
    /// remarks).</exception>
    public static IReadOnlyList<string> WriteParquet(Dataset data, string folder) =>
        WriteParquetAsync(data, folder).GetAwaiter().GetResult();

    /// <inheritdoc cref="WriteParquet"/>
    public static async Task<IReadOnlyList<string>> WriteParquetAsync(Dataset data, string folder)
    {
        var tables = Tables(data);
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        foreach (var (table, rows, columns) in tables)
        {
            string path = Path.Combine(folder, DatasetFileFormat.Parquet.FileName(table));
            await WriteParquetTableAsync(path, rows, columns);
            files.Add(path);
        }
        return files;
    }

    /// <summary>A column: text cells (blank when null or empty) or int64 cells.</summary>
    private sealed record Column(string Name, Func<int, string?>? Text, Func<int, long>? Number = null)
    {
        public bool IsNumber => Number is not null;

        public string? Cell(int row) =>
            Number is not null ? Number(row).ToString(System.Globalization.CultureInfo.InvariantCulture) : Text!(row);
    }

    /// <summary>The tables to write (engagement only when there is some); products are checked first, so a bad
    /// category level or attribute name fails before any file is written.</summary>
    private static List<(string Table, int Rows, Column[] Columns)> Tables(Dataset data)
    {
        var p = data.Products;
        var products = ProductTable.Of(p);
        var q = data.Queries;
        var j = data.Judgments;
        var e = data.Engagement;
        var tables = new List<(string, int, Column[])>
        {
            ("products", p.Count, products.Columns),
            ("queries", q.Count, [new("id", r => q[r].Id), new("text", r => q[r].Text), new("locale", r => q[r].Locale)]),
            ("judgments", j.Count, JudgmentColumns(j)),
        };
        if (e.Count > 0)
            tables.Add(("engagement", e.Count,
            [
                new("query_id", r => e[r].QueryId), new("product_id", r => e[r].ProductId),
                new("impressions", null, r => e[r].Impressions), new("clicks", null, r => e[r].Clicks),
                new("add_to_carts", null, r => e[r].AddToCarts), new("orders", null, r => e[r].Orders),
            ]));
        return tables;
    }

    /// <summary>The products table: fixed columns, then the attribute columns.</summary>
    private sealed class ProductTable
    {
        public required Column[] Columns { get; init; }

        public static ProductTable Of(IReadOnlyList<Product> products)
        {
            var names = new SortedSet<string>(StringComparer.Ordinal);
            var categories = new string[products.Count];
            for (int i = 0; i < products.Count; i++)
            {
                var p = products[i];
                categories[i] = TabularFormat.JoinCategoryPath(p.CategoryPath, p.Id);
                foreach (var name in p.Attributes.Keys)
                {
                    if (!names.Add(name)) continue;
                    if (name.Length == 0 || name.Trim().Length != name.Length)
                        throw new ArgumentException(
                            $"Product '{p.Id}': attribute name '{name}' cannot be written as an '{TabularFormat.AttributePrefix}<name>' " +
                            "column: it is empty or has leading or trailing whitespace (CSV headers are trimmed). " +
                            "Rename the attribute or write the data set as JSONL.");
                }
            }
            var columns = new List<Column>
            {
                new("id", r => products[r].Id), new("title", r => products[r].Title),
                new("description", r => products[r].Description), new("category_path", r => categories[r]),
                new("locale", r => products[r].Locale),
            };
            foreach (var name in names)
                columns.Add(new(TabularFormat.AttributePrefix + name, r => products[r].Attributes.GetValueOrDefault(name)));
            return new ProductTable { Columns = [.. columns] };
        }
    }

    private static void WriteCsvRow(TextWriter w, Column[] columns, Func<Column, string?> cell)
    {
        for (int c = 0; c < columns.Length; c++)
        {
            if (c > 0) w.Write(',');
            string? v = cell(columns[c]);
            if (string.IsNullOrEmpty(v)) continue;
            if (v.AsSpan().IndexOfAny(",\"\r\n") < 0) { w.Write(v); continue; }
            w.Write('"');
            w.Write(v.Replace("\"", "\"\"", StringComparison.Ordinal));
            w.Write('"');
        }
        w.Write('\n');
    }

    /// <summary>Writes one Parquet table: number columns as int64, text columns as nullable strings (blank = null),
    /// in row groups of at most <see cref="RowGroupSize"/> rows (an empty table gets one empty row group).</summary>
    private static async Task WriteParquetTableAsync(string path, int rows, Column[] columns)
    {
        var fields = columns.Select(c => c.IsNumber ? (DataField)new DataField<long>(c.Name, false) : new DataField<string>(c.Name, true))
            .ToArray();
        await using var fs = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), fs);
        int start = 0;
        do
        {
            int n = Math.Min(RowGroupSize, rows - start);
            using var rg = writer.CreateRowGroup();
            for (int c = 0; c < columns.Length; c++)
            {
                var col = columns[c];
                if (col.Number is { } number)
                {
                    var values = new long[n];
                    for (int r = 0; r < n; r++) values[r] = number(start + r);
                    await rg.WriteAsync<long>(fields[c], values.AsMemory(), null);
                }
                else
                {
                    var values = new string?[n];
                    for (int r = 0; r < n; r++)
                    {
                        string? v = col.Text!(start + r);
                        values[r] = string.IsNullOrEmpty(v) ? null : v;
                    }
                    await rg.WriteAsync(fields[c], values, null);
                }
            }
            start += n;
        } while (start < rows);
    }
}
