using System.Globalization;

namespace MineRefine.Data.Import;

/// <summary>
/// The field rules of the MineRefine format, shared by its JSONL, CSV and Parquet files: every row goes through these
/// parsers (via <see cref="IFieldRecord"/>), so the three formats accept the same values and fail with the same
/// <c>file:line: field 'x': reason</c> messages.
/// <list type="bullet">
/// <item>Required strings (ids, title, text): missing → "missing field"; empty after trimming → "empty value";
/// trimmed. A JSON number is accepted as its literal text.</item>
/// <item>Optional strings (description, locale, source): missing or blank → absent.</item>
/// <item>Whole numbers (grade, counts): a JSON number, or a table cell that parses as an integer.</item>
/// </list>
/// </summary>
internal static class RecordParsers
{
    private static DataFormatException Error(IFieldRecord r, string? field, string reason) => new(r.File, r.Line, field, reason);

    private static string NoneReason(FieldValue v) => v.Kind == FieldKind.Blank ? "empty value" : "missing field";

    /// <summary>A required, non-empty, trimmed string.</summary>
    public static string RequiredString(IFieldRecord r, string name)
    {
        var v = r.Get(name);
        if (v.IsNone) throw Error(r, name, NoneReason(v));
        if (v.Kind is not (FieldKind.String or FieldKind.Number or FieldKind.Cell))
            throw Error(r, name, $"expected a string, got {r.TypeOf(name)}");
        string s = v.Text?.Trim() ?? "";
        if (s.Length == 0) throw Error(r, name, "empty value");
        return s;
    }

    /// <summary>An optional string, as written (not trimmed); null when missing or blank.</summary>
    public static string? OptionalString(IFieldRecord r, string name)
    {
        var v = r.Get(name);
        if (v.IsNone) return null;
        if (v.Kind is not (FieldKind.String or FieldKind.Cell))
            throw Error(r, name, $"expected a string, got {r.TypeOf(name)}");
        return v.Text;
    }

    /// <summary>Reads a whole number from a JSON number or a table cell; false for anything else (including a JSON
    /// string that holds digits: JSON numbers must be numbers).</summary>
    private static bool TryWholeNumber(FieldValue v, out long n)
    {
        n = 0;
        if (v.Kind is not (FieldKind.Number or FieldKind.Cell) || v.Text is null) return false;
        return long.TryParse(v.Text.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n);
    }

    /// <summary>A non-negative whole number; a missing optional count is 0.</summary>
    public static long Count(IFieldRecord r, string name, bool required)
    {
        var v = r.Get(name);
        if (v.IsNone)
        {
            if (required) throw Error(r, name, NoneReason(v));
            return 0;
        }
        if (!TryWholeNumber(v, out long n)) throw Error(r, name, $"expected a whole number, got {r.Quote(name)}");
        if (n < 0) throw Error(r, name, $"negative count {n}");
        return n;
    }

    /// <summary>A product row.</summary>
    public static Product ParseProduct(IFieldRecord r)
    {
        string id = RequiredString(r, "id");
        string title = RequiredString(r, "title");
        string? desc = OptionalString(r, "description");
        var path = r.CategoryPath();
        var attrs = r.Attributes();
        string locale = OptionalString(r, "locale") ?? "";
        return new Product(id, title, string.IsNullOrEmpty(desc) ? null : desc, path, attrs, locale);
    }

    /// <summary>A query row.</summary>
    public static Query ParseQuery(IFieldRecord r) =>
        new(RequiredString(r, "id"), RequiredString(r, "text"), OptionalString(r, "locale") ?? "");

    /// <summary>A judgment row: grade 0–2, source human (default), model, audit or synthetic.</summary>
    public static Judgment ParseJudgment(IFieldRecord r)
    {
        string q = RequiredString(r, "query_id");
        string p = RequiredString(r, "product_id");
        var g = r.Get("grade");
        if (g.IsNone) throw Error(r, "grade", NoneReason(g));
        if (!TryWholeNumber(g, out long n) || n is < int.MinValue or > int.MaxValue)
            throw Error(r, "grade", $"expected 0, 1 or 2, got {r.Quote("grade")}");
        int grade = (int)n;
        if (!Grades.IsValid(grade)) throw Error(r, "grade", $"grade {grade} is outside 0–2");
        string src = OptionalString(r, "source") ?? "human";
        var source = src switch
        {
            "human" => JudgmentSource.Human,
            "model" => JudgmentSource.Model,
            "audit" => JudgmentSource.Audit,
            "synthetic" => JudgmentSource.Synthetic,
            _ => throw Error(r, "source", $"unknown source '{src}' (expected human, model, audit or synthetic)"),
        };
        return new Judgment(q, p, grade, source);
    }

    /// <summary>An engagement row: non-negative counts, clicks ≤ impressions.</summary>
    public static EngagementEvent ParseEngagement(IFieldRecord r)
    {
        string q = RequiredString(r, "query_id");
        string p = RequiredString(r, "product_id");
        long imp = Count(r, "impressions", true);
        long clicks = Count(r, "clicks", true);
        long atc = Count(r, "add_to_carts", false);
        long orders = Count(r, "orders", false);
        if (clicks > imp) throw Error(r, "clicks", $"{clicks} clicks exceed {imp} impressions");
        return new EngagementEvent(q, p, imp, clicks, atc, orders);
    }
}

/// <summary>Where the four tables of a MineRefine data set are (in any of its file formats).</summary>
/// <param name="Products">Products file.</param>
/// <param name="Queries">Queries file.</param>
/// <param name="Judgments">Judgments file.</param>
/// <param name="Engagement">Engagement file; null when the data set has none.</param>
internal sealed record TablePaths(string Products, string Queries, string Judgments, string? Engagement);

/// <summary>The four tables of the MineRefine format.</summary>
internal enum TableKind
{
    /// <summary>The catalog.</summary>
    Products,
    /// <summary>Queries.</summary>
    Queries,
    /// <summary>Graded query–product pairs.</summary>
    Judgments,
    /// <summary>Aggregated engagement.</summary>
    Engagement,
}

/// <summary>Reads every row of one file holding table <paramref name="table"/>: counts it, hands it to
/// <paramref name="onRow"/>, and routes a <see cref="DataFormatException"/> of a row to <paramref name="sink"/> (with
/// the row's raw text) when skipping bad rows.</summary>
internal delegate void TableRowReader(string path, TableKind table, DatasetBuilder builder, BadRowSink sink,
    Action<IFieldRecord> onRow);

/// <summary>Loads the four tables in the order the rules need (queries first, so judgments and engagement can be
/// checked against them), whatever the file format.</summary>
internal static class TableSetLoader
{
    /// <summary>Loads <paramref name="paths"/> with <paramref name="read"/>. A judgment or engagement row naming a query
    /// id that is not in the queries file is a bad row.</summary>
    public static Dataset Load(TablePaths paths, TableRowReader read, DataSourceOptions options)
    {
        string queriesName = Path.GetFileName(paths.Queries);
        var b = new DatasetBuilder();
        using (var sink = new BadRowSink(options.SkipBadRows, options.RejectedPath, b.Report))
        {
            // A catalog alone (DataSourceOptions.CatalogOnly): an absent queries or judgments file is an empty table.
            bool Present(string path) => !options.CatalogOnly || File.Exists(path);
            if (Present(paths.Queries))
                read(paths.Queries, TableKind.Queries, b, sink, r => b.SetQuery(RecordParsers.ParseQuery(r)));
            read(paths.Products, TableKind.Products, b, sink, r => b.AddProduct(RecordParsers.ParseProduct(r)));
            if (Present(paths.Judgments))
                read(paths.Judgments, TableKind.Judgments, b, sink, r =>
                {
                    var j = RecordParsers.ParseJudgment(r);
                    if (!b.HasQuery(j.QueryId))
                        throw new DataFormatException(r.File, r.Line, "query_id", $"unknown query id '{j.QueryId}' (not in {queriesName})");
                    b.AddJudgment(j);
                });
            if (paths.Engagement is not null)
                read(paths.Engagement, TableKind.Engagement, b, sink, r =>
                {
                    var e = RecordParsers.ParseEngagement(r);
                    if (!b.HasQuery(e.QueryId))
                        throw new DataFormatException(r.File, r.Line, "query_id", $"unknown query id '{e.QueryId}' (not in {queriesName})");
                    b.AddEngagement(e);
                });
        }
        return b.Build();
    }
}
