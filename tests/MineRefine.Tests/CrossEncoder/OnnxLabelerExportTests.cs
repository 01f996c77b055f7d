using MineRefine.Labeling;
using MineRefine.Labeling.CrossEncoder;
using MineRefine.Modeling.Onnx;
using MineRefine.Tests.Cli;

namespace MineRefine.Tests.CrossEncoder;

public class OnnxLabelerExportTests
{
    private static readonly LabelRequest[] Pairs =
    [
        new("q1", "cordless drill", "p1", "DeWalt 20V Cordless Drill. Category: Tools > Power Tools"),
        new("q1", "cordless drill", "p2", "Oak Dining Table. Category: Furniture"),
        new("q2", "white paint", "p3", "Interior Eggshell Paint, White, 1 gal"),
        new("q3", "", "p4", ""),
        new("q4", string.Join(' ', Enumerable.Repeat("long query words", 20)), "p5", string.Join(' ', Enumerable.Repeat("long item text", 30))),
    ];

    [Fact]
    public void An_exported_labeler_folder_labels_on_onnx_runtime_with_the_torch_probabilities()
    {
        using var tmp = new MineRefine.Tests.Data.TempDir();
        var root = tmp.Path;
        string plain = Path.Combine(root, "plain"), exported = Path.Combine(root, "exported");
        using (var package = CrossEncoderPackage.CreateTiny(3))
        {
            package.Save(plain);
            var parity = OnnxExportCheck.ExportLabelerAndCheck(package, exported);
            Assert.True(parity.MaxAbsDiff < 1e-5, $"max |Δ| {parity.MaxAbsDiff}");
            Assert.True(parity.Passed);
            Assert.Equal(1.0, parity.GradeAgreement);
            Assert.Equal(2 * OnnxExportCheck.ProbeTexts.Count, parity.Pairs);
        }

        using var torch = CrossEncoderLabeler.FromFolder(plain, new CrossEncoderLabelerOptions { BatchSize = 2 });
        using var ort = CrossEncoderLabeler.FromFolder(exported, new CrossEncoderLabelerOptions { BatchSize = 2 });
        Assert.False(torch.UsesOnnxRuntime);
        Assert.True(ort.UsesOnnxRuntime);
        var a = torch.Label(Pairs);
        var b = ort.Label(Pairs);
        for (int i = 0; i < Pairs.Length; i++)
        {
            Assert.Equal(a[i].Grade, b[i].Grade);
            for (int g = 0; g < 3; g++) Assert.Equal(a[i].Probabilities[g], b[i].Probabilities[g], 5);
            Assert.Equal(1.0, b[i].Probabilities.Sum(), 5);
        }
        // The exported folder is still a complete labeler folder (TorchSharp weights kept) …
        using (var again = CrossEncoderPackage.Load(exported)) Assert.Equal(3, again.PredictProbabilities([again.Encode("a", "b")])[0].Length);
        // … and its graph is hash-checked like every other file.
        var graph = Path.Combine(exported, OnnxExporter.ModelFile);
        var bytes = File.ReadAllBytes(graph);
        bytes[^3] ^= 0x21;
        File.WriteAllBytes(graph, bytes);
        var e = Assert.Throws<InvalidDataException>(() => CrossEncoderLabeler.FromFolder(exported));
        Assert.Contains(OnnxExporter.ModelFile, e.Message);
    }

    [Fact]
    public void Export_command_writes_a_checked_labeler_folder()
    {
        using var tmp = new MineRefine.Tests.Data.TempDir();
        var root = tmp.Path;
        string labeler = Path.Combine(root, "labeler"), outDir = Path.Combine(root, "out");
        using (var package = CrossEncoderPackage.CreateTiny(5)) package.Save(labeler);
        var r = CliRunner.Run("export", "--model", labeler, "--out", outDir, "--json");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("\"onnx_labeler\"", r.Out);
        var summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "export.json")))!;
        Assert.True(summary["parity"]!["passed"]!.GetValue<bool>());
        using var exported = CrossEncoderLabeler.FromFolder(Path.Combine(outDir, "labeler"));
        Assert.True(exported.UsesOnnxRuntime);
    }
}
