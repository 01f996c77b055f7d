using System.Text.Json;
using MineRefine.Cli.Eval;
using MineRefine.Cli.Retrievers;
using MineRefine.Data;
using MineRefine.Retrieval;
using Spectre.Console;

namespace MineRefine.Tests.Cli;

public sealed class EvalCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mr-cli-" + Guid.NewGuid().ToString("N"));

    public EvalCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    private static IAnsiConsole SilentConsole() => AnsiConsole.Create(new AnsiConsoleSettings
        { Out = new AnsiConsoleOutput(new StringWriter()), Interactive = InteractionSupport.No });

    private static RetrieverSpec TitleBm25() => new() { Name = "bm25", Bm25 = new Bm25Options { Fields = Bm25Fields.Title } };

    private string File_(string name, string content)
    {
        var p = Path.Combine(_dir, name);
        File.WriteAllText(p, content);
        return p;
    }

    [Fact]
    public void Missing_products_for_homedepot_is_exit_code_2_with_one_clear_line()
    {
        var judgments = File_("j.csv", "x");
        var (code, _, err) = CliRunner.Run("eval", "--format", "homedepot", "--judgments", judgments, "--out", _dir);
        Assert.Equal(2, code);
        Assert.Contains("--format homedepot needs --products <file> and --judgments <file>.", err);
        Assert.DoesNotContain(" at ", err); // no stack trace
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--format", "nosuch", "Unknown --format 'nosuch'")]
    [InlineData("--retriever", "sparse", "Unknown --retriever 'sparse'")]
    [InlineData("-b", "1.5", "BM25 b must be in [0, 1]")]
    [InlineData("--split", "holdout", "Unknown --split 'holdout'")]
    public void Bad_option_values_are_exit_code_2(string option, string value, string message)
    {
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        var args = new List<string> { "eval", "--format", "jsonl", "--data", data, "--out", _dir, option, value };
        if (option == "--format") args.RemoveRange(1, 2);
        var (code, _, err) = CliRunner.Run(args.ToArray());
        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public void Missing_file_unparsable_number_and_missing_out_are_exit_code_2()
    {
        var (c1, _, e1) = CliRunner.Run("eval", "--format", "homedepot", "--products", "/no/p.csv", "--judgments", "/no/j.csv", "--out", _dir);
        Assert.Equal(2, c1);
        Assert.Contains("--products: file '/no/p.csv' does not exist", e1);
        var (c2, _, _) = CliRunner.Run("eval", "--format", "jsonl", "--data", _dir, "--out", _dir, "--k1", "abc");
        Assert.Equal(2, c2);
        var (c3, _, e3) = CliRunner.Run("eval", "--format", "jsonl", "--data", _dir);
        Assert.Equal(2, c3);
        Assert.Contains("--out <DIR> is required", e3);
    }

    [Fact]
    public void Malformed_data_file_names_file_line_and_field()
    {
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "products.jsonl"), "{\"id\":\"p1\",\"title\":\"drill\"}\n");
        File.WriteAllText(Path.Combine(data, "queries.jsonl"), "{\"id\":\"q1\",\"text\":\"drill\"}\n");
        File.WriteAllText(Path.Combine(data, "judgments.jsonl"), "{\"query_id\":\"q1\",\"product_id\":\"p1\",\"grade\":7}\n");
        var (code, _, err) = CliRunner.Run("eval", "--format", "jsonl", "--data", data, "--out", Path.Combine(_dir, "out"));
        Assert.Equal(2, code);
        Assert.Contains("judgments.jsonl:1", err);
        Assert.Contains("grade", err);
    }

    [Fact]
    public void Help_lists_options_and_examples()
    {
        var (code, output, _) = CliRunner.Run("eval", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--products", output);
        Assert.Contains("--split-seed", output);
        Assert.Contains("minerefine eval --format homedepot", output);
    }

    [Fact]
    public void Eval_runs_end_to_end_on_a_tiny_jsonl_data_set()
    {
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "products.jsonl"),
            "{\"id\":\"p1\",\"title\":\"cordless drill\"}\n{\"id\":\"p2\",\"title\":\"garden hose\"}\n{\"id\":\"p3\",\"title\":\"drill bits\"}\n");
        File.WriteAllText(Path.Combine(data, "queries.jsonl"),
            "{\"id\":\"q1\",\"text\":\"cordless drill\"}\n{\"id\":\"q2\",\"text\":\"hose\"}\n");
        File.WriteAllText(Path.Combine(data, "judgments.jsonl"),
            "{\"query_id\":\"q1\",\"product_id\":\"p1\",\"grade\":2}\n{\"query_id\":\"q1\",\"product_id\":\"p3\",\"grade\":1}\n" +
            "{\"query_id\":\"q1\",\"product_id\":\"p2\",\"grade\":0}\n{\"query_id\":\"q2\",\"product_id\":\"p2\",\"grade\":2}\n");
        var outDir = Path.Combine(_dir, "out");
        var (code, stdout, err) = CliRunner.Run("eval", "--format", "jsonl", "--data", data, "--retriever", "bm25",
            "--out", outDir, "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("bm25", doc.RootElement.GetProperty("system").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("queries").GetInt32());
        // Both queries rank every relevant item in the ideal order → NDCG@10 = 1.
        Assert.Equal(1.0, doc.RootElement.GetProperty("metrics").GetProperty("ndcg@10").GetDouble(), 9);
        foreach (var f in new[] { "metrics.json", "per_query.csv", "run.trec", "qrels.trec", "run.json" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json")));
        Assert.Equal(3, run.RootElement.GetProperty("inputs").EnumerateObject().Count()); // the three data files
        Assert.Contains("ndcg", err); // the readable table goes to stderr with --json
    }

    [Fact]
    public void EvalRunner_on_an_in_memory_dataset_writes_results_and_manifest()
    {
        var products = new List<Product>
        {
            Product.Simple("p1", "cordless drill"), Product.Simple("p2", "garden hose"),
            Product.Simple("p3", "drill bits"), Product.Simple("p4", "hose reel cart"),
        };
        var queries = new List<Query> { new("q1", "drill", "en"), new("q2", "hose reel", "en"), new("q3", "lamp", "en") };
        var judgments = new List<Judgment>
        {
            new("q1", "p1", 2, JudgmentSource.Human), new("q1", "p3", 1, JudgmentSource.Human),
            new("q2", "p4", 2, JudgmentSource.Human), new("q2", "p2", 0, JudgmentSource.Human),
            new("q3", "p1", 0, JudgmentSource.Human),
        };
        var ds = new Dataset(products, queries, judgments);
        var outDir = Path.Combine(_dir, "run");
        var console = SilentConsole();
        var outcome = EvalRunner.Run(ds, new EvalRunOptions
        {
            OutDir = outDir,
            Retriever = TitleBm25(),
        }, console);

        var r = outcome.Result;
        Assert.Equal(2, r.Queries);
        Assert.Equal(1, r.Skipped);  // q3 has only grade 0
        Assert.Equal(1.0, r.Metrics["recall@10"]!.Value, 9);
        // q2 "hose reel": p4 (both terms) is first, so MRR = 1 for both queries.
        Assert.Equal(1.0, r.Metrics["mrr@10"]!.Value, 9);
        var sep = r.Separation!;
        Assert.True(sep.AverageMargin > 0);           // grade-2 p4 outscores grade-0 p2 for "hose reel"
        // Pooled 2-vs-0 pairs: (q1,p1) vs (q2,p2) tie — one matching term of equal idf in a two-word title — the other
        // three comparisons are won: (3 + ½) / 4.
        Assert.Equal(0.875, sep.Auc2Vs0!.Value, 9);
        Assert.Equal(5, outcome.Outputs.Count);
        Assert.True(File.Exists(Path.Combine(outDir, "bm25-index", Bm25Retriever.MarkerFile)));

        // A second run reuses the index.
        var again = EvalRunner.Run(ds, new EvalRunOptions { OutDir = outDir, Retriever = TitleBm25() }, console);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json")));
        Assert.True(manifest.RootElement.GetProperty("notes").GetProperty("bm25_index_reused").GetBoolean());
        Assert.Equal(r.Metrics["ndcg@10"], again.Result.Metrics["ndcg@10"]);
    }

    [Fact]
    public void Split_selects_the_query_splitter_part()
    {
        var products = Enumerable.Range(0, 5).Select(i => Product.Simple($"p{i}", $"item {i}")).ToList();
        var queries = Enumerable.Range(0, 60).Select(i => new Query($"q{i}", $"item {i % 5} query {i}", "en")).ToList();
        var judgments = queries.Select((q, i) => new Judgment(q.Id, $"p{i % 5}", 2, JudgmentSource.Human)).ToList();
        var ds = new Dataset(products, queries, judgments);
        var console = SilentConsole();
        var expected = QuerySplitter.Split(ds, 7).Test.Select(j => j.QueryId).Distinct().Count();
        var r = EvalRunner.Run(ds, new EvalRunOptions { OutDir = Path.Combine(_dir, "s"), Split = "test", SplitSeed = 7 }, console);
        Assert.Equal(expected, r.Result.Queries + r.Result.Skipped);
        Assert.InRange(expected, 1, 59);
    }

    [Fact]
    public void Qrels_file_replaces_the_data_sets_grades_for_the_selected_queries()
    {
        var products = new List<Product>
        {
            Product.Simple("p1", "cordless drill"), Product.Simple("p2", "garden hose"), Product.Simple("p3", "drill bits"),
        };
        var queries = new List<Query> { new("q1", "drill", "en"), new("q2", "hose", "en") };
        // The data set's own judgments know only p3 for "drill" (p1 is relevant too, but unjudged).
        var judgments = new List<Judgment> { new("q1", "p3", 2, JudgmentSource.Human), new("q2", "p2", 2, JudgmentSource.Human) };
        var ds = new Dataset(products, queries, judgments);
        var console = SilentConsole();
        var bm25 = TitleBm25();

        var own = EvalRunner.Run(ds, new EvalRunOptions { OutDir = Path.Combine(_dir, "own"), Retriever = bm25 }, console).Result;
        Assert.Equal(0.1, own.Metrics["precision@10"]!.Value, 9); // q1: p3 of the two drills; q2: the hose → (1/10 + 1/10) / 2

        // A complete qrels file: both drills relevant for q1; q2 graded too; a third query id of the file is unknown → error.
        var qrels = File_("qrels.jsonl",
            "{\"query_id\":\"q1\",\"product_id\":\"p1\",\"grade\":2}\n" +
            "{\"query_id\":\"q1\",\"product_id\":\"p3\",\"grade\":1}\n" +
            "{\"query_id\":\"q2\",\"product_id\":\"p2\",\"grade\":2}\n");
        var outDir = Path.Combine(_dir, "qrels");
        var r = EvalRunner.Run(ds, new EvalRunOptions { OutDir = outDir, Retriever = bm25, QrelsPath = qrels }, console).Result;
        Assert.Equal(2, r.Queries);
        Assert.Equal(1.0, r.Metrics["recall@10"]!.Value, 9);      // both drills found for q1, the hose for q2
        Assert.Equal(0.15, r.Metrics["precision@10"]!.Value, 9);  // (2/10 + 1/10) / 2: the unjudged drill now counts
        using (var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json"))))
            Assert.Equal(3, run.RootElement.GetProperty("notes").GetProperty("qrels_judgments").GetInt32());

        var bad = File_("bad.jsonl", "{\"query_id\":\"q9\",\"product_id\":\"p1\",\"grade\":2}\n");
        var e = Assert.Throws<ArgumentException>(() =>
            EvalRunner.Run(ds, new EvalRunOptions { OutDir = Path.Combine(_dir, "bad"), Retriever = bm25, QrelsPath = bad }, console));
        Assert.Contains("'q9'", e.Message);

        var (code, _, err) = CliRunner.Run("eval", "--format", "jsonl", "--data", _dir, "--out", _dir, "--qrels", "/no/qrels.jsonl");
        Assert.Equal(2, code);
        Assert.Contains("--qrels: file '/no/qrels.jsonl' does not exist", err);
    }

    [Fact]
    public void Judged_pool_ranks_the_judged_products_among_random_ones_instead_of_the_catalog()
    {
        // Each query's shortest matching title is unjudged, so over the catalog BM25 puts it first (grade 0 by
        // convention) and the judged exact match second.
        var products = new List<Product>
        {
            Product.Simple("p1", "drill"), Product.Simple("p2", "garden hose reel"), Product.Simple("p3", "drill bits set"),
            Product.Simple("p4", "hose"), Product.Simple("p5", "table lamp"), Product.Simple("p6", "office chair"),
        };
        var queries = new List<Query> { new("q1", "drill", "en"), new("q2", "hose", "en") };
        var judgments = new List<Judgment> { new("q1", "p3", 2, JudgmentSource.Human), new("q2", "p2", 2, JudgmentSource.Human) };
        var ds = new Dataset(products, queries, judgments);
        var console = SilentConsole();
        var bm25 = TitleBm25();
        double Mrr(string name, string pool, double ratio) => EvalRunner.Run(ds, new EvalRunOptions
            { OutDir = Path.Combine(_dir, name), Retriever = bm25, Pool = pool, PoolRandomRatio = ratio }, console).Result.Metrics["mrr@10"]!.Value;

        Assert.Equal(0.5, Mrr("catalog", "catalog", 2), 9);
        Assert.Equal(1.0, Mrr("judged0", "judged", 0), 9);   // only the judged products: each is first
        Assert.Equal(0.5, Mrr("judged9", "judged", 9), 9);   // 2 × 9 random > the 4 unjudged: the whole catalog again
        using (var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "judged9", "run.json"))))
        {
            var notes = run.RootElement.GetProperty("notes");
            Assert.Equal(2, notes.GetProperty("pool_judged_items").GetInt32());
            Assert.Equal(4, notes.GetProperty("pool_random_items").GetInt32());
            Assert.Equal(6, notes.GetProperty("products").GetInt32());
        }

        var (code, _, err) = CliRunner.Run("eval", "--format", "jsonl", "--data", _dir, "--out", _dir, "--pool", "sample");
        Assert.Equal(2, code);
        Assert.Contains("Unknown --pool 'sample'", err);
        (code, _, err) = CliRunner.Run("eval", "--format", "jsonl", "--data", _dir, "--out", _dir, "--pool", "judged", "--pool-random-ratio", "-1");
        Assert.Equal(2, code);
        Assert.Contains("--pool-random-ratio must be a finite number ≥ 0 (got -1)", err);
    }

    [Theory]
    [InlineData("--labeler|LAB|--judge|complete:QR", "either --labeler <DIR> or --judge <JUDGE>")]
    [InlineData("--no-relabel|--judge|complete:QR", "--no-relabel assumes unjudged pairs are grade 0")]
    [InlineData("--judge|oracle", "Unknown --judge 'oracle'")]
    [InlineData("--judge|complete:/no/t.jsonl", "--judge: file '/no/t.jsonl' does not exist")]
    [InlineData("", "--labeler <DIR>: an existing labeler folder is required")]
    public void Mine_checks_its_labeler_options(string extra, string message)
    {
        var model = Path.Combine(_dir, "model");
        var lab = Path.Combine(_dir, "lab");
        Directory.CreateDirectory(model);
        Directory.CreateDirectory(lab);
        var qrels = File_("t.jsonl", "");
        var args = new List<string> { "mine", "--format", "jsonl", "--data", _dir, "--model", model, "--out", Path.Combine(_dir, "m") };
        if (extra.Length > 0) args.AddRange(extra.Split('|').Select(a => a.Replace("LAB", lab).Replace("QR", qrels)));
        var (code, _, err) = CliRunner.Run(args.ToArray());
        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public void Eval_replays_another_systems_trec_run_with_the_same_metrics_and_compare_takes_it()
    {
        // A search team's production results arrive as a TREC run; here BM25's own run.trec stands in for it, with one
        // query's lines removed (it still counts, scoring 0) — so the replayed metrics must equal BM25's except there.
        string sample = Path.Combine(_dir, "sample");
        var gen = CliRunner.Run("sample", "--out", sample, "--products", "300", "--queries", "50", "--seed", "5");
        Assert.True(gen.Code == 0, gen.Err);
        string bm25 = Path.Combine(_dir, "ev-bm25"), replay = Path.Combine(_dir, "ev-replay"), partial = Path.Combine(_dir, "ev-partial");
        var e1 = CliRunner.Run("eval", "--format", "sample", "--data", sample, "--retriever", "bm25", "--split", "test", "--out", bm25);
        Assert.True(e1.Code == 0, e1.Err);
        string runFile = Path.Combine(bm25, "run.trec");
        var (code, stdout, err) = CliRunner.Run("eval", "--format", "sample", "--data", sample, "--retriever", "run", "--run", runFile,
            "--split", "test", "--out", replay, "--json");
        Assert.True(code == 0, err);
        using (var a = JsonDocument.Parse(File.ReadAllText(Path.Combine(bm25, "metrics.json"))))
        using (var b = JsonDocument.Parse(stdout))
        {
            var ma = a.RootElement.GetProperty("metrics");
            var mb = b.RootElement.GetProperty("metrics");
            foreach (var m in ma.EnumerateObject())
                if (m.Value.ValueKind == JsonValueKind.Number) Assert.Equal(m.Value.GetDouble(), mb.GetProperty(m.Name).GetDouble(), 12);
            // The replay's separation uses the run's scores, so it covers the judged pairs BM25 ranked in its top 100;
            // with the ones it did not rank it accounts for every pair BM25 itself scored.
            static int Scored(JsonElement s) => s.GetProperty("pairs_grade0").GetInt32() + s.GetProperty("pairs_grade1").GetInt32() + s.GetProperty("pairs_grade2").GetInt32();
            var sa = a.RootElement.GetProperty("separation");
            var sb = b.RootElement.GetProperty("separation");
            Assert.False(sa.TryGetProperty("pairs_without_score", out _));
            Assert.Equal(Scored(sa) + sa.GetProperty("pairs_unscorable").GetInt32(), Scored(sb) + sb.GetProperty("pairs_without_score").GetInt32());
            Assert.True(Scored(sb) > 0);
        }
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(replay, "run.json"))))
        {
            Assert.Equal(0, manifest.RootElement.GetProperty("notes").GetProperty("queries_without_ranking").GetInt32());
            Assert.Contains(manifest.RootElement.GetProperty("inputs").EnumerateObject(), p => p.Name.EndsWith("run.trec", StringComparison.Ordinal));
        }

        string firstQuery = File.ReadLines(runFile).First().Split(' ')[0];
        string cut = Path.Combine(_dir, "cut.trec");
        File.WriteAllLines(cut, File.ReadLines(runFile).Where(l => l.Split(' ')[0] != firstQuery));
        var e3 = CliRunner.Run("eval", "--format", "sample", "--data", sample, "--retriever", "run", "--run", cut, "--split", "test", "--out", partial);
        Assert.True(e3.Code == 0, e3.Err);
        Assert.Contains("1 of the", e3.Out + e3.Err);
        Assert.Contains("have no ranking in", e3.Out + e3.Err);
        var cmp = CliRunner.Run("compare", bm25, partial, "--metric", "ndcg@10", "--json");
        Assert.True(cmp.Code == 0, cmp.Err);
        using (var c = JsonDocument.Parse(cmp.Out))
        {
            // Every other query replays BM25 exactly: no wins, at most the one loss.
            var r = c.RootElement.GetProperty("metrics")[0].GetProperty("result");
            Assert.Equal(0, r.GetProperty("wins").GetInt32());
            Assert.InRange(r.GetProperty("losses").GetInt32(), 0, 1);
        }
        var table = MineRefine.Evaluation.PerQueryFile.Read(Path.Combine(partial, "per_query.csv"));
        var row = table.Find(firstQuery)!;
        Assert.True(row.Skipped || row.Values[table.MetricIndex("ndcg@10")] == 0.0);
    }

    [Theory]
    [InlineData("--retriever|run", "--retriever run needs --run FILE")]
    [InlineData("--run|RUN", "--run only goes with --retriever run (got --retriever bm25)")]
    [InlineData("--retriever|run|--run|/no/run.trec", "--run: file '/no/run.trec' does not exist")]
    [InlineData("--retriever|run|--run|RUN|--pool|judged", "leave out --pool with --retriever run")]
    [InlineData("--retriever|run|--run|RUN|--misspell|7", "leave out --misspell with --retriever run")]
    [InlineData("--retriever|run|--run|RUN|--model|minilm", "--model does not apply to --retriever run")]
    public void Eval_run_retriever_usage_errors_say_what_to_change(string args, string message)
    {
        string run = Path.Combine(_dir, "r.trec");
        File.WriteAllText(run, "q1 Q0 p1 1 1.0 x\n");
        var (code, _, err) = CliRunner.Run(["eval", "--format", "jsonl", "--data", _dir, "--out", _dir,
            .. args.Split('|').Select(a => a == "RUN" ? run : a)]);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }
}
