using System.Text.Json;
using MineRefine.Tests.Cli;

namespace MineRefine.Tests.Trainer;

/// <summary><c>train --topic-batches K</c>: the queries are clustered, the summary reports the clusters, and the option
/// is refused without in-batch negatives (it would change nothing).</summary>
public sealed class TopicBatchesCliTests
{
    [Fact]
    public void TopicBatchesRunAndReportTheirClusters()
    {
        string data = TrainerTestUtil.TempDir(), runs = TrainerTestUtil.TempDir();
        try
        {
            TrainerTestUtil.Sample.Value.WriteTo(data);
            string[] common = ["train", "--stage", "1", "--tiny", "--seed", "3", "--format", "sample", "--data", data, "--batch-size", "8", "--max-steps", "3",
                "--eval-every", "0", "--dev-catalog", "200", "--dev-queries", "10", "--max-query-len", "12", "--max-item-len", "24", "--checkpoint-every", "0"];
            string dir = Path.Combine(runs, "tb");
            var r = CliRunner.Run([.. common, "--in-batch-negatives", "--topic-batches", "5", "--out", dir]);
            Assert.True(r.Code == 0, r.Err + r.Out);
            Assert.Contains("topic-aware batches", r.Out);
            var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "train_summary.json"))).RootElement;
            Assert.Equal(5, summary.GetProperty("TopicClusters").GetInt32());
            // one line per cluster, every training query in exactly one
            var lines = File.ReadAllLines(Path.Combine(dir, MineRefine.Training.SiameseTrainer.TopicClustersFileName));
            Assert.Equal(5, lines.Length);
            var clusters = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(Enumerable.Range(0, 5), clusters.Select(c => c.GetProperty("cluster").GetInt32()));
            Assert.All(clusters, c => Assert.Equal(c.GetProperty("size").GetInt32(), c.GetProperty("queries").GetArrayLength()));
            var sizes = summary.GetProperty("TopicClusterSizes").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(clusters.Min(c => c.GetProperty("size").GetInt32()), sizes[0]);
            Assert.Equal(clusters.Max(c => c.GetProperty("size").GetInt32()), sizes[2]);
            var run = File.ReadAllText(Path.Combine(dir, "run.json"));
            Assert.Contains("\"topic_clusters\": 5", run);

            var refused = CliRunner.Run([.. common, "--topic-batches", "5", "--out", Path.Combine(runs, "no")]);
            Assert.NotEqual(0, refused.Code);
            Assert.Contains("--in-batch-negatives", refused.Err + refused.Out);
        }
        finally { TrainerTestUtil.Delete(data); TrainerTestUtil.Delete(runs); }
    }
}
