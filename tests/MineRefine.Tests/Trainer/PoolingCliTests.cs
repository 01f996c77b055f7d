using MineRefine.Modeling;
using MineRefine.Tests.Cli;

namespace MineRefine.Tests.Trainer;

/// <summary><c>train --pooling</c>: a pretrained start's towers can pool by learned attention instead of the model's
/// own pooling; the model folder records it and carries the learned weights.</summary>
public sealed class PoolingCliTests
{
    [Fact]
    public void AttentionPoolingTrainsFromMiniLmAndIsCheckedEarly()
    {
        string data = TrainerTestUtil.TempDir(), runs = TrainerTestUtil.TempDir();
        try
        {
            TrainerTestUtil.Sample.Value.WriteTo(data);
            string[] common = ["--format", "sample", "--data", data, "--batch-size", "4", "--max-steps", "2",
                "--eval-every", "0", "--dev-catalog", "200", "--dev-queries", "10", "--max-query-len", "12", "--max-item-len", "24",
                "--checkpoint-every", "0", "--select", "last"];
            string dir = Path.Combine(runs, "att");
            var r = CliRunner.Run([.. new[] { "train", "--stage", "1", "--model", "minilm", "--head-dim", "8", "--pooling", "attention", "--out", dir }, .. common]);
            Assert.True(r.Code == 0, r.Err + r.Out);
            using (var m = SiameseModel.Load(Path.Combine(dir, "model")))
            {
                Assert.Equal(PoolingMode.Attention, m.Config.Head.Pooling);
                foreach (var name in new[] { "query_pool.weight", "item_pool.weight" })
                {
                    var w = m.Encoder.named_parameters().Single(p => p.name == name).parameter;
                    Assert.Equal(384, w.shape[0]);
                    Assert.True(w.abs().max().item<float>() > 0, name + " never left its zero start");
                }
            }
            Assert.Contains("\"--pooling\"", File.ReadAllText(Path.Combine(dir, "run.json")));

            foreach (var (args, expect) in new[]
            {
                (new[] { "--model", "minilm", "--pooling", "max" }, "--pooling must be mean, cls or attention (got 'max')"),
                (new[] { "--tiny", "--pooling", "attention" }, "--pooling only applies to stage 1 from a pretrained model"),
                (new[] { "--model", Path.Combine(dir, "model"), "--pooling", "mean" }, "a model folder keeps its pooling"),
            })
            {
                var bad = CliRunner.Run([.. new[] { "train", "--stage", "1", "--out", Path.Combine(runs, "bad") }, .. args, .. common]);
                Assert.NotEqual(0, bad.Code);
                Assert.Contains(expect, bad.Err + bad.Out);
            }
        }
        finally { TrainerTestUtil.Delete(data); TrainerTestUtil.Delete(runs); }
    }
}
