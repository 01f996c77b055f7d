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
    public void Help_lists_options_and_examples()
    {
        var (code, output, _) = CliRunner.Run("compare", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--metric", output);
        Assert.Contains("--resamples", output);
        Assert.Contains("minerefine compare runs/bm25 runs/s2-eval", output);
    }
}
