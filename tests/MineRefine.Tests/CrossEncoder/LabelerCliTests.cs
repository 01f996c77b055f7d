using System.Text.Json;
using MineRefine.Cli.Commands;
using MineRefine.Data;
using MineRefine.Data.Sample;
using MineRefine.Tests.Cli;

namespace MineRefine.Tests.CrossEncoder;

public sealed class LabelerCliTests : IDisposable
{
    private readonly string _dir = CrossEncoderTestUtil.TempDir();

    public void Dispose() => Directory.Delete(_dir, true);

    private string Sample()
    {
        var data = Path.Combine(_dir, "sample");
        SampleMarketplaceGenerator.Generate(new SampleOptions { Seed = 3, Products = 200, Queries = 40, Engagement = false }).WriteTo(data);
        return data;
    }

    [Fact]
    public void Train_tiny_then_eval_then_label_end_to_end()
    {
        var data = Sample();
        var run = Path.Combine(_dir, "run");
        var (code, _, err) = CliRunner.Run("labeler", "train", "--format", "sample", "--data", data, "--tiny", "--max-steps", "12",
            "--batch-size", "16", "--out", run, "--seed", "7");
        Assert.True(code == 0, err);
        var labeler = Path.Combine(run, "labeler");
        Assert.True(File.Exists(Path.Combine(labeler, "model.json")));
        Assert.True(File.Exists(Path.Combine(run, "run.json")));
        Assert.True(File.Exists(Path.Combine(run, "dev-metrics.json")));
        // default: the query split's train part only, plus one random grade-0 pair per query
        var split = QuerySplitter.Split(DatasetLoader.Load(new DataSourceOptions { Format = "jsonl", DataDir = data }), 13);
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))))
        {
            var notes = manifest.RootElement.GetProperty("notes");
            Assert.Equal("train", notes.GetProperty("split").GetString());
            int trainQueries = split.Train.Select(j => j.QueryId).Distinct().Count();
            Assert.Equal(split.Train.Count + trainQueries, notes.GetProperty("train_pairs").GetInt32() + notes.GetProperty("dev_pairs").GetInt32() +
                JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "dev-metrics.json"))).RootElement.GetProperty("dev_random_pairs").GetProperty("pairs").GetInt32());
            Assert.True(notes.GetProperty("train_random_negative_pairs").GetInt32() > 0);
        }

        var evalDir = Path.Combine(_dir, "eval");
        (code, var stdout, err) = CliRunner.Run("labeler", "eval", "--labeler", labeler, "--format", "jsonl", "--data", data, "--out", evalDir,
            "--random-negatives", "2");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(evalDir, "metrics.json")));
        foreach (var key in new[] { "accuracy", "within1", "macro_f1", "ece", "confusion", "n" })
            Assert.True(doc.RootElement.TryGetProperty(key, out _), key);
        int n = doc.RootElement.GetProperty("n").GetInt32();
        int judged = File.ReadLines(Path.Combine(data, "judgments.jsonl")).Count(l => l.Trim().Length > 0);
        Assert.Equal(judged, n);
        Assert.Equal(n, doc.RootElement.GetProperty("confusion").EnumerateArray().SelectMany(r => r.EnumerateArray()).Sum(v => v.GetInt32()));
        Assert.Contains("within-1", stdout);
        Assert.Equal(n, File.ReadLines(Path.Combine(evalDir, "predictions.jsonl")).Count());
        using (var rp = JsonDocument.Parse(File.ReadAllText(Path.Combine(evalDir, "random-pairs.json"))))
        {
            int queries = File.ReadLines(Path.Combine(data, "judgments.jsonl")).Where(l => l.Trim().Length > 0)
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("query_id").GetString()).Distinct().Count();
            Assert.Equal(2 * queries, rp.RootElement.GetProperty("pairs").GetInt32());
            Assert.Equal(2 * queries, rp.RootElement.GetProperty("predicted_counts").EnumerateArray().Sum(v => v.GetInt32()));
        }
        Assert.Contains("random catalog pairs graded 0", stdout);

        // label: grade two pairs from a JSONL file
        var products = File.ReadLines(Path.Combine(data, "products.jsonl")).Take(2)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!).ToList();
        var pairs = Path.Combine(_dir, "pairs.jsonl");
        File.WriteAllLines(pairs, products.Select(p => JsonSerializer.Serialize(new { query = "red lamp", product_id = p })));
        var labelsDir = Path.Combine(_dir, "labels");
        (code, _, err) = CliRunner.Run("label", "--labeler", labeler, "--pairs", pairs, "--format", "sample", "--data", data, "--out", labelsDir);
        Assert.True(code == 0, err);
        var lines = File.ReadAllLines(Path.Combine(labelsDir, "labels.jsonl"));
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var p3 = first.RootElement.GetProperty("p").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(1.0, p3.Sum(), 3);
        Assert.Equal("model", first.RootElement.GetProperty("source").GetString());
        Assert.Equal("cross-encoder:labeler", first.RootElement.GetProperty("judge").GetString());
        Assert.True(first.RootElement.TryGetProperty("expected_grade", out _));
    }

    [Theory]
    [InlineData("pairs.jsonl", "{\"query\":\"a\",\"product_id\":\"p1\"}\n{\"query\":\"b\"}\n", 2, "product_id")]
    [InlineData("pairs.jsonl", "{\"query\":\"a\",\"product_id\":\"p1\"}\n\n{\"query\":7,\"product_id\":\"p1\"}\n", 3, "query")]
    [InlineData("pairs.jsonl", "{\"query\":\"a\",\"product_id\":\"p1\"}\nnot json\n", 2, null)]
    [InlineData("pairs.csv", "query,product_id\nred lamp,p1\n,p2\n", 3, "query")]
    [InlineData("pairs.csv", "query,product_id\nred lamp,p1\nblue,\n", 3, "product_id")]
    [InlineData("pairs.csv", "query,product\nred lamp,p1\n", 1, "product_id")]
    public void Bad_pair_rows_name_file_line_and_field(string name, string content, int line, string? field)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        var e = Assert.Throws<DataFormatException>(() => LabelCommand.ReadPairs(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Unknown_product_in_pairs_file_is_exit_code_2_naming_the_line()
    {
        var data = Sample();
        var run = Path.Combine(_dir, "run");
        using (var pkg = MineRefine.Labeling.CrossEncoder.CrossEncoderPackage.CreateTiny(1)) pkg.Save(Path.Combine(run, "labeler"));
        var pairs = Path.Combine(_dir, "pairs.csv");
        File.WriteAllText(pairs, "query,product_id\nred lamp,no-such-product\n");
        var (code, _, err) = CliRunner.Run("label", "--labeler", Path.Combine(run, "labeler"), "--pairs", pairs, "--format", "sample",
            "--data", data, "--out", Path.Combine(_dir, "labels"));
        Assert.Equal(2, code);
        Assert.Contains("pairs.csv", err);
        Assert.Contains("no-such-product", err);
        Assert.Contains(":2", err);
    }

    [Fact]
    public void Bad_options_are_reported_clearly()
    {
        var data = Sample();
        var (code, _, err) = CliRunner.Run("labeler", "train", "--format", "sample", "--data", data, "--out", _dir, "--class-weights", "sqrt");
        Assert.Equal(2, code);
        Assert.Contains("Unknown --class-weights 'sqrt'", err);
        (code, _, err) = CliRunner.Run("labeler", "eval", "--format", "sample", "--data", data, "--out", _dir);
        Assert.Equal(2, code);
        Assert.Contains("--labeler <DIR> is required", err);
        (code, _, err) = CliRunner.Run("labeler", "train", "--format", "sample", "--data", data, "--out", _dir, "--split", "test");
        Assert.Equal(2, code);
        Assert.Contains("Unknown --split 'test'", err);
        (code, _, err) = CliRunner.Run("labeler", "train", "--format", "sample", "--data", data, "--out", _dir, "--random-negatives", "-1");
        Assert.Equal(2, code);
        Assert.Contains("RandomNegativesPerQuery", err);
    }
}

public sealed class LabelerCliHelpTests
{
    [Theory]
    [InlineData("labeler", "train", "--preset")]
    [InlineData("labeler", "eval", "--labeler")]
    [InlineData("label", null, "--pairs")]
    public void Help_renders_with_examples(string a, string? b, string option)
    {
        var args = b is null ? new[] { a, "--help" } : new[] { a, b, "--help" };
        var (code, stdout, err) = MineRefine.Tests.Cli.CliRunner.Run(args);
        Assert.True(code == 0, err);
        Assert.Contains("EXAMPLES", stdout);
        Assert.Contains(option, stdout);
    }
}
