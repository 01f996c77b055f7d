using Microsoft.ML.OnnxRuntime;
using MineRefine.Modeling;
using MineRefine.Modeling.Onnx;
using MineRefine.Text.Tokenization;

namespace MineRefine.Tests.Modeling;

public class OnnxExportTests
{
    private static readonly string[] Texts =
    [
        "red drill", "cordless power tools", "the blue hammer saw", "", "paint", "wood saw a the red blue drill hammer tools power paint",
        "unknown words only", string.Join(' ', Enumerable.Repeat("cordless drill", 30)), "red, blue. category: tools > saw",
    ];

    private static SiameseModel Model(ITokenizer tok, HeadConfig head, long seed = 7, string? prefix = null, int positionOffset = 0) =>
        SiameseModel.CreateRandom(new SiameseConfig
        {
            Transformer = TransformerConfig.Tiny(tok.VocabSize) with { PositionOffset = positionOffset, MaxPositions = 64 + positionOffset },
            Head = head,
            MaxQueryLength = 16,
            MaxItemLength = 24,
            QueryPrefix = prefix,
        }, tok, seed);

    public static TheoryData<string> Variants => new() { "mean-16", "cls-16", "mean-shared-16", "cls-identity", "mean-prefix-offset", "attention-16", "attention-shared-16" };

    private static SiameseModel Variant(string name, ITokenizer tok) => name switch
    {
        "mean-16" => Model(tok, new HeadConfig { OutputDim = 16, Pooling = PoolingMode.Mean }),
        "cls-16" => Model(tok, new HeadConfig { OutputDim = 16, Pooling = PoolingMode.Cls }),
        "mean-shared-16" => Model(tok, new HeadConfig { OutputDim = 16, Shared = true }),
        "cls-identity" => Model(tok, new HeadConfig { OutputDim = 0, Pooling = PoolingMode.Cls }),
        "mean-prefix-offset" => Model(tok, new HeadConfig { OutputDim = 8 }, prefix: "the ", positionOffset: 2),
        "attention-16" => WithRandomPoolWeights(Model(tok, new HeadConfig { OutputDim = 16, Pooling = PoolingMode.Attention })),
        "attention-shared-16" => WithRandomPoolWeights(Model(tok, new HeadConfig { OutputDim = 16, Shared = true, Pooling = PoolingMode.Attention })),
        _ => throw new ArgumentException(name),
    };

    private static SiameseModel WithRandomPoolWeights(SiameseModel model)
    {
        AttentionPoolingTests.RandomisePoolWeights(model, 5); // they start at 0 (= the mean); random ones test the attention path
        return model;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void OnnxRuntimeReproducesTheTorchModelForBothTowers(string variant)
    {
        var tok = EncoderTestUtil.TinyWordPiece();
        using var tmp = new MineRefine.Tests.Data.TempDir();
        var dir = Path.Combine(tmp.Path, "onnx");
        using var model = Variant(variant, tok);
        OnnxExporter.Export(model, dir);
        // Batches of 4 mix lengths, so padding and masking are exercised too.
        var options = new EmbedderOptions { BatchSize = 4 };
        using var torchEmbedder = new SiameseEmbedder(model, "torch", options, ownsModel: false);
        using var onnx = OnnxSiameseEmbedder.FromFolder(dir, options, threads: 1);
        Assert.Equal(torchEmbedder.Dimension, onnx.Dimension);
        var parity = OnnxExportCheck.Compare(torchEmbedder, onnx, Texts);
        Assert.True(parity.QueryMaxAbsDiff < 1e-5, $"query max |Δ| {parity.QueryMaxAbsDiff}");
        Assert.True(parity.ItemMaxAbsDiff < 1e-5, $"item max |Δ| {parity.ItemMaxAbsDiff}");
        Assert.True(parity.Passed);
        // The two towers really differ unless the head is shared (or absent).
        var q = onnx.Encode(["red drill"], EmbeddingRole.Query).Row(0).ToArray();
        var i = onnx.Encode(["red drill"], EmbeddingRole.Item).Row(0).ToArray();
        bool sameTower = variant is "mean-shared-16" or "cls-identity" or "attention-shared-16";
        Assert.Equal(sameTower, q.Zip(i).All(p => Math.Abs(p.First - p.Second) < 1e-6));
        Assert.Equal(1.0, Math.Sqrt(q.Sum(v => (double)v * v)), 5);
    }

    [Fact]
    public void TheFolderDescribesItselfAndIsCheckedOnLoad()
    {
        var tok = EncoderTestUtil.TinyWordPiece();
        using var tmp = new MineRefine.Tests.Data.TempDir();
        var dir = Path.Combine(tmp.Path, "onnx");
        using var model = Variant("mean-16", tok);
        OnnxExporter.Export(model, dir, sourceHash: "abc");
        Assert.True(OnnxExporter.IsOnnxFolder(dir));
        foreach (var f in new[] { OnnxExporter.ModelFile, SiameseModel.ConfigFile, SiameseModel.ManifestFile, WordPieceTokenizer.VocabFileName })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, SiameseModel.ManifestFile)))!;
        Assert.Equal(OnnxExporter.Format, manifest["format"]!.GetValue<string>());
        Assert.Equal("abc", manifest["sourceModelHash"]!.GetValue<string>());

        // ONNX Runtime sees the documented interface and the metadata.
        using (var session = new InferenceSession(Path.Combine(dir, OnnxExporter.ModelFile)))
        {
            Assert.Equal(new[] { OnnxExporter.InputIds, OnnxExporter.AttentionMask }, session.InputMetadata.Keys.ToArray());
            Assert.Equal(new[] { OnnxExporter.QueryOutput, OnnxExporter.ItemOutput }, session.OutputMetadata.Keys.ToArray());
            Assert.Equal(new[] { -1, 16 }, session.OutputMetadata[OnnxExporter.ItemOutput].Dimensions);
            var meta = session.ModelMetadata.CustomMetadataMap;
            Assert.Equal("mean", meta["pooling"]);
            Assert.Equal("16", meta["max_query_length"]);
            Assert.Contains("\"itemTemplate\"", meta["minerefine.config"]);
        }

        // Every --model opens it on ONNX Runtime, with its own hash (caches never mix it with the torch model's vectors).
        using (var opened = EmbedderFactory.Open(dir))
        {
            Assert.IsType<OnnxSiameseEmbedder>(opened);
            Assert.NotEqual(model.ComputeHash(), opened.ModelHash);
            Assert.Equal(model.Config.ItemTemplate, opened.Config.ItemTemplate);
        }

        // Training cannot start from it: the error says what it is and what to use instead.
        var e = Assert.Throws<InvalidDataException>(() => SiameseModel.Load(dir));
        Assert.Contains("ONNX model folder", e.Message);

        // A changed graph file is caught by the manifest and named.
        var path = Path.Combine(dir, OnnxExporter.ModelFile);
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        var corrupt = Assert.Throws<InvalidDataException>(() => OnnxSiameseEmbedder.FromFolder(dir));
        Assert.Contains(OnnxExporter.ModelFile, corrupt.Message);
        Assert.Contains("SHA-256", corrupt.Message);
    }

    [Fact]
    public void TheParityCheckFailsForAGraphOfOtherWeights()
    {
        var tok = EncoderTestUtil.TinyWordPiece();
        using var tmp = new MineRefine.Tests.Data.TempDir();
        var dir = Path.Combine(tmp.Path, "onnx");
        using var exported = Variant("mean-16", tok);
        using var other = Model(tok, new HeadConfig { OutputDim = 16 }, seed: 8);
        OnnxExporter.Export(exported, dir);
        using var onnx = OnnxSiameseEmbedder.FromFolder(dir, threads: 1);
        using var wrong = new SiameseEmbedder(other, "other", ownsModel: false);
        var parity = OnnxExportCheck.Compare(wrong, onnx, Texts);
        Assert.False(parity.Passed);
        Assert.True(parity.QueryMaxAbsDiff > 1e-2 && parity.ItemMaxAbsDiff > 1e-2);
    }

    [Fact]
    public void ExportReplacesAnOldFolderAtomically()
    {
        var tok = EncoderTestUtil.TinyWordPiece();
        using var tmp = new MineRefine.Tests.Data.TempDir();
        var root = tmp.Path;
        var dir = Path.Combine(root, "onnx");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "stale.txt"), "old");
        using var model = Variant("cls-16", tok);
        OnnxExporter.Export(model, dir);
        Assert.False(File.Exists(Path.Combine(dir, "stale.txt")));
        Assert.Equal(["onnx"], Directory.GetDirectories(root).Select(d => new DirectoryInfo(d).Name).ToArray());
    }
}
