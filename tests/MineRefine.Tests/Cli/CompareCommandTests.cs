using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MineRefine.Tests.Cli;

public sealed class CompareCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mr-compare-" + Guid.NewGuid().ToString("N"));

    public CompareCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    private const string Header =
        "query_id,query_text,n_judged,n_relevant,n_exact,skipped,ndcg@10,ndcg@50,ndcg@100,recall@100,mrr@10\n";

    /// <summary>An eval output folder whose per_query.csv has queries q0…q{n−1} with ndcg = base + shift.</summary>
    private string Run(string name, int n, double shift, params string[] extraRows)
    {
        var folder = Path.Combine(_dir, name);
        Directory.CreateDirectory(folder);
        var sb = new StringBuilder(Header);
        for (int i = 0; i < n; i++)
        {
            string v = (0.3 + 0.01 * (i % 7) + shift).ToString("0.######", CultureInfo.InvariantCulture);
            sb.Append($"q{i},\"query, {i}\",3,2,1,false,{v},{v},{v},1,{v}\n");
        }
        foreach (var row in extraRows) sb.Append(row).Append('\n');
        File.WriteAllText(Path.Combine(folder, "per_query.csv"), sb.ToString());
        return folder;
    }

    [Fact]
    public void Compare_prints_json_writes_out_file_and_counts_alignment()
    {
        var a = Run("a", 30, 0, "onlyA,x,1,1,0,false,0.1,0.1,0.1,1,0.1", "sk,y,1,0,0,true,,,,,");
        var b = Run("b", 30, 0.05, "sk,y,1,1,0,false,0.5,0.5,0.5,1,0.5");
        var outFile = Path.Combine(_dir, "cmp", "compare.json");
        var (code, stdout, err) = CliRunner.Run("compare", a, b, "--resamples", "2000", "--json", "--out", outFile);
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        var al = root.GetProperty("alignment");
        Assert.Equal(30, al.GetProperty("compared").GetInt32());
        Assert.Equal("onlyA", al.GetProperty("only_in_a")[0].GetString());
        Assert.Equal(0, al.GetProperty("only_in_b").GetArrayLength());
        Assert.Equal("sk", al.GetProperty("skipped_in_either")[0].GetString());
        var metrics = root.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("metric").GetString()!).ToArray();
        Assert.Equal(["ndcg@10", "ndcg@50", "ndcg@100", "recall@100"], metrics);
        var ndcg = root.GetProperty("metrics")[0].GetProperty("result");
        Assert.Equal(0.05, ndcg.GetProperty("mean_difference").GetDouble(), 9);
        Assert.True(ndcg.GetProperty("p_value").GetDouble() < 0.01);
        Assert.Equal(30, ndcg.GetProperty("wins").GetInt32());
        var recall = root.GetProperty("metrics")[3].GetProperty("result");
        Assert.Equal(1.0, recall.GetProperty("p_value").GetDouble()); // identical recall
        Assert.Equal(30, recall.GetProperty("ties").GetInt32());
        // The table went to stderr; the file holds the same document.
        Assert.Contains("ndcg@10", err);
        Assert.Contains("1 only in A, 0 only in B", err);
        Assert.Contains("1 of them skipped", err);
        Assert.Equal(stdout.Trim(), File.ReadAllText(outFile).Trim());
    }

    [Fact]
    public void Runs_joined_with_commas_are_averaged_per_query_before_pairing()
    {
        // B's two seeds differ from A by +0.02 and +0.06: the pooled difference is +0.04 on every query.
        var a = Run("a", 20, 0);
        var b1 = Run("b1", 20, 0.02);
        var b2 = Run("b2", 20, 0.06);
        var (code, stdout, err) = CliRunner.Run("compare", a, $"{b1},{b2}", "--metric", "ndcg@10", "--resamples", "500", "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(0.04, doc.RootElement.GetProperty("metrics")[0].GetProperty("result").GetProperty("mean_difference").GetDouble(), 9);
        Assert.StartsWith("mean of 2 runs", doc.RootElement.GetProperty("b").GetString());
        // A run with another query set cannot be pooled; the error names the file and the query.
        var other = Run("other", 21, 0);
        var (c2, _, e2) = CliRunner.Run("compare", a, $"{b1},{other}");
        Assert.NotEqual(0, c2);
        Assert.Contains("q20", e2);
        Assert.Contains("other", e2);
        var (c3, _, e3) = CliRunner.Run("compare", $"{a},", b1);
        Assert.NotEqual(0, c3);
        Assert.Contains("A: give an eval output folder", e3);
    }

    [Fact]
    public void Named_metrics_and_per_query_csv_paths_work_and_the_table_goes_to_stdout()
    {
        var a = Path.Combine(Run("a", 10, 0), "per_query.csv");
        var b = Path.Combine(Run("b", 10, 0.1), "per_query.csv");
        var (code, stdout, err) = CliRunner.Run("compare", a, b, "--metric", "mrr@10", "--resamples", "500", "--seed", "7");
        Assert.True(code == 0, err);
        Assert.Contains("mrr@10", stdout);
        Assert.Contains("10/0/0", stdout);
        Assert.Contains("+0.1000", stdout);
        Assert.DoesNotContain("ndcg@50", stdout);
    }

    [Fact]
    public void Bad_inputs_are_exit_code_2_with_one_clear_line()
    {
        var a = Run("a", 5, 0);
        var b = Run("b", 5, 0.1);
        var (c1, _, e1) = CliRunner.Run("compare", a, b, "--metric", "ndcg@5");
        Assert.Equal(2, c1);
        Assert.Contains("field 'ndcg@5': no such metric column; available: ndcg@10, ndcg@50, ndcg@100, recall@100, mrr@10", e1);
        Assert.Single(e1.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var (c2, _, e2) = CliRunner.Run("compare", a, Path.Combine(_dir, "nope"));
        Assert.Equal(2, c2);
        Assert.Contains("B: '", e2);
        Assert.Contains("is neither a folder nor a file", e2);

        var (c3, _, e3) = CliRunner.Run("compare", a, b, "--resamples", "5");
        Assert.Equal(2, c3);
        Assert.Contains("--resamples must be at least 100", e3);

        var empty = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(empty);
        var (c4, _, e4) = CliRunner.Run("compare", a, empty);
        Assert.Equal(2, c4);
        Assert.Contains("has no per_query.csv", e4);

        var other = Run("other", 0, 0, "zz,q,1,1,0,false,0.5,0.5,0.5,1,0.5");
        var (c5, _, e5) = CliRunner.Run("compare", a, other);
        Assert.Equal(2, c5);
        Assert.Contains("No query to compare", e5);
    }

    [Fact]
    public void Show_lists_the_queries_that_differ_most_with_both_runs_top_hits_grades_and_titles()
    {
        string sample = Path.Combine(_dir, "sample");
        var gen = CliRunner.Run("sample", "--out", sample, "--products", "300", "--queries", "50", "--seed", "4");
        Assert.True(gen.Code == 0, gen.Err);
        string a = Path.Combine(_dir, "ev-a"), b = Path.Combine(_dir, "ev-b");
        var ea = CliRunner.Run("eval", "--format", "sample", "--data", sample, "--retriever", "bm25", "--split", "all", "--out", a);
        Assert.True(ea.Code == 0, ea.Err);
        // Another ranking of the same queries: BM25 without length normalisation and with saturating term frequency.
        var eb = CliRunner.Run("eval", "--format", "sample", "--data", sample, "--retriever", "bm25", "--split", "all", "--k1", "0.1", "-b", "0", "--out", b);
        Assert.True(eb.Code == 0, eb.Err);

        var (code, stdout, err) = CliRunner.Run("compare", a, b, "--resamples", "200", "--show", "2", "--depth", "3", "--json");
        Assert.True(code == 0, err);
        Assert.Contains("B worse than A", err);
        Assert.Contains("B better than A", err);
        using var doc = JsonDocument.Parse(stdout);
        var d = doc.RootElement.GetProperty("query_differences");
        Assert.Equal("ndcg@10", d.GetProperty("metric").GetString());
        var perA = MineRefine.Evaluation.PerQueryFile.Read(Path.Combine(a, "per_query.csv"));
        var perB = MineRefine.Evaluation.PerQueryFile.Read(Path.Combine(b, "per_query.csv"));
        var qrels = MineRefine.Evaluation.TrecReader.ReadQrels(Path.Combine(a, "qrels.trec"));
        var runB = MineRefine.Evaluation.TrecReader.ReadRun(Path.Combine(b, "run.trec"));
        var titles = MineRefine.Data.DatasetLoader.Load(new MineRefine.Data.DataSourceOptions { Format = "sample", DataDir = sample });
        int listed = 0;
        foreach (var (list, sign) in new[] { ("b_worse", -1), ("b_better", 1) })
        {
            var deltas = d.GetProperty(list).EnumerateArray().Select(q => q.GetProperty("delta").GetDouble()).ToList();
            Assert.True(deltas.Count <= 2);
            Assert.All(deltas, x => Assert.Equal(sign, Math.Sign(x)));
            Assert.Equal(deltas.OrderBy(x => -sign * x), deltas); // largest difference first
            foreach (var q in d.GetProperty(list).EnumerateArray())
            {
                listed++;
                string id = q.GetProperty("query_id").GetString()!;
                int col = perA.MetricIndex("ndcg@10");
                Assert.Equal(perA.Find(id)!.Values[col]!.Value, q.GetProperty("a").GetDouble(), 9);
                Assert.Equal(perB.Find(id)!.Values[col]!.Value, q.GetProperty("b").GetDouble(), 9);
                Assert.Equal(perA.Find(id)!.QueryText, q.GetProperty("query_text").GetString());
                var topB = q.GetProperty("top_b").EnumerateArray().ToList();
                Assert.Equal(runB[id].Take(3), topB.Select(h => h.GetProperty("product_id").GetString()!));
                Assert.Equal(3, q.GetProperty("top_a").GetArrayLength());
                foreach (var h in topB.Concat(q.GetProperty("top_a").EnumerateArray()))
                {
                    string pid = h.GetProperty("product_id").GetString()!;
                    int? grade = h.GetProperty("grade").ValueKind == JsonValueKind.Null ? null : h.GetProperty("grade").GetInt32();
                    Assert.Equal(qrels.TryGetValue((id, pid), out int g) ? g : null, grade);
                    Assert.Equal(titles.FindProduct(pid)!.Title, h.GetProperty("title").GetString());
                }
            }
        }
        Assert.True(listed > 0, "the two BM25 variants rank at least one query differently");

        // Without the recorded catalog the hits are still listed, by id, and the output says why there are no titles.
        Directory.Move(sample, sample + "-moved");
        var (code2, stdout2, err2) = CliRunner.Run("compare", a, b, "--resamples", "200", "--show", "1", "--json");
        Assert.True(code2 == 0, err2);
        Assert.Contains("no titles", err2);
        using var doc2 = JsonDocument.Parse(stdout2);
        var first = doc2.RootElement.GetProperty("query_differences").GetProperty("b_worse").EnumerateArray()
            .Concat(doc2.RootElement.GetProperty("query_differences").GetProperty("b_better").EnumerateArray()).First();
        Assert.All(first.GetProperty("top_a").EnumerateArray(), h => Assert.False(h.TryGetProperty("title", out _)));

        // Without --show the JSON has no such section; bad values are usage errors.
        var (_, plain, _) = CliRunner.Run("compare", a, b, "--resamples", "200", "--json");
        Assert.DoesNotContain("query_differences", plain);
        var (c3, _, e3) = CliRunner.Run("compare", a, b, "--show", "-1");
        Assert.Equal(2, c3);
        Assert.Contains("--show must be ≥ 0", e3);
        var (c4, _, e4) = CliRunner.Run("compare", a, b, "--show", "2", "--depth", "0");
        Assert.Equal(2, c4);
        Assert.Contains("--depth must be in [1, 100]", e4);
    }

    [Fact]
    public void Help_lists_options_and_examples()
    {
        var (code, output, _) = CliRunner.Run("compare", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--metric", output);
        Assert.Contains("--resamples", output);
        Assert.Contains("minerefine compare runs/bm25 runs/s2-eval", output);
    }
}
