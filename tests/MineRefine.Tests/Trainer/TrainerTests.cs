using System.Diagnostics;
using System.Text.Json;
using MineRefine.Data;
using MineRefine.Data.Sample;
using MineRefine.Training;

namespace MineRefine.Tests.Trainer;

internal static class TrainerTestUtil
{
    public static readonly Lazy<SampleMarketplace> Sample = new(() =>
        SampleMarketplaceGenerator.Generate(new SampleOptions { Seed = 5, Products = 300, Queries = 160, Engagement = false }));

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "mr-train-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    public static TrainData Data()
    {
        var ds = Sample.Value.Data;
        var split = QuerySplitter.Split(ds, 13);
        return new TrainData(ds, split.Train, split.Dev);
    }

    public static TrainOptions Tiny(int maxSteps) => new()
    {
        BatchSize = 8, MaxSteps = maxSteps, Epochs = 50, EncoderLearningRate = 3e-3, HeadLearningRate = 3e-3,
        MaxQueryLength = 16, MaxItemLength = 32, EvalEvery = 0, CheckpointEvery = 0, Patience = 0,
        DevCatalogSize = 300, Seed = 3,
    };

    public static void Delete(string dir)
    {
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }
}

public sealed class TrainerTests
{
    [Fact]
    public void ShortRunImprovesDevNdcgOverUntrainedModel()
    {
        var dir = TrainerTestUtil.TempDir();
        try
        {
            using var model = TrainModelFactory.Create("tiny", 3);
            var o = TrainerTestUtil.Tiny(120);
            o.EvalEvery = 60;
            var r = new SiameseTrainer(model, o).Train(TrainerTestUtil.Data(), dir);
            Assert.Equal(new long[] { 0, 60, 120 }, r.Evaluations.Select(e => e.Step));
            double before = r.Evaluations[0].Ndcg10, after = r.Evaluations[^1].Ndcg10;
            // Measured: 0.029 (untrained) → 0.075 after 120 steps of batch 8 (random tiny encoder, 109 train queries).
            Assert.True(after > before + 0.02, $"dev NDCG@10 {before:F4} → {after:F4}");
            Assert.Equal(r.Evaluations.Max(e => e.Ndcg10), r.BestNdcg10);
            Assert.True(r.AugmentedInstances > 0 && r.Instances > 0);
            Assert.True(File.Exists(Path.Combine(dir, "model", "model.safetensors")));
            // The saved model is the best one and loads back.
            using var loaded = MineRefine.Modeling.SiameseModel.Load(Path.Combine(dir, "model"));
            Assert.Equal(r.ModelHash, loaded.ComputeHash());
            Assert.Equal(16, loaded.Config.MaxQueryLength);
            var lines = MetricsLog.ReadAll(Path.Combine(dir, "metrics.jsonl"));
            Assert.Contains(lines, l => l.TryGetProperty("loss/total", out _) && l.TryGetProperty("tau", out _) && l.TryGetProperty("lr/encoder", out _));
            Assert.Contains(lines, l => l.TryGetProperty("dev/ndcg@10", out _));
        }
        finally { TrainerTestUtil.Delete(dir); }
    }

    [Fact]
    public void SelectionLastKeepsTheFinalWeightsEvenWhenDevGotWorse()
    {
        var dir = TrainerTestUtil.TempDir();
        try
        {
            TrainResult Run(ModelSelection selection, string sub, double lr)
            {
                using var m = TrainModelFactory.Create("tiny", 3);
                var o = TrainerTestUtil.Tiny(6);
                o.EvalEvery = 3;
                o.EncoderLearningRate = lr; // 1.0 is far too high: dev NDCG collapses, so the best evaluation is the start
                o.HeadLearningRate = lr;
                o.TemperatureLearningRate = lr;
                o.Selection = selection;
                return new SiameseTrainer(m, o).Train(TrainerTestUtil.Data(), Path.Combine(dir, sub));
            }
            // Learning rate 0: the saved weights are the starting weights (hash includes the run's config, so take it from a run).
            string startHash = Run(ModelSelection.Last, "zero", 0).ModelHash!;
            var best = Run(ModelSelection.Best, "best", 1.0);
            var last = Run(ModelSelection.Last, "last", 1.0);
            Assert.Equal(0, best.BestStep);            // measured: dev NDCG@10 only falls after step 0 at lr 1.0
            Assert.Equal(0, best.KeptStep);
            Assert.Equal(startHash, best.ModelHash);   // Best restored the starting weights
            Assert.Equal(6, last.KeptStep);
            Assert.Equal(best.Evaluations.Select(e => e.Ndcg10), last.Evaluations.Select(e => e.Ndcg10)); // same run otherwise
            Assert.NotEqual(startHash, last.ModelHash);
            using var loaded = MineRefine.Modeling.SiameseModel.Load(Path.Combine(dir, "last", "model"));
            Assert.Equal(last.ModelHash, loaded.ComputeHash());
        }
        finally { TrainerTestUtil.Delete(dir); }
    }

    [Fact]
    public void SelectMetricPicksTheBestStepByThatMetric()
    {
        var dir = TrainerTestUtil.TempDir();
        try
        {
            TrainResult Run(string? metric, string sub)
            {
                using var m = TrainModelFactory.Create("tiny", 3);
                var o = TrainerTestUtil.Tiny(12);
                o.EvalEvery = 2;
                o.SelectMetric = metric;
                return new SiameseTrainer(m, o).Train(TrainerTestUtil.Data(), Path.Combine(dir, sub));
            }
            static long FirstArgMax(TrainResult r, string key) =>
                r.Evaluations.Where(e => !double.IsNaN(e.Value(key))).MaxBy(e => e.Value(key))!.Step;

            var byNdcg = Run(null, "default");
            Assert.Equal("ndcg@10", byNdcg.SelectMetric);
            Assert.Equal(FirstArgMax(byNdcg, "ndcg@10"), byNdcg.BestStep);
            Assert.Equal(byNdcg.BestNdcg10, byNdcg.BestScore);
            // A metric whose best dev step is another one (the run is deterministic, so this choice is stable).
            string other = TrainOptions.SelectMetricKeys.First(k => FirstArgMax(byNdcg, k) != byNdcg.BestStep);
            long expected = FirstArgMax(byNdcg, other);

            var byOther = Run(other, "other");
            Assert.Equal(byNdcg.Evaluations.Select(e => (e.Step, e.Ndcg10)), byOther.Evaluations.Select(e => (e.Step, e.Ndcg10))); // same run
            Assert.Equal(other, byOther.SelectMetric);
            Assert.Equal(expected, byOther.BestStep);
            Assert.Equal(expected, byOther.KeptStep);
            var kept = byOther.Evaluations.Single(e => e.Step == expected);
            Assert.Equal(kept.Value(other), byOther.BestScore);
            Assert.Equal(kept.Ndcg10, byOther.BestNdcg10);
            Assert.NotEqual(byNdcg.ModelHash, byOther.ModelHash); // the weights of another step were restored
            var lines = MetricsLog.ReadAll(Path.Combine(dir, "other", "metrics.jsonl"));
            Assert.Contains(lines, l => l.TryGetProperty("dev/" + other, out _));
        }
        finally { TrainerTestUtil.Delete(dir); }
    }

    [Fact]
    public void ResumeRefusesAnotherSelectMetric()
    {
        var dir = TrainerTestUtil.TempDir();
        try
        {
            TrainResult Run(string? metric, bool resume, int stopAfter)
            {
                using var m = TrainModelFactory.Create("tiny", 3);
                var o = TrainerTestUtil.Tiny(8);
                o.EvalEvery = 2; o.CheckpointEvery = 2; o.StopAfterStep = stopAfter; o.Resume = resume;
                o.SelectMetric = metric;
                return new SiameseTrainer(m, o).Train(TrainerTestUtil.Data(), dir);
            }
            Assert.True(Run("ndcg_judged@10", false, 4).Interrupted);
            var e = Assert.Throws<InvalidDataException>(() => Run(null, true, 0));
            Assert.Contains("--select-metric ndcg_judged@10", e.Message);
            var r = Run("ndcg_judged@10", true, 0);
            Assert.Equal(4, r.ResumedFromStep);
            Assert.Equal("ndcg_judged@10", r.SelectMetric);
            Assert.Equal(r.Evaluations.Single(x => x.Step == r.BestStep).Value("ndcg_judged@10"), r.BestScore);
        }
        finally { TrainerTestUtil.Delete(dir); }
    }

    [Fact]
    public void SaveStartWritesTheUntrainedModelAndItMergesWithTheFinalOne()
    {
        var dir = TrainerTestUtil.TempDir();
        try
        {
            string run = Path.Combine(dir, "run");
            TrainResult r;
            using (var m = TrainModelFactory.Create("tiny", 3))
            {
                var o = TrainerTestUtil.Tiny(6);
                o.SaveStart = true;
                o.Selection = ModelSelection.Last;
                r = new SiameseTrainer(m, o).Train(TrainerTestUtil.Data(), run);
            }
            TrainResult zero; // learning rate 0: the final weights are the start's (same config, so the same hash)
            using (var m = TrainModelFactory.Create("tiny", 3))
            {
                var o = TrainerTestUtil.Tiny(1);
                o.EncoderLearningRate = o.HeadLearningRate = o.TemperatureLearningRate = 0;
                o.Selection = ModelSelection.Last;
                zero = new SiameseTrainer(m, o).Train(TrainerTestUtil.Data(), Path.Combine(dir, "zero"));
            }
            string start = SiameseTrainer.StartModelFolder(run);
            using (var s = MineRefine.Modeling.SiameseModel.Load(start)) Assert.Equal(zero.ModelHash, s.ComputeHash());
            Assert.NotEqual(zero.ModelHash, r.ModelHash);
            Assert.False(Directory.Exists(SiameseTrainer.StartModelFolder(Path.Combine(dir, "zero")))); // off by default
            // WiSE-FT's end points: weights (0, 1) give the fine-tune back, (1, 0) the start.
            using (var w = MineRefine.Modeling.ModelMerge.Merge([start, Path.Combine(run, "model")], [0.0, 1.0]))
                Assert.Equal(r.ModelHash, w.ComputeHash());
            using (var w = MineRefine.Modeling.ModelMerge.Merge([start, Path.Combine(run, "model")], [1.0, 0.0]))
                Assert.Equal(zero.ModelHash, w.ComputeHash());
        }
        finally { TrainerTestUtil.Delete(dir); }
    }

    [Fact]
    public void LossWithoutTemperatureLogsNoTau()
    {
        var dir = TrainerTestUtil.TempDir();
        try
        {
            using var model = TrainModelFactory.Create("tiny", 3);
            var o = TrainerTestUtil.Tiny(2);
            o.Loss = "triplet";
            new SiameseTrainer(model, o).Train(TrainerTestUtil.Data(), dir);
            var lines = MetricsLog.ReadAll(Path.Combine(dir, "metrics.jsonl")).Where(l => l.TryGetProperty("loss/total", out _)).ToList();
            Assert.Equal(2, lines.Count);
            Assert.All(lines, l => Assert.False(l.TryGetProperty("tau", out _), "a triplet run has no temperature to log"));
        }
        finally { TrainerTestUtil.Delete(dir); }
    }

    [Fact]
    public void ResumedRunIsBitIdenticalToUninterruptedRun()
    {
        string a = TrainerTestUtil.TempDir(), b = TrainerTestUtil.TempDir();
        try
        {
            // Shared random negatives draw from the same seeded RNG as the shuffles: the resume must restore it.
            var o = TrainerTestUtil.Tiny(14);
            o.EvalEvery = 6; o.CheckpointEvery = 4; o.SharedRandomNegatives = 6;
            TrainResult ra;
            using (var m = TrainModelFactory.Create("tiny", 3)) ra = new SiameseTrainer(m, o).Train(TrainerTestUtil.Data(), a);

            var o1 = TrainerTestUtil.Tiny(14);
            o1.EvalEvery = 6; o1.CheckpointEvery = 4; o1.StopAfterStep = 9; o1.SharedRandomNegatives = 6;
            using (var m = TrainModelFactory.Create("tiny", 3))
            {
                var r1 = new SiameseTrainer(m, o1).Train(TrainerTestUtil.Data(), b);
                Assert.True(r1.Interrupted);
                Assert.Null(r1.ModelFolder);
            }
            var o2 = TrainerTestUtil.Tiny(14);
            o2.EvalEvery = 6; o2.CheckpointEvery = 4; o2.Resume = true; o2.SharedRandomNegatives = 6;
            TrainResult rb;
            using (var m = TrainModelFactory.Create("tiny", 99)) // different init: the checkpoint must override it
                rb = new SiameseTrainer(m, o2).Train(TrainerTestUtil.Data(), b);
            Assert.Equal(9, rb.ResumedFromStep);
            Assert.Equal(ra.ModelHash, rb.ModelHash);
            Assert.Equal(ra.Evaluations.Select(e => (e.Step, e.Ndcg10)), rb.Evaluations.Select(e => (e.Step, e.Ndcg10)));
            Assert.Equal(ra.BestStep, rb.BestStep);
            // Per-step losses identical too (metrics.jsonl truncated and continued).
            Assert.Equal(Losses(a), Losses(b));
        }
        finally { TrainerTestUtil.Delete(a); TrainerTestUtil.Delete(b); }
    }

    [Fact]
    public void SharedRandomNegativesJoinTheDenominatorAndSkipTheQuerysPositives()
    {
        string a = TrainerTestUtil.TempDir(), b = TrainerTestUtil.TempDir();
        try
        {
            var o = TrainerTestUtil.Tiny(3);
            o.SharedRandomNegatives = 0;
            using (var m = TrainModelFactory.Create("tiny", 3)) new SiameseTrainer(m, o).Train(TrainerTestUtil.Data(), a);
            var on = TrainerTestUtil.Tiny(3);
            on.SharedRandomNegatives = 300; // the whole tiny catalog: every judged positive of a batch query is drawn
            using (var m = TrainModelFactory.Create("tiny", 3)) new SiameseTrainer(m, on).Train(TrainerTestUtil.Data(), b);
            var la = Losses(a); var lb = Losses(b);
            // Same model, same first batch: more grade-0 items in the denominator can only raise the SupCon loss.
            Assert.True(lb[0].Item2 > la[0].Item2, $"first-step loss {la[0].Item2} without vs {lb[0].Item2} with negatives");
            var lines = MetricsLog.ReadAll(Path.Combine(b, "metrics.jsonl")).Where(l => l.TryGetProperty("random_negatives", out _)).ToList();
            Assert.Equal(3, lines.Count);
            Assert.All(lines, l => Assert.Equal(300, l.GetProperty("random_negatives").GetDouble()));
            // Each batch query's own items and judged positives are masked (at least its instance's items).
            Assert.All(lines, l => Assert.True(l.GetProperty("random_negatives/masked").GetDouble() >= 8));
            Assert.Throws<ArgumentException>(() => new TrainOptions { SharedRandomNegatives = -1 }.Validate());
        }
        finally { TrainerTestUtil.Delete(a); TrainerTestUtil.Delete(b); }
    }

    [Fact]
    public void NegativeGradesMaskTheInstancesOwnItemsAndItsQuerysJudgedPositives()
    {
        static TrainingInstance I(string q, string source, params string[] items) =>
            new(q, q, items, items.Select(_ => 2).ToList(), items.Select(_ => false).ToList(), q != source, false, source);
        var batch = new[] { I("qa", "qa", "p1", "p2"), I("qa#spell", "qa", "p3"), I("qc", "qc", "p4", "p1") };
        string[] flat = { "p1", "p2", "p3", "p4", "p1" };
        var positives = new HashSet<(string, string)> { ("qa", "p4"), ("qc", "p2") };
        long[] g = SiameseTrainer.NegativeGrades(batch, flat, positives);
        Assert.Equal(new long[]
        {
            -1, -1, 0, -1, -1,  // qa: own p1, p2; p4 judged relevant for qa
            0, 0, -1, -1, 0,    // qa#spell: own p3; p4 judged relevant for its source query qa; p1, p2 are qa's items but not judged for it here
            -1, -1, 0, -1, -1,  // qc: own p4, p1; p2 judged relevant for qc
        }, g);
    }

    [Fact]
    public void InBatchNegativesJoinTheLossAndAreTheInfoNceDefault()
    {
        string a = TrainerTestUtil.TempDir(), b = TrainerTestUtil.TempDir(), c = TrainerTestUtil.TempDir(), d = TrainerTestUtil.TempDir();
        try
        {
            var off = TrainerTestUtil.Tiny(3);
            using (var m = TrainModelFactory.Create("tiny", 3)) new SiameseTrainer(m, off).Train(TrainerTestUtil.Data(), a);
            var on = TrainerTestUtil.Tiny(3);
            on.InBatchNegatives = true;
            Assert.True(on.UsesInBatchNegatives);
            using (var m = TrainModelFactory.Create("tiny", 3)) new SiameseTrainer(m, on).Train(TrainerTestUtil.Data(), b);
            var la = Losses(a); var lb = Losses(b);
            // Same model, same first batch: more grade-0 items in the SupCon denominator can only raise the loss.
            Assert.True(lb[0].Item2 > la[0].Item2, $"first-step loss {la[0].Item2} without vs {lb[0].Item2} with in-batch negatives");
            Assert.DoesNotContain(MetricsLog.ReadAll(Path.Combine(a, "metrics.jsonl")), l => l.TryGetProperty("in_batch_negatives", out _));
            var lines = MetricsLog.ReadAll(Path.Combine(b, "metrics.jsonl")).Where(l => l.TryGetProperty("in_batch_negatives", out _)).ToList();
            Assert.Equal(3, lines.Count);
            // Batch 8 × up to 8 items: each instance sees the other instances' items, minus its own and its positives.
            Assert.All(lines, l => Assert.InRange(l.GetProperty("in_batch_negatives").GetDouble(), 1, 7 * 8));
            Assert.All(lines, l => Assert.True(l.GetProperty("in_batch_negatives/masked").GetDouble() >= 8));

            // InfoNCE: in-batch negatives by default, off on request.
            var nce = TrainerTestUtil.Tiny(3);
            nce.Loss = "infonce";
            Assert.True(nce.UsesInBatchNegatives);
            using (var m = TrainModelFactory.Create("tiny", 3)) new SiameseTrainer(m, nce).Train(TrainerTestUtil.Data(), c);
            var nceLines = MetricsLog.ReadAll(Path.Combine(c, "metrics.jsonl")).Where(l => l.TryGetProperty("loss/total", out _)).ToList();
            Assert.Equal(3, nceLines.Count);
            Assert.All(nceLines, l => Assert.True(l.TryGetProperty("loss/infonce/ce", out _) && l.TryGetProperty("in_batch_negatives", out _)));
            Assert.All(nceLines, l => Assert.False(l.TryGetProperty("tau", out _)));
            nce.InBatchNegatives = false;
            Assert.False(nce.UsesInBatchNegatives);
            using (var m = TrainModelFactory.Create("tiny", 3)) new SiameseTrainer(m, nce).Train(TrainerTestUtil.Data(), d);
            Assert.DoesNotContain(MetricsLog.ReadAll(Path.Combine(d, "metrics.jsonl")), l => l.TryGetProperty("in_batch_negatives", out _));
        }
        finally { foreach (var x in new[] { a, b, c, d }) TrainerTestUtil.Delete(x); }
    }

    [Fact]
    public void TopicBatchesComeFromOneClusterAndResumeBitIdentically()
    {
        string a = TrainerTestUtil.TempDir(), b = TrainerTestUtil.TempDir();
        try
        {
            static TrainOptions Opts()
            {
                var o = TrainerTestUtil.Tiny(14);
                o.EvalEvery = 6; o.CheckpointEvery = 4; o.InBatchNegatives = true; o.TopicClusters = 6;
                return o;
            }
            TrainResult ra;
            using (var m = TrainModelFactory.Create("tiny", 3)) ra = new SiameseTrainer(m, Opts()).Train(TrainerTestUtil.Data(), a);
            Assert.Equal(6, ra.TopicClusters);
            Assert.Equal(3, ra.TopicClusterSizes.Length);
            Assert.True(ra.TopicClusterSizes[0] >= 1 && ra.TopicClusterSizes[0] <= ra.TopicClusterSizes[1] && ra.TopicClusterSizes[1] <= ra.TopicClusterSizes[2]);
            var perStep = MetricsLog.ReadAll(Path.Combine(a, "metrics.jsonl")).Where(l => l.TryGetProperty("batch_clusters", out _))
                .Select(l => l.GetProperty("batch_clusters").GetInt32()).ToList();
            Assert.Equal(14, perStep.Count);
            // every batch but the few made of the clusters' remainders holds one cluster's queries
            Assert.True(perStep.Count(c => c == 1) >= 11, $"clusters per batch: {string.Join(",", perStep)}");

            var o1 = Opts(); o1.StopAfterStep = 9;
            using (var m = TrainModelFactory.Create("tiny", 3)) Assert.True(new SiameseTrainer(m, o1).Train(TrainerTestUtil.Data(), b).Interrupted);
            var o2 = Opts(); o2.Resume = true;
            TrainResult rb;
            // a different init clusters differently; the checkpoint's clusters must win
            using (var m = TrainModelFactory.Create("tiny", 99)) rb = new SiameseTrainer(m, o2).Train(TrainerTestUtil.Data(), b);
            Assert.Equal(9, rb.ResumedFromStep);
            Assert.Equal(ra.ModelHash, rb.ModelHash);
            Assert.Equal(Losses(a), Losses(b));
            // ... and the report and topic_clusters.jsonl describe the checkpoint's clusters, not the other model's
            Assert.Equal(ra.TopicClusterSizes, rb.TopicClusterSizes);
            Assert.Equal(File.ReadAllText(Path.Combine(a, SiameseTrainer.TopicClustersFileName)), File.ReadAllText(Path.Combine(b, SiameseTrainer.TopicClustersFileName)));

            // a checkpoint of a random-batch run does not resume as a topic-batch run
            var o3 = Opts(); o3.Resume = true; o3.TopicClusters = 0; o3.StopAfterStep = 0;
            using (var m = TrainModelFactory.Create("tiny", 3))
            {
                var ex = Assert.Throws<InvalidDataException>(() => new SiameseTrainer(m, o3).Train(TrainerTestUtil.Data(), b));
                Assert.Contains("--topic-batches", ex.Message);
            }
        }
        finally { TrainerTestUtil.Delete(a); TrainerTestUtil.Delete(b); }
    }

    [Fact]
    public void ShortInfoNceRunImprovesDevNdcgOverUntrainedModel()
    {
        var dir = TrainerTestUtil.TempDir();
        try
        {
            using var model = TrainModelFactory.Create("tiny", 3);
            var o = TrainerTestUtil.Tiny(120);
            o.Loss = "infonce";
            o.EvalEvery = 120;
            var r = new SiameseTrainer(model, o).Train(TrainerTestUtil.Data(), dir);
            double before = r.Evaluations[0].Ndcg10, after = r.Evaluations[^1].Ndcg10;
            Assert.True(after > before + 0.02, $"dev NDCG@10 {before:F4} → {after:F4}");
        }
        finally { TrainerTestUtil.Delete(dir); }
    }

    [Fact]
    public void LexicalNegativesAreRetrievedAddedAndCounted()
    {
        string a = TrainerTestUtil.TempDir(), b = TrainerTestUtil.TempDir();
        try
        {
            var o = TrainerTestUtil.Tiny(2);
            o.SharedRandomNegatives = 0;
            TrainResult ra, rb;
            using (var m = TrainModelFactory.Create("tiny", 3)) ra = new SiameseTrainer(m, o).Train(TrainerTestUtil.Data(), a);
            var on = TrainerTestUtil.Tiny(2);
            on.SharedRandomNegatives = 0;
            on.Instances.LexicalNegatives = 3;
            on.Instances.LexicalNegativeDepth = 20;
            using (var m = TrainModelFactory.Create("tiny", 3)) rb = new SiameseTrainer(m, on).Train(TrainerTestUtil.Data(), b);
            Assert.Equal(0, ra.LexicalNegatives);
            // The sample's queries share words with many products, so (almost) every query gets all three.
            Assert.Equal(rb.Instances, ra.Instances);
            Assert.True(rb.QueriesWithLexicalNegatives > rb.Instances * 9 / 10, $"{rb.QueriesWithLexicalNegatives} of {rb.Instances} queries");
            Assert.InRange(rb.LexicalNegatives, 3 * (rb.QueriesWithLexicalNegatives - rb.QueriesShortOfLexicalNegatives) + rb.QueriesShortOfLexicalNegatives,
                3 * rb.QueriesWithLexicalNegatives);
            // Same model, same first batch, same judged items: extra grade-0 items in the denominator raise the SupCon loss.
            var la = Losses(a); var lb = Losses(b);
            Assert.True(lb[0].Item2 > la[0].Item2, $"first-step loss {la[0].Item2} without vs {lb[0].Item2} with lexical negatives");
        }
        finally { TrainerTestUtil.Delete(a); TrainerTestUtil.Delete(b); }
    }

    [Fact]
    public void DenseNegativesComeFromTheStartModelAndAResumeReusesItsCatalogEmbeddings()
    {
        string a = TrainerTestUtil.TempDir(), b = TrainerTestUtil.TempDir();
        try
        {
            TrainOptions Options(int stopAfter = 0, bool resume = false)
            {
                var o = TrainerTestUtil.Tiny(4);
                o.SharedRandomNegatives = 0;
                o.Instances.DenseNegatives = 2;
                o.Instances.DenseNegativeDepth = 30;
                o.CheckpointEvery = 2; o.StopAfterStep = stopAfter; o.Resume = resume;
                return o;
            }
            TrainResult Run(string dir, TrainOptions o)
            {
                using var m = TrainModelFactory.Create("tiny", 3);
                return new SiameseTrainer(m, o).Train(TrainerTestUtil.Data(), dir);
            }
            var whole = Run(a, Options());
            // A 300-product catalog leaves (almost) every query more than 2 unjudged products in the start model's top 30.
            Assert.True(whole.QueriesWithDenseNegatives > whole.Instances * 9 / 10, $"{whole.QueriesWithDenseNegatives} of {whole.Instances} queries");
            Assert.InRange(whole.DenseNegatives, 2 * (whole.QueriesWithDenseNegatives - whole.QueriesShortOfDenseNegatives) + whole.QueriesShortOfDenseNegatives,
                2 * whole.QueriesWithDenseNegatives);
            Assert.Equal(0, whole.LexicalNegatives);
            Assert.False(whole.DenseCatalogFromCache);
            Assert.Single(Directory.GetFiles(Path.Combine(a, "cache"), "emb-*.bin"));

            // Stopped after step 2 and resumed: the candidates again come from the start model (not the checkpoint), its
            // catalog embeddings from the cache, and the run ends where the uninterrupted one ends.
            Assert.True(Run(b, Options(stopAfter: 2)).Interrupted);
            var resumed = Run(b, Options(resume: true));
            Assert.Equal(2, resumed.ResumedFromStep);
            Assert.True(resumed.DenseCatalogFromCache);
            Assert.Equal(whole.DenseNegatives, resumed.DenseNegatives);
            Assert.Equal(whole.ModelHash, resumed.ModelHash);
        }
        finally { TrainerTestUtil.Delete(a); TrainerTestUtil.Delete(b); }
    }

    internal static List<(long, double)> Losses(string dir) =>
        MetricsLog.ReadAll(Path.Combine(dir, "metrics.jsonl"))
            .Where(l => l.TryGetProperty("loss/total", out _))
            .Select(l => (l.GetProperty("step").GetInt64(), l.GetProperty("loss/total").GetDouble())).ToList();

    [Fact]
    public void UnionMinedDropsDuplicatesAndOtherQueries()
    {
        var train = new List<Judgment> { new("q1", "p1", 2, JudgmentSource.Human), new("q1", "p2", 0, JudgmentSource.Human) };
        var mined = new List<Judgment>
        {
            new("q1", "p2", 2, JudgmentSource.Model), // duplicate: original label wins
            new("q1", "p3", 0, JudgmentSource.Model),
            new("q9", "p1", 1, JudgmentSource.Model), // not a training query
        };
        var (union, added, dup, other) = SiameseTrainer.UnionMined(train, mined);
        Assert.Equal((1, 1, 1), (added, dup, other));
        Assert.Equal(3, union.Count);
        Assert.Equal(0, union.Single(j => j.ProductId == "p2").Grade);
    }

    [Fact]
    public void OptionsValidationSaysHowToFix()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainOptions { BatchSize = 0 }.Validate());
        Assert.Contains("BatchSize", e.Message);
        e = Assert.Throws<ArgumentException>(() => new TrainOptions { Loss = "hinge" }.Validate());
        Assert.Contains("supcon", e.Message);
        Assert.Equal("circle", new TrainOptions { Stage = 2 }.LossName);
        Assert.Equal("supcon", TrainOptions.Preset("quick").LossName);
        Assert.Throws<ArgumentException>(() => TrainOptions.Preset("huge"));
        e = Assert.Throws<ArgumentException>(() => new TrainOptions { SelectMetric = "ndcg@20" }.Validate());
        Assert.Contains("'ndcg@20'", e.Message);
        Assert.Contains("ndcg_judged@10", e.Message);
        new TrainOptions { SelectMetric = "recall@100" }.Validate();
        Assert.Equal("ndcg@10", new TrainOptions().SelectMetricResolved);
        e = Assert.Throws<ArgumentException>(() => new TrainOptions { TopicClusters = 8 }.Validate());
        Assert.Contains("--in-batch-negatives", e.Message);
        e = Assert.Throws<ArgumentException>(() => new TrainOptions { TopicClusters = -1, InBatchNegatives = true }.Validate());
        Assert.Contains("TopicClusters must be ≥ 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => new TrainOptions { TopicClusters = 8, InBatchNegatives = true, BatchSize = 1 }.Validate());
        Assert.Contains("batch of ≥ 2", e.Message);
        new TrainOptions { TopicClusters = 8, Loss = "infonce" }.Validate(); // in-batch negatives by default
    }
}

public sealed class TrainCliKillTests
{
    private static string CliDll => Path.Combine(AppContext.BaseDirectory, "MineRefine.Cli.dll");

    private static Process Start(string dataDir, string outDir, bool resume)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { CliDll, "train", "--format", "sample", "--data", dataDir, "--tiny", "--seed", "3",
                     "--max-steps", "40", "--epochs", "100", "--batch-size", "8", "--checkpoint-every", "5", "--eval-every", "20",
                     "--dev-catalog", "300", "--threads", "1", "--max-query-len", "16", "--max-item-len", "32", "--lr", "0.003", "--patience", "0",
                     "--out", outDir, "--json" })
            psi.ArgumentList.Add(a);
        if (resume) psi.ArgumentList.Add("--resume");
        var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEndAsync();
        p.StandardError.ReadToEndAsync();
        return p;
    }

    /// <summary>True once a checkpoint is complete: a renamed <c>step-*</c> folder holding its manifest. The store
    /// writes the manifest inside a <c>.tmp-*</c> folder first, so a kill at that moment leaves nothing to resume from
    /// — waiting on any <c>checkpoint.json</c> made this test flaky. Folders pruned while we look are ignored.</summary>
    private static bool HasCompleteCheckpoint(string root)
    {
        try
        {
            return Directory.Exists(root) && Directory.EnumerateDirectories(root, "step-*")
                .Any(d => File.Exists(Path.Combine(d, CheckpointStore.ManifestName)));
        }
        catch (DirectoryNotFoundException) { return false; }
    }

    private static JsonElement Summary(string dir) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "train_summary.json"))).RootElement;

    [Fact]
    public void KilledCliRunResumesToTheSameResult()
    {
        Assert.True(File.Exists(CliDll), $"CLI not found next to the tests: {CliDll}");
        string data = TrainerTestUtil.TempDir(), a = TrainerTestUtil.TempDir(), b = TrainerTestUtil.TempDir();
        try
        {
            TrainerTestUtil.Sample.Value.WriteTo(data);
            using (var p = Start(data, b, resume: false))
            {
                var ckpts = Path.Combine(b, "checkpoints");
                var sw = Stopwatch.StartNew();
                while (!HasCompleteCheckpoint(ckpts))
                {
                    Assert.False(p.HasExited, "the CLI exited before its first checkpoint");
                    // A hang guard, not a speed check: generous so a heavily loaded machine cannot trip it.
                    Assert.True(sw.Elapsed < TimeSpan.FromMinutes(10), "no checkpoint appeared within 10 minutes");
                    Thread.Sleep(20);
                }
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
            }
            Assert.False(File.Exists(Path.Combine(b, "train_summary.json")), "the run finished before it was killed");
            using (var p = Start(data, b, resume: true)) { p.WaitForExit(); Assert.Equal(0, p.ExitCode); }
            using (var p = Start(data, a, resume: false)) { p.WaitForExit(); Assert.Equal(0, p.ExitCode); }
            var sa = Summary(a); var sb = Summary(b);
            Assert.True(sb.GetProperty("ResumedFromStep").GetInt64() > 0, "the resumed run did not start from a checkpoint");
            Assert.Equal(sa.GetProperty("ModelHash").GetString(), sb.GetProperty("ModelHash").GetString());
            Assert.Equal(sa.GetProperty("BestNdcg10").GetDouble(), sb.GetProperty("BestNdcg10").GetDouble());
            Assert.Equal(TrainerTests.Losses(a), TrainerTests.Losses(b));
        }
        finally { TrainerTestUtil.Delete(data); TrainerTestUtil.Delete(a); TrainerTestUtil.Delete(b); }
    }
}
