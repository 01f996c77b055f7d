using MineRefine.Retrieval.Dense;

namespace MineRefine.Tests.Dense;

public class DenseRetrieverTests
{
    private static readonly string[] Ids = ["p1", "p2", "p3", "p4", "p5"];
    private static readonly string[] Texts =
    [
        "cordless drill 18 volt lithium battery",
        "garden hose 50 ft heavy duty",
        "led light bulb 60 watt soft white",
        "ceramic floor tile beige 12 in",
        "interior paint semi gloss white gallon",
    ];

    [Theory]
    [InlineData(VectorIndexKind.Exact)]
    [InlineData(VectorIndexKind.Hnsw)]
    public void Obvious_match_is_ranked_first(VectorIndexKind kind)
    {
        using var embedder = new FakeEmbedder();
        using var r = new DenseRetriever(embedder, Ids, Texts,
            new DenseRetrieverOptions { Index = new VectorIndexOptions { Kind = kind, Threads = 1 } });
        Assert.Equal("dense:fake", r.Name);
        var hits = r.SearchBatch(["garden hose", "light bulb led", "floor tile"], 3);
        Assert.Equal("p2", hits[0][0].ProductId);
        Assert.Equal("p3", hits[1][0].ProductId);
        Assert.Equal("p4", hits[2][0].ProductId);
        Assert.All(hits, h => Assert.Equal(3, h.Count));
        Assert.True(hits[0][0].Score > hits[0][1].Score);
    }

    [Fact]
    public void Pair_scores_equal_search_scores_and_each_query_is_encoded_once()
    {
        using var embedder = new FakeEmbedder();
        using var r = new DenseRetriever(embedder, Ids, Texts);
        var hits = r.SearchBatch(["white paint"], 5)[0];
        int textsBefore = embedder.TextsEncoded;
        var pairs = hits.Select(h => ("white paint", h.ProductId)).Append(("garden hose", "p2")).Append(("white paint", "p1")).ToList();
        var scores = r.ScorePairs(pairs);
        Assert.Equal(2, embedder.TextsEncoded - textsBefore); // two distinct queries
        for (int i = 0; i < hits.Count; i++) Assert.Equal(hits[i].Score, scores[i], 1e-5f);
        Assert.True(scores[hits.Count] > 0.5f);
        Assert.Throws<KeyNotFoundException>(() => r.ScorePairs([("x", "nope")]));
    }

    [Fact]
    public void Catalog_embeddings_are_cached_and_reused()
    {
        using var dir = new TempDir();
        using var embedder = new FakeEmbedder();
        var options = new DenseRetrieverOptions { CacheFolder = dir.Path, Warn = _ => Assert.Fail("no warning expected") };
        using (var r1 = new DenseRetriever(embedder, Ids, Texts, options)) Assert.False(r1.LoadedFromCache);
        Assert.Equal(1, embedder.ItemEncodeCalls);
        using (var r2 = new DenseRetriever(embedder, Ids, Texts, options))
        {
            Assert.True(r2.LoadedFromCache);
            Assert.Equal("p1", r2.SearchBatch(["cordless drill"], 1)[0][0].ProductId);
        }
        Assert.Equal(1, embedder.ItemEncodeCalls);
        embedder.ModelHash = "fake-v2";
        using (var r3 = new DenseRetriever(embedder, Ids, Texts, options)) Assert.False(r3.LoadedFromCache);
        Assert.Equal(2, embedder.ItemEncodeCalls);
    }

    [Fact]
    public void Bad_catalogs_are_rejected_with_clear_messages()
    {
        using var embedder = new FakeEmbedder();
        var dup = Assert.Throws<ArgumentException>(() => new DenseRetriever(embedder, ["a", "b", "a"], ["x", "y", "z"]));
        Assert.Contains("'a' appears twice", dup.Message);
        var misaligned = Assert.Throws<ArgumentException>(() => new DenseRetriever(embedder, ["a"], ["x", "y"]));
        Assert.Contains("1 product ids but 2 item texts", misaligned.Message);
    }
}
