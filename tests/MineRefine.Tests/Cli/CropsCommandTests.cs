using System.Text.Json;
using MineRefine.Data;
using MineRefine.Data.Sample;
using MineRefine.Text;

namespace MineRefine.Tests.Cli;

/// <summary><c>minerefine crops</c>: a catalog alone in, a loadable JSONL training set out.</summary>
public sealed class CropsCommandTests
{
    private static string Temp() => Path.Combine(Path.GetTempPath(), "mr-crops-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_catalog_alone_gives_a_loadable_data_set_of_crops_and_the_same_seed_gives_the_same_files()
    {
        string src = Temp(), a = Temp(), b = Temp();
        try
        {
            var sample = SampleMarketplaceGenerator.Generate(new SampleOptions { Seed = 5, Products = 300, Queries = 60, Engagement = false });
            sample.WriteTo(src);
            // Only the products file: no queries.jsonl or judgments.jsonl next to it.
            string catalog = Path.Combine(src, "catalog");
            Directory.CreateDirectory(catalog);
            File.Copy(Path.Combine(src, "products.jsonl"), Path.Combine(catalog, "products.jsonl"));
            var r = CliRunner.Run("crops", "--format", "jsonl", "--products", Path.Combine(catalog, "products.jsonl"), "--count", "200", "--seed", "4", "--out", a, "--json");
            Assert.True(r.Code == 0, r.Err + r.Out);
            using var report = JsonDocument.Parse(r.Out);
            Assert.Equal(300, report.RootElement.GetProperty("catalog_products").GetInt32());
            Assert.Equal(200, report.RootElement.GetProperty("products_drawn").GetInt32());
            Assert.Contains("a catalog without judgments", r.Err);
            foreach (var f in new[] { "products.jsonl", "queries.jsonl", "judgments.jsonl", "crops.json", "run.json" })
                Assert.True(File.Exists(Path.Combine(a, f)), f);

            var loaded = DatasetLoader.Load(new DataSourceOptions { Format = "jsonl", DataDir = a });
            Assert.Equal(300, loaded.Products.Count);
            Assert.Equal(200, loaded.Judgments.Count);
            Assert.Equal(report.RootElement.GetProperty("queries").GetInt32(), loaded.Queries.Count);
            Assert.All(loaded.Judgments, j => Assert.Equal((Grades.Exact, JudgmentSource.Synthetic), (j.Grade, j.Source)));

            Assert.Equal(0, CliRunner.Run("crops", "--format", "jsonl", "--data", catalog, "--count", "200", "--seed", "4", "--out", b).Code);
            foreach (var f in new[] { "queries.jsonl", "judgments.jsonl" })
                Assert.Equal(File.ReadAllText(Path.Combine(a, f)), File.ReadAllText(Path.Combine(b, f)));

            // A CSV catalog alone (convert's products.csv without its other tables) works the same way.
            string csv = Path.Combine(src, "csv"), csvCatalog = Path.Combine(src, "csv-catalog"), c = Path.Combine(b, "csv");
            Assert.Equal(0, CliRunner.Run("convert", "--format", "jsonl", "--data", src, "--to", "csv", "--out", csv).Code);
            Directory.CreateDirectory(csvCatalog);
            File.Copy(Path.Combine(csv, "products.csv"), Path.Combine(csvCatalog, "products.csv"));
            var rc = CliRunner.Run("crops", "--format", "csv", "--data", csvCatalog, "--count", "200", "--seed", "4", "--out", c);
            Assert.True(rc.Code == 0, rc.Err + rc.Out);
            Assert.Equal(File.ReadAllText(Path.Combine(a, "judgments.jsonl")), File.ReadAllText(Path.Combine(c, "judgments.jsonl")));

            // Other commands still need the judgments: a missing file is an error naming it, not an empty data set.
            var e = CliRunner.Run("eval", "--format", "jsonl", "--data", catalog, "--retriever", "bm25", "--out", Path.Combine(a, "eval"));
            Assert.NotEqual(0, e.Code);
            Assert.Contains("queries.jsonl", e.Err + e.Out);
        }
        finally
        {
            foreach (var d in new[] { src, a, b }) if (Directory.Exists(d)) Directory.Delete(d, true);
        }
    }

    [Fact]
    public void With_judgments_no_crop_repeats_a_held_out_query_and_bad_options_are_refused()
    {
        string src = Temp(), a = Temp();
        try
        {
            // Short titles and many queries, so that crops do meet real query texts.
            var sample = SampleMarketplaceGenerator.Generate(new SampleOptions { Seed = 5, Products = 300, Queries = 200, Engagement = false });
            sample.WriteTo(src);
            var r = CliRunner.Run("crops", "--format", "sample", "--data", src, "--count", "300", "--length-weights", "1,1", "--out", a, "--json");
            Assert.True(r.Code == 0, r.Err + r.Out);
            using var report = JsonDocument.Parse(r.Out);
            var split = QuerySplitter.Split(sample.Data, 13);
            var trainIds = split.Train.Select(j => j.QueryId).ToHashSet();
            var heldOut = sample.Data.Queries.Where(q => !trainIds.Contains(q.Id)).Select(q => TextNormalizer.NormalizeQuery(q.Text)).ToHashSet();
            var texts = File.ReadLines(Path.Combine(a, "queries.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToList();
            Assert.DoesNotContain(texts, heldOut.Contains);
            Assert.True(report.RootElement.GetProperty("duplicates_of_held_out_queries").GetInt32() > 0,
                "the sample's short titles should give some crop equal to a held-out query, or this test checks nothing");
            Assert.Equal("train", JsonDocument.Parse(File.ReadAllText(Path.Combine(a, "run.json"))).RootElement.GetProperty("notes").GetProperty("split").GetString());

            foreach (var (args, message) in new (string[], string)[]
            {
                (["--length-weights", "10,x"], "'x' is not a number"),
                (["--length-weights", "0,0"], "at least one weight must be > 0"),
                (["--count", "0"], "must be ≥ 1"),
                (["--split", "dev"], "Unknown --split 'dev'"),
            })
            {
                var bad = CliRunner.Run([.. new[] { "crops", "--format", "sample", "--data", src, "--out", a }, .. args]);
                Assert.NotEqual(0, bad.Code);
                Assert.Contains(message, bad.Err + bad.Out);
            }
            // Home Depot's two files: the catalog is cropped, and the judged queries are held out as for any data set.
            string hd = Path.Combine(src, "hd");
            Directory.CreateDirectory(hd);
            File.WriteAllText(Path.Combine(hd, "products.csv"), "product_uid,product_title\n100001,Acme Galvanized 90-Degree Corner Bracket\n" +
                "100002,\"Northwind Exterior Deck Coating, 1-gal., Slate Grey\"\n100003,Riverstone Single-Handle Shower Faucet\n");
            File.WriteAllText(Path.Combine(hd, "judgments.csv"), "id,product_uid,product_title,search_term,relevance\n" +
                "2,100001,x,angle bracket,3\n3,100002,x,deck over,2.5\n4,100003,x,shower faucet,3\n");
            string hdOut = Path.Combine(a, "hd");
            var h = CliRunner.Run("crops", "--format", "homedepot", "--products", Path.Combine(hd, "products.csv"),
                "--judgments", Path.Combine(hd, "judgments.csv"), "--split", "all", "--out", hdOut, "--json");
            Assert.True(h.Code == 0, h.Err + h.Out);
            using (var hr = JsonDocument.Parse(h.Out)) Assert.Equal(3, hr.RootElement.GetProperty("judgments").GetInt32());
            Assert.Equal(3, DatasetLoader.Load(new DataSourceOptions { Format = "jsonl", DataDir = hdOut }).Products.Count);

            var noJudgments = CliRunner.Run("crops", "--format", "homedepot", "--products", Path.Combine(src, "products.jsonl"), "--out", a);
            Assert.NotEqual(0, noJudgments.Code);
            Assert.Contains("--format homedepot needs --products <file> and --judgments <file>", noJudgments.Err + noJudgments.Out);
        }
        finally
        {
            foreach (var d in new[] { src, a }) if (Directory.Exists(d)) Directory.Delete(d, true);
        }
    }
}
