using System.Text;

namespace MineRefine.Data.Import;

/// <summary>
/// The MineRefine data layout as CSV or Parquet tables: a folder with <c>products</c>, <c>queries</c>,
/// <c>judgments</c> and optionally <c>engagement</c> (<c>.csv</c>, <c>.csv.gz</c> or <c>.parquet</c>), one row per
/// record, the same field names and rules as the JSONL format (<see cref="JsonlFormat"/>, <see cref="RecordParsers"/>).
/// <list type="bullet">
/// <item><b>products</b>: <c>id</c>, <c>title</c> (required), <c>description</c>, <c>category_path</c> (one cell, levels
/// separated by <c>" > "</c>, e.g. <c>Electronics > Headphones</c>; blank = none), <c>locale</c>, and one
/// <c>attr.&lt;name&gt;</c> column per attribute (a blank cell = the product does not have it).</item>
/// <item><b>queries</b>: <c>id</c>, <c>text</c> (required), <c>locale</c>.</item>
/// <item><b>judgments</b>: <c>query_id</c>, <c>product_id</c>, <c>grade</c> (required; 0, 1 or 2), <c>source</c>
/// (human when absent or blank, model, audit, synthetic).</item>
/// <item><b>engagement</b>: <c>query_id</c>, <c>product_id</c>, <c>impressions</c>, <c>clicks</c> (required),
/// <c>add_to_carts</c>, <c>orders</c> (0 when absent or blank).</item>
/// </list>
/// Other columns are ignored. A missing required column is an error naming the file, the header and the column; a
/// blank cell of an optional column means "absent". <b>CSV</b>: UTF-8 (a BOM is tolerated), RFC 4180 with a header
/// row, comma-separated; gzip is read transparently (<c>.gz</c> name or magic bytes); row errors name the physical
/// line; a row with fewer cells than the header lacks its last fields (like absent JSON fields), one with more is a
/// bad row. <b>Parquet</b>: flat columns of strings, or of integers for numeric fields and ids (read as invariant text);
/// row errors name the 1-based row number over the file.
/// </summary>
public static class TabularFormat
{
    /// <summary>Prefix of attribute columns: <c>attr.brand</c> holds the attribute <c>brand</c>.</summary>
    public const string AttributePrefix = "attr.";

    /// <summary>Separator of the levels of the <c>category_path</c> cell.</summary>
    public const string CategorySeparator = " > ";

    /// <summary>Product columns other than the attribute columns, in the order the writer writes them.</summary>
    public static IReadOnlyList<string> ProductColumns { get; } = ["id", "title", "description", "category_path", "locale"];
    /// <summary>Query columns.</summary>
    public static IReadOnlyList<string> QueryColumns { get; } = ["id", "text", "locale"];
    /// <summary>Judgment columns.</summary>
    public static IReadOnlyList<string> JudgmentColumns { get; } = ["query_id", "product_id", "grade", "source"];
    /// <summary>Engagement columns.</summary>
    public static IReadOnlyList<string> EngagementColumns { get; } =
        ["query_id", "product_id", "impressions", "clicks", "add_to_carts", "orders"];

    private static readonly string[] ProductRequired = ["id", "title"];
    private static readonly string[] QueryRequired = ["id", "text"];
    private static readonly string[] JudgmentRequired = ["query_id", "product_id", "grade"];
    private static readonly string[] EngagementRequired = ["query_id", "product_id", "impressions", "clicks"];

    /// <summary>Loads a CSV data set. Explicit <paramref name="productsPath"/>/<paramref name="judgmentsPath"/> override
    /// the files in <paramref name="folder"/>; queries and engagement are taken from <paramref name="folder"/>, or from
    /// the judgments file's folder when no folder is given. Each table is <c>name.csv</c>, else <c>name.csv.gz</c>.</summary>
    public static Dataset LoadCsv(string? folder, string? productsPath, string? judgmentsPath, DataSourceOptions options) =>
        TableSetLoader.Load(Resolve(DatasetFileFormat.Csv, folder, productsPath, judgmentsPath, options.CatalogOnly),
            (path, table, b, sink, onRow) => ForEachCsvRow(path, table, b, sink, onRow, MapOf(options, table)), options);

    /// <summary>Loads a Parquet data set (<c>products.parquet</c> …); overrides as in <see cref="LoadCsv"/>.</summary>
    public static Dataset LoadParquet(string? folder, string? productsPath, string? judgmentsPath, DataSourceOptions options) =>
        TableSetLoader.Load(Resolve(DatasetFileFormat.Parquet, folder, productsPath, judgmentsPath, options.CatalogOnly),
            (path, table, b, sink, onRow) => ForEachParquetRow(path, table, b, sink, onRow, MapOf(options, table)), options);

    /// <summary>The user's column renaming for <paramref name="table"/> (<see cref="DataSourceOptions.Columns"/>).</summary>
    private static ColumnMap MapOf(DataSourceOptions options, TableKind table) => ColumnMap.For(options.Columns, table switch
    {
        TableKind.Products => "products",
        TableKind.Queries => "queries",
        TableKind.Judgments => "judgments",
        _ => "engagement",
    });

    /// <summary>The four files of a CSV or Parquet data set (engagement null when there is none).</summary>
    private static TablePaths Resolve(DatasetFileFormat format, string? folder, string? productsPath, string? judgmentsPath, bool catalogOnly)
    {
        string baseDir = folder ?? Path.GetDirectoryName(Path.GetFullPath(judgmentsPath
            ?? (catalogOnly ? productsPath : null)
            ?? throw new ArgumentException("Give a data folder or a judgments file.")))!;
        string Find(string table)
        {
            string plain = Path.Combine(baseDir, format.FileName(table));
            if (format == DatasetFileFormat.Csv && !File.Exists(plain) && File.Exists(plain + ".gz")) return plain + ".gz";
            return plain; // a missing file fails on opening, naming this path
        }
        string engagement = Find("engagement");
        return new TablePaths(productsPath ?? Find("products"), Find("queries"), judgmentsPath ?? Find("judgments"),
            File.Exists(engagement) ? engagement : null);
    }

    /// <summary>A table's known columns and the ones it must have.</summary>
    private static (IReadOnlyList<string> Columns, string[] Required) Layout(TableKind table) => table switch
    {
        TableKind.Products => (ProductColumns, ProductRequired),
        TableKind.Queries => (QueryColumns, QueryRequired),
        TableKind.Judgments => (JudgmentColumns, JudgmentRequired),
        _ => (EngagementColumns, EngagementRequired),
    };

    /// <summary>The attribute columns among <paramref name="columns"/> as (attribute name, column index).</summary>
    /// <exception cref="DataFormatException">An <c>attr.</c> column without a name.</exception>
    private static List<(string Name, int Index)> AttributeColumns(IReadOnlyList<string> columns, string file, long line)
    {
        var result = new List<(string, int)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < columns.Count; i++)
        {
            if (!columns[i].StartsWith(AttributePrefix, StringComparison.Ordinal)) continue;
            string name = columns[i][AttributePrefix.Length..];
            if (name.Length == 0)
                throw new DataFormatException(file, line, columns[i],
                    $"attribute column without a name (attribute columns are '{AttributePrefix}<name>', e.g. '{AttributePrefix}brand')");
            if (seen.Add(name)) result.Add((name, i));
        }
        return result;
    }

    /// <summary>Splits a <c>category_path</c> cell on <see cref="CategorySeparator"/>; levels are trimmed and empty
    /// levels dropped, so a blank cell is an empty path.</summary>
    public static IReadOnlyList<string> SplitCategoryPath(string? cell) =>
        string.IsNullOrWhiteSpace(cell)
            ? Array.Empty<string>()
            : cell.Split(CategorySeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Joins a category path into one <c>category_path</c> cell.</summary>
    /// <exception cref="ArgumentException">The path cannot be written so that <see cref="SplitCategoryPath"/> gives it
    /// back: a level is empty, has leading or trailing whitespace or contains <c>" > "</c>, or a <c>&gt;</c> at the
    /// edge of a level merges with the separator (<c>["A >", "B"]</c> would read back as <c>["A", "> B"]</c>). The
    /// message names the product and the level.</exception>
    public static string JoinCategoryPath(IReadOnlyList<string> path, string productId)
    {
        if (path.Count == 0) return "";
        foreach (var level in path)
        {
            string? why = string.IsNullOrWhiteSpace(level) ? "it is empty"
                : level.Trim().Length != level.Length ? "it has leading or trailing whitespace"
                : level.Contains(CategorySeparator, StringComparison.Ordinal) ? $"it contains the level separator '{CategorySeparator}'"
                : null;
            if (why is not null) throw Unwritable(productId, level, why);
        }
        string cell = string.Join(CategorySeparator, path);
        var back = SplitCategoryPath(cell);
        if (!back.SequenceEqual(path, StringComparer.Ordinal))
        {
            int i = 0;
            while (i < path.Count - 1 && i < back.Count && back[i] == path[i]) i++;
            throw Unwritable(productId, path[i],
                $"the cell '{cell}' would read back as [{string.Join(", ", back.Select(l => $"'{l}'"))}] (a '>' at the edge of a level merges with the separator)");
        }
        return cell;
    }

    private static ArgumentException Unwritable(string productId, string level, string why) => new(
        $"Product '{productId}': category level '{level}' cannot be written as a CSV/Parquet category_path cell " +
        $"(levels are joined with '{CategorySeparator}'), because {why}. Rename the level or write the data set as JSONL.");

    /// <summary>Reads a judgments table on its own (e.g. complete qrels or an audit's truth) as CSV or Parquet; any bad
    /// row is an error naming the file, line (row) and field.</summary>
    public static IReadOnlyList<Judgment> ReadJudgments(string path, DatasetFileFormat format)
    {
        if (format == DatasetFileFormat.Jsonl) throw new ArgumentException("JSONL judgments: use JsonlFormat.ReadJudgments.", nameof(format));
        var b = new DatasetBuilder();
        using var sink = new BadRowSink(false, null, b.Report);
        Action<IFieldRecord> onRow = r => b.AddJudgment(RecordParsers.ParseJudgment(r));
        if (format == DatasetFileFormat.Csv) ForEachCsvRow(path, TableKind.Judgments, b, sink, onRow, ColumnMap.Identity);
        else ForEachParquetRow(path, TableKind.Judgments, b, sink, onRow, ColumnMap.Identity);
        return b.Build().Judgments;
    }

    private static void ForEachCsvRow(string path, TableKind table, DatasetBuilder b, BadRowSink sink, Action<IFieldRecord> onRow,
        ColumnMap map)
    {
        var (_, required) = Layout(table);
        using var text = DataFiles.OpenText(path, new UTF8Encoding(false));
        var csv = new CsvTable(new CsvRecordReader(text, path), path, map, required);
        var attributes = table == TableKind.Products ? AttributeColumns(csv.Columns, path, csv.HeaderLine) : null;
        while (csv.Reader.TryRead(out var r))
        {
            b.CountRow(path);
            try
            {
                csv.CheckWidth(r);
                onRow(new CsvRow(csv, r, attributes));
            }
            catch (DataFormatException ex)
            {
                Reject(map.Name(ex), ex, sink, r.Raw);
            }
        }
    }

    /// <summary>A bad row: stops the load (with the error re-addressed to the file's column when the field was mapped)
    /// or, skipping bad rows, goes to the rejected file.</summary>
    private static void Reject(DataFormatException named, DataFormatException original, BadRowSink sink, string raw)
    {
        if (sink.SkipBadRows) sink.Reject(named, raw);
        else if (ReferenceEquals(named, original)) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(original);
        else throw named;
    }

    private static void ForEachParquetRow(string path, TableKind table, DatasetBuilder b, BadRowSink sink, Action<IFieldRecord> onRow,
        ColumnMap map) =>
        ForEachParquetRowAsync(path, table, b, sink, onRow, map).GetAwaiter().GetResult();

    private static async Task ForEachParquetRowAsync(string path, TableKind table, DatasetBuilder b, BadRowSink sink,
        Action<IFieldRecord> onRow, ColumnMap map)
    {
        var (known, required) = Layout(table);
        var present = await ParquetRows.ColumnNamesAsync(path);
        var presentFields = map.FieldNames(present);
        // Read the known fields the file has (a missing required one fails in ForEachRowAsync, naming the file's
        // column) plus, for products, every attribute column; `columns` are field names, `fileColumns` the file's.
        var columns = known.Where(c => presentFields.Contains(c) || required.Contains(c)).ToList();
        var fileColumns = columns.Select(map.FileColumn).ToList();
        List<(string Name, int Index)>? attributes = null;
        if (table == TableKind.Products)
        {
            attributes = [];
            foreach (var (name, i) in AttributeColumns(presentFields, path, 0))
            {
                attributes.Add((name, columns.Count));
                columns.Add(presentFields[i]);
                fileColumns.Add(present[i]);
            }
        }
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < columns.Count; i++) index[columns[i]] = i;
        await ParquetRows.ForEachRowAsync(path, fileColumns, required.Select(map.FileColumn).ToList(), (row, n) =>
        {
            b.CountRow(path);
            try
            {
                onRow(new ParquetRow(path, n, index, row, attributes));
            }
            catch (DataFormatException ex)
            {
                Reject(map.Name(ex), ex, sink, ParquetRows.RawOf(fileColumns, row));
            }
        });
    }

    private static IReadOnlyDictionary<string, string> Attributes(List<(string Name, int Index)>? columns, Func<int, string?> cell)
    {
        if (columns is null || columns.Count == 0) return Product.EmptyAttributes;
        Dictionary<string, string>? d = null;
        foreach (var (name, i) in columns)
        {
            string? v = cell(i);
            if (string.IsNullOrEmpty(v)) continue; // blank cell: the product does not have this attribute
            (d ??= new Dictionary<string, string>(StringComparer.Ordinal))[name] = v;
        }
        return d ?? Product.EmptyAttributes;
    }

    /// <summary>A CSV record as an <see cref="IFieldRecord"/>.</summary>
    private sealed class CsvRow(CsvTable table, CsvRecord record, List<(string Name, int Index)>? attributes) : IFieldRecord
    {
        public string File => table.File;
        public long Line => record.Line;

        // A row shorter than the header lacks its last cells: they are missing, like absent JSON fields.
        public FieldValue Get(string name) =>
            table.GetOptional(record, name) is { } cell ? FieldValue.Cell(cell) : FieldValue.Missing;

        public string Quote(string name) => $"'{table.GetOptional(record, name)}'";

        public string TypeOf(string name) => "text";

        public IReadOnlyList<string> CategoryPath() => SplitCategoryPath(table.GetOptional(record, "category_path"));

        public IReadOnlyDictionary<string, string> Attributes() =>
            TabularFormat.Attributes(attributes, i => i < record.Fields.Length ? record.Fields[i] : null);
    }

    /// <summary>A Parquet row (values as invariant text, null for null) as an <see cref="IFieldRecord"/>.</summary>
    private sealed class ParquetRow(string file, long line, Dictionary<string, int> index, string?[] row,
        List<(string Name, int Index)>? attributes) : IFieldRecord
    {
        public string File => file;
        public long Line => line;

        public FieldValue Get(string name) =>
            index.TryGetValue(name, out int i) ? FieldValue.Cell(row[i]) : FieldValue.Missing;

        public string Quote(string name) => index.TryGetValue(name, out int i) ? $"'{row[i]}'" : "nothing";

        public string TypeOf(string name) => "text";

        public IReadOnlyList<string> CategoryPath() =>
            SplitCategoryPath(index.TryGetValue("category_path", out int i) ? row[i] : null);

        public IReadOnlyDictionary<string, string> Attributes() => TabularFormat.Attributes(attributes, i => row[i]);
    }
}
