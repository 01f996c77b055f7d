using System.Globalization;
using System.Text;
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
            ?? throw new ArgumentException("Give a data folder or a judgments file.")))!;
        productsPath ??= Path.Combine(baseDir, ProductsFile);
        judgmentsPath ??= Path.Combine(baseDir, JudgmentsFile);
        string queriesPath = Path.Combine(baseDir, QueriesFile);
        string engagementPath = Path.Combine(baseDir, EngagementFile);

        var b = new DatasetBuilder();
        using (var sink = new BadRowSink(options.SkipBadRows, options.RejectedPath, b.Report))
        {
            ForEachObject(queriesPath, b, sink, (el, file, line) => b.SetQuery(ParseQuery(el, file, line)));
            ForEachObject(productsPath, b, sink, (el, file, line) => b.AddProduct(ParseProduct(el, file, line)));
            ForEachObject(judgmentsPath, b, sink, (el, file, line) =>
            {
                var j = ParseJudgment(el, file, line);
                if (!b.HasQuery(j.QueryId))
                    throw new DataFormatException(file, line, "query_id", $"unknown query id '{j.QueryId}' (not in {QueriesFile})");
                b.AddJudgment(j);
            });
            if (File.Exists(engagementPath) || File.Exists(engagementPath + ".gz"))
                ForEachObject(File.Exists(engagementPath) ? engagementPath : engagementPath + ".gz", b, sink, (el, file, line) =>
                {
                    var e = ParseEngagement(el, file, line);
                    if (!b.HasQuery(e.QueryId))
                        throw new DataFormatException(file, line, "query_id", $"unknown query id '{e.QueryId}' (not in {QueriesFile})");
                    b.AddEngagement(e);
                });
        }
        return b.Build();
    }

    /// <summary>Reads a judgments-format file on its own (e.g. <c>truth.jsonl</c>); any bad row is an error.</summary>
    public static IReadOnlyList<Judgment> ReadJudgments(string path)
    {
        var b = new DatasetBuilder();
        using var sink = new BadRowSink(false, null, b.Report);
        ForEachObject(path, b, sink, (el, file, line) => b.AddJudgment(ParseJudgment(el, file, line)));
        return b.Build().Judgments;
    }

    /// <summary>Reads a products-format file on its own (e.g. a search index's catalog); any bad row is an error.</summary>
    public static IReadOnlyList<Product> ReadProducts(string path)
    {
        var b = new DatasetBuilder();
        using var sink = new BadRowSink(false, null, b.Report);
        ForEachObject(path, b, sink, (el, file, line) => b.AddProduct(ParseProduct(el, file, line)));
        return b.Build().Products;
    }

    private static void ForEachObject(string path, DatasetBuilder b, BadRowSink sink, Action<JsonElement, string, long> onRow)
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
                    onRow(doc.RootElement, path, line);
                }
            }
            catch (DataFormatException ex) when (sink.SkipBadRows)
            {
                sink.Reject(ex, s);
            }
        }
    }

    private static string RequiredString(JsonElement el, string name, string file, long line)
    {
        if (!el.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            throw new DataFormatException(file, line, name, "missing field");
        string? s = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => throw new DataFormatException(file, line, name, $"expected a string, got {v.ValueKind}"),
        };
        s = s?.Trim();
        if (string.IsNullOrEmpty(s)) throw new DataFormatException(file, line, name, "empty value");
        return s;
    }

    private static string? OptionalString(JsonElement el, string name, string file, long line)
    {
        if (!el.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String)
            throw new DataFormatException(file, line, name, $"expected a string, got {v.ValueKind}");
        return v.GetString();
    }

    private static long Count(JsonElement el, string name, string file, long line, bool required)
    {
        if (!el.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required) throw new DataFormatException(file, line, name, "missing field");
            return 0;
        }
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long n))
            throw new DataFormatException(file, line, name, $"expected a whole number, got {v.GetRawText()}");
        if (n < 0) throw new DataFormatException(file, line, name, $"negative count {n}");
        return n;
    }

    internal static Product ParseProduct(JsonElement el, string file, long line)
    {
        string id = RequiredString(el, "id", file, line);
        string title = RequiredString(el, "title", file, line);
        string? desc = OptionalString(el, "description", file, line);
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
        IReadOnlyDictionary<string, string> attrs = Product.EmptyAttributes;
        if (el.TryGetProperty("attributes", out var at) && at.ValueKind != JsonValueKind.Null)
        {
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
            attrs = d;
        }
        string locale = OptionalString(el, "locale", file, line) ?? "";
        return new Product(id, title, string.IsNullOrEmpty(desc) ? null : desc, path, attrs, locale);
    }

    internal static Query ParseQuery(JsonElement el, string file, long line) =>
        new(RequiredString(el, "id", file, line), RequiredString(el, "text", file, line),
            OptionalString(el, "locale", file, line) ?? "");

    internal static Judgment ParseJudgment(JsonElement el, string file, long line)
    {
        string q = RequiredString(el, "query_id", file, line);
        string p = RequiredString(el, "product_id", file, line);
        if (!el.TryGetProperty("grade", out var g) || g.ValueKind == JsonValueKind.Null)
            throw new DataFormatException(file, line, "grade", "missing field");
        if (g.ValueKind != JsonValueKind.Number || !g.TryGetInt32(out int grade))
            throw new DataFormatException(file, line, "grade", $"expected 0, 1 or 2, got {g.GetRawText()}");
        if (!Grades.IsValid(grade))
            throw new DataFormatException(file, line, "grade", $"grade {grade} is outside 0–2");
        string src = OptionalString(el, "source", file, line) ?? "human";
        var source = src switch
        {
            "human" => JudgmentSource.Human,
            "model" => JudgmentSource.Model,
            "audit" => JudgmentSource.Audit,
            "synthetic" => JudgmentSource.Synthetic,
            _ => throw new DataFormatException(file, line, "source",
                $"unknown source '{src}' (expected human, model, audit or synthetic)"),
        };
        return new Judgment(q, p, grade, source);
    }

    internal static EngagementEvent ParseEngagement(JsonElement el, string file, long line)
    {
        string q = RequiredString(el, "query_id", file, line);
        string p = RequiredString(el, "product_id", file, line);
        long imp = Count(el, "impressions", file, line, true);
        long clicks = Count(el, "clicks", file, line, true);
        long atc = Count(el, "add_to_carts", file, line, false);
        long orders = Count(el, "orders", file, line, false);
        if (clicks > imp) throw new DataFormatException(file, line, "clicks", $"{clicks} clicks exceed {imp} impressions");
        return new EngagementEvent(q, p, imp, clicks, atc, orders);
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

/// <summary>Writes a <see cref="Dataset"/> in the JSONL format.</summary>
public static class DatasetWriter
{
    /// <summary>Writes products.jsonl, queries.jsonl, judgments.jsonl and (when there is engagement)
    /// engagement.jsonl into <paramref name="folder"/>.</summary>
    public static void Write(Dataset data, string folder)
    {
        Directory.CreateDirectory(folder);
        using (var w = new JsonlWriter(Path.Combine(folder, JsonlFormat.ProductsFile)))
            foreach (var p in data.Products) w.Write(p);
        using (var w = new JsonlWriter(Path.Combine(folder, JsonlFormat.QueriesFile)))
            foreach (var q in data.Queries) w.Write(q);
        WriteJudgments(data.Judgments, Path.Combine(folder, JsonlFormat.JudgmentsFile));
        if (data.Engagement.Count > 0)
            using (var w = new JsonlWriter(Path.Combine(folder, JsonlFormat.EngagementFile)))
                foreach (var e in data.Engagement) w.Write(e);
    }

    /// <summary>Writes judgments (e.g. truth.jsonl) to <paramref name="path"/>.</summary>
    public static void WriteJudgments(IEnumerable<Judgment> judgments, string path)
    {
        using var w = new JsonlWriter(path);
        foreach (var j in judgments) w.Write(j);
    }
}
