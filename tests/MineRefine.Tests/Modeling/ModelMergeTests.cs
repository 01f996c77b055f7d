using System.Text.Json;
using MineRefine.Modeling;
using MineRefine.Tests.Cli;
using static TorchSharp.torch;

namespace MineRefine.Tests.Modeling;

public class ModelMergeTests
{
    private static Dictionary<string, float[]> Weights(SiameseModel m) =>
        m.Encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().data<float>().ToArray());

    private static string SaveTiny(string root, string name, long seed, int outputDim = 16)
    {
        var dir = Path.Combine(root, name);
        using var m = EncoderTestUtil.TinyModel(EncoderTestUtil.TinyWordPiece(), seed, outputDim);
        m.Save(dir);
        return dir;
    }

    [Fact]
    public void Weighted_average_is_computed_parameter_by_parameter()
    {
        var tok = EncoderTestUtil.TinyWordPiece();
        using var a = EncoderTestUtil.TinyModel(tok, seed: 1);
        using var b = EncoderTestUtil.TinyModel(tok, seed: 2);
        using var c = EncoderTestUtil.TinyModel(tok, seed: 3);
        var wa = Weights(a); var wb = Weights(b); var wc = Weights(c);
        Assert.Contains(wa.Keys, k => !wa[k].SequenceEqual(wb[k])); // different seeds: the average is not trivial

        using var target = EncoderTestUtil.TinyModel(tok, seed: 9);
        ModelMerge.Average([a, b, c], [0.5, 0.3, 0.2], target);
        foreach (var (name, got) in Weights(target))
            for (int i = 0; i < got.Length; i++)
                Assert.Equal(0.5 * wa[name][i] + 0.3 * wb[name][i] + 0.2 * wc[name][i], got[i], 1e-5);

        // The target may be an input: (1, 0) gives that input back exactly, (0, 1) the other one.
        ModelMerge.Average([a, b], [0.0, 1.0], a);
        Assert.Equal(wb, Weights(a));
    }

    [Fact]
    public void Bad_weights_are_rejected_with_a_fix()
    {
        var tok = EncoderTestUtil.TinyWordPiece();
        using var a = EncoderTestUtil.TinyModel(tok, seed: 1);
        using var b = EncoderTestUtil.TinyModel(tok, seed: 2);
        Assert.Contains("sum to 1", Assert.Throws<ArgumentException>(() => ModelMerge.Average([a, b], [0.5, 0.6], a)).Message);
        Assert.Contains("≥ 0", Assert.Throws<ArgumentException>(() => ModelMerge.Average([a, b], [1.5, -0.5], a)).Message);
        Assert.Contains("one weight per model", Assert.Throws<ArgumentException>(() => ModelMerge.Average([a, b], [1.0], a)).Message);
    }

    [Fact]
    public void Folders_of_different_architectures_are_refused_naming_the_difference()
    {
        var root = EncoderTestUtil.TempDir();
        try
        {
            string a = SaveTiny(root, "a", 1), b = SaveTiny(root, "b", 2), wide = SaveTiny(root, "wide", 3, outputDim: 8);
            Assert.Null(ModelMerge.Incompatibility(a, b));
            var problem = ModelMerge.Incompatibility(a, wide);
            Assert.NotNull(problem);
            Assert.Contains("config.json", problem);
            Assert.Contains("head", problem);
            Assert.Contains("one architecture", Assert.Throws<ArgumentException>(() => ModelMerge.Merge([a, wide])).Message);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void Merge_command_writes_a_loadable_uniform_soup_and_validates_its_options()
    {
        var root = EncoderTestUtil.TempDir();
        try
        {
            string a = SaveTiny(root, "a", 1), b = SaveTiny(root, "b", 2), outDir = Path.Combine(root, "soup");
            var (code, stdout, err) = CliRunner.Run("merge", a, b, "--out", outDir, "--json");
            Assert.True(code == 0, err);
            using var ma = SiameseModel.Load(a);
            using var mb = SiameseModel.Load(b);
            using var soup = SiameseModel.Load(Path.Combine(outDir, "model"));
            var (wa, wb) = (Weights(ma), Weights(mb));
            foreach (var (name, got) in Weights(soup))
                for (int i = 0; i < got.Length; i++) Assert.Equal(0.5 * wa[name][i] + 0.5 * wb[name][i], got[i], 1e-5);
            var summary = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal(soup.ComputeHash(), summary.GetProperty("model_hash").GetString());
            Assert.True(File.Exists(Path.Combine(outDir, "merge.json")));
            Assert.True(File.Exists(Path.Combine(outDir, "run.json")));

            // WiSE-FT weights (1 − α, α) with α = 1 give the second model back.
            var wise = Path.Combine(root, "wise");
            Assert.Equal(0, CliRunner.Run("merge", a, b, "--weights", "0,1", "--out", wise).Code);
            using (var w = SiameseModel.Load(Path.Combine(wise, "model"))) Assert.Equal(mb.ComputeHash(), w.ComputeHash());

            var bad = CliRunner.Run("merge", a, b, "--weights", "0.5", "--out", Path.Combine(root, "x"));
            Assert.NotEqual(0, bad.Code);
            Assert.Contains("one per model", bad.Out + bad.Err);
            bad = CliRunner.Run("merge", a, b, "--weights", "0.5,abc", "--out", Path.Combine(root, "x"));
            Assert.Contains("not a number", bad.Out + bad.Err);
            bad = CliRunner.Run("merge", a, "--out", Path.Combine(root, "x"));
            Assert.Contains("at least two", bad.Out + bad.Err);
            Assert.False(Directory.Exists(Path.Combine(root, "x")));
        }
        finally { Directory.Delete(root, true); }
    }
}
