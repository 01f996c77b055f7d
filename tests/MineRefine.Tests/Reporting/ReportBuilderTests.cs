using MineRefine.Reporting;

namespace MineRefine.Tests.Reporting;

public class ReportBuilderTests
{
    [Fact]
    public void Section_values_keep_four_decimals_and_tiny_non_zero_values_do_not_print_as_zero()
    {
        var flat = ReportBuilder.Flatten(new { a = 0.123456, b = 2.4e-7, c = 0.0, d = -3e-6, e = 12, f = 0.00005 })
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("0.1235", flat["a"]);
        Assert.Equal("2.4E-7", flat["b"]);
        Assert.Equal("0", flat["c"]);
        Assert.Equal("-3E-6", flat["d"]);
        Assert.Equal("12", flat["e"]);
        Assert.Equal("0.0001", flat["f"]);
    }

    [Fact]
    public void A_plain_table_renders_in_both_formats_escaped_and_rows_must_fit_the_header()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mr-report-table-" + Guid.NewGuid().ToString("N"));
        try
        {
            new ReportBuilder("t").AddTable("Queries", ["query", "hit"], [["a|b", "<x>"], ["c", ""]], "note here").WriteTo(dir);
            string md = File.ReadAllText(Path.Combine(dir, "report.md"));
            Assert.Contains("note here", md);
            Assert.Contains("| query | hit |", md);
            Assert.Contains("| a\\|b | <x> |", md);
            string html = File.ReadAllText(Path.Combine(dir, "report.html"));
            Assert.Contains("<td>&lt;x&gt;</td>", html);
            Assert.Contains("<p>note here</p>", html);
            Assert.Throws<ArgumentException>(() => new ReportBuilder("t").AddTable("bad", ["one", "two"], [["only one"]]));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Writes_markdown_and_self_contained_html_with_lifts_and_plots()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mr-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var systems = new List<SystemMetrics>
            {
                new("bm25", new Dictionary<string, double> { ["ndcg@10"] = 0.40 }, null),
                new("stage2", new Dictionary<string, double> { ["ndcg@10"] = 0.50 },
                    new Dictionary<string, double> { ["average_margin"] = 0.3 }),
            };
            var rnd = new Random(1);
            IReadOnlyList<float>[] scores = Enumerable.Range(0, 3)
                .Select(g => (IReadOnlyList<float>)Enumerable.Range(0, 200).Select(_ => (float)(g * 0.3 + rnd.NextDouble() * 0.2)).ToList())
                .ToArray();
            new ReportBuilder("Test report")
                .AddMetrics("Metrics", systems)
                .AddScorePlot("Before", scores, Path.Combine(dir, "before.png"))
                .AddConfusion("Labeler", [[5, 1, 0], [1, 4, 1], [0, 2, 6]])
                .AddSection("Mining", new { hard_negatives = 12, seconds = new { retrieval = 1.5 } })
                .WriteTo(dir);

            string md = File.ReadAllText(Path.Combine(dir, "report.md"));
            Assert.Contains("| stage2 | 0.5000 (+25.0%)", md);
            Assert.Contains("| hard_negatives | 12 |", md);
            Assert.Contains("| seconds.retrieval | 1.5 |", md);
            Assert.Contains("![Before](before.png)", md);
            Assert.True(new FileInfo(Path.Combine(dir, "before.png")).Length > 1000);
            string html = File.ReadAllText(Path.Combine(dir, "report.html"));
            Assert.Contains("<svg", html);
            Assert.DoesNotContain("http://cdn", html);
            Assert.Contains("0.5000 (+25.0%)", html);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
