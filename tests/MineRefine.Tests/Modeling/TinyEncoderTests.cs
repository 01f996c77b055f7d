using MineRefine.Modeling;
using MineRefine.Text.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Tests.Modeling;

public class TinyEncoderTests
{
    [Fact]
    public void ForwardShapesAndUnitNorm()
    {
        var tok = EncoderTestUtil.TinyWordPiece();
        using var model = EncoderTestUtil.TinyModel(tok);
        using var scope = NewDisposeScope();
        var batch = TokenBatch.Pad([tok.Encode("red drill", 16), tok.Encode("cordless power saw for wood", 16)], tok.PadId);
        var (ids, mask, _) = batch.ToTensors();
        var hidden = model.Encoder.Bert.forward(ids, mask, null);
        Assert.Equal(new long[] { 2, batch.Length, 32 }, hidden.shape);
        var q = model.Encoder.EncodeQueries(ids, mask);
        var it = model.Encoder.EncodeItems(ids, mask);
        Assert.Equal(new long[] { 2, 16 }, q.shape);
        Assert.Equal(new long[] { 2, 16 }, it.shape);
        var norms = q.norm(1).data<float>().ToArray();
        Assert.All(norms, n => Assert.InRange(n, 1 - 1e-5, 1 + 1e-5));
        // Separate heads give different vectors for the same input.
        Assert.False(q.allclose(it, 1e-3, 1e-3));
    }

    [Fact]
    public void FusedAndExplicitAttentionAgree()
    {
        var cfg = TransformerConfig.Tiny(30);
        torch.manual_seed(3);
        using var a = new BertModel(cfg);
        using var b = new BertModel(cfg with { FusedAttention = false });
        b.load_state_dict(a.state_dict());
        a.eval(); b.eval();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 2, 5, 6, 7, 3, 2, 8, 3, 0, 0 }, [2, 5]);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, [2, 5]);
        var ha = a.forward(ids, mask, null);
        var hb = b.forward(ids, mask, null);
        Assert.True(ha.allclose(hb, 1e-5, 1e-5));
    }

    [Fact]
    public void PaddingInvariance()
    {
        var tok = EncoderTestUtil.TinyWordPiece();
        using var model = EncoderTestUtil.TinyModel(tok);
        using var emb = new SiameseEmbedder(model, "tiny", new EmbedderOptions { BatchSize = 8, LengthBucketing = false }, ownsModel: false);
        var alone = emb.Encode(["red drill"], EmbeddingRole.Item);
        var batched = emb.Encode(["cordless power saw for wood , the hammers", "red drill", "blue"], EmbeddingRole.Item);
        for (int i = 0; i < alone.Dimension; i++) Assert.Equal(alone.Row(0)[i], batched.Row(1)[i], 1e-5f);
        // Bucketed order returns rows in input order too.
        using var emb2 = new SiameseEmbedder(model, "tiny", new EmbedderOptions { BatchSize = 2 }, ownsModel: false);
        var bucketed = emb2.Encode(["cordless power saw for wood , the hammers", "red drill", "blue"], EmbeddingRole.Item);
        for (int i = 0; i < alone.Dimension; i++) Assert.Equal(alone.Row(0)[i], bucketed.Row(1)[i], 1e-5f);
    }

    [Fact]
    public void EmptyTextIsClsSepAndCounted()
    {
        var tok = EncoderTestUtil.TinyWordPiece();
        var t = tok.Encode("   ", 16);
        Assert.Equal(new[] { tok.ClsId, tok.SepId }, t.Ids);
        Assert.True(t.Empty);
        Assert.Equal(1, tok.EmptyCount);
        using var model = EncoderTestUtil.TinyModel(tok);
        using var emb = new SiameseEmbedder(model, "tiny", ownsModel: false);
        var m = emb.Encode(["", "red"], EmbeddingRole.Query);
        Assert.Equal(2, tok.EmptyCount);
        float norm = MathF.Sqrt(m.Row(0).ToArray().Sum(x => x * x));
        Assert.InRange(norm, 0.9999f, 1.0001f);
    }

    [Fact]
    public void ConfigValidationNamesTheField()
    {
        var e = Assert.Throws<ArgumentException>(() => (TransformerConfig.Tiny(10) with { NumHeads = 5 }).Validate());
        Assert.Contains("divisible by NumHeads", e.Message);
        e = Assert.Throws<ArgumentException>(() => (TransformerConfig.Tiny(0)).Validate());
        Assert.Contains("VocabSize", e.Message);
    }
}
