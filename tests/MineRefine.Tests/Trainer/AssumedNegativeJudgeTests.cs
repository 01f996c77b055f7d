using MineRefine.Data;
using MineRefine.Labeling;
using MineRefine.Tests.Labeling;
using MineRefine.Training;

namespace MineRefine.Tests.Trainer;

public sealed class AssumedNegativeJudgeTests
{
    private static TrainingInstance Inst(string q, string[] items, int[] grades, bool[] unlabeled) =>
        new(q + "~v", "text " + q, items, grades, unlabeled, IsAugmented: false, HasUnlabeledFill: unlabeled.Any(u => u), SourceQueryId: q);

    [Fact]
    public void UnlabeledInstanceItemsTakeTheJudgesGradeAndLoseTheFlag()
    {
        var a = Inst("q1", ["p1", "p2", "p3", "p4"], [2, 0, 0, 0], [false, false, true, true]);
        var b = Inst("q2", ["p5", "p6"], [1, 0], [false, false]);
        var seen = new List<(string, string, string)>();
        var (result, judged, relevant) = AssumedNegativeJudge.JudgeInstances([a, b], pairs =>
        {
            seen.AddRange(pairs);
            return pairs.Select(p => p.ProductId == "p3" ? 2 : 0).ToList();
        });
        // One batched call with the source query id and the instance's text, in instance order.
        Assert.Equal(new[] { ("q1", "text q1", "p3"), ("q1", "text q1", "p4") }, seen);
        Assert.Equal((2, 1), (judged, relevant));
        Assert.Equal(new[] { 2, 0, 2, 0 }, result[0].Grades);
        Assert.All(result[0].Unlabeled, u => Assert.False(u));
        Assert.False(result[0].HasUnlabeledFill);
        Assert.Same(b, result[1]);
        // A judge that answers with the wrong count or an invalid grade is an error, not silently used.
        Assert.Throws<InvalidOperationException>(() => AssumedNegativeJudge.JudgeInstances([a], _ => [0]));
        Assert.Throws<InvalidOperationException>(() => AssumedNegativeJudge.JudgeInstances([a], _ => [0, 3]));
        // Nothing unlabeled: the judge is not called.
        var (same, n, r) = AssumedNegativeJudge.JudgeInstances([b], _ => throw new InvalidOperationException("called"));
        Assert.Equal((0, 0), (n, r));
        Assert.Same(b, same[0]);
    }

    [Fact]
    public void TopScoringRandomNegativesAreGradedAndRelevantOnesMasked()
    {
        // 2 rows × 4 random items; row 0 already masks column 1 (the query's own positive).
        float[] scores = [0.9f, 0.95f, 0.1f, 0.5f,
                          0.2f, 0.2f, 0.8f, 0.3f];
        long[] grades = [0, -1, 0, 0,
                         0, 0, 0, 0];
        var asked = new List<(int, int)>();
        var (judged, masked) = AssumedNegativeJudge.MaskRelevantRandomNegatives(scores, grades, 2, 4, 2, picks =>
        {
            asked.AddRange(picks);
            return picks.Select(p => p == (0, 3) || p == (1, 0) ? 1 : 0).ToList();
        });
        // Row 0: the two best grade-0 columns are 0 (0.9) and 3 (0.5) — column 1 is already masked.
        // Row 1: column 2 (0.8), then 3 (0.3); columns 0 and 1 tie at 0.2 below it and are not asked.
        Assert.Equal(new[] { (0, 0), (0, 3), (1, 2), (1, 3) }, asked);
        Assert.Equal((4, 1), (judged, masked));
        Assert.Equal(new long[] { 0, -1, 0, -1, 0, 0, 0, 0 }, grades);

        Assert.Equal((0, 0), AssumedNegativeJudge.MaskRelevantRandomNegatives(scores, grades, 2, 4, 0, _ => throw new InvalidOperationException()));
        Assert.Throws<ArgumentException>(() => AssumedNegativeJudge.MaskRelevantRandomNegatives(scores, grades, 3, 4, 2, p => p.Select(_ => 0).ToList()));
        Assert.Throws<InvalidOperationException>(() => AssumedNegativeJudge.MaskRelevantRandomNegatives(scores, grades, 2, 4, 2, _ => [1]));
    }

    [Fact]
    public void GradeSendsQueryIdTextAndTheJudgesItemText()
    {
        var ds = TrainerTestUtil.Sample.Value.Data;
        var p = ds.Products[0];
        var fake = new FakeLabeler("fake", r => (r.QueryId == "qa" ? 2 : 0, 1f));
        var judge = new AssumedNegativeJudge(fake);
        Assert.Equal("fake", judge.Name);
        Assert.Equal(new[] { 2, 0 }, judge.Grade(ds, [("qa", "some text", p.Id), ("qb", "other", p.Id)]));
        Assert.Equal(LabelingText.ItemText(p), fake.Seen[0].ItemText);
        Assert.Equal(("qa", "some text", p.Id), (fake.Seen[0].QueryId, fake.Seen[0].QueryText, fake.Seen[0].ProductId));
        Assert.Throws<ArgumentException>(() => judge.Grade(ds, [("qa", "x", "no-such-product")]));
        Assert.Empty(judge.Grade(ds, []));
    }

    [Fact]
    public void TrainerGradesFillLexicalAndRandomNegativesWithTheJudge()
    {
        string a = TrainerTestUtil.TempDir(), b = TrainerTestUtil.TempDir(), c = TrainerTestUtil.TempDir();
        try
        {
            TrainOptions Options()
            {
                var o = TrainerTestUtil.Tiny(3);
                o.SharedRandomNegatives = 300; // the whole tiny catalog
                o.Instances.LexicalNegatives = 3;
                o.Instances.LexicalNegativeDepth = 20;
                return o;
            }
            // The sample's complete truth as the judge: every pair graded by the written policy.
            var truth = new JudgmentFileLabeler(TrainerTestUtil.Sample.Value.CompleteTruth(), "complete", unlistedGrade: Grades.Irrelevant);
            TrainResult plain, judged, allRelevant;
            using (var m = TrainModelFactory.Create("tiny", 3)) plain = new SiameseTrainer(m, Options()).Train(TrainerTestUtil.Data(), a);
            using (var m = TrainModelFactory.Create("tiny", 3)) judged = new SiameseTrainer(m, Options(), new AssumedNegativeJudge(truth)).Train(TrainerTestUtil.Data(), b);
            var everything = new FakeLabeler("all-relevant", _ => (2, 1f));
            using (var m = TrainModelFactory.Create("tiny", 3)) allRelevant = new SiameseTrainer(m, Options(), new AssumedNegativeJudge(everything)).Train(TrainerTestUtil.Data(), c);

            Assert.Null(plain.Judge);
            Assert.Equal(0, plain.JudgedInstanceItems);
            Assert.Equal("complete", judged.Judge);
            // Every unlabeled item (lexical negatives + catalog fill) was graded; on the sample many BM25 neighbours
            // of a query are relevant (same type, wrong colour/size; substitutes; complements).
            Assert.Equal(judged.LexicalNegatives + judged.UnlabeledFillItems, judged.JudgedInstanceItems);
            Assert.True(judged.JudgedInstanceItemsRelevant > 0 && judged.JudgedInstanceItemsRelevant < judged.JudgedInstanceItems,
                $"{judged.JudgedInstanceItemsRelevant} of {judged.JudgedInstanceItems}");
            // 3 steps × 8 instances × the 8 top-scoring random negatives.
            Assert.Equal(3 * 8 * 8, judged.JudgedRandomNegatives);
            Assert.InRange(judged.JudgedRandomNegativesRelevant, 1, judged.JudgedRandomNegatives - 1);
            var lines = MetricsLog.ReadAll(Path.Combine(b, "metrics.jsonl")).Where(l => l.TryGetProperty("random_negatives/judged", out _)).ToList();
            Assert.Equal(3, lines.Count);
            Assert.All(lines, l => Assert.Equal(64, l.GetProperty("random_negatives/judged").GetDouble()));
            Assert.Equal(judged.JudgedRandomNegativesRelevant, (long)lines.Sum(l => l.GetProperty("random_negatives/judged_relevant").GetDouble()));

            // A judge that calls everything relevant removes 8 grade-0 items per instance from the SupCon denominator
            // and turns the lexical negatives into positives: the first-step loss must differ from the unjudged run.
            Assert.Equal(allRelevant.JudgedInstanceItems, allRelevant.JudgedInstanceItemsRelevant);
            Assert.Equal(allRelevant.JudgedRandomNegatives, allRelevant.JudgedRandomNegativesRelevant);
            var lp = TrainerTests.Losses(a); var lj = TrainerTests.Losses(c);
            Assert.NotEqual(lp[0].Item2, lj[0].Item2);
            Assert.Throws<ArgumentException>(() => new TrainOptions { JudgedRandomNegatives = -1 }.Validate());
        }
        finally { TrainerTestUtil.Delete(a); TrainerTestUtil.Delete(b); TrainerTestUtil.Delete(c); }
    }
}
