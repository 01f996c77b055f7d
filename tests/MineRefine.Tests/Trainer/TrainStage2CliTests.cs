using System.Text.Json;
using MineRefine.Cli;
using MineRefine.Cli.Infrastructure;
using MineRefine.Data;
using MineRefine.Data.Import;
using MineRefine.Training;

namespace MineRefine.Tests.Trainer;

public sealed class TrainStage2CliTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        int code = Program.Run(args, CliEnvironment.Plain(o, e));
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Stage2ContinuesFromStage1ModelWithCircleLossOnJudgmentsAndMinedPairs()
    {
        string data = TrainerTestUtil.TempDir(), s1 = TrainerTestUtil.TempDir(), s2 = TrainerTestUtil.TempDir();
        try
        {
            var sample = TrainerTestUtil.Sample.Value;
            sample.WriteTo(data);
            string[] common = ["--format", "sample", "--data", data, "--seed", "3", "--batch-size", "8", "--eval-every", "0",
                "--dev-catalog", "300", "--max-query-len", "16", "--max-item-len", "32", "--checkpoint-every", "0"];
            var r1 = Cli([.. new[] { "train", "--stage", "1", "--tiny", "--max-steps", "6", "--tau", "0.2", "--out", s1 }, .. common]);
            Assert.True(r1.Code == 0, r1.Err + r1.Out);
            Assert.True(File.Exists(Path.Combine(s1, "model", "model.safetensors")));
            // --tau sets the initial SupCon temperature (default 0.05); the loss logs the τ it used at step 1.
            using (var step1 = JsonDocument.Parse(File.ReadLines(Path.Combine(s1, "metrics.jsonl")).First(l => l.StartsWith("{\"step\":1,", StringComparison.Ordinal))))
                Assert.Equal(0.2, step1.RootElement.GetProperty("loss/supcon/tau").GetDouble(), 6);

            // Mined pairs: for a few train queries, unjudged products graded 0 (+ one duplicate of an original pair).
            var split = QuerySplitter.Split(sample.Data, 13);
            var judged = split.Train.Select(j => (j.QueryId, j.ProductId)).ToHashSet();
            var lines = new List<string>();
            foreach (var q in split.Train.Select(j => j.QueryId).Distinct().Take(10))
                foreach (var p in sample.Data.Products.Where(p => !judged.Contains((q, p.Id))).Take(3))
                    lines.Add(JsonSerializer.Serialize(new { query_id = q, product_id = p.Id, grade = 0, source = "model" }));
            var dupe = split.Train[0];
            lines.Add(JsonSerializer.Serialize(new { query_id = dupe.QueryId, product_id = dupe.ProductId, grade = 0, source = "model" }));
            string mined = Path.Combine(data, "mined.jsonl");
            File.WriteAllLines(mined, lines);

            var r2 = Cli([.. new[] { "train", "--stage", "2", "--init", Path.Combine(s1, "model"), "--mined", mined, "--max-steps", "6", "--out", s2 }, .. common]);
            Assert.True(r2.Code == 0, r2.Err + r2.Out);
            var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(s2, "run.json"))).RootElement.GetProperty("notes");
            Assert.Equal(30, run.GetProperty("mined_added").GetInt32());
            Assert.Equal(1, run.GetProperty("mined_duplicates_of_originals").GetInt32());
            var metrics = MetricsLog.ReadAll(Path.Combine(s2, "metrics.jsonl"));
            Assert.Contains(metrics, m => m.EnumerateObject().Any(p => p.Name.StartsWith("loss/circle", StringComparison.Ordinal)));
            Assert.DoesNotContain(metrics, m => m.EnumerateObject().Any(p => p.Name.StartsWith("loss/supcon", StringComparison.Ordinal)));
            Assert.True(File.Exists(Path.Combine(s2, "model", "model.safetensors")));

            // The trained model evaluates through `eval --retriever dense --model`.
            string ev = Path.Combine(s2, "eval");
            var r3 = Cli("eval", "--format", "sample", "--data", data, "--retriever", "dense", "--model", Path.Combine(s2, "model"), "--split", "dev", "--out", ev);
            Assert.True(r3.Code == 0, r3.Err + r3.Out);
            var m3 = JsonDocument.Parse(File.ReadAllText(Path.Combine(ev, "metrics.json"))).RootElement;
            Assert.True(m3.GetProperty("metrics").TryGetProperty("ndcg@10", out _));
            Assert.Equal(JsonValueKind.Object, m3.GetProperty("separation").ValueKind);

            // With a judge (here the sample's complete truth), the assumed negatives are graded: the mined pairs that are
            // really relevant stay as mined, but the random negatives the truth calls relevant are masked.
            string s2j = Path.Combine(s2, "judged");
            var rj = Cli([.. new[] { "train", "--stage", "2", "--init", Path.Combine(s1, "model"), "--mined", mined, "--max-steps", "2", "--out", s2j,
                "--judge", "complete:" + Path.Combine(data, JsonlFormat.CompleteTruthFile), "--judged-random-negatives", "4",
                "--select-metric", "ndcg_judged@10" }, .. common]);
            Assert.True(rj.Code == 0, rj.Err + rj.Out);
            var res = JsonDocument.Parse(File.ReadAllText(Path.Combine(s2j, "run.json"))).RootElement.GetProperty("notes").GetProperty("result");
            // --select-metric reaches the trainer, its summary table and the manifest
            Assert.Equal("ndcg_judged@10", res.GetProperty("select_metric").GetString());
            Assert.Contains("best by dev ndcg_judged@10", rj.Out + rj.Err);
            Assert.Equal("complete:" + JsonlFormat.CompleteTruthFile, res.GetProperty("judge").GetString());
            Assert.Equal(2 * 8 * 4, res.GetProperty("judged_random_negatives").GetInt64());
            Assert.Contains("random negatives graded / relevant", rj.Out + rj.Err);
            foreach (var (args, expect) in new[]
            {
                (new[] { "--judged-random-negatives", "4" }, "--judged-random-negatives needs --judge"),
                (new[] { "--judge", "labeler:" + Path.Combine(data, "no-such-labeler") }, "does not exist"),
                (new[] { "--judge", "oracle" }, "Unknown --judge"),
                (new[] { "--select-metric", "ndcg@5" }, "Unknown selection metric 'ndcg@5'"),
                (new[] { "--head-dim", "384" }, "--head-dim only applies to stage 1 from a pretrained model"),
            })
            {
                var r = Cli([.. new[] { "train", "--stage", "2", "--init", Path.Combine(s1, "model"), "--mined", mined, "--out", s2j }, .. args, .. common]);
                Assert.NotEqual(0, r.Code);
                Assert.Contains(expect, r.Err + r.Out);
            }

            // --head-dim: only for a pretrained start, and in range.
            var tinyHead = Cli([.. new[] { "train", "--stage", "1", "--tiny", "--head-dim", "64", "--out", s1 }, .. common]);
            Assert.NotEqual(0, tinyHead.Code);
            Assert.Contains("--head-dim only applies", tinyHead.Err + tinyHead.Out);
            var zeroHead = Cli([.. new[] { "train", "--stage", "1", "--model", "arctic-xs", "--head-dim", "0", "--out", s1 }, .. common]);
            Assert.NotEqual(0, zeroHead.Code);
            Assert.Contains("--head-dim must be in [1, 4096]", zeroHead.Err + zeroHead.Out);

            var hotTau = Cli([.. new[] { "train", "--stage", "1", "--tiny", "--tau", "2", "--out", s1 }, .. common]);
            Assert.NotEqual(0, hotTau.Code);
            Assert.Contains("initial temperature τ₀ (--tau) 2 must lie in [0.01, 1]", hotTau.Err + hotTau.Out);

            var bothInBatch = Cli([.. new[] { "train", "--stage", "1", "--tiny", "--in-batch-negatives", "--no-in-batch-negatives", "--out", s1 }, .. common]);
            Assert.NotEqual(0, bothInBatch.Code);
            Assert.Contains("--in-batch-negatives and --no-in-batch-negatives contradict", bothInBatch.Err + bothInBatch.Out);

            // Stage 2 without --init is rejected with a fix-it message.
            var bad = Cli([.. new[] { "train", "--stage", "2", "--mined", mined, "--out", s2 }, .. common]);
            Assert.NotEqual(0, bad.Code);
            Assert.Contains("--init", bad.Err + bad.Out);
        }
        finally { TrainerTestUtil.Delete(data); TrainerTestUtil.Delete(s1); TrainerTestUtil.Delete(s2); }
    }

    [Fact]
    public void LossAndInBatchNegativeOptionsReachTheTrainer()
    {
        string data = TrainerTestUtil.TempDir(), a = TrainerTestUtil.TempDir(), b = TrainerTestUtil.TempDir();
        try
        {
            TrainerTestUtil.Sample.Value.WriteTo(data);
            string[] common = ["--format", "sample", "--data", data, "--seed", "3", "--batch-size", "8", "--eval-every", "0", "--tiny",
                "--max-steps", "2", "--dev-catalog", "300", "--max-query-len", "16", "--max-item-len", "32", "--checkpoint-every", "0"];
            var ra = Cli([.. new[] { "train", "--stage", "1", "--in-batch-negatives", "--out", a }, .. common]);
            Assert.True(ra.Code == 0, ra.Err + ra.Out);
            Assert.Contains("supcon / on", ra.Out);
            var la = MetricsLog.ReadAll(Path.Combine(a, "metrics.jsonl")).Where(l => l.TryGetProperty("loss/total", out _)).ToList();
            Assert.Equal(2, la.Count);
            Assert.All(la, l => Assert.True(l.TryGetProperty("in_batch_negatives", out _) && l.TryGetProperty("loss/supcon/tau", out _)));

            var rb = Cli([.. new[] { "train", "--stage", "1", "--loss", "infonce", "--no-in-batch-negatives", "--out", b }, .. common]);
            Assert.True(rb.Code == 0, rb.Err + rb.Out);
            Assert.Contains("infonce / off", rb.Out);
            var lb = MetricsLog.ReadAll(Path.Combine(b, "metrics.jsonl")).Where(l => l.TryGetProperty("loss/total", out _)).ToList();
            Assert.Equal(2, lb.Count);
            Assert.All(lb, l => Assert.True(l.TryGetProperty("loss/infonce/ce", out _) && !l.TryGetProperty("in_batch_negatives", out _)));
            using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(b, "run.json")));
            Assert.Contains("\"in_batch_negatives\":false", run.RootElement.GetProperty("options").GetRawText().Replace(" ", ""));
        }
        finally { TrainerTestUtil.Delete(data); TrainerTestUtil.Delete(a); TrainerTestUtil.Delete(b); }
    }
}
