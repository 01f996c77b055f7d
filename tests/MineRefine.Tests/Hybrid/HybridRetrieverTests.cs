using MineRefine.Retrieval.Hybrid;

namespace MineRefine.Tests.Hybrid;

public class HybridRetrieverTests
{
    private static readonly GradeThresholds T = new() { Exact = 0.7, Partial = 0.4 };

    private static (FakeRetriever Dense, FakeRetriever Bm25) Plain() => (
        new FakeRetriever("dense", new() { ["drill"] = Hits.Of(("a", .9f), ("b", .5f), ("c", .1f)) }),
        new FakeRetriever("bm25", new() { ["drill"] = Hits.Of(("c", 10f), ("d", 4f)) }));

    [Fact]
    public void Tiers_come_from_dense_score_and_missing_dense_has_no_tier()
    {
        var (dense, bm25) = Plain();
        using var h = new HybridRetriever(dense, bm25, new FusionOptions(), T);
        var hits = h.SearchDetailed(["drill"], 10)[0].ToDictionary(x => x.ProductId);
        Assert.Equal(GradeTier.Exact, hits["a"].Tier);
        Assert.Equal(GradeTier.Partial, hits["b"].Tier);
        Assert.Equal(GradeTier.Irrelevant, hits["c"].Tier); // fused first, but dense .1 → irrelevant: tier ignores fusion
        Assert.Null(hits["d"].Dense);
        Assert.Null(hits["d"].Tier);
    }

    [Fact]
    public void Pair_scorer_fills_missing_dense_scores_for_tiers_without_changing_fusion()
    {
        var dense = new FakeDenseScorer("dense", new() { ["drill"] = Hits.Of(("a", .9f), ("b", .5f), ("c", .1f)) },
            new() { [("drill", "d")] = 0.75f });
        var bm25 = new FakeRetriever("bm25", new() { ["drill"] = Hits.Of(("c", 10f), ("d", 4f)) });
        using var h = new HybridRetriever(dense, bm25, new FusionOptions { DenseWeight = 1, Bm25Weight = 1 }, T);
        var hits = h.SearchDetailed(["drill"], 10)[0];
        var d = hits.Single(x => x.ProductId == "d");
        Assert.Equal(0.75f, d.Dense);
        Assert.Null(d.DenseRank);
        Assert.Equal(GradeTier.Exact, d.Tier);
        Assert.Equal(1.0 / 62, d.Fused, 12); // fusion still from the lists only
        Assert.Equal(1, dense.PairsScored);
    }

    [Fact]
    public void SearchBatch_returns_fused_scores_and_uses_candidate_depth()
    {
        var (dense, bm25) = Plain();
        using var h = new HybridRetriever(dense, bm25, new FusionOptions { CandidateDepth = 7, DenseWeight = 1, Bm25Weight = 1 });
        var r = h.SearchBatch(["drill", "unknown"], 3);
        Assert.Equal(["c", "a", "b"], r[0].Select(x => x.ProductId));
        Assert.Equal((float)(1.0 / 63 + 1.0 / 61), r[0][0].Score, 6);
        Assert.Empty(r[1]);
        Assert.Equal([7], dense.RequestedK);
        h.SearchBatch(["drill"], 20);
        Assert.Equal([7, 20], dense.RequestedK); // depth = max(N, k)
        Assert.StartsWith("hybrid:rrf", h.Name);
    }

    [Fact]
    public void Dispose_respects_ownership()
    {
        var (d1, b1) = Plain();
        new HybridRetriever(d1, b1, ownsInner: false).Dispose();
        Assert.False(d1.Disposed || b1.Disposed);
        new HybridRetriever(d1, b1).Dispose();
        Assert.True(d1.Disposed && b1.Disposed);
    }

    [Fact]
    public void Tuner_picks_the_best_grid_point_and_keeps_retrievers_alive()
    {
        // dense [x, a], bm25 [a, x]: RR of x is 1/2 for w=0, 1/2 for w=.5 (tie broken by id: a first), 1 for w=1.
        var dense = new FakeRetriever("dense", new() { ["q"] = Hits.Of(("x", .9f), ("a", .8f)) });
        var bm25 = new FakeRetriever("bm25", new() { ["q"] = Hits.Of(("a", 9f), ("x", 3f)) });
        double ReciprocalRankOfX(global::MineRefine.Retrieval.IRetriever r)
        {
            var hits = r.SearchBatch(["q"], 10)[0];
            var i = hits.Select(h => h.ProductId).ToList().IndexOf("x");
            return i < 0 ? 0 : 1.0 / (i + 1);
        }
        var grid = new FusionTunerOptions { DenseWeights = [0, 0.5, 1], Variants = [(FusionMethod.Rrf, NormalizationKind.MinMax)] };
        var result = FusionTuner.Tune(dense, bm25, ReciprocalRankOfX, grid: grid);
        Assert.Equal([0.5, 0.5, 1.0], result.Trials.Select(t => t.Ndcg10));
        Assert.Equal(1.0, result.Best.DenseWeight);
        Assert.Equal(0.0, result.Best.Bm25Weight);
        Assert.Equal(1.0, result.BestNdcg10);
        Assert.False(dense.Disposed || bm25.Disposed);

        var two = FusionTuner.Tune(dense, bm25, ReciprocalRankOfX, grid: new FusionTunerOptions { DenseWeights = [0, 1] });
        Assert.Equal(4, two.Trials.Count); // 2 variants × 2 weights
        Assert.Throws<ArgumentException>(() => FusionTuner.Tune(dense, bm25, ReciprocalRankOfX, grid: new FusionTunerOptions { DenseWeights = [1.5] }));
    }
}
