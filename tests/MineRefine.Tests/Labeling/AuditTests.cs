using MineRefine.Data;
using MineRefine.Labeling;
using MineRefine.Labeling.Audit;

namespace MineRefine.Tests.Labeling;

public sealed class AuditTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mr-audit-" + Guid.NewGuid().ToString("N"));
    public AuditTests() => Directory.CreateDirectory(_dir);
    public void Dispose() { try { Directory.Delete(_dir, true); } catch { } }

    /// <summary>Synthetic world: truth grades, engagement drawn from the truth (ATC rate by grade), labels = truth
    /// with injected annotator errors (2→0 and 0→2, plus undetectable 2→1).</summary>
    private sealed record World(List<Judgment> Truth, List<Judgment> Labels, List<EngagementEvent> Engagement, HashSet<(string, string)> Errors);

    private static World MakeWorld(int seed = 1, int queries = 60, int perQuery = 12)
    {
        var rng = new Random(seed);
        var truth = new List<Judgment>(); var labels = new List<Judgment>(); var eng = new List<EngagementEvent>();
        var errors = new HashSet<(string, string)>();
        double[] atc = { 0.004, 0.04, 0.16 };
        for (int q = 0; q < queries; q++)
        {
            string qid = $"q{q:D3}";
            int impressionsPerPair = q % 3 == 0 ? 300 : q % 3 == 1 ? 80 : 25; // head / torso / tail
            for (int p = 0; p < perQuery; p++)
            {
                string pid = $"p{q:D3}-{p:D2}";
                int g = p < 3 ? 2 : p < 6 ? 1 : 0;
                truth.Add(new Judgment(qid, pid, g, JudgmentSource.Human));
                int n = impressionsPerPair + rng.Next(0, impressionsPerPair / 2);
                int c = 0;
                for (int i = 0; i < n; i++) if (rng.NextDouble() < atc[g]) c++;
                eng.Add(new EngagementEvent(qid, pid, n, c * 3, c, c / 2));
                int label = g;
                double u = rng.NextDouble();
                if (g == 2 && u < 0.12) label = 0;
                else if (g == 0 && u < 0.08) label = 2;
                else if (g == 2 && u < 0.2) label = 1;
                if (label != g) errors.Add((qid, pid));
                labels.Add(new Judgment(qid, pid, label, JudgmentSource.Human));
            }
        }
        return new World(truth, labels, eng, errors);
    }

    private static FakeLabeler Oracle(World w)
    {
        var t = w.Truth.ToDictionary(j => (j.QueryId, j.ProductId), j => j.Grade);
        return new FakeLabeler("oracle", r => (t[(r.QueryId, r.ProductId)], 1f));
    }

    private static string Q(string id) => "query " + id;
    private static string I(string id) => "item " + id;

    [Fact]
    public async Task Flags_CatchInjectedErrors_AndErrorRateDrops()
    {
        var w = MakeWorld();
        var opts = new AuditOptions { SampleRate = 1.0, Breadth = BreadthMeasure.None };
        using var judge = Oracle(w);
        var res = await AuditRunner.RunAsync(w.Labels, w.Engagement, Q, I, judge, opts, w.Truth);
        var r = res.Report;
        Assert.True(r.Flagged > 0);
        Assert.Equal(r.Flagged, r.FlaggedHigh + r.FlaggedLow);
        Assert.NotNull(r.Truth);
        // injected 2→0 and 0→2 errors are what the audit targets: most flags must be real errors
        Assert.True(r.Truth!.FlagPrecision >= 0.5, $"flag precision {r.Truth.FlagPrecision}");
        // the audit can only see 2→0 (high engagement) and 0→2 (low engagement) errors; most 2→0 errors must be fixed
        var truthG = w.Truth.ToDictionary(j => (j.QueryId, j.ProductId), j => j.Grade);
        var after = res.Judgments.ToDictionary(j => (j.QueryId, j.ProductId), j => j.Grade);
        var twoToZero = w.Labels.Where(j => j.Grade == 0 && truthG[(j.QueryId, j.ProductId)] == 2).ToList();
        var zeroToTwo = w.Labels.Where(j => j.Grade == 2 && truthG[(j.QueryId, j.ProductId)] == 0).ToList();
        double fixedHigh = twoToZero.Count(j => after[(j.QueryId, j.ProductId)] == 2) / (double)twoToZero.Count;
        double fixedLow = zeroToTwo.Count(j => after[(j.QueryId, j.ProductId)] == 0) / (double)zeroToTwo.Count;
        Console.WriteLine($"AUDIT flagged={r.Flagged} high={r.FlaggedHigh} low={r.FlaggedLow} precision={r.Truth.FlagPrecision:F3} corrected={r.Truth.ErrorsCorrectedShare:F3} fixed2to0={fixedHigh:F3} ({twoToZero.Count}) fixed0to2={fixedLow:F3} ({zeroToTwo.Count}) err {r.Truth.ErrorRateBefore:F4}->{r.Truth.ErrorRateAfter:F4}");
        Assert.True(fixedHigh > 0.5, $"fixed 2→0 share {fixedHigh}");
        Assert.True(fixedLow > 0, $"fixed 0→2 share {fixedLow}");
        Assert.True(r.Truth.ErrorsCorrectedShare > 0.1, $"corrected {r.Truth.ErrorsCorrectedShare}");
        Assert.True(r.Truth.ErrorRateAfter < r.Truth.ErrorRateBefore);
        Assert.Equal(r.Changed, res.Judgments.Count(j => j.Source == JudgmentSource.Audit));
        Assert.Equal(w.Labels.Count, res.Judgments.Count);
        // every changed label is now the truth (the oracle judge) and only flagged pairs changed
        var flagged = res.Flags.Select(f => (f.QueryId, f.ProductId)).ToHashSet();
        var truth = w.Truth.ToDictionary(j => (j.QueryId, j.ProductId), j => j.Grade);
        foreach (var j in res.Judgments.Where(j => j.Source == JudgmentSource.Audit))
        {
            Assert.Contains((j.QueryId, j.ProductId), flagged);
            Assert.Equal(truth[(j.QueryId, j.ProductId)], j.Grade);
        }
        Assert.Equal(r.GradeMixAfter.Sum(), r.GradeMixBefore.Sum());
        Assert.Equal(3, r.Buckets.Count); // head / torso / tail
        Assert.Contains(r.Buckets, b => b.Bucket == "head");
        Assert.Equal(r.Changed, r.Buckets.Sum(b => b.Changed));
    }

    [Fact]
    public async Task Sampling_ErrorRateDoesNotRise_AndIsDeterministicBySeed()
    {
        var w = MakeWorld(seed: 2);
        using var judge = Oracle(w);
        var a = await AuditRunner.RunAsync(w.Labels, w.Engagement, Q, I, judge, new AuditOptions(), w.Truth);
        var b = await AuditRunner.RunAsync(w.Labels, w.Engagement, Q, I, judge, new AuditOptions(), w.Truth);
        var c = await AuditRunner.RunAsync(w.Labels, w.Engagement, Q, I, judge, new AuditOptions { Seed = 99 }, w.Truth);
        Assert.Equal((int)Math.Round(0.3 * a.Report.Candidates, MidpointRounding.AwayFromZero), a.Report.Sampled);
        Assert.True(a.Report.Truth!.ErrorRateAfter <= a.Report.Truth.ErrorRateBefore);
        Assert.Equal(a.Flags, b.Flags);
        Assert.Equal(a.Judgments, b.Judgments);
        Assert.NotEqual(a.Flags.Select(f => f.ProductId), c.Flags.Select(f => f.ProductId));
        Assert.True(a.Report.Flagged < (await AuditRunner.RunAsync(w.Labels, w.Engagement, Q, I, judge,
            new AuditOptions { SampleRate = 1 }, w.Truth)).Report.Flagged);
    }

    [Fact]
    public void OneImpressionOneAddToCart_IsNotHigh_UnlessSmoothingIsOff()
    {
        var w = MakeWorld(seed: 3);
        var labels = w.Labels.Append(new Judgment("q000", "lucky", Grades.Irrelevant, JudgmentSource.Human)).ToList();
        var eng = w.Engagement.Append(new EngagementEvent("q000", "lucky", 1, 1, 1, 0)).ToList();
        var smoothed = AuditRunner.Flag(labels, eng, Q, I, new AuditOptions { SampleRate = 1 });
        Assert.DoesNotContain(smoothed.Flags, f => f.ProductId == "lucky");
        var raw = AuditRunner.Flag(labels, eng, Q, I, new AuditOptions { SampleRate = 1, PriorStrength = 0 });
        Assert.Contains(raw.Flags, f => f.ProductId == "lucky" && f.Kind == AuditFlagKind.HighEngagementIrrelevant);
    }

    [Fact]
    public void ClickSignal_And_NoEngagement_AreHandled()
    {
        var w = MakeWorld(seed: 4);
        var labels = w.Labels.Append(new Judgment("q001", "unseen", 2, JudgmentSource.Human)).ToList();
        var plan = AuditRunner.Flag(labels, w.Engagement, Q, I, new AuditOptions { Signal = EngagementSignal.Click, SampleRate = 1 });
        Assert.Equal(1, plan.Report.WithoutEngagement);
        Assert.Equal(labels.Count - 1, plan.Report.Candidates);
        Assert.DoesNotContain(plan.Flags, f => f.ProductId == "unseen");
        Assert.All(plan.Flags, f => Assert.Equal(w.Engagement.Single(e => e.ProductId == f.ProductId).Clicks, f.Events));
    }

    [Fact]
    public void Options_AreValidated()
    {
        var w = MakeWorld(queries: 3);
        Assert.Throws<ArgumentException>(() => AuditRunner.Flag(w.Labels, w.Engagement, Q, I, new AuditOptions { SampleRate = 0 }));
        Assert.Throws<ArgumentException>(() => AuditRunner.Flag(w.Labels, w.Engagement, Q, I, new AuditOptions { LowerQuantile = 0.9, UpperQuantile = 0.5 }));
        Assert.Throws<ArgumentException>(() => AuditRunner.Flag(w.Labels, w.Engagement, Q, I, new AuditOptions { FrequencyQuantiles = new[] { 0.6, 0.3 } }));
    }

    [Theory]
    [InlineData("flags.csv")]
    [InlineData("flags.jsonl")]
    public async Task Export_Reimport_RoundTrip_MatchesJudgeRun(string file)
    {
        var w = MakeWorld(seed: 5);
        var opts = new AuditOptions { SampleRate = 1 };
        var plan = AuditRunner.Flag(w.Labels, w.Engagement, Q, I, opts);
        string path = Path.Combine(_dir, file);
        AuditExport.Write(plan.Flags, path);
        var blank = AuditExport.ReadDecisions(path);
        Assert.Equal(plan.Flags.Select(f => (f.QueryId, f.ProductId)), blank.Select(d => (d.QueryId, d.ProductId)));
        Assert.All(blank, d => Assert.Null(d.NewGrade));

        // the "reviewer" fills new_grade with the truth
        var truth = w.Truth.ToDictionary(j => (j.QueryId, j.ProductId), j => j.Grade);
        var lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            if (file.EndsWith(".csv") && i == 0) continue;
            var f = plan.Flags[file.EndsWith(".csv") ? i - 1 : i];
            lines[i] = file.EndsWith(".csv") ? lines[i] + truth[(f.QueryId, f.ProductId)]
                : lines[i].Replace("\"new_grade\":null", $"\"new_grade\":{truth[(f.QueryId, f.ProductId)]}");
        }
        File.WriteAllLines(path, lines);
        var decisions = AuditExport.ReadDecisions(path);
        var human = AuditRunner.Apply(w.Labels, plan, decisions, "human", w.Truth);
        using var judge = Oracle(w);
        var auto = await AuditRunner.RunAsync(w.Labels, w.Engagement, Q, I, judge, opts, w.Truth);
        Assert.Equal(auto.Judgments, human.Judgments);
        Assert.Equal(0, human.Report.Undecided);
        Assert.Equal(auto.Report.Changed, human.Report.Changed);
    }

    [Fact]
    public void Csv_WithCommasAndQuotes_RoundTrips()
    {
        var flag = new AuditFlag("q,1", "p\"2", "red, \"big\" drill", "Drill\nnew line", 0, AuditFlagKind.HighEngagementIrrelevant, "head", 10, 5, 0.3, 0.2);
        string path = Path.Combine(_dir, "odd.csv");
        AuditExport.Write(new[] { flag }, path);
        var d = Assert.Single(AuditExport.ReadDecisions(path));
        Assert.Equal("q,1", d.QueryId);
        Assert.Equal("p\"2", d.ProductId);
    }

    [Theory]
    [InlineData("query_id,product_id,new_grade\nq1,p1,2\nq1,p2,3\n", 3, "new_grade")]
    [InlineData("query_id,product_id,new_grade\nq1,p1,x\n", 2, "new_grade")]
    [InlineData("query_id,product_id,new_grade\n,p1,1\n", 2, "query_id")]
    [InlineData("query_id,product_id,new_grade\nq1,,1\n", 2, "product_id")]
    [InlineData("query_id,product_id,new_grade\nq1,p1,1\nq1,p1,2\n", 3, "product_id")]
    [InlineData("query_id,product_id\nq1,p1\n", 1, "new_grade")]
    [InlineData("query_id,product_id,new_grade\nq1,p1,1,extra\n", 2, null)]
    public void BadCsvDecisions_AreRejected_WithFileLineField(string content, int line, string? field)
    {
        string path = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(path, content);
        var ex = Assert.Throws<DataFormatException>(() => AuditExport.ReadDecisions(path));
        Assert.Equal(path, ex.FilePath);
        Assert.Equal(line, ex.Line);
        Assert.Equal(field, ex.Field);
    }

    [Theory]
    [InlineData("{\"query_id\":\"q\",\"product_id\":\"p\",\"new_grade\":1}\n{\"query_id\":\"q\",\"product_id\":\"p2\",\"new_grade\":5}\n", 2, "new_grade")]
    [InlineData("{\"query_id\":\"q\",\"product_id\":\"p\"}\n", 1, "new_grade")]
    [InlineData("{\"product_id\":\"p\",\"new_grade\":1}\n", 1, "query_id")]
    [InlineData("{\"query_id\":\"q\",\n", 1, null)]
    public void BadJsonlDecisions_AreRejected_WithFileLineField(string content, int line, string? field)
    {
        string path = Path.Combine(_dir, "bad.jsonl");
        File.WriteAllText(path, content);
        var ex = Assert.Throws<DataFormatException>(() => AuditExport.ReadDecisions(path));
        Assert.Equal(line, ex.Line);
        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void Apply_RejectsDecisionForUnflaggedPair()
    {
        var w = MakeWorld(seed: 6, queries: 6);
        var plan = AuditRunner.Flag(w.Labels, w.Engagement, Q, I, new AuditOptions { SampleRate = 1 });
        Assert.Throws<ArgumentException>(() => AuditRunner.Apply(w.Labels, plan, new[] { new AuditDecision("nope", "nope", 1) }, "human"));
    }

    [Fact]
    public void Quantile_Type7_ByHand()
    {
        var s = new double[] { 1, 2, 3, 4 };
        Assert.Equal(1, AuditRunner.Quantile(s, 0));
        Assert.Equal(2.5, AuditRunner.Quantile(s, 0.5), 12);
        Assert.Equal(3.7, AuditRunner.Quantile(s, 0.9), 12);
    }
}
