using MineRefine.Serving;

namespace MineRefine.Tests.Serving;

public class HybridSearchEngineTests
{
    [Fact]
    public void Modes_scores_filter_and_unknown_products()
    {
        using var engine = DemoCatalog.Engine();
        var dense = engine.Search("cordless drill", 3, SearchMode.Dense, null);
        Assert.Equal(["p1", "p2", "p3"], dense.Results.Select(r => r.ProductId));
        Assert.Equal([0.91, 0.78, 0.55], dense.Results.Select(r => Math.Round(r.Score, 2)));
        Assert.Equal(["exact", "exact", "partial"], dense.Results.Select(r => r.Tier));

        var hybrid = engine.Search("cordless drill", 10, SearchMode.Hybrid, 1);
        Assert.All(hybrid.Results, r => Assert.Contains(r.Tier, new[] { "exact", "partial" }));
        Assert.Equal(Enumerable.Range(1, hybrid.Results.Count), hybrid.Results.Select(r => r.Rank));
        Assert.Equal(4, hybrid.Results.Count); // p1 p2 p3 p6 have dense ≥ .45

        Assert.Empty(engine.Search("nothing matches", 5, SearchMode.Hybrid, null).Results);
        Assert.Equal("minGrade", Assert.Throws<SearchRequestException>(() => engine.Search("x", 5, SearchMode.Dense, 3)).Field);
        Assert.Equal("Screwdriver set", engine.Product("p4")!.Title);
        Assert.Null(engine.Product("zzz"));
    }

    [Fact]
    public void Dispose_disposes_both_retrievers()
    {
        var dense = new Hybrid.FakeRetriever("d", new());
        var bm25 = new Hybrid.FakeRetriever("b", new());
        var engine = new HybridSearchEngine(dense, bm25, _ => null, 0);
        engine.Dispose();
        Assert.True(dense.Disposed && bm25.Disposed);
        Assert.Throws<ObjectDisposedException>(() => engine.Search("x", 1, SearchMode.Dense, null));
    }
}
