using MineRefine.Data;
using MineRefine.Evaluation;
using MineRefine.Training;

namespace MineRefine.Tests.Evaluation;

public sealed class EvaluationPoolTests
{
    private static Dataset Catalog(out List<Judgment> judgments)
    {
        var products = Enumerable.Range(0, 20).Select(i => Product.Simple($"p{i:D2}", $"item {i}")).ToList();
        var queries = new List<Query> { new("q1", "item", "en"), new("q2", "thing", "en") };
        judgments =
        [
            new("q1", "p07", 2, JudgmentSource.Human), new("q1", "p03", 0, JudgmentSource.Human),
            new("q2", "p07", 1, JudgmentSource.Human), new("q2", "p11", 2, JudgmentSource.Human),
            new("q2", "px", 2, JudgmentSource.Human), // not in the catalog
        ];
        return new Dataset(products, queries, judgments);
    }

    [Fact]
    public void Pool_holds_every_judged_product_then_distinct_unjudged_random_ones()
    {
        var ds = Catalog(out var judgments);
        var pool = EvaluationPool.Build(ds, judgments, _ => 5, new SerializableRandom(1, "eval-pool"));

        var ids = pool.Dataset.Products.Select(p => p.Id).ToList();
        Assert.Equal(["p07", "p03", "p11"], ids.Take(3));       // judged products in first-judged order
        Assert.Equal(3, pool.JudgedItems);
        Assert.Equal(5, pool.RandomItems);
        Assert.Equal(1, pool.MissingJudgedItems);                // "px"
        Assert.Equal(8, ids.Distinct().Count());
        Assert.DoesNotContain(ids.Skip(3), id => id is "p07" or "p03" or "p11");
        Assert.Same(judgments, pool.Dataset.Judgments);
        Assert.Equal(ds.Queries, pool.Dataset.Queries);
    }

    [Fact]
    public void Draw_follows_the_seed_and_stops_when_the_catalog_runs_out()
    {
        var ds = Catalog(out var judgments);
        List<string> Random(int seed, double ratio) =>
            EvaluationPool.BuildWithRatio(ds, judgments, ratio, seed).Dataset.Products.Skip(3).Select(p => p.Id).ToList();

        Assert.Equal(Random(13, 2), Random(13, 2));
        Assert.Equal(6, Random(13, 2).Count);                     // 2 × 3 judged products
        Assert.NotEqual(Random(13, 2), Random(14, 2));            // 6 of 17: two seeds agreeing would be a 1-in-8.9M accident
        Assert.Equal(17, Random(13, 100).Count);                  // capped: all 17 unjudged products
        Assert.Equal(17, Random(13, 1e300).Count);                // no integer overflow
        Assert.Empty(Random(13, 0));
        var e = Assert.Throws<ArgumentException>(() => EvaluationPool.BuildWithRatio(ds, judgments, -1, 13));
        Assert.Contains("≥ 0", e.Message);
        Assert.Throws<ArgumentException>(() => EvaluationPool.BuildWithRatio(ds, judgments, double.NaN, 13));
    }
}
