using MineRefine.Modeling;
using MineRefine.Tests.Cli;
using MineRefine.Training;

namespace MineRefine.Tests.Trainer;

/// <summary><c>train --head-seed</c>: stage-1 runs from a pretrained model with different <c>--seed</c> and one head seed
/// start from identical weights (so a soup of them is meaningful); without it the seed also draws the heads.</summary>
public sealed class HeadSeedCliTests
{
    [Fact]
    public void RunsWithOneHeadSeedShareTheirStartAndMerge()
    {
        string data = TrainerTestUtil.TempDir(), runs = TrainerTestUtil.TempDir();
        try
        {
            TrainerTestUtil.Sample.Value.WriteTo(data);
            string[] common = ["--format", "sample", "--data", data, "--model", "minilm", "--head-dim", "8", "--batch-size", "4", "--max-steps", "2",
                "--eval-every", "0", "--dev-catalog", "200", "--dev-queries", "10", "--max-query-len", "12", "--max-item-len", "24",
                "--checkpoint-every", "0", "--select", "last", "--save-start"];
            string Run(string name, params string[] args)
            {
                string dir = Path.Combine(runs, name);
                var r = CliRunner.Run([.. new[] { "train", "--stage", "1", "--out", dir }, .. args, .. common]);
                Assert.True(r.Code == 0, r.Err + r.Out);
                return dir;
            }
            static string Hash(string folder) { using var m = SiameseModel.Load(folder); return m.ComputeHash(); }

            string a = Run("a", "--seed", "3"), b = Run("b", "--seed", "7", "--head-seed", "3"), c = Run("c", "--seed", "7");
            string startA = Hash(SiameseTrainer.StartModelFolder(a)), startB = Hash(SiameseTrainer.StartModelFolder(b));
            Assert.Equal(startA, startB);                                             // one head seed: one start
            Assert.NotEqual(startA, Hash(SiameseTrainer.StartModelFolder(c)));        // default: --seed draws the heads
            Assert.NotEqual(Hash(Path.Combine(a, "model")), Hash(Path.Combine(b, "model"))); // the runs themselves differ
            var notes = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(b, "run.json"))).RootElement.GetProperty("notes");
            Assert.Equal(3, notes.GetProperty("head_seed").GetInt32());

            // The two fine-tunes average into a soup (same config and tokenizer).
            string soup = Path.Combine(runs, "soup");
            var m = CliRunner.Run("merge", Path.Combine(a, "model"), Path.Combine(b, "model"), "--out", soup);
            Assert.True(m.Code == 0, m.Err + m.Out);
            Assert.True(File.Exists(Path.Combine(soup, "model", "model.safetensors")));

            // Only for a pretrained start: a tiny model is drawn whole from --seed, a stage-2 --init keeps its heads.
            var tiny = CliRunner.Run("train", "--stage", "1", "--tiny", "--head-seed", "3", "--format", "sample", "--data", data, "--out", Path.Combine(runs, "t"));
            Assert.NotEqual(0, tiny.Code);
            Assert.Contains("--head-seed only applies to stage 1 from a pretrained model", tiny.Err + tiny.Out);
        }
        finally { TrainerTestUtil.Delete(data); TrainerTestUtil.Delete(runs); }
    }
}
