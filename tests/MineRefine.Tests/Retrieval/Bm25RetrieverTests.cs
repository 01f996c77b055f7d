using MineRefine.Data;
using MineRefine.Retrieval;

namespace MineRefine.Tests.Retrieval;

public sealed class Bm25RetrieverTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mr-bm25-" + Guid.NewGuid().ToString("N"));

    private static List<Product> Catalog() =>
    [
        new("p1", "Cordless drill 18V", "Compact drill driver with two batteries", ["Tools", "Power Tools"], Product.EmptyAttributes, "en"),
        new("p2", "Hammer drill bits set", null, ["Tools", "Accessories"], Product.EmptyAttributes, "en"),
        new("p3", "Garden hose 50 ft", "Kink free hose for watering plants", ["Outdoor", "Garden"], Product.EmptyAttributes, "en"),
        new("p4", "Claw hammer", "Steel hammer with fiberglass handle", ["Tools", "Hand Tools"], Product.EmptyAttributes, "en"),
        new("p5", "LED light bulb", "Warm white bulb, 60 W equivalent", ["Lighting"], Product.EmptyAttributes, "en"),
    ];

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public void Ranks_matching_products_first()
    {
        using var bm25 = new Bm25Retriever(Catalog(), new Bm25Options { IndexFolder = _dir });
        var hits = bm25.Search("cordless drill", 10);
        Assert.Equal("p1", hits[0].ProductId);   // both terms
        Assert.Equal("p2", hits[1].ProductId);   // "drill" only
        Assert.Equal(2, hits.Count);
        Assert.True(hits[0].Score > hits[1].Score);
        // Stemming (English analyzer): "hoses" matches "hose"; category text is indexed.
        Assert.Equal("p3", bm25.Search("hoses", 10).Single().ProductId);
        Assert.Equal("p5", bm25.Search("lighting", 10).Single().ProductId);
        // Description is indexed.
        Assert.Equal("p4", bm25.Search("fiberglass", 10).Single().ProductId);
    }

    [Fact]
    public void Title_only_field_option_ignores_descriptions()
    {
        using var bm25 = new Bm25Retriever(Catalog(), new Bm25Options { IndexFolder = _dir, Fields = Bm25Fields.Title });
        Assert.Empty(bm25.Search("fiberglass", 10));
        Assert.Equal("p4", bm25.Search("claw", 10).Single().ProductId);
    }

    [Fact]
    public void Weird_query_text_is_never_a_syntax_error()
    {
        using var bm25 = new Bm25Retriever(Catalog(), new Bm25Options { IndexFolder = _dir });
        Assert.Empty(bm25.Search("\"a:b (c\" AND -", 10));
        Assert.Empty(bm25.Search("", 10));
        Assert.Empty(bm25.Search("the and of", 10)); // stop words only → no tokens
        Assert.Equal("p4", bm25.Search("hammer* [claw] OR ~", 10)[0].ProductId);
        var batch = bm25.SearchBatch(["drill", "((", "bulb"], 3);
        Assert.Equal(3, batch.Length);
        Assert.Empty(batch[1]);
        Assert.Equal("p5", batch[2][0].ProductId);
    }

    [Fact]
    public void Pair_scores_equal_search_scores_and_zero_without_match()
    {
        using var bm25 = new Bm25Retriever(Catalog(), new Bm25Options { IndexFolder = _dir });
        var hits = bm25.Search("hammer drill", 10);
        var pairs = new List<(string, string)>();
        foreach (var h in hits) pairs.Add(("hammer drill", h.ProductId));
        pairs.Add(("hammer drill", "p3"));
        pairs.Add(("AND -", "p1"));
        pairs.Add(("hammer drill", hits[0].ProductId)); // duplicate pair
        var scores = bm25.ScorePairs(pairs);
        for (int i = 0; i < hits.Count; i++) Assert.Equal(hits[i].Score, scores[i], 4);
        Assert.Equal(0f, scores[hits.Count]);
        Assert.Equal(0f, scores[hits.Count + 1]);
        Assert.Equal(hits[0].Score, scores[^1], 4);
        Assert.Throws<ArgumentException>(() => bm25.ScorePairs([("drill", "nope")]));
    }

    [Fact]
    public void Index_is_reused_when_catalog_matches_and_rebuilt_when_it_changes()
    {
        float first;
        using (var a = new Bm25Retriever(Catalog(), new Bm25Options { IndexFolder = _dir }))
        {
            Assert.False(a.ReusedIndex);
            first = a.Search("drill", 1)[0].Score;
        }
        Assert.True(File.Exists(Path.Combine(_dir, Bm25Retriever.MarkerFile)));
        using (var b = new Bm25Retriever(Catalog(), new Bm25Options { IndexFolder = _dir, K1 = 1.2f }))
        {
            Assert.True(b.ReusedIndex);
            Assert.Equal(first, b.Search("drill", 1)[0].Score);
        }
        var changed = Catalog();
        changed.Add(Product.Simple("p6", "Drill press"));
        using (var c = new Bm25Retriever(changed, new Bm25Options { IndexFolder = _dir }))
        {
            Assert.False(c.ReusedIndex);
            Assert.Equal(6, c.Count);
            Assert.Contains(c.Search("drill", 10), h => h.ProductId == "p6");
        }
    }

    [Fact]
    public void K1_and_b_change_scores()
    {
        using var a = new Bm25Retriever(Catalog(), new Bm25Options { IndexFolder = _dir });
        using var b = new Bm25Retriever(Catalog(), new Bm25Options { K1 = 2.0f, B = 0.0f });
        Assert.NotEqual(a.Search("drill", 1)[0].Score, b.Search("drill", 1)[0].Score);
        Assert.Throws<ArgumentException>(() => new Bm25Options { B = 1.5f }.Validate());
    }

    [Fact]
    public void Standard_analyzer_does_not_stem()
    {
        using var bm25 = new Bm25Retriever(Catalog(), new Bm25Options { Analyzer = Bm25Analyzer.Standard });
        Assert.Empty(bm25.Search("hoses", 10));
        Assert.Equal(["garden", "hoses"], bm25.Analyze("Garden HOSES"));
    }
}
