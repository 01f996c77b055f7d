using System.Text.Json;
using MineRefine.Data;
using MineRefine.Evaluation;
using MineRefine.Retrieval;

namespace MineRefine.Tests.Evaluation;

public class RetrievalEvaluatorTests
{
    internal static Dataset TinyDataset()
    {
        var products = Enumerable.Range(1, 6).Select(i => Product.Simple($"p{i}", $"product {i}")).ToList();
        var queries = new List<Query> { new("q1", "alpha", "en"), new("q2", "beta", "en"), new("q3", "gamma, \"x\"", "en") };
        var judgments = new List<Judgment>
        {
            new("q1", "p1", 2, JudgmentSource.Human), new("q1", "p2", 1, JudgmentSource.Human),
            new("q1", "p3", 0, JudgmentSource.Human), new("q1", "pX", 1, JudgmentSource.Human), // pX not in catalog
            new("q2", "p4", 0, JudgmentSource.Human),                                           // no relevant → skipped
            new("q3", "p5", 1, JudgmentSource.Human),                                           // no grade 2
        };
        return new Dataset(products, queries, judgments);
    }

    internal static FakeRetriever TinyRetriever() => new(
        new Dictionary<string, SearchHit[]>
        {
            ["alpha"] = [new("p3", 4f), new("p1", 3f), new("p6", 2f), new("p2", 1f)],
            ["beta"] = [new("p4", 1f)],
            ["gamma, \"x\""] = [new("p6", 2f), new("p2", 1f)],
        },
        new Dictionary<(string, string), float>
        {
            [("alpha", "p1")] = 0.9f, [("alpha", "p2")] = 0.5f, [("alpha", "p3")] = 0.3f,
            [("beta", "p4")] = 0.1f, [("gamma, \"x\"", "p5")] = 0.3f,
        });

    [Fact]
    public void Averages_hand_computed_metrics_and_skips_queries_without_relevant_items()
    {
        var ds = TinyDataset();
        var r = new RetrievalEvaluator().Evaluate("fake", TinyRetriever(), ds, ds.Judgments);

        Assert.Equal(2, r.Queries);
        Assert.Equal(1, r.Skipped);
        Assert.Equal(1, r.QueriesWithExact);
        // q1: grades [0,2,0,1]; DCG = 1/log2(3) + 0.5/log2(5); IDCG = 1 + 0.5/log2(3) + 0.5/log2(4) → 0.54059; q3: 0.
        Assert.Equal(0.5405857679450102 / 2, r.Metrics["ndcg@10"]!.Value, 10);
        Assert.Equal((2.0 / 3 + 0) / 2, r.Metrics["recall@10"]!.Value, 12); // pX is relevant but unretrievable
        Assert.Equal((2.0 / 10 + 0) / 2, r.Metrics["precision@10"]!.Value, 12);
        Assert.Equal((2.0 / 50 + 0) / 2, r.Metrics["precision@50"]!.Value, 12);
        Assert.Equal((0.5 + 0) / 2, r.Metrics["mrr@10"]!.Value, 12);
        Assert.Equal(1.0, r.Metrics["recall2@10"]!.Value, 12);      // only q1 has grade 2
        Assert.Equal(1.0 / 10, r.Metrics["precision2@10"]!.Value, 12);
        // Judged-only view. q1 retrieves p3 (0), p1 (2), p6 (unjudged), p2 (1): condensed [0, 2, 1], DCG =
        // 1/log2(3) + 0.5/log2(4) = 0.880930 over IDCG 1.565465 = 0.562727; judged@10 = 3/10. q3 retrieves p6
        // (unjudged), p2 (unjudged for q3): condensed [] → 0, judged 0.
        Assert.Equal((1 / Math.Log2(3) + 0.5 / 2) / (1 + 0.5 / Math.Log2(3) + 0.5 / 2) / 2, r.Metrics["ndcg_judged@10"]!.Value, 12);
        Assert.Equal(0.5627273, r.Metrics["ndcg_judged@10"]!.Value * 2, 6);
        Assert.Equal((3.0 / 10 + 0) / 2, r.Metrics["judged@10"]!.Value, 12);
        Assert.Equal((3.0 / 100 + 0) / 2, r.Metrics["judged@100"]!.Value, 12);

        var s = r.Separation!;
        Assert.Equal(0.6, s.AverageMargin!.Value, 6);               // only q1 has both grades 2 and 0
        Assert.Equal(0.6, s.WorstCaseMargin!.Value, 6);
        Assert.Equal(1.0, s.Auc2Vs0!.Value, 12);
        Assert.Equal(3.5 / 4, s.Auc1Vs0!.Value, 12);                // 0.3 vs 0.3 tie counts ½
        Assert.Equal(0.2, s.MeanScoreGrade0!.Value, 6);
        Assert.Equal(1, s.PairsUnscorable);
        Assert.Equal(3, r.PerQuery.Count);
        Assert.True(r.PerQuery[1].Skipped);
    }

    [Fact]
    public void Metrics_json_has_stable_keys_and_separation_only_for_pair_scorers()
    {
        var ds = TinyDataset();
        var r = new RetrievalEvaluator().Evaluate("fake", TinyRetriever(), ds, ds.Judgments);
        using var doc = JsonDocument.Parse(r.ToJson());
        var root = doc.RootElement;
        Assert.Equal(["system", "queries", "skipped", "queries_grade2", "metrics", "separation"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(
            ["ndcg@10", "ndcg@50", "ndcg@100", "recall@10", "recall@50", "recall@100",
             "precision@10", "precision@50", "precision@100", "mrr@10",
             "recall2@10", "recall2@50", "recall2@100", "precision2@10", "precision2@50", "precision2@100",
             "ndcg_judged@10", "ndcg_judged@50", "ndcg_judged@100", "judged@10", "judged@50", "judged@100",
             "ndcg_tie_aware@10", "ndcg_tie_aware@50", "ndcg_tie_aware@100", "tied@10", "tied@50", "tied@100"],
            root.GetProperty("metrics").EnumerateObject().Select(p => p.Name).ToArray());
        var sep = root.GetProperty("separation");
        foreach (var key in new[] { "average_margin", "worst_case_margin", "auc_2_vs_0", "auc_1_vs_0", "auc_2_vs_1",
                     "mean_score_grade0", "mean_score_grade1", "mean_score_grade2", "p10_score_grade0", "p90_score_grade2" })
            Assert.True(sep.TryGetProperty(key, out _), key);

        var plain = new RetrievalEvaluator().Evaluate("fake", new RetrieveOnly(TinyRetriever()), ds, ds.Judgments);
        using var doc2 = JsonDocument.Parse(plain.ToJson());
        Assert.Equal(JsonValueKind.Null, doc2.RootElement.GetProperty("separation").ValueKind);
    }

    [Fact]
    public void WriteTo_writes_all_files()
    {
        var ds = TinyDataset();
        var r = new RetrievalEvaluator().Evaluate("fake", TinyRetriever(), ds, ds.Judgments);
        var dir = Path.Combine(Path.GetTempPath(), "mr-eval-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = r.WriteTo(dir);
            Assert.Equal(4, files.Count);
            var csv = File.ReadAllLines(Path.Combine(dir, "per_query.csv"));
            Assert.Equal(4, csv.Length);
            Assert.StartsWith("query_id,query_text,n_judged,n_relevant,n_exact,skipped,ndcg@10,", csv[0]);
            Assert.StartsWith("q1,alpha,4,3,1,false,0.540586,", csv[1]);
            Assert.StartsWith("q2,beta,1,0,0,true,,", csv[2]);
            Assert.StartsWith("q3,\"gamma, \"\"x\"\"\",1,1,0,false,0,", csv[3]);
            // Per-query margins (the fake scores pairs): q1 = 0.9 − 0.3 for both; q2, q3 lack grade 2 → empty.
            Assert.EndsWith(",margin,worst_margin", csv[0]);
            Assert.EndsWith(",0.6,0.6", csv[1]);
            Assert.EndsWith(",,", csv[2]);
            var table = PerQueryFile.Read(Path.Combine(dir, "per_query.csv"));
            Assert.Equal(0.6, table.Find("q1")!.Values[table.MetricIndex("worst_margin")]!.Value, 6);
            Assert.Null(table.Find("q3")!.Values[table.MetricIndex("margin")]);
            var run = File.ReadAllLines(Path.Combine(dir, "run.trec"));
            Assert.Equal("q1 Q0 p3 1 4 fake", run[0]);
            Assert.Equal(7, run.Length);
            Assert.Equal(6, File.ReadAllLines(Path.Combine(dir, "qrels.trec")).Length);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_written_run_file_replays_to_the_same_metrics_and_a_missing_query_scores_zero()
    {
        var ds = TinyDataset();
        var original = new RetrievalEvaluator().Evaluate("fake", TinyRetriever(), ds, ds.Judgments);
        var dir = Path.Combine(Path.GetTempPath(), "mr-replay-" + Guid.NewGuid().ToString("N"));
        try
        {
            original.WriteTo(dir);
            string runFile = Path.Combine(dir, "run.trec");
            using (var replay = RunFileRetriever.Load(runFile))
            {
                var r = new RetrievalEvaluator().Evaluate("replay", replay, ds, ds.Judgments);
                Assert.Equal(original.Metrics.Keys, r.Metrics.Keys);
                foreach (var (key, value) in original.Metrics) Assert.Equal(value, r.Metrics[key]);
                // The separation uses the file's scores of the judged pairs it ranks: q1 p3 (0) 4, p1 (2) 3, p2 (1) 1 and
                // q2 p4 (0) 1; q1's pX and q3's p5 are not ranked. q1's margin 3 − 4 = −1; AUC 2 vs 0: 3 against 4 and 1
                // → ½; AUC 1 vs 0: 1 against 4 and 1 (a tie, ½) → ¼.
                var s = r.Separation!;
                Assert.Equal(2, s.PairsWithoutScore);
                Assert.Equal(0, s.PairsUnscorable);
                Assert.Equal(1, s.MarginQueries);
                Assert.Equal(-1.0, s.AverageMargin!.Value, 6);
                Assert.Equal(-1.0, s.WorstCaseMargin!.Value, 6);
                Assert.Equal(0.5, s.Auc2Vs0!.Value, 12);
                Assert.Equal(0.25, s.Auc1Vs0!.Value, 12);
                Assert.Equal(2.5, s.MeanScoreGrade0!.Value, 6);
                Assert.Equal(4, s.PairsGrade0 + s.PairsGrade1 + s.PairsGrade2);
                Assert.Contains("\"pairs_without_score\": 2", JsonSerializer.Serialize(s, new JsonSerializerOptions { WriteIndented = true }));
                Assert.Null(original.Separation!.PairsWithoutScore); // a text pair scorer is asked for every pair
                Assert.DoesNotContain("pairs_without_score", JsonSerializer.Serialize(original.Separation));
                Assert.Equal(0, replay.QueriesWithoutRanking);
                Assert.Equal(3, replay.QueriesInFile);
                Assert.Throws<InvalidOperationException>(() => replay.SearchBatch(["alpha"], 10));
            }

            // Drop q1's lines: q1 now retrieves nothing and scores 0; q3 keeps its value.
            File.WriteAllLines(runFile, File.ReadAllLines(runFile).Where(l => !l.StartsWith("q1 ", StringComparison.Ordinal)));
            using (var partial = RunFileRetriever.Load(runFile))
            {
                var r = new RetrievalEvaluator().Evaluate("partial", partial, ds, ds.Judgments);
                Assert.Equal(1, partial.QueriesWithoutRanking);
                Assert.Equal(0.0, r.PerQuery[0].Metrics["ndcg@10"]);
                Assert.Empty(r.PerQuery[0].Hits);
                Assert.Equal(original.PerQuery[2].Metrics["ndcg@10"], r.PerQuery[2].Metrics["ndcg@10"]);
                Assert.Equal(2, r.Queries);                    // still evaluated, not dropped
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("q1 Q0 p1 1 2.5 sys\nq1 Q0 p1 2 1.5 sys\n", 2, "docid (field 3)", "listed twice for query 'q1' (first on line 1)")]
    [InlineData("q1 Q0 p1 1 2.5 sys\nq1 Q0 p2 1 1.5 sys\n", 2, "rank (field 4)", "rank 1 is used twice")]
    [InlineData("q1 Q0 p1 0 2.5 sys\n", 1, "rank (field 4)", "not a rank ≥ 1")]
    [InlineData("q1 Q0 p1 1 high sys\n", 1, "score (field 5)", "not a number")]
    [InlineData("q1 Q0 p1 1 2.5\n", 1, null, "expected 6 white-space separated fields")]
    public void A_bad_run_file_line_is_an_error_naming_line_and_field(string text, long line, string? field, string message)
    {
        var file = Path.Combine(Path.GetTempPath(), "mr-run-" + Guid.NewGuid().ToString("N") + ".trec");
        try
        {
            File.WriteAllText(file, text);
            var e = Assert.Throws<DataFormatException>(() => RunFileRetriever.Load(file));
            Assert.Equal(line, e.Line);
            Assert.Equal(field, e.Field);
            Assert.Contains(message, e.Message);
            Assert.Contains(file, e.Message);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void A_run_file_is_read_in_rank_order_not_line_order()
    {
        var file = Path.Combine(Path.GetTempPath(), "mr-run-" + Guid.NewGuid().ToString("N") + ".trec");
        try
        {
            File.WriteAllText(file, "q1 Q0 p2 2 1.0 sys\nq1 Q0 p1 1 3.0 sys\n\nq2 Q0 a%20b 1 0.5 sys\n");
            var run = TrecReader.ReadRunHits(file);
            Assert.Equal([new SearchHit("p1", 3f), new SearchHit("p2", 1f)], run["q1"]);
            Assert.Equal("a b", run["q2"][0].ProductId); // ids unescaped as eval writes them
            using var r = RunFileRetriever.Load(file);
            Assert.Equal(["p1"], r.SearchBatchById(["q1", "nope"], 1)[0].Select(h => h.ProductId));
            Assert.Equal(1, r.QueriesWithoutRanking);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Unknown_query_id_is_an_error()
    {
        var ds = TinyDataset();
        var ex = Assert.Throws<ArgumentException>(() => new RetrievalEvaluator().Evaluate("fake", TinyRetriever(), ds,
            [new Judgment("nope", "p1", 2, JudgmentSource.Human)]));
        Assert.Contains("nope", ex.Message);
    }
}
