using System.Globalization;
using System.Text;
using MineRefine.Text;

namespace MineRefine.Data.Import;

/// <summary>
/// Home Depot product-search-relevance CSVs (gzip optional, Latin-1, RFC 4180, header row).
/// Products file: <c>product_uid,product_title</c> → <see cref="Product"/> with id = product_uid, locale "en".
/// Judgments file: <c>id,product_uid,product_title,search_term,relevance</c>; <c>relevance</c> (mean of 1–3 ratings)
/// becomes a grade by the cut points (≥ exact cut → 2, ≥ partial cut → 1, else 0). Queries carry no ids: the query
/// id is <see cref="TextNormalizer.NormalizeQuery"/> of <c>search_term</c> and the query text is the first raw
/// spelling seen. Both files are read once, streaming.
/// </summary>
public static class HomeDepotImporter
{
    /// <summary>Loads the two files.</summary>
    public static Dataset Load(string productsPath, string judgmentsPath, DataSourceOptions options)
    {
        var b = new DatasetBuilder();
        using (var sink = new BadRowSink(options.SkipBadRows, options.RejectedPath, b.Report))
        {
            ReadProducts(productsPath, b, sink);
            ReadJudgments(judgmentsPath, b, sink, options.HomeDepotExactCut, options.HomeDepotPartialCut);
        }
        return b.Build();
    }

    private static void ReadProducts(string path, DatasetBuilder b, BadRowSink sink)
    {
        using var text = DataFiles.OpenText(path, Encoding.Latin1);
        var table = new CsvTable(new CsvRecordReader(text, path), path, "product_uid", "product_title");
        while (table.Reader.TryRead(out var r))
        {
            b.CountRow(path);
            try
            {
                table.CheckWidth(r);
                string id = table.GetNonEmpty(r, "product_uid");
                string title = table.GetNonEmpty(r, "product_title");
                b.AddProduct(new Product(id, title, null, Array.Empty<string>(), Product.EmptyAttributes, "en"));
            }
            catch (DataFormatException ex) when (sink.SkipBadRows)
            {
                sink.Reject(ex, r.Raw);
            }
        }
    }

    private static void ReadJudgments(string path, DatasetBuilder b, BadRowSink sink, double exactCut, double partialCut)
    {
        using var text = DataFiles.OpenText(path, Encoding.Latin1);
        var table = new CsvTable(new CsvRecordReader(text, path), path, "product_uid", "search_term", "relevance");
        while (table.Reader.TryRead(out var r))
        {
            b.CountRow(path);
            try
            {
                table.CheckWidth(r);
                string pid = table.GetNonEmpty(r, "product_uid");
                string term = table.Get(r, "search_term");
                string qid = TextNormalizer.NormalizeQuery(term);
                if (qid.Length == 0) throw new DataFormatException(path, r.Line, "search_term", "empty query");
                string rel = table.GetNonEmpty(r, "relevance");
                if (!double.TryParse(rel, NumberStyles.Float, CultureInfo.InvariantCulture, out double mean))
                    throw new DataFormatException(path, r.Line, "relevance", $"not a number: '{rel}'");
                if (!(mean >= 1.0 && mean <= 3.0))
                    throw new DataFormatException(path, r.Line, "relevance", $"{rel} is outside the 1–3 rating scale");
                b.AddQueryIfAbsent(new Query(qid, term.Trim(), "en"));
                b.AddJudgment(new Judgment(qid, pid, ToGrade(mean, exactCut, partialCut), JudgmentSource.Human));
            }
            catch (DataFormatException ex) when (sink.SkipBadRows)
            {
                sink.Reject(ex, r.Raw);
            }
        }
    }

    /// <summary>Mean rating → grade: ≥ <paramref name="exactCut"/> → 2, ≥ <paramref name="partialCut"/> → 1, else 0.</summary>
    public static int ToGrade(double meanRating, double exactCut = 2.67, double partialCut = 2.0) =>
        meanRating >= exactCut ? Grades.Exact : meanRating >= partialCut ? Grades.Partial : Grades.Irrelevant;
}
