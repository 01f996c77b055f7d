using MineRefine.Labeling.CrossEncoder;
using MineRefine.Modeling;
using MineRefine.Tests.Trainer;
using MineRefine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Tests.Modeling;

public class AttentionPoolingTests
{
    private static SiameseModel TinyAttention(bool shared, long seed = 7)
    {
        var tok = EncoderTestUtil.TinyWordPiece();
        return SiameseModel.CreateRandom(new SiameseConfig
        {
            Transformer = TransformerConfig.Tiny(tok.VocabSize),
            Head = new HeadConfig { OutputDim = 16, Shared = shared, Pooling = PoolingMode.Attention },
            MaxQueryLength = 16,
            MaxItemLength = 24,
        }, tok, seed);
    }

    /// <summary>Gives every attention-pooling weight vector seeded random values (they start at 0).</summary>
    internal static void RandomisePoolWeights(SiameseModel model, long seed)
    {
        using var noGrad = no_grad();
        var gen = new Generator((ulong)seed);
        foreach (var (name, p) in model.Encoder.named_parameters())
            if (name.EndsWith("_pool.weight", StringComparison.Ordinal)) p.copy_(randn(p.shape, generator: gen));
    }

    [Fact]
    public void ZeroWeightsPoolExactlyLikeTheMaskedMean()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        var hidden = randn(2, 4, 3);
        var mask = tensor(new long[,] { { 1, 1, 1, 0 }, { 1, 0, 0, 0 } });
        using var attention = new Pooling(PoolingMode.Attention, 3);
        using var mean = new Pooling(PoolingMode.Mean);
        var a = attention.forward(hidden, mask).data<float>().ToArray();
        var m = mean.forward(hidden, mask).data<float>().ToArray();
        for (int i = 0; i < a.Length; i++) Assert.Equal(m[i], a[i], 6);
    }

    [Fact]
    public void AttentionWeightsAreASoftmaxOverTheRealTokensOnly()
    {
        using var scope = NewDisposeScope();
        // h = (1, 0), (0, 1), (5, 5) [padding]; w = (ln 3, 0) → logits ln 3, 0 → a = 3/4, 1/4, 0 → pooled (0.75, 0.25).
        var hidden = tensor(new float[] { 1, 0, 0, 1, 5, 5 }).reshape(1, 3, 2);
        var mask = tensor(new long[,] { { 1, 1, 0 } });
        using var pool = new Pooling(PoolingMode.Attention, 2);
        using (no_grad()) pool.parameters().Single().copy_(tensor(new float[] { MathF.Log(3), 0 }));
        var weights = pool.TokenWeights(hidden, mask).data<float>().ToArray();
        Assert.Equal(0.75f, weights[0], 6);
        Assert.Equal(0.25f, weights[1], 6);
        Assert.Equal(0f, weights[2]);
        var pooled = pool.forward(hidden, mask).data<float>().ToArray();
        Assert.Equal(0.75f, pooled[0], 6);
        Assert.Equal(0.25f, pooled[1], 6);

        // The other modes report their weights the same way: uniform over real tokens, or one-hot on [CLS].
        using var mean = new Pooling(PoolingMode.Mean);
        Assert.Equal(new[] { 0.5f, 0.5f, 0f }, mean.TokenWeights(hidden, mask).data<float>().ToArray());
        using var cls = new Pooling(PoolingMode.Cls);
        Assert.Equal(new[] { 1f, 0f, 0f }, cls.TokenWeights(hidden, mask).data<float>().ToArray());
    }

    [Fact]
    public void TheWeightVectorLearnsToFavourTheTokenThatPaysOff()
    {
        using var scope = NewDisposeScope();
        // Make the pooled vector point along token 0's state; the gradient must raise w·h₀ relative to w·h₁.
        var hidden = tensor(new float[] { 1, 0, 0, 1 }).reshape(1, 2, 2);
        var mask = tensor(new long[,] { { 1, 1 } });
        using var pool = new Pooling(PoolingMode.Attention, 2);
        var w = pool.parameters().Single();
        var loss = -pool.forward(hidden, mask).select(1, 0).sum();
        loss.backward();
        var g = w.grad!.data<float>().ToArray();
        Assert.True(g[0] < 0 && g[1] > 0, $"grad ({g[0]}, {g[1]})"); // descent raises w₀ and lowers w₁
        Assert.Throws<ArgumentOutOfRangeException>(() => new Pooling(PoolingMode.Attention));
    }

    [Fact]
    public void EachTowerHasItsOwnWeightsUnlessTheHeadIsShared()
    {
        using var separate = TinyAttention(shared: false);
        var names = separate.Encoder.named_parameters().Select(p => p.name).ToList();
        Assert.Contains("query_pool.weight", names);
        Assert.Contains("item_pool.weight", names);
        using var shared = TinyAttention(shared: true);
        names = shared.Encoder.named_parameters().Select(p => p.name).ToList();
        Assert.Contains("query_pool.weight", names);
        Assert.DoesNotContain("item_pool.weight", names);
        // Mean pooling adds no parameter, so existing model folders keep their parameter names.
        using var mean = EncoderTestUtil.TinyModel(EncoderTestUtil.TinyWordPiece());
        Assert.DoesNotContain(mean.Encoder.named_parameters(), p => p.name.Contains("pool", StringComparison.Ordinal));
    }

    [Fact]
    public void SaveAndLoadKeepTheLearnedWeightsAndTheEmbeddings()
    {
        var dir = EncoderTestUtil.TempDir();
        using var model = TinyAttention(shared: false);
        RandomisePoolWeights(model, 11);
        var texts = new[] { "red drill", "cordless power tools", "the blue hammer saw" };
        using var before = new SiameseEmbedder(model, "a", ownsModel: false);
        var q0 = before.Encode(texts, EmbeddingRole.Query);
        var i0 = before.Encode(texts, EmbeddingRole.Item);
        model.Save(dir);
        using var loaded = SiameseModel.Load(dir);
        Assert.Equal(PoolingMode.Attention, loaded.Config.Head.Pooling);
        using var after = new SiameseEmbedder(loaded, "b", ownsModel: false);
        var q1 = after.Encode(texts, EmbeddingRole.Query);
        var i1 = after.Encode(texts, EmbeddingRole.Item);
        for (int r = 0; r < texts.Length; r++)
        {
            Assert.Equal(q0.Row(r).ToArray(), q1.Row(r).ToArray());
            Assert.Equal(i0.Row(r).ToArray(), i1.Row(r).ToArray());
        }
        // The random weights make the query and item towers pool differently even before the heads differ.
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var t = model.Tokenizer.Encode("the blue hammer saw", 16);
            var ids = tensor(t.Ids.Select(x => (long)x).ToArray()).unsqueeze(0);
            var m = tensor(t.AttentionMask.Select(x => (long)x).ToArray()).unsqueeze(0);
            var wq = model.Encoder.TokenWeights(ids, m, EmbeddingRole.Query).data<float>().ToArray();
            var wi = model.Encoder.TokenWeights(ids, m, EmbeddingRole.Item).data<float>().ToArray();
            Assert.Equal(1.0, wq.Sum(), 5);
            Assert.NotEqual(wq, wi);
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ModelSoupsAverageThePoolingWeightsToo()
    {
        var dir = EncoderTestUtil.TempDir();
        using var a = TinyAttention(shared: false);
        using var b = TinyAttention(shared: false);
        RandomisePoolWeights(a, 1);
        RandomisePoolWeights(b, 2);
        a.Save(Path.Combine(dir, "a"));
        b.Save(Path.Combine(dir, "b"));
        using var soup = ModelMerge.Merge([Path.Combine(dir, "a"), Path.Combine(dir, "b")]);
        float Get(SiameseModel m, int i) => m.Encoder.named_parameters().Single(p => p.name == "item_pool.weight").parameter.data<float>()[i];
        for (int i = 0; i < 4; i++) Assert.Equal((Get(a, i) + Get(b, i)) / 2, Get(soup, i), 6);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void TrainingMovesThePoolingWeightsOffZero()
    {
        var dir = TrainerTestUtil.TempDir();
        try
        {
            var tok = MineRefine.Text.Tokenization.WordPieceTokenizer.MiniLm();
            using var model = SiameseModel.CreateRandom(new SiameseConfig
            {
                Transformer = TransformerConfig.Tiny(tok.VocabSize),
                Head = new HeadConfig { OutputDim = 32, Pooling = PoolingMode.Attention },
                MaxQueryLength = 24,
                MaxItemLength = 48,
            }, tok, 3);
            var o = TrainerTestUtil.Tiny(6);
            o.HeadLearningRate = 0; // only the pooling's own rate can move the weights
            o.Selection = ModelSelection.Last; // keep the trained weights, not the (maybe better) step-0 ones
            var result = new SiameseTrainer(model, o).Train(TrainerTestUtil.Data(), dir);
            // The run explains what the pooling learned: heaviest tokens of a few dev queries and an exact item each.
            Assert.Equal(SiameseTrainer.PoolingExampleCount, result.PoolingExamples.Count);
            Assert.All(result.PoolingExamples, e => Assert.True(e.QueryTokens.Length > 0 && e.Item.Length > 0 && e.ItemTokens.Split(" · ").Length == 3, e.ToString()));
            Assert.Contains("\"PoolingExamples\"", File.ReadAllText(Path.Combine(dir, "train_summary.json")));
            // The token weights have their own learning rate (they start at 0; the heads' rate barely moves them), logged per step.
            var lines = MetricsLog.ReadAll(Path.Combine(dir, "metrics.jsonl"));
            Assert.Contains(lines, l => l.TryGetProperty("lr/pooling", out _) && l.TryGetProperty("pooling/weight_norm", out var n) && n.GetDouble() > 0);
            foreach (var name in new[] { "query_pool.weight", "item_pool.weight" })
            {
                var w = model.Encoder.named_parameters().Single(p => p.name == name).parameter;
                Assert.True(w.abs().max().item<float>() > 1e-4, name);
            }
        }
        finally { TrainerTestUtil.Delete(dir); }
    }

    [Fact]
    public void TheReportListsEveryTokenWithItsWeight()
    {
        var tok = EncoderTestUtil.TinyWordPiece();
        using var mean = EncoderTestUtil.TinyModel(tok);
        var w = TokenWeightReport.Explain(mean, "red drills", EmbeddingRole.Query);
        Assert.Equal(new[] { "[CLS]", "red", "drill", "##s", "[SEP]" }, w.Select(x => x.Token));
        Assert.All(w, x => Assert.Equal(0.2f, x.Weight, 6)); // mean pooling: 1/n each
        using var att = TinyAttention(shared: false);
        RandomisePoolWeights(att, 3);
        var a = TokenWeightReport.Explain(att, "red drills", EmbeddingRole.Item);
        Assert.Equal(1.0, a.Sum(x => x.Weight), 5);
        var top = a.MaxBy(x => x.Weight);
        Assert.StartsWith($"{top.Token} {top.Weight:F2} · ", TokenWeightReport.Summarize(a, 2));
        Assert.Equal(1, TokenWeightReport.Summarize(a, 2).Split(" · ").Length - 1);
    }

    [Fact]
    public void OptionsSayWhereAttentionPoolingApplies()
    {
        Assert.Equal(PoolingMode.Attention, TrainModelFactory.ParsePooling(" Attention "));
        Assert.Equal(PoolingMode.Cls, TrainModelFactory.ParsePooling("cls"));
        var e = Assert.Throws<ArgumentException>(() => TrainModelFactory.ParsePooling("max"));
        Assert.Contains("mean, cls or attention", e.Message);
        var c = Assert.Throws<ArgumentException>(() => new CrossEncoderConfig
        {
            Transformer = TransformerConfig.Tiny(30),
            Pooling = PoolingMode.Attention,
        }.Validate());
        Assert.Contains("two-tower", c.Message);
        var lr = Assert.ThrowsAny<ArgumentException>(() => new TrainOptions { PoolingLearningRate = -1 }.Validate());
        Assert.Contains("--pooling-lr", lr.Message);
        // Unset, it stays out of the options JSON (old manifests and pipeline fingerprints are unchanged).
        Assert.DoesNotContain("PoolingLearningRate", System.Text.Json.JsonSerializer.Serialize(new TrainOptions()));
    }
}
