using MineRefine.Retrieval;
using MineRefine.Retrieval.Hybrid;

namespace MineRefine.Tests.Hybrid;

public class FusionTests
{
    // dense: a .9, b .5, c .1 ; bm25: c 10, d 4
    private static readonly SearchHit[] Dense = Hits.Of(("a", .9f), ("b", .5f), ("c", .1f));
    private static readonly SearchHit[] Bm25 = Hits.Of(("c", 10f), ("d", 4f));

    private static HybridHit Get(IReadOnlyList<HybridHit> hits, string id) => hits.Single(h => h.ProductId == id);

    [Fact]
    public void Rrf_term_matches_formula()
    {
        Assert.Equal(1.0 / 61, ReciprocalRankFusion.Term(1, 1, 60), 12);
        Assert.Equal(0.3 / 65, ReciprocalRankFusion.Term(5, 0.3, 60), 12);
        Assert.Equal(0, ReciprocalRankFusion.Term(null, 1, 60));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReciprocalRankFusion.Term(0, 1, 60));
    }

    [Fact]
    public void Rrf_equal_weights_hand_values_and_order()
    {
        var opts = new FusionOptions { Method = FusionMethod.Rrf, DenseWeight = 1, Bm25Weight = 1 };
        var hits = HybridRetriever.Fuse(Dense, Bm25, opts, 10);
        Assert.Equal(["c", "a", "b", "d"], hits.Select(h => h.ProductId));
        Assert.Equal(1.0 / 63 + 1.0 / 61, Get(hits, "c").Fused, 12);
        Assert.Equal(1.0 / 61, Get(hits, "a").Fused, 12);
        Assert.Equal(1.0 / 62, Get(hits, "b").Fused, 12);
        Assert.Equal(1.0 / 62, Get(hits, "d").Fused, 12); // tie with b: best rank ties (2), then id order b < d
    }

    [Fact]
    public void Rrf_weights_and_k_are_applied()
    {
        var opts = new FusionOptions { Method = FusionMethod.Rrf, RrfK = 10, DenseWeight = 0.7, Bm25Weight = 0.3 };
        var hits = HybridRetriever.Fuse(Dense, Bm25, opts, 10);
        Assert.Equal(0.7 / 13 + 0.3 / 11, Get(hits, "c").Fused, 12);
        Assert.Equal(0.7 / 11, Get(hits, "a").Fused, 12);
        Assert.Equal(0.3 / 12, Get(hits, "d").Fused, 12);
        Assert.Equal(["c", "a", "b", "d"], hits.Select(h => h.ProductId));
    }

    [Fact]
    public void Union_keeps_raw_scores_ranks_and_nulls_for_missing_sides()
    {
        var hits = HybridRetriever.Fuse(Dense, Bm25, new FusionOptions(), 10);
        Assert.Equal(4, hits.Count);
        var c = Get(hits, "c");
        Assert.Equal((0.1f, 10f, 3, 1), (c.Dense!.Value, c.Bm25!.Value, c.DenseRank!.Value, c.Bm25Rank!.Value));
        var a = Get(hits, "a");
        Assert.Null(a.Bm25); Assert.Null(a.Bm25Rank); Assert.Equal(0.9f, a.Dense); Assert.Equal(1, a.DenseRank);
        var d = Get(hits, "d");
        Assert.Null(d.Dense); Assert.Null(d.DenseRank); Assert.Equal(4f, d.Bm25); Assert.Equal(2, d.Bm25Rank);
        Assert.All(hits, h => Assert.Null(h.Tier));
    }

    [Fact]
    public void Union_with_an_empty_side_and_truncation_to_k()
    {
        var onlyDense = HybridRetriever.Fuse(Dense, [], new FusionOptions { Method = FusionMethod.Linear }, 2);
        Assert.Equal(["a", "b"], onlyDense.Select(h => h.ProductId));
        Assert.Equal(0.5 * 1.0, onlyDense[0].Fused, 12); // min-max 1 × 0.5, missing BM25 side adds 0
        var onlyBm25 = HybridRetriever.Fuse([], Bm25, new FusionOptions(), 10);
        Assert.Equal(["c", "d"], onlyBm25.Select(h => h.ProductId));
    }

    [Fact]
    public void Duplicate_ids_in_one_list_are_an_error()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            HybridRetriever.Fuse(Hits.Of(("a", 1), ("a", .5f)), Bm25, new FusionOptions(), 10));
        Assert.Contains("dense", e.Message);
    }

    [Fact]
    public void Linear_minmax_hand_values()
    {
        // dense norm: a 1, b .5, c 0; bm25 norm: c 1, d 0; missing → 0.
        var opts = new FusionOptions { Method = FusionMethod.Linear, Normalization = NormalizationKind.MinMax, DenseWeight = 0.6, Bm25Weight = 0.4 };
        var hits = HybridRetriever.Fuse(Dense, Bm25, opts, 10);
        Assert.Equal(["a", "c", "b", "d"], hits.Select(h => h.ProductId));
        Assert.Equal(0.6, Get(hits, "a").Fused, 6);
        Assert.Equal(0.3, Get(hits, "b").Fused, 6);
        Assert.Equal(0.4, Get(hits, "c").Fused, 6);
        Assert.Equal(0.0, Get(hits, "d").Fused, 6);
    }

    [Fact]
    public void Linear_fixed_bounds_hand_values()
    {
        // dense [-1,1]: a .95, b .75, c .55 ; bm25 [0,20]: c .5, d .2 ; missing → 0.
        var opts = new FusionOptions
        {
            Method = FusionMethod.Linear, Normalization = NormalizationKind.FixedMinMax,
            DenseBounds = new ScoreBounds(-1, 1), Bm25Bounds = new ScoreBounds(0, 20),
        };
        var hits = HybridRetriever.Fuse(Dense, Bm25, opts, 10);
        Assert.Equal(["c", "a", "b", "d"], hits.Select(h => h.ProductId));
        Assert.Equal(0.5 * 0.55 + 0.5 * 0.5, Get(hits, "c").Fused, 6);
        Assert.Equal(0.5 * 0.95, Get(hits, "a").Fused, 6);
        Assert.Equal(0.5 * 0.75, Get(hits, "b").Fused, 6);
        Assert.Equal(0.5 * 0.2, Get(hits, "d").Fused, 6);
    }

    [Fact]
    public void Linear_zscore_hand_values()
    {
        // dense: mean .5, population std sqrt(0.32/3) → z = ±1.2247449, 0; bm25: mean 7, std 3 → ±1.
        // Missing side = that list's minimum z.
        var z = 0.4 / Math.Sqrt(0.32 / 3);
        var opts = new FusionOptions { Method = FusionMethod.Linear, Normalization = NormalizationKind.ZScore };
        var hits = HybridRetriever.Fuse(Dense, Bm25, opts, 10);
        Assert.Equal(["a", "c", "b", "d"], hits.Select(h => h.ProductId));
        Assert.Equal(0.5 * z + 0.5 * -1, Get(hits, "a").Fused, 5);
        Assert.Equal(0.5 * 0 + 0.5 * -1, Get(hits, "b").Fused, 5);
        Assert.Equal(0.5 * -z + 0.5 * 1, Get(hits, "c").Fused, 5);
        Assert.Equal(0.5 * -z + 0.5 * -1, Get(hits, "d").Fused, 5);
    }

    [Fact]
    public void Normalizations_on_raw_inputs()
    {
        Assert.Equal([1.0, 0.5, 0.0], ScoreNormalization.MinMax([4.0, 3.0, 2.0]));
        Assert.Equal([1.0, 1.0], ScoreNormalization.MinMax([7.0, 7.0])); // degenerate: all best
        Assert.Equal([1.0, 0.25, 0.0], ScoreNormalization.FixedMinMax([5.0, 1.0, -3.0], new ScoreBounds(0, 4))); // clamped
        var z = ScoreNormalization.ZScore([1.0, 3.0]);
        Assert.Equal(-1.0, z[0], 12); Assert.Equal(1.0, z[1], 12);
        Assert.Equal([0.0, 0.0], ScoreNormalization.ZScore([2.0, 2.0]));
        Assert.Equal(-1.0, ScoreNormalization.MissingValue(z, NormalizationKind.ZScore));
        Assert.Equal(0.0, ScoreNormalization.MissingValue([1.0, 0.3], NormalizationKind.MinMax));
    }

    [Fact]
    public void Options_validation_names_the_field()
    {
        Assert.Contains("RrfK", Assert.Throws<ArgumentException>(() => new FusionOptions { RrfK = 0 }.Validate()).Message);
        Assert.Contains("both 0", Assert.Throws<ArgumentException>(() => new FusionOptions { DenseWeight = 0, Bm25Weight = 0 }.Validate()).Message);
        Assert.Contains("DenseBounds", Assert.Throws<ArgumentException>(() => new FusionOptions { DenseBounds = new(1, 1) }.Validate()).Message);
        Assert.Contains("CandidateDepth", Assert.Throws<ArgumentException>(() => new FusionOptions { CandidateDepth = 0 }.Validate()).Message);
    }

    [Fact]
    public void Fusion_options_json_round_trip()
    {
        var dir = Directory.CreateTempSubdirectory("mr-fusion-");
        try
        {
            var path = Path.Combine(dir.FullName, FusionOptions.FileName);
            var o = new FusionOptions
            {
                Method = FusionMethod.Linear, RrfK = 42, DenseWeight = 0.8, Bm25Weight = 0.2, Normalization = NormalizationKind.ZScore,
                DenseBounds = new ScoreBounds(-0.5, 0.9), Bm25Bounds = new ScoreBounds(1, 17), CandidateDepth = 250,
            };
            o.Save(path);
            Assert.Contains("\"zScore\"", File.ReadAllText(path));
            Assert.Equal(o, FusionOptions.Load(path));

            File.WriteAllText(path, "{\"method\": \"linear\"}");
            var partial = FusionOptions.Load(path);
            Assert.Equal(FusionMethod.Linear, partial.Method);
            Assert.Equal(60, partial.RrfK);

            File.WriteAllText(path, "{\"rrfK\": -1}");
            Assert.Contains(path, Assert.Throws<InvalidDataException>(() => FusionOptions.Load(path)).Message);
            File.WriteAllText(path, "{not json");
            Assert.Contains(path, Assert.Throws<InvalidDataException>(() => FusionOptions.Load(path)).Message);
        }
        finally { dir.Delete(true); }
    }
}
