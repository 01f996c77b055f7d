using System.Text.Json;

namespace MineRefine.Tests.Cli;

public class SampleCommandTests
{
    [Fact]
    public void Sample_writes_a_loadable_marketplace_and_is_deterministic()
    {
        string a = Path.Combine(Path.GetTempPath(), "mr-sample-" + Guid.NewGuid().ToString("N"));
        string b = a + "-b";
        try
        {
            var r = CliRunner.Run("sample", "--out", a, "--products", "400", "--queries", "60", "--seed", "3", "--json");
            Assert.Equal(0, r.Code);
            using var stats = JsonDocument.Parse(r.Out);
            Assert.Equal(400, stats.RootElement.GetProperty("products").GetInt32());
            foreach (var f in new[] { "products.jsonl", "queries.jsonl", "judgments.jsonl", "truth.jsonl", "engagement.jsonl", "run.json" })
                Assert.True(File.Exists(Path.Combine(a, f)), f);
            Assert.Equal(0, CliRunner.Run("sample", "--out", b, "--products", "400", "--queries", "60", "--seed", "3").Code);
            Assert.Equal(File.ReadAllText(Path.Combine(a, "judgments.jsonl")), File.ReadAllText(Path.Combine(b, "judgments.jsonl")));

            var eval = CliRunner.Run("eval", "--format", "jsonl", "--data", a, "--retriever", "bm25", "--out", Path.Combine(a, "eval"));
            Assert.Equal(0, eval.Code);
            Assert.True(File.Exists(Path.Combine(a, "eval", "metrics.json")));
        }
        finally
        {
            foreach (var d in new[] { a, b }) if (Directory.Exists(d)) Directory.Delete(d, true);
        }
    }

    [Fact]
    public void Sample_rejects_bad_options_with_a_message()
    {
        var r = CliRunner.Run("sample", "--out", "/tmp/x", "--noise", "1.5");
        Assert.NotEqual(0, r.Code);
        Assert.Contains("noise", (r.Err + r.Out).ToLowerInvariant());
    }
}
