using System.Text.Json.Nodes;
using MineRefine.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Tests.Modeling;

public class PersistenceTests
{
    [Fact]
    public void SafetensorsRoundTrip()
    {
        var dir = EncoderTestUtil.TempDir();
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var a = randn(3, 4);
        var b = tensor(new long[] { 1, 2, 3 });
        var path = Path.Combine(dir, "t.safetensors");
        Safetensors.Write(path, new Dictionary<string, Tensor> { ["a.weight"] = a, ["ids"] = b }, new Dictionary<string, string> { ["k"] = "v" });
        var read = Safetensors.Read(path, out var meta);
        Assert.Equal("v", meta["k"]);
        Assert.Equal(new long[] { 3, 4 }, read["a.weight"].Shape);
        Assert.Equal(a.data<float>().ToArray(), read["a.weight"].Floats);
        Assert.Equal(new long[] { 1, 2, 3 }, read["ids"].Int64s);
    }

    [Fact]
    public void ReadsF16AndBf16()
    {
        var dir = EncoderTestUtil.TempDir();
        var path = Path.Combine(dir, "h.safetensors");
        var header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[4,6]}}";
        var hb = System.Text.Encoding.UTF8.GetBytes(header);
        using (var fs = File.Create(path))
        {
            fs.Write(BitConverter.GetBytes((long)hb.Length));
            fs.Write(hb);
            fs.Write(BitConverter.GetBytes((Half)1.5f));
            fs.Write(BitConverter.GetBytes((Half)(-2f)));
            fs.Write(BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(3.25f) >> 16)));
        }
        var r = Safetensors.Read(path);
        Assert.Equal(new[] { 1.5f, -2f }, r["h"].Floats);
        Assert.Equal(new[] { 3.25f }, r["b"].Floats);
    }

    [Fact]
    public void LoadsHuggingFaceNamedCheckpointWithPrefix()
    {
        var dir = EncoderTestUtil.TempDir();
        var cfg = TransformerConfig.Tiny(20);
        torch.manual_seed(5);
        using var src = new BertModel(cfg);
        var path = Path.Combine(dir, "hf.safetensors");
        using (var scope = NewDisposeScope())
        {
            // HF layout: "bert." prefix, plus a pooler and position_ids that must be ignored.
            var dict = src.named_parameters().ToDictionary(p => "bert." + p.name, p => (Tensor)p.parameter);
            dict["bert.pooler.dense.weight"] = zeros(32, 32);
            dict["bert.embeddings.position_ids"] = arange(64L).unsqueeze(0);
            Safetensors.Write(path, dict);
        }
        Assert.Contains("bert.encoder.layer.1.attention.self.query.weight", Safetensors.Read(path).Keys);
        torch.manual_seed(6);
        using var dst = new BertModel(cfg);
        WeightLoading.LoadHuggingFaceSafetensors(dst, path);
        foreach (var ((n, p), (_, q)) in src.named_parameters().Zip(dst.named_parameters()))
            Assert.True(p.allclose(q, 0, 0), n);

        // XLM-R style: roberta. prefix, position offset 2.
        var xcfg = cfg with { PositionOffset = 2, MaxPositions = 66, TypeVocabSize = 1 };
        using var xsrc = new BertModel(xcfg);
        var xpath = Path.Combine(dir, "xlmr.safetensors");
        WeightLoading.SaveHuggingFaceSafetensors(xsrc, xpath, "roberta.");
        using var xdst = new BertModel(xcfg);
        WeightLoading.LoadHuggingFaceSafetensors(xdst, xpath);
        using var scope2 = NewDisposeScope();
        xsrc.eval(); xdst.eval();
        var ids = tensor(new long[] { 0, 5, 6, 2 }, [1, 4]);
        var mask = ones_like(ids);
        Assert.True(xsrc.forward(ids, mask, null).allclose(xdst.forward(ids, mask, null), 0, 0));
    }

    [Fact]
    public void ShapeMismatchNamesWeightAndShapes()
    {
        var dir = EncoderTestUtil.TempDir();
        using var src = new BertModel(TransformerConfig.Tiny(20));
        var path = Path.Combine(dir, "m.safetensors");
        WeightLoading.SaveHuggingFaceSafetensors(src, path);
        using var dst = new BertModel(TransformerConfig.Tiny(20) with { IntermediateSize = 48 });
        var e = Assert.Throws<InvalidDataException>(() => WeightLoading.LoadHuggingFaceSafetensors(dst, path));
        Assert.Contains("encoder.layer.0.intermediate.dense.weight", e.Message);
        Assert.Contains("[64, 32]", e.Message);
        Assert.Contains("[48, 32]", e.Message);
    }

    [Fact]
    public void ModelFolderRoundTripGivesIdenticalOutputs()
    {
        var dir = EncoderTestUtil.TempDir();
        var tok = EncoderTestUtil.TinyWordPiece();
        var texts = new[] { "red drill", "cordless power saws", "" };
        float[] before;
        string hash;
        using (var model = EncoderTestUtil.TinyModel(tok))
        {
            using var emb = new SiameseEmbedder(model, "tiny", ownsModel: false);
            before = emb.Encode(texts, EmbeddingRole.Item).Data;
            hash = emb.ModelHash;
            model.Save(dir);
        }
        foreach (var f in new[] { "model.safetensors", "config.json", "vocab.txt", "model.json" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        using var loaded = SiameseEmbedder.FromFolder(dir);
        Assert.Equal(before, loaded.Encode(texts, EmbeddingRole.Item).Data);
        Assert.Equal(hash, loaded.ModelHash);
        Assert.Equal(16, loaded.Dimension);
    }

    [Fact]
    public void ModelFolderErrorsNameTheFile()
    {
        var dir = EncoderTestUtil.TempDir();
        var tok = EncoderTestUtil.TinyWordPiece();
        using (var model = EncoderTestUtil.TinyModel(tok)) model.Save(dir);

        // Tampered file → hash mismatch naming it.
        File.AppendAllText(Path.Combine(dir, "vocab.txt"), "extra\n");
        var e1 = Assert.Throws<InvalidDataException>(() => SiameseModel.Load(dir));
        Assert.Contains("vocab.txt", e1.Message);

        // Missing file.
        File.Delete(Path.Combine(dir, "model.safetensors"));
        var e2 = Assert.Throws<FileNotFoundException>(() => SiameseModel.Load(dir));
        Assert.Contains("model.safetensors", e2.Message);
    }

    [Fact]
    public void ModelFolderShapeAndVocabMismatch()
    {
        var dir = EncoderTestUtil.TempDir();
        var tok = EncoderTestUtil.TinyWordPiece();
        using (var model = EncoderTestUtil.TinyModel(tok)) model.Save(dir);
        // Edit config (and its manifest hash) so the FFN size disagrees with the stored weights.
        var cfgPath = Path.Combine(dir, "config.json");
        var cfg = JsonNode.Parse(File.ReadAllText(cfgPath))!;
        cfg["transformer"]!["intermediateSize"] = 48;
        File.WriteAllText(cfgPath, cfg.ToJsonString());
        Rehash(dir, "config.json");
        var e = Assert.Throws<InvalidDataException>(() => SiameseModel.Load(dir));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("expected [48, 32]", e.Message);

        cfg["transformer"]!["intermediateSize"] = 64;
        cfg["transformer"]!["vocabSize"] = 99;
        File.WriteAllText(cfgPath, cfg.ToJsonString());
        Rehash(dir, "config.json");
        var e2 = Assert.Throws<InvalidDataException>(() => SiameseModel.Load(dir));
        Assert.Contains("vocab.txt", e2.Message);
        Assert.Contains("VocabSize 99", e2.Message);
    }

    private static void Rehash(string dir, string file)
    {
        var mPath = Path.Combine(dir, "model.json");
        var m = JsonNode.Parse(File.ReadAllText(mPath))!;
        using var fs = File.OpenRead(Path.Combine(dir, file));
        m["files"]![file] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(fs));
        File.WriteAllText(mPath, m.ToJsonString());
    }
}
