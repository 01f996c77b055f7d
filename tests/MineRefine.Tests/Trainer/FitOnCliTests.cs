using System.Text.Json;
using MineRefine.Data;
using MineRefine.Tests.Cli;

namespace MineRefine.Tests.Trainer;

/// <summary><c>train --fit-on train+dev</c>: the final fit of a recipe chosen on dev learns from the dev judgments too,
/// keeps the last step's weights and never touches test; contradicting options are refused early.</summary>
public sealed class FitOnCliTests
{
    [Fact]
    public void TrainPlusDevLearnsFromMoreQueriesKeepsTheLastStepAndRefusesDevSelection()
    {
        string data = TrainerTestUtil.TempDir(), runs = TrainerTestUtil.TempDir();
        try
        {
            TrainerTestUtil.Sample.Value.WriteTo(data);
            string[] common = ["train", "--stage", "1", "--tiny", "--format", "sample", "--data", data, "--batch-size", "4",
                "--max-steps", "3", "--eval-every", "1", "--dev-catalog", "200", "--dev-queries", "10", "--checkpoint-every", "0", "--json"];

            var train = CliRunner.Run([.. common, "--out", Path.Combine(runs, "train")]);
            Assert.True(train.Code == 0, train.Err + train.Out);
            var both = CliRunner.Run([.. common, "--fit-on", "train+dev", "--out", Path.Combine(runs, "both")]);
            Assert.True(both.Code == 0, both.Err + both.Out);
            Assert.Contains("--fit-on train+dev", both.Err);

            using var a = JsonDocument.Parse(train.Out);
            using var b = JsonDocument.Parse(both.Out);
            // The sample's split, computed independently: train+dev has exactly the train and dev queries with a positive.
            var split = QuerySplitter.Split(TrainerTestUtil.Sample.Value.Data, 13);
            int Positive(IEnumerable<Judgment> js) => js.Where(j => j.Grade > 0).Select(j => j.QueryId).Distinct().Count();
            Assert.Equal(Positive(split.Train), a.RootElement.GetProperty("Instances").GetInt32());
            Assert.Equal(Positive(split.Train.Concat(split.Dev)), b.RootElement.GetProperty("Instances").GetInt32());
            Assert.True(Positive(split.Dev) > 0);

            // The last step's weights, whatever dev says; no early stop.
            Assert.Equal(3, b.RootElement.GetProperty("StepsDone").GetInt32());
            Assert.Equal(3, b.RootElement.GetProperty("KeptStep").GetInt32());
            Assert.False(b.RootElement.GetProperty("StoppedEarly").GetBoolean());
            Assert.Contains("\"fit_on\": \"train+dev\"", File.ReadAllText(Path.Combine(runs, "both", "run.json")));
            Assert.Contains("\"fit_on\": \"train\"", File.ReadAllText(Path.Combine(runs, "train", "run.json")));

            foreach (var (args, expect) in new[]
            {
                (new[] { "--fit-on", "train+dev", "--select", "best" }, "dev cannot choose the weights"),
                (new[] { "--fit-on", "train+dev", "--patience", "2" }, "dev cannot stop the run early"),
                (new[] { "--fit-on", "test" }, "Unknown --fit-on 'test'"),
            })
            {
                var bad = CliRunner.Run([.. common, .. args, "--out", Path.Combine(runs, "bad")]);
                Assert.NotEqual(0, bad.Code);
                Assert.Contains(expect, bad.Err + bad.Out);
            }
        }
        finally { TrainerTestUtil.Delete(data); TrainerTestUtil.Delete(runs); }
    }
}
