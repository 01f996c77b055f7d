using System.Text.Encodings.Web;
using System.Text.Json;

namespace MineRefine.Data.Import;

/// <summary>
/// The project's own JSON-lines format (see <c>Data/JSONL-FORMAT.md</c>): a folder with <c>products.jsonl</c>,
/// <c>queries.jsonl</c>, <c>judgments.jsonl</c> and optionally <c>engagement.jsonl</c> (the sample marketplace adds
/// <c>truth.jsonl</c> and <c>truth-complete.jsonl</c>, same format as judgments). One JSON object per line, snake_case fields, UTF-8; blank lines are
/// skipped; unknown fields are ignored; gzip-compressed files are read transparently.
/// </summary>
public static class JsonlFormat
{
    /// <summary>Standard file names.</summary>
    public const string ProductsFile = "products.jsonl", QueriesFile = "queries.jsonl",
        JudgmentsFile = "judgments.jsonl", EngagementFile = "engagement.jsonl", TruthFile = "truth.jsonl",
        CompleteTruthFile = "truth-complete.jsonl";

    /// <summary>Loads a data set. Explicit <paramref name="productsPath"/>/<paramref name="judgmentsPath"/> override
    /// the files in <paramref name="folder"/>; queries.jsonl and engagement.jsonl are taken from
    /// <paramref name="folder"/>, or from the judgments file's folder when no folder is given.</summary>
    public static Dataset Load(string? folder, string? productsPath, string? judgmentsPath, DataSourceOptions options)
    {
        string baseDir = folder ?? Path.GetDirectoryName(Path.GetFullPath(judgmentsPath
            ?? (options.CatalogOnly ? productsPath : null)
            ?? throw new ArgumentException("Give a data folder or a judgments file.")))!;
        productsPath ??= Path.Combine(baseDir, ProductsFile);
        judgmentsPath ??= Path.Combine(baseDir, JudgmentsFile);
        string queriesPath = Path.Combine(baseDir, QueriesFile);
        string engagementPath = Path.Combine(baseDir, EngagementFile);
        string? engagement = File.Exists(engagementPath) ? engagementPath
            : File.Exists(engagementPath + ".gz") ? engagementPath + ".gz" : null;
        return TableSetLoader.Load(new TablePaths(productsPath, queriesPath, judgmentsPath, engagement),
            (path, _, b, sink, onRow) => ForEachObject(path, b, sink, onRow), options);
    }

    /// <summary>Reads a judgments-format file on its own (e.g. <c>truth.jsonl</c>); any bad row is an error.</summary>
    public static IReadOnlyList<Judgment> ReadJudgments(string path)
    {
        var b = new DatasetBuilder();
        using var sink = new BadRowSink(false, null, b.Report);
        ForEachObject(path, b, sink, r => b.AddJudgment(RecordParsers.ParseJudgment(r)));
        return b.Build().Judgments;
    }

    /// <summary>Reads a queries-format file on its own, each row with its 1-based line; any bad row is an error
    /// naming the file, line and field. Rows are not de-duplicated.</summary>
    public static IReadOnlyList<(Query Query, long Line)> ReadQueryRows(string path) => ReadRows(path, RecordParsers.ParseQuery);

    /// <summary>Reads a judgments-format file on its own, each row with its 1-based line; any bad row is an error
    /// naming the file, line and field. Rows are not de-duplicated.</summary>
    public static IReadOnlyList<(Judgment Judgment, long Line)> ReadJudgmentRows(string path) => ReadRows(path, RecordParsers.ParseJudgment);

    private static List<(T, long)> ReadRows<T>(string path, Func<IFieldRecord, T> parse)
    {
        var rows = new List<(T, long)>();
        var b = new DatasetBuilder();
        using var sink = new BadRowSink(false, null, b.Report);
        ForEachObject(path, b, sink, r => rows.Add((parse(r), r.Line)));
        return rows;
    }

    /// <summary>Reads a products-format file on its own (e.g. a search index's catalog); any bad row is an error.</summary>
    public static IReadOnlyList<Product> ReadProducts(string path)
    {
        var b = new DatasetBuilder();
        using var sink = new BadRowSink(false, null, b.Report);
        ForEachObject(path, b, sink, r => b.AddProduct(RecordParsers.ParseProduct(r)));
        return b.Build().Products;
    }

    private static void ForEachObject(string path, DatasetBuilder b, BadRowSink sink, Action<IFieldRecord> onRow)
    {
        using var text = DataFiles.OpenText(path);
        long line = 0;
        string? s;
        while ((s = text.ReadLine()) is not null)
        {
            line++;
            if (string.IsNullOrWhiteSpace(s)) continue;
            b.CountRow(path);
            try
            {
                JsonDocument doc;
                try { doc = JsonDocument.Parse(s); }
                catch (JsonException ex)
                {
                    throw new DataFormatException(path, line, null, $"invalid JSON: {ex.Message}");
                }
                using (doc)
                {
                    if (doc.RootElement.ValueKind != JsonValueKind.Object)
                        throw new DataFormatException(path, line, null, "expected one JSON object per line");
                    onRow(new JsonRecord(doc.RootElement, path, line));
                }
            }
            catch (DataFormatException ex) when (sink.SkipBadRows)
            {
                sink.Reject(ex, s);
            }
        }
    }

    /// <summary>A JSON line as an <see cref="IFieldRecord"/>: <c>category_path</c> is an array of strings,
    /// <c>attributes</c> an object of name → string (numbers and booleans kept as their literal text).</summary>
    private sealed class JsonRecord(JsonElement el, string file, long line) : IFieldRecord
    {
        public string File => file;
        public long Line => line;

        public FieldValue Get(string name)
        {
            if (!el.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return FieldValue.Missing;
            return v.ValueKind switch
            {
                JsonValueKind.String => new FieldValue(FieldKind.String, v.GetString()),
                JsonValueKind.Number => new FieldValue(FieldKind.Number, v.GetRawText()),
                _ => new FieldValue(FieldKind.Other, null),
            };
        }

        public string Quote(string name) => el.TryGetProperty(name, out var v) ? v.GetRawText() : "nothing";

        public string TypeOf(string name) => el.TryGetProperty(name, out var v) ? v.ValueKind.ToString() : "nothing";

        public IReadOnlyList<string> CategoryPath()
        {
            var path = new List<string>();
            if (el.TryGetProperty("category_path", out var cp) && cp.ValueKind != JsonValueKind.Null)
            {
                if (cp.ValueKind != JsonValueKind.Array)
                    throw new DataFormatException(file, line, "category_path", "expected an array of strings");
                foreach (var x in cp.EnumerateArray())
                {
                    if (x.ValueKind != JsonValueKind.String)
                        throw new DataFormatException(file, line, "category_path", "expected an array of strings");
                    path.Add(x.GetString()!);
                }
            }
            return path;
        }

        public IReadOnlyDictionary<string, string> Attributes()
        {
            if (!el.TryGetProperty("attributes", out var at) || at.ValueKind == JsonValueKind.Null) return Product.EmptyAttributes;
            if (at.ValueKind != JsonValueKind.Object)
                throw new DataFormatException(file, line, "attributes", "expected an object of name → value");
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in at.EnumerateObject())
            {
                d[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString()!,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => p.Value.GetRawText(),
                    _ => throw new DataFormatException(file, line, "attributes." + p.Name,
                        "attribute values must be strings, numbers or booleans"),
                };
            }
            return d;
        }
    }

    /// <summary>The snake_case name of a judgment source.</summary>
    public static string SourceName(JudgmentSource s) => s switch
    {
        JudgmentSource.Human => "human",
        JudgmentSource.Model => "model",
        JudgmentSource.Audit => "audit",
        JudgmentSource.Synthetic => "synthetic",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };
}

/// <summary>Writes one JSON object per line (UTF-8, no BOM, LF endings, non-ASCII letters unescaped).</summary>
public sealed class JsonlWriter : IDisposable
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Stream _stream;
    private readonly Utf8JsonWriter _json;

    /// <summary>Creates (overwrites) <paramref name="path"/>, creating its folder when needed.</summary>
    public JsonlWriter(string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        _stream = new BufferedStream(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None), 1 << 16);
        _json = new Utf8JsonWriter(_stream, Options);
    }

    /// <summary>Writes one line: <paramref name="write"/> fills the object's properties.</summary>
    public void WriteObject(Action<Utf8JsonWriter> write)
    {
        _json.WriteStartObject();
        write(_json);
        _json.WriteEndObject();
        _json.Flush();
        _json.Reset();
        _stream.WriteByte((byte)'\n');
    }

    /// <summary>Writes a product line.</summary>
    public void Write(Product p) => WriteObject(w =>
    {
        w.WriteString("id", p.Id);
        w.WriteString("title", p.Title);
        if (p.Description is not null) w.WriteString("description", p.Description);
        w.WriteStartArray("category_path");
        foreach (var c in p.CategoryPath) w.WriteStringValue(c);
        w.WriteEndArray();
        w.WriteStartObject("attributes");
        foreach (var kv in p.Attributes) w.WriteString(kv.Key, kv.Value);
        w.WriteEndObject();
        w.WriteString("locale", p.Locale);
    });

    /// <summary>Writes a query line.</summary>
    public void Write(Query q) => WriteObject(w =>
    {
        w.WriteString("id", q.Id);
        w.WriteString("text", q.Text);
        w.WriteString("locale", q.Locale);
    });

    /// <summary>Writes a judgment line.</summary>
    public void Write(Judgment j) => WriteObject(w =>
    {
        w.WriteString("query_id", j.QueryId);
        w.WriteString("product_id", j.ProductId);
        w.WriteNumber("grade", j.Grade);
        w.WriteString("source", JsonlFormat.SourceName(j.Source));
    });

    /// <summary>Writes an engagement line.</summary>
    public void Write(EngagementEvent e) => WriteObject(w =>
    {
        w.WriteString("query_id", e.QueryId);
        w.WriteString("product_id", e.ProductId);
        w.WriteNumber("impressions", e.Impressions);
        w.WriteNumber("clicks", e.Clicks);
        w.WriteNumber("add_to_carts", e.AddToCarts);
        w.WriteNumber("orders", e.Orders);
    });

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose()
    {
        _json.Dispose();
        _stream.Dispose();
    }
}
