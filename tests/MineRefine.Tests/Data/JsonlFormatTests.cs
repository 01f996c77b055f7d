using System.Text.Json;
using MineRefine.Data;
using MineRefine.Data.Import;

namespace MineRefine.Tests.Data;

public class JsonlFormatTests
{
    private static Dataset Small() => new(
        [
            new Product("p1", "Sonora Wireless Headphones, Black", "Over-ear, noise cancelling", ["Electronics", "Headphones"],
                new Dictionary<string, string> { ["brand"] = "Sonora", ["color"] = "Black" }, "en"),
            new Product("p2", "Kopfhörer \"Studio\" — weiß", null, [], Product.EmptyAttributes, "de"),
        ],
        [new Query("q1", "black headphones", "en"), new Query("q2", "kopfhörer weiß", "de")],
        [
            new Judgment("q1", "p1", 2, JudgmentSource.Human), new Judgment("q1", "p2", 0, JudgmentSource.Model),
            new Judgment("q2", "p2", 1, JudgmentSource.Audit),
        ],
        [new EngagementEvent("q1", "p1", 100, 12, 3, 1)]);

    [Fact]
    public void WriteThenLoadRoundTrips()
    {
        using var dir = new TempDir();
        var a = Small();
        DatasetWriter.Write(a, dir.Path);
        var b = DatasetLoader.Load(new DataSourceOptions { Format = "jsonl", DataDir = dir.Path });
        Assert.Equal(a.Products.Count, b.Products.Count);
        for (int i = 0; i < a.Products.Count; i++)
        {
            Assert.Equal(a.Products[i].Id, b.Products[i].Id);
            Assert.Equal(a.Products[i].Title, b.Products[i].Title);
            Assert.Equal(a.Products[i].Description, b.Products[i].Description);
            Assert.Equal(a.Products[i].CategoryPath, b.Products[i].CategoryPath);
            Assert.Equal(a.Products[i].Attributes.OrderBy(kv => kv.Key), b.Products[i].Attributes.OrderBy(kv => kv.Key));
            Assert.Equal(a.Products[i].Locale, b.Products[i].Locale);
        }
        Assert.Equal(a.Queries, b.Queries);
        Assert.Equal(a.Judgments, b.Judgments);
        Assert.Equal(a.Engagement, b.Engagement);
        // non-ASCII letters are written as is (readable files)
        Assert.Contains("kopfhörer weiß", File.ReadAllText(dir.File("queries.jsonl")));
    }

    private static string Folder(TempDir dir, string judgments, string? products = null)
    {
        dir.Write("products.jsonl", products ?? "{\"id\":\"p1\",\"title\":\"A\"}\n{\"id\":\"p2\",\"title\":\"B\"}\n");
        dir.Write("queries.jsonl", "{\"id\":\"q1\",\"text\":\"a\"}\n\n{\"id\":\"q2\",\"text\":\"b\",\"locale\":\"es\"}\n");
        dir.Write("judgments.jsonl", judgments);
        return dir.Path;
    }

    [Theory]
    [InlineData("{\"query_id\":\"q1\",\"product_id\":\"p1\",\"grade\":3}", "grade")]
    [InlineData("{\"query_id\":\"q1\",\"product_id\":\"p1\",\"grade\":\"two\"}", "grade")]
    [InlineData("{\"query_id\":\"q1\",\"product_id\":\"p1\"}", "grade")]
    [InlineData("{\"query_id\":\"q1\",\"grade\":1}", "product_id")]
    [InlineData("{\"query_id\":\"q9\",\"product_id\":\"p1\",\"grade\":1}", "query_id")]
    [InlineData("{\"query_id\":\"q1\",\"product_id\":\"p1\",\"grade\":1,\"source\":\"robot\"}", "source")]
    [InlineData("{\"query_id\":\"q1\",\"product_id\":\"p1\",\"grade\":1", null)]
    public void BadJudgmentLineNamesFileLineAndField(string bad, string? field)
    {
        using var dir = new TempDir();
        string folder = Folder(dir, "{\"query_id\":\"q1\",\"product_id\":\"p1\",\"grade\":2}\n\n" + bad + "\n");
        var ex = Assert.Throws<DataFormatException>(() =>
            DatasetLoader.Load(new DataSourceOptions { Format = "jsonl", DataDir = folder }));
        Assert.Equal(dir.File("judgments.jsonl"), ex.FilePath);
        Assert.Equal(3, ex.Line); // blank line 2 still counts as a physical line
        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void EmptyTitleIsAnErrorAndSkipModeRejects()
    {
        using var dir = new TempDir();
        string folder = Folder(dir,
            "{\"query_id\":\"q1\",\"product_id\":\"p1\",\"grade\":2}\n{\"query_id\":\"q1\",\"product_id\":\"p1\",\"grade\":1}\n" +
            "{\"query_id\":\"q2\",\"product_id\":\"zz\",\"grade\":0}\nnot json\n",
            "{\"id\":\"p1\",\"title\":\"A\"}\n{\"id\":\"p2\",\"title\":\" \"}\n");
        var ex = Assert.Throws<DataFormatException>(() =>
            DatasetLoader.Load(new DataSourceOptions { Format = "jsonl", DataDir = folder }));
        Assert.Equal((2L, "title"), (ex.Line, ex.Field));

        string rej = dir.File("rejected.jsonl");
        var d = DatasetLoader.Load(new DataSourceOptions
        {
            Format = "jsonl", DataDir = folder, SkipBadRows = true, RejectedPath = rej,
        });
        Assert.Single(d.Products);
        Assert.Equal(2, d.Judgments.Count);
        Assert.Equal(1, d.Judgments[0].Grade);   // last wins
        Assert.Equal(1, d.Report.DuplicateJudgments);
        Assert.Equal(1, d.Report.JudgmentsWithUnknownProduct);
        Assert.Equal(2, d.Report.RowsRejected);
        var lines = File.ReadAllLines(rej).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("title", lines[0].GetProperty("field").GetString());
        Assert.Equal(JsonValueKind.Null, lines[1].GetProperty("field").ValueKind);
        Assert.Equal("not json", lines[1].GetProperty("raw").GetString());
        Assert.Equal(4, lines[1].GetProperty("line").GetInt64());
    }

    [Fact]
    public void EngagementValidatedAndQueriesWithoutJudgmentsDropped()
    {
        using var dir = new TempDir();
        string folder = Folder(dir, "{\"query_id\":\"q1\",\"product_id\":\"p1\",\"grade\":2}\n");
        dir.Write("engagement.jsonl", "{\"query_id\":\"q1\",\"product_id\":\"p1\",\"impressions\":5,\"clicks\":9}\n");
        var ex = Assert.Throws<DataFormatException>(() =>
            DatasetLoader.Load(new DataSourceOptions { Format = "jsonl", DataDir = folder }));
        Assert.Equal("clicks", ex.Field);

        dir.Write("engagement.jsonl", "{\"query_id\":\"q1\",\"product_id\":\"p1\",\"impressions\":5,\"clicks\":2}\n");
        var d = DatasetLoader.Load(new DataSourceOptions { Format = "jsonl", DataDir = folder });
        Assert.Single(d.Queries); // q2 has neither judgments nor engagement
        Assert.Equal(new EngagementEvent("q1", "p1", 5, 2, 0, 0), d.Engagement.Single());
    }

    [Fact]
    public void ReadJudgmentsReadsATruthFile()
    {
        using var dir = new TempDir();
        var js = new[] { new Judgment("q1", "p1", 2, JudgmentSource.Human), new Judgment("q1", "p2", 0, JudgmentSource.Synthetic) };
        DatasetWriter.WriteJudgments(js, dir.File("truth.jsonl"));
        Assert.Equal(js, JsonlFormat.ReadJudgments(dir.File("truth.jsonl")));
    }
}
