using MineRefine.Data;
using MineRefine.Evaluation;

namespace MineRefine.Tests.Evaluation;

public class PairedComparisonTests
{
    private static readonly PairedComparisonOptions Fast = new() { Resamples = 2000 };

    [Fact]
    public void Hand_values_on_four_queries()
    {
        double[] a = [0.5, 0.2, 0.8, 0.4];
        double[] b = [0.7, 0.2, 0.6, 0.9];
        // d = [+0.2, 0, −0.2, +0.5]: mean 0.125; means 0.475 → 0.6; relative 0.125 / 0.475.
        var r = PairedComparison.Compare(a, b, Fast);
        Assert.Equal(4, r.N);
        Assert.Equal(0.475, r.MeanA, 12);
        Assert.Equal(0.6, r.MeanB, 12);
        Assert.Equal(0.125, r.MeanDifference, 12);
        Assert.Equal(0.125 / 0.475, r.RelativeChange!.Value, 12);
        Assert.Equal((2, 1, 1), (r.Wins, r.Losses, r.Ties));
        Assert.True(r.CiLow <= r.MeanDifference && r.MeanDifference <= r.CiHigh);
        // The bootstrap mean of 4 draws from d lies within [min d, max d].
        Assert.InRange(r.CiLow, -0.2, 0.5);
        Assert.InRange(r.CiHigh, -0.2, 0.5);
        Assert.Null(PairedComparison.Compare([0.0, 0.0], [0.1, 0.3], Fast).RelativeChange); // mean A = 0
        // A negative baseline (worst-case margins): −0.2 → −0.3 is a 50 % drop, not a +50 % change.
        Assert.Equal(-0.5, PairedComparison.Compare([-0.1, -0.3], [-0.2, -0.4], Fast).RelativeChange!.Value, 12);
    }

    [Fact]
    public void Sign_flip_and_bootstrap_match_their_exact_distributions_on_two_queries()
    {
        // d = [1, 1]: the four equally likely sign patterns give means 1, 0, 0, −1, so P(|m| ≥ 1) = 1/2.
        double p = PairedComparison.SignFlipPValue([1.0, 1.0], 20_000, 5);
        Assert.InRange(p, 0.48, 0.52);
        // d = [0, 1]: bootstrap means 0, ½, ½, 1 with probabilities ¼, ½, ¼ → the 95 % percentile interval is [0, 1].
        var (lo, hi) = PairedComparison.BootstrapInterval([0.0, 1.0], 20_000, 5, 0.95);
        Assert.Equal(0.0, lo);
        Assert.Equal(1.0, hi);
        // … and the 40 % interval (quantiles 0.3 and 0.7) is [½, ½].
        var (lo40, hi40) = PairedComparison.BootstrapInterval([0.0, 1.0], 20_000, 5, 0.40);
        Assert.Equal(0.5, lo40);
        Assert.Equal(0.5, hi40);
    }

    [Fact]
    public void Identical_inputs_give_zero_difference_zero_interval_and_p_one()
    {
        double[] a = [0.1, 0.5, 0.9, 0.3, 0.7];
        var r = PairedComparison.Compare(a, (double[])a.Clone());
        Assert.Equal(0.0, r.MeanDifference);
        Assert.Equal(0.0, r.CiLow);
        Assert.Equal(0.0, r.CiHigh);
        Assert.Equal(1.0, r.PValue);
        Assert.Equal((0, 0, 5), (r.Wins, r.Losses, r.Ties));
    }

    [Fact]
    public void Large_consistent_improvement_is_significant_and_excludes_zero()
    {
        var a = Enumerable.Range(0, 30).Select(i => 0.3 + 0.01 * (i % 7)).ToArray();
        var b = a.Select((x, i) => x + 0.05 + 0.01 * (i % 3)).ToArray();
        var r = PairedComparison.Compare(a, b);
        Assert.Equal(30, r.Wins);
        Assert.True(r.PValue < 0.01, $"p = {r.PValue}");
        Assert.True(r.CiLow > 0, $"CI = [{r.CiLow}, {r.CiHigh}]");
        Assert.InRange(r.MeanDifference, r.CiLow, r.CiHigh);
        // The reverse comparison is a consistent loss: same p, mirrored interval.
        var back = PairedComparison.Compare(b, a);
        Assert.Equal(r.PValue, back.PValue);
        Assert.True(back.CiHigh < 0);
        Assert.Equal(30, back.Losses);
    }

    [Fact]
    public void Balanced_wins_and_losses_are_not_significant()
    {
        // Differences +0.1, −0.1 alternating: mean 0, so every flipped mean is at least as extreme → p = 1.
        var a = Enumerable.Range(0, 20).Select(i => 0.5).ToArray();
        var b = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? 0.6 : 0.4).ToArray();
        var r = PairedComparison.Compare(a, b, Fast);
        Assert.Equal(1.0, r.PValue);
        Assert.True(r.CiLow < 0 && r.CiHigh > 0);
        Assert.Equal((10, 10, 0), (r.Wins, r.Losses, r.Ties));
    }

    [Fact]
    public void Same_seed_gives_the_same_interval_and_p_value()
    {
        var rng = new Random(3);
        var a = Enumerable.Range(0, 25).Select(_ => rng.NextDouble()).ToArray();
        var b = a.Select(x => Math.Clamp(x + (rng.NextDouble() - 0.4) * 0.2, 0, 1)).ToArray();
        var r1 = PairedComparison.Compare(a, b, new PairedComparisonOptions { Resamples = 3000, Seed = 42 });
        var r2 = PairedComparison.Compare(a, b, new PairedComparisonOptions { Resamples = 3000, Seed = 42 });
        var r3 = PairedComparison.Compare(a, b, new PairedComparisonOptions { Resamples = 3000, Seed = 43 });
        Assert.Equal((r1.CiLow, r1.CiHigh, r1.PValue), (r2.CiLow, r2.CiHigh, r2.PValue));
        Assert.NotEqual((r1.CiLow, r1.CiHigh), (r3.CiLow, r3.CiHigh));
    }

    [Fact]
    public void Options_and_inputs_are_validated_with_clear_messages()
    {
        var e = Assert.Throws<ArgumentException>(() => new PairedComparisonOptions { Resamples = 10 }.Validate());
        Assert.Contains("Resamples must be at least 100 (got 10)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new PairedComparisonOptions { ConfidenceLevel = 95 }.Validate());
        Assert.Contains("strictly between 0 and 1 (got 95)", e.Message);
        e = Assert.Throws<ArgumentException>(() => PairedComparison.Compare([1.0, 2.0], [1.0], Fast));
        Assert.Contains("A has 2, B has 1", e.Message);
        Assert.Throws<ArgumentException>(() => PairedComparison.Compare([], [], Fast));
        Assert.Throws<ArgumentException>(() => PairedComparison.Compare([double.NaN], [1.0], Fast));
    }

    private const string Header = "query_id,query_text,n_judged,n_relevant,n_exact,skipped,ndcg@10,recall@100,recall2@10\n";

    private static PerQueryTable Parse(string text, string file = "x/per_query.csv") =>
        PerQueryFile.Read(new StringReader(text), file);

    [Fact]
    public void Default_metrics_add_the_judged_only_view_when_both_runs_have_it()
    {
        const string full = "query_id,query_text,n_judged,n_relevant,n_exact,skipped,ndcg@10,ndcg@50,ndcg@100,recall@100,ndcg_judged@10,judged@10\n";
        const string old = "query_id,query_text,n_judged,n_relevant,n_exact,skipped,ndcg@10,ndcg@50,ndcg@100,recall@100\n";
        var a = Parse(full + "q1,a,2,1,0,false,0.5,0.5,0.5,1,0.8,0.2\nq2,b,2,1,0,false,0.2,0.3,0.3,1,0.6,0.1\n", "A.csv");
        var b = Parse(full + "q1,a,2,1,0,false,0.6,0.6,0.6,1,0.9,0.1\nq2,b,2,1,0,false,0.4,0.4,0.4,1,0.7,0.2\n", "B.csv");
        var legacy = Parse(old + "q1,a,2,1,0,false,0.6,0.6,0.6,1\nq2,b,2,1,0,false,0.4,0.4,0.4,1\n", "old.csv");

        var r = RunComparison.Compare(a, b, null, Fast);
        Assert.Equal(["ndcg@10", "ndcg@50", "ndcg@100", "recall@100", "ndcg_judged@10", "judged@10"], r.Metrics.Select(m => m.Metric));
        Assert.Equal(0.1, r.Metrics[4].Result.MeanDifference, 12);   // (0.1 + 0.1) / 2
        Assert.Equal(0.0, r.Metrics[5].Result.MeanDifference, 12);   // (−0.1 + 0.1) / 2
        // A file written before these metrics existed: the plain defaults, no error.
        Assert.Equal(RunComparison.DefaultMetrics, RunComparison.Compare(a, legacy, null, Fast).Metrics.Select(m => m.Metric));
        Assert.Equal(RunComparison.DefaultMetrics, RunComparison.DefaultMetricsFor(legacy, b));

        // Both with the tie columns as well: they follow the judged-only pair; one without them: left out.
        const string ties = "query_id,query_text,n_judged,n_relevant,n_exact,skipped,ndcg@10,ndcg@50,ndcg@100,recall@100,ndcg_judged@10,judged@10,ndcg_tie_aware@10,tied@10\n";
        var ta = Parse(ties + "q1,a,2,1,0,false,0.5,0.5,0.5,1,0.8,0.2,0.45,1\nq2,b,2,1,0,false,0.2,0.3,0.3,1,0.6,0.1,0.2,0\n", "TA.csv");
        var tb = Parse(ties + "q1,a,2,1,0,false,0.6,0.6,0.6,1,0.9,0.1,0.6,0\nq2,b,2,1,0,false,0.4,0.4,0.4,1,0.7,0.2,0.4,0\n", "TB.csv");
        var withTies = RunComparison.Compare(ta, tb, null, Fast);
        Assert.Equal(["ndcg@10", "ndcg@50", "ndcg@100", "recall@100", "ndcg_judged@10", "judged@10", "ndcg_tie_aware@10", "tied@10"],
            withTies.Metrics.Select(m => m.Metric));
        Assert.Equal(0.175, withTies.Metrics[6].Result.MeanDifference, 12); // (0.15 + 0.2) / 2
        Assert.Equal(-0.5, withTies.Metrics[7].Result.MeanDifference, 12);
        Assert.Equal([.. RunComparison.DefaultMetrics, .. RunComparison.JudgedOnlyMetrics], RunComparison.DefaultMetricsFor(ta, b));
    }

    [Fact]
    public void Reader_reads_values_quoted_text_and_empty_cells()
    {
        var t = Parse(Header +
                      "q1,\"drill, cordless\",3,2,1,false,0.5,1,0.25\n" +
                      "q2,\"multi\nline\",2,0,0,true,,,\n" +
                      "q3,hose,1,1,0,false,0.75,1,\n");
        Assert.Equal(["ndcg@10", "recall@100", "recall2@10"], t.MetricKeys);
        Assert.Equal(3, t.Rows.Count);
        Assert.Equal(0.5, t.Find("q1")!.Values[t.MetricIndex("ndcg@10")]);
        Assert.True(t.Find("q2")!.Skipped);
        Assert.Null(t.Find("q3")!.Values[t.MetricIndex("recall2@10")]);
        Assert.Equal(5, t.Find("q3")!.Line); // the quoted line break in q2 moves q3 to line 5
    }

    [Fact]
    public void Reader_reads_what_the_evaluator_writes()
    {
        var result = new EvaluationResult
        {
            System = "s", Queries = 1, Skipped = 1, QueriesWithExact = 0,
            Metrics = new OrderedDictionary<string, double?> { ["ndcg@10"] = 0.123457, ["recall2@10"] = null },
            PerQuery =
            [
                new QueryEvaluation("q1", "a \"quoted\", text", 2, 1, 0, false, [],
                    new Dictionary<string, double> { ["ndcg@10"] = 0.1234567, ["recall2@10"] = double.NaN }),
                new QueryEvaluation("q2", "b", 1, 0, 0, true, [], new Dictionary<string, double>()),
            ],
        };
        var w = new StringWriter();
        result.WritePerQueryCsv(w);
        var t = Parse(w.ToString());
        Assert.Equal(["ndcg@10", "recall2@10"], t.MetricKeys);
        Assert.Equal(0.123457, t.Find("q1")!.Values[0]!.Value, 12); // written with 6 decimals
        Assert.Null(t.Find("q1")!.Values[1]);
        Assert.True(t.Find("q2")!.Skipped);
    }

    [Fact]
    public void Reader_errors_name_file_line_and_column()
    {
        var missing = Assert.Throws<DataFormatException>(() => Parse(Header + "q1,a,1,1,0,false,0.5,1,\n").MetricIndex("mrr@10"));
        Assert.Contains("x/per_query.csv:1", missing.Message);
        Assert.Contains("mrr@10", missing.Message);
        Assert.Contains("available: ndcg@10, recall@100, recall2@10", missing.Message);

        var bad = Assert.Throws<DataFormatException>(() => Parse(Header + "q1,a,1,1,0,false,0.5,1,\nq2,b,1,1,0,false,0.5,1x,\n"));
        Assert.Equal(3, bad.Line);
        Assert.Equal("recall@100 (column 8)", bad.Field);
        Assert.StartsWith("x/per_query.csv:3: field 'recall@100 (column 8)': '1x' is not a finite number", bad.Message);

        // A decimal comma splits the row: too many fields for the header.
        var wide = Assert.Throws<DataFormatException>(() => Parse(Header + "q1,a,1,1,0,false,0,5,1,\n"));
        Assert.Contains("row has 10 fields but the header has 9", wide.Message);

        var nan = Assert.Throws<DataFormatException>(() => Parse(Header + "q1,a,1,1,0,false,abc,1,\n"));
        Assert.Equal((2L, "ndcg@10 (column 7)"), (nan.Line, nan.Field));
        Assert.Contains("'abc' is not a finite number", nan.Message);

        var skipped = Assert.Throws<DataFormatException>(() => Parse(Header + "q1,a,1,1,0,yes,0.5,1,\n"));
        Assert.Equal("skipped (column 6)", skipped.Field);

        var dup = Assert.Throws<DataFormatException>(() => Parse(Header + "q1,a,1,1,0,false,0.5,1,\nq1,a,1,1,0,false,0.5,1,\n"));
        Assert.Contains("duplicate query id 'q1' (first on line 2)", dup.Message);

        var noCol = Assert.Throws<DataFormatException>(() => Parse("query_id,ndcg@10\nq1,0.5\n"));
        Assert.Equal("skipped", noCol.Field);
        Assert.Contains("found: query_id, ndcg@10", noCol.Message);

        Assert.Throws<DataFormatException>(() => Parse(""));
    }

    [Fact]
    public void Mean_averages_runs_per_query_and_rejects_mismatched_runs()
    {
        var r1 = Parse(Header + "q1,a,1,1,1,false,0.5,1,0.5\nq2,b,1,1,0,false,0.2,0,\nq3,c,1,0,0,true,,,\n", "r1.csv");
        // Another column order and row order: matched by name and id.
        var r2 = Parse("query_id,query_text,n_judged,n_relevant,n_exact,skipped,recall2@10,recall@100,ndcg@10\n" +
                       "q2,b,1,1,0,false,,1,0.4\nq1,a,1,1,1,false,1,1,0.7\nq3,c,1,0,0,true,,,\n", "r2.csv");
        var m = PerQueryTable.Mean([r1, r2]);
        Assert.Equal(["q1", "q2", "q3"], m.Rows.Select(r => r.QueryId));
        Assert.Equal(0.6, m.Find("q1")!.Values[m.MetricIndex("ndcg@10")]!.Value, 12);
        Assert.Equal(0.75, m.Find("q1")!.Values[m.MetricIndex("recall2@10")]!.Value, 12);
        Assert.Equal(0.3, m.Find("q2")!.Values[m.MetricIndex("ndcg@10")]!.Value, 12);
        Assert.Equal(0.5, m.Find("q2")!.Values[m.MetricIndex("recall@100")]!.Value, 12);
        Assert.Null(m.Find("q2")!.Values[m.MetricIndex("recall2@10")]);
        Assert.True(m.Find("q3")!.Skipped);
        Assert.Equal("mean of 2 runs (r1.csv, r2.csv)", m.File);
        Assert.Same(r1, PerQueryTable.Mean([r1]));

        var skippedDiffers = Parse(Header + "q1,a,1,1,1,false,0.5,1,0.5\nq2,b,1,1,0,true,,,\nq3,c,1,0,0,true,,,\n", "r3.csv");
        var e = Assert.Throws<DataFormatException>(() => PerQueryTable.Mean([r1, skippedDiffers]));
        Assert.Equal(("r3.csv", 3L, "skipped"), (e.FilePath, e.Line, e.Field));
        var fewer = Parse(Header + "q1,a,1,1,1,false,0.5,1,0.5\nq3,c,1,0,0,true,,,\n", "r4.csv");
        var f = Assert.Throws<DataFormatException>(() => PerQueryTable.Mean([r1, fewer]));
        Assert.Equal(("r1.csv", 3L), (f.FilePath, f.Line));
        Assert.Contains("query 'q2' is not in 'r4.csv'", f.Message);
        var extra = Parse(Header + "q1,a,1,1,1,false,0.5,1,0.5\nq2,b,1,1,0,false,0.2,0,\nq3,c,1,0,0,true,,,\nq9,z,1,1,0,false,0.1,1,\n", "r5.csv");
        Assert.Contains("query 'q9' is not in 'r1.csv'", Assert.Throws<DataFormatException>(() => PerQueryTable.Mean([r1, extra])).Message);
    }

    [Fact]
    public void Alignment_counts_queries_only_in_one_run_skipped_and_undefined()
    {
        var a = Parse(Header +
                      "q1,a,1,1,1,false,0.5,1,0.5\n" +
                      "q2,b,1,1,0,false,0.4,1,\n" +
                      "q3,c,1,1,0,false,0.3,1,\n" +
                      "q4,d,1,1,0,false,0.2,1,\n", "A.csv");
        var b = Parse(Header +
                      "q1,a,1,1,1,false,0.7,1,1\n" +
                      "q2,b,1,1,0,false,0.6,1,\n" +
                      "q3,c,1,0,0,true,,,\n" +
                      "q5,e,1,1,0,false,0.9,1,\n", "B.csv");
        var r = RunComparison.Compare(a, b, ["ndcg@10", "recall2@10"], Fast);
        var al = r.Alignment;
        Assert.Equal((4, 4, 3, 2), (al.QueriesA, al.QueriesB, al.Common, al.Compared));
        Assert.Equal(["q4"], al.OnlyInA);
        Assert.Equal(["q5"], al.OnlyInB);
        Assert.Equal(["q3"], al.SkippedInEither);

        var ndcg = r.Metrics[0];
        Assert.Equal(("ndcg@10", 0, 2), (ndcg.Metric, ndcg.UndefinedInEither, ndcg.Result.N));
        Assert.Equal(0.2, ndcg.Result.MeanDifference, 12); // q1: +0.2, q2: +0.2
        var exact = r.Metrics[1];
        Assert.Equal((1, 1), (exact.UndefinedInEither, exact.Result.N)); // q2 has no grade-2 item
        Assert.Equal(0.5, exact.Result.MeanDifference, 12);

        var json = r.ToJson();
        Assert.Contains("\"only_in_a\": [\n      \"q4\"\n    ]", json.Replace("\r", ""));
        Assert.Contains("\"undefined_in_either\": 1", json);
    }

    [Fact]
    public void No_common_queries_and_missing_metric_are_errors()
    {
        var a = Parse(Header + "q1,a,1,1,0,false,0.5,1,\n", "A.csv");
        var b = Parse(Header + "q2,a,1,1,0,false,0.5,1,\n", "B.csv");
        var e = Assert.Throws<ArgumentException>(() => RunComparison.Compare(a, b, ["ndcg@10"], Fast));
        Assert.Contains("No query to compare: 0 query ids are common to 'A.csv' and 'B.csv'", e.Message);
        Assert.Contains("1 only in A, 1 only in B", e.Message);

        var m = Assert.Throws<DataFormatException>(() => RunComparison.Compare(a, a, ["ndcg@5"], Fast));
        Assert.Contains("A.csv:1", m.Message);
        Assert.Contains("available: ndcg@10", m.Message);

        var allUndefined = Assert.Throws<ArgumentException>(() => RunComparison.Compare(a, a, ["recall2@10"], Fast));
        Assert.Contains("Metric 'recall2@10' is undefined", allUndefined.Message);
    }
}
