using System.Text;
using System.Text.Json;
using MineRefine.Data;
using MineRefine.Data.Import;

namespace MineRefine.Tests.Data;

public class HomeDepotImporterTests
{
    private const string Products =
        "product_uid,product_title\n" +
        "100001,Acme Galvanized Steel 90-Degree Corner Bracket\n" +
        "100002,\"Northwind Exterior Deck Coating, 1-gal., Slate Grey\"\n" +
        "100003,\"Ferro 30\u00e5\u00a1 Framing Nails \"\"Ring\"\" Shank\"\n";

    private static DataSourceOptions Opts(string p, string j) =>
        new() { Format = "homedepot", Products = p, Judgments = j };

    [Fact]
    public void LoadsGzipLatin1WithGradesAndNormalisedQueryIds()
    {
        using var dir = new TempDir();
        string judg =
            "id,product_uid,product_title,search_term,relevance\n" +
            "2,100001,x,angle bracket,3\n" +
            "3,100001,x,l bracket,2.5\n" +
            "9,100002,\"Northwind, deck\",deck over,1.67\n" +
            "16,100003,y,  Angle   BRACKET ,2.67\n" +
            "17,100001,x,ANGLE bracket,2\n" +   // same normalised query + product as row 1: last wins
            "18,999999,x,angle bracket,3\n";   // product not in the catalog: kept, counted
        var p = dir.WriteGzip("products.csv.gz", Products, Encoding.Latin1);
        var j = dir.WriteGzip("judgments-public.csv.gz", judg, Encoding.Latin1);
        var d = DatasetLoader.Load(Opts(p, j));

        Assert.Equal(3, d.Products.Count);
        Assert.Equal("Northwind Exterior Deck Coating, 1-gal., Slate Grey", d.FindProduct("100002")!.Title);
        Assert.Equal("Ferro 30\u00e5\u00a1 Framing Nails \"Ring\" Shank", d.FindProduct("100003")!.Title); // Latin-1 bytes E5 A1
        Assert.Equal(3, d.Queries.Count);
        var q = d.FindQuery("angle bracket")!;
        Assert.Equal("angle bracket", q.Text); // first raw spelling
        Assert.Equal(5, d.Judgments.Count);
        Assert.Equal(1, d.Report.DuplicateJudgments);
        Assert.Equal(1, d.Report.JudgmentsWithUnknownProduct);
        Assert.Equal(1, d.Judgments.Single(x => x.QueryId == "angle bracket" && x.ProductId == "100001").Grade);
        Assert.Equal(1, d.Judgments.Single(x => x.QueryId == "l bracket").Grade);
        Assert.Equal(0, d.Judgments.Single(x => x.QueryId == "deck over").Grade);
        Assert.Equal(2, d.Judgments.Single(x => x.ProductId == "100003").Grade);
        Assert.Equal(6, d.Report.RowsRead[j]);
    }

    [Fact]
    public void GzipDetectedByMagicBytesWithoutExtension()
    {
        using var dir = new TempDir();
        var p = dir.WriteGzip("products.bin", Products, Encoding.Latin1);
        var j = dir.Write("j.csv", "id,product_uid,product_title,search_term,relevance\n1,100001,x,angle,3\n", Encoding.Latin1);
        var d = DatasetLoader.Load(Opts(p, j));
        Assert.Equal(3, d.Products.Count);
        Assert.Equal(2, d.Judgments[0].Grade);
    }

    [Fact]
    public void CustomCutPoints()
    {
        Assert.Equal(2, HomeDepotImporter.ToGrade(2.5, exactCut: 2.5, partialCut: 1.5));
        Assert.Equal(1, HomeDepotImporter.ToGrade(1.5, exactCut: 2.5, partialCut: 1.5));
        Assert.Equal(0, HomeDepotImporter.ToGrade(1.33));
    }

    [Theory]
    [InlineData("1,100001,x,angle,high", 2, "relevance")]
    [InlineData("1,100001,x,angle,3.5", 2, "relevance")]
    [InlineData("1,100001,x,angle", 2, "relevance")]
    [InlineData("1,100001,x,   ,3", 2, "search_term")]
    [InlineData("1,,x,angle,3", 2, "product_uid")]
    public void BadJudgmentRowNamesFileLineAndField(string row, long line, string field)
    {
        using var dir = new TempDir();
        var p = dir.Write("p.csv", Products, Encoding.Latin1);
        var j = dir.Write("j.csv", "id,product_uid,product_title,search_term,relevance\n" + row + "\n", Encoding.Latin1);
        var ex = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(Opts(p, j)));
        Assert.Equal(j, ex.FilePath);
        Assert.Equal(line, ex.Line);
        Assert.Equal(field, ex.Field);
        Assert.Contains($"{j}:{line}: field '{field}'", ex.Message);
    }

    [Fact]
    public void EmptyTitleAndMissingColumnAreErrors()
    {
        using var dir = new TempDir();
        var p = dir.Write("p.csv", "product_uid,product_title\n1,ok\n2,\"\"\n", Encoding.Latin1);
        var j = dir.Write("j.csv", "id,product_uid,product_title,search_term\n1,1,x,angle\n", Encoding.Latin1);
        var ex = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(Opts(p, j)));
        Assert.Equal((3L, "product_title"), (ex.Line, ex.Field));

        var p2 = dir.Write("p2.csv", "product_uid,product_title\n1,ok\n", Encoding.Latin1);
        var ex2 = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(Opts(p2, j)));
        Assert.Equal((1L, "relevance"), (ex2.Line, ex2.Field));
    }

    [Fact]
    public void SkipModeWritesRejectedRowsAndCounts()
    {
        using var dir = new TempDir();
        var p = dir.Write("p.csv", Products, Encoding.Latin1);
        var j = dir.Write("j.csv",
            "id,product_uid,product_title,search_term,relevance\n" +
            "1,100001,x,angle,3\n" +
            "2,100001,x,deck,abc\n" +
            "3,100002,\"multi\nline\",deck,9\n" +
            "4,100002,x,deck,2\n", Encoding.Latin1);
        string rejected = dir.File("out/rejected.jsonl");
        var d = DatasetLoader.Load(new DataSourceOptions
        {
            Format = "homedepot", Products = p, Judgments = j, SkipBadRows = true, RejectedPath = rejected,
        });
        Assert.Equal(2, d.Judgments.Count);
        Assert.Equal(2, d.Report.RowsRejected);
        Assert.Equal(Path.GetFullPath(rejected), d.Report.RejectedPath);
        var lines = File.ReadAllLines(rejected).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(3, lines[0].GetProperty("line").GetInt64());
        Assert.Equal("relevance", lines[0].GetProperty("field").GetString());
        Assert.Equal("2,100001,x,deck,abc", lines[0].GetProperty("raw").GetString());
        Assert.Equal(4, lines[1].GetProperty("line").GetInt64());
        Assert.Equal(j, lines[1].GetProperty("file").GetString());
        Assert.Contains("outside", lines[1].GetProperty("reason").GetString());
    }

    [Fact]
    public void SkipModeWithoutRejectedPathIsAnOptionsError()
    {
        var ex = Assert.Throws<ArgumentException>(() => DatasetLoader.Load(new DataSourceOptions
        {
            Format = "homedepot", Products = "p", Judgments = "j", SkipBadRows = true,
        }));
        Assert.Contains("RejectedPath", ex.Message);
    }
}
