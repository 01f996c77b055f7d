using MineRefine.Evaluation;

namespace MineRefine.Tests.Evaluation;

public class MetricTests
{
    [Fact]
    public void Ndcg_matches_hand_computed_value()
    {
        // DCG = 1/log2(2) + 0 + 0.5/log2(4) = 1.25; IDCG over judged [2,1,1,0] = 1 + 0.5/log2(3) + 0.5/log2(4).
        double ndcg = Ndcg.At([2, 0, 1], [2, 1, 1, 0], 10);
        Assert.Equal(0.7984848580994974, ndcg, 12);
        // Cut-off 2: DCG = 1, IDCG = 1 + 0.5/log2(3).
        Assert.Equal(0.7601875334318685, Ndcg.At([2, 0, 1], [2, 1, 1, 0], 2), 12);
    }

    [Fact]
    public void Ndcg_is_one_for_ideal_ranking_and_zero_without_gain()
    {
        Assert.Equal(1.0, Ndcg.At([2, 1, 0], [0, 1, 2], 10), 12);
        Assert.Equal(0.0, Ndcg.At([0, 0], [2, 1], 10));
        Assert.Equal(0.0, Ndcg.At([0], [0, 0], 10)); // IDCG = 0 → 0 by definition
    }

    [Fact]
    public void Ndcg_uses_the_configured_gain_map()
    {
        var binary = new GradeGains(0, 1, 1);
        // DCG = 0 + 1/log2(3); IDCG = 1 + 1/log2(3).
        double expected = (1 / Math.Log2(3)) / (1 + 1 / Math.Log2(3));
        Assert.Equal(expected, Ndcg.At([0, 1], [2, 1, 0], 10, binary), 12);
        Assert.Throws<ArgumentException>(() => new GradeGains(0, 1, 0.5));
    }

    [Fact]
    public void Condensed_ndcg_drops_unjudged_items_and_moves_the_judged_ones_up()
    {
        // Retrieved: unjudged, 0, unjudged, 2, 1 → condensed [0, 2, 1]. DCG@10 = 1/log2(3) + 0.5/log2(4);
        // IDCG over judged [2, 1, 0] = 1 + 0.5/log2(3). Plain NDCG of the same list (unjudged = 0) is lower.
        int[] grades = [0, 0, 0, 2, 1];
        bool[] judged = [false, true, false, true, true];
        double ideal = 1 + 0.5 / Math.Log2(3);
        Assert.Equal((1 / Math.Log2(3) + 0.5 / 2) / ideal, CondensedNdcg.At(grades, judged, [2, 1, 0], 10), 12);
        Assert.Equal((1 / Math.Log2(5) + 0.5 / Math.Log2(6)) / ideal, Ndcg.At(grades, [2, 1, 0], 10), 12);
        // The cut-off applies to the condensed list: @2 keeps [0, 2] although they sat at ranks 2 and 4.
        Assert.Equal((1 / Math.Log2(3)) / ideal, CondensedNdcg.At(grades, judged, [2, 1, 0], 2), 12);
        // Everything judged: equal to plain NDCG. Nothing judged: 0.
        Assert.Equal(Ndcg.At([2, 0, 1], [2, 1, 1, 0], 2), CondensedNdcg.At([2, 0, 1], [true, true, true], [2, 1, 1, 0], 2), 12);
        Assert.Equal(0.0, CondensedNdcg.At([0, 0], [false, false], [2], 10));
        var mismatch = Assert.Throws<ArgumentException>(() => CondensedNdcg.At([0, 2], [true], [2], 10));
        Assert.Contains("one flag per retrieved item", mismatch.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CondensedNdcg.At([2], [true], [2], 0));
    }

    [Fact]
    public void Judged_at_k_is_the_judged_share_of_the_top_k()
    {
        bool[] judged = [true, false, true, true];
        Assert.Equal(2.0 / 3, JudgedAtK.At(judged, 3), 12);
        Assert.Equal(3.0 / 10, JudgedAtK.At(judged, 10), 12); // denominator K even when fewer were retrieved
        Assert.Equal(0.0, JudgedAtK.At([], 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => JudgedAtK.At(judged, 0));
    }

    [Fact]
    public void Recall_and_precision_count_relevant_and_exact()
    {
        int[] retrieved = [0, 2, 1, 0, 2];
        Assert.Equal(3.0 / 4, RecallAtK.At(retrieved, 4, 10), 12);
        Assert.Equal(1.0 / 4, RecallAtK.At(retrieved, 4, 2), 12);
        Assert.Equal(2.0 / 3, RecallAtK.At(retrieved, 3, 10, minGrade: 2), 12);
        Assert.True(double.IsNaN(RecallAtK.At(retrieved, 0, 10)));
        // Denominator is K even when fewer than K items were retrieved.
        Assert.Equal(3.0 / 10, PrecisionAtK.At(retrieved, 10), 12);
        Assert.Equal(2.0 / 10, PrecisionAtK.At(retrieved, 10, minGrade: 2), 12);
        Assert.Equal(1.0 / 2, PrecisionAtK.At(retrieved, 2), 12);
    }

    [Fact]
    public void Reciprocal_rank_finds_first_relevant_within_cutoff()
    {
        Assert.Equal(1.0 / 3, ReciprocalRank.At([0, 0, 1, 2], 10), 12);
        Assert.Equal(0.0, ReciprocalRank.At([0, 0, 1], 2));
        Assert.Equal(1.0, ReciprocalRank.At([2], 10));
        Assert.Equal(0.25, ReciprocalRank.At([0, 1, 1, 2], 10, minGrade: 2), 12);
    }

    [Fact]
    public void Auc_counts_ties_as_half()
    {
        // pairs: (3,2)=1 (3,1)=1 (2,2)=½ (2,1)=1 (2,2)=½ (2,1)=1 → 5/6
        Assert.Equal(5.0 / 6, RocAuc.Compute([3, 2, 2], [2, 1])!.Value, 12);
        Assert.Equal(1.0, RocAuc.Compute([5, 6], [1, 2])!.Value, 12);
        Assert.Equal(0.0, RocAuc.Compute([1], [2])!.Value, 12);
        Assert.Equal(0.5, RocAuc.Compute([1, 1], [1])!.Value, 12);
        Assert.Null(RocAuc.Compute([], [1]));
    }

    [Fact]
    public void Auc_equals_brute_force_pairwise_count()
    {
        var rng = new Random(7);
        var pos = Enumerable.Range(0, 40).Select(_ => (double)rng.Next(10)).ToArray();
        var neg = Enumerable.Range(0, 30).Select(_ => (double)rng.Next(8)).ToArray();
        double sum = 0;
        foreach (var p in pos)
            foreach (var n in neg)
                sum += p > n ? 1 : p == n ? 0.5 : 0;
        Assert.Equal(sum / (pos.Length * neg.Length), RocAuc.Compute(pos, neg)!.Value, 12);
    }

    [Fact]
    public void Margins_average_over_queries_with_both_grades()
    {
        var queries = new (IReadOnlyList<double>, IReadOnlyList<double>)[]
        {
            ([0.9, 0.7], [0.2, 0.4]), // avg 0.8 − 0.3 = 0.5; worst 0.7 − 0.4 = 0.3
            ([0.5], [0.6]),           // avg −0.1; worst −0.1
            ([0.8], []),              // left out
        };
        Assert.Equal(0.2, Margins.Average(queries)!.Value, 12);
        Assert.Equal(0.1, Margins.WorstCase(queries)!.Value, 12);
        Assert.Null(Margins.Average([([1.0], [])]));
    }

    [Fact]
    public void Quantiles_interpolate_linearly()
    {
        double[] v = [4, 1, 3, 2];
        Assert.Equal(1.3, Quantiles.Of(v, 0.1)!.Value, 12);
        Assert.Equal(2.5, Quantiles.Of(v, 0.5)!.Value, 12);
        Assert.Equal(3.7, Quantiles.Of(v, 0.9)!.Value, 12);
        Assert.Equal(5.0, Quantiles.Of([5], 0.9)!.Value, 12);
        Assert.Null(Quantiles.Of([], 0.5));
    }

    [Fact]
    public void Score_separation_per_grade_and_overall()
    {
        ScoredPair[] pairs =
        [
            new("a", 2, 0.9), new("a", 2, 0.7), new("a", 0, 0.2), new("a", 0, 0.4), new("a", 1, 0.5),
            new("b", 2, 0.5), new("b", 0, 0.6),
            new("c", 1, 0.1),
        ];
        var s = ScoreSeparation.Compute(pairs);
        Assert.Equal(0.2, s.AverageMargin!.Value, 12);
        Assert.Equal(0.1, s.WorstCaseMargin!.Value, 12);
        Assert.Equal(2, s.MarginQueries);
        // Per query: a = mean{0.9,0.7} − mean{0.2,0.4} = 0.5, min 0.7 − max 0.4 = 0.3; b = −0.1 both; c has none.
        Assert.Equal(["a", "b"], s.QueryMargins.Keys.Order());
        Assert.Equal(0.5, s.QueryMargins["a"].Average, 12);
        Assert.Equal(0.3, s.QueryMargins["a"].WorstCase, 12);
        Assert.Equal(-0.1, s.QueryMargins["b"].Average, 12);
        Assert.Equal(-0.1, s.QueryMargins["b"].WorstCase, 12);
        // 2 vs 0: pos {0.9,0.7,0.5} neg {0.2,0.4,0.6}: 0.9→3, 0.7→3, 0.5→2 → 8/9
        Assert.Equal(8.0 / 9, s.Auc2Vs0!.Value, 12);
        // 1 vs 0: pos {0.5,0.1} neg {0.2,0.4,0.6}: 0.5→2, 0.1→0 → 2/6
        Assert.Equal(2.0 / 6, s.Auc1Vs0!.Value, 12);
        // 2 vs 1: pos {0.9,0.7,0.5} neg {0.5,0.1}: 2 + 2 + 1.5 → 5.5/6
        Assert.Equal(5.5 / 6, s.Auc2Vs1!.Value, 12);
        Assert.Equal(0.4, s.MeanScoreGrade0!.Value, 12);
        Assert.Equal(0.3, s.MeanScoreGrade1!.Value, 12);
        Assert.Equal(0.7, s.MeanScoreGrade2!.Value, 12);
        Assert.Equal(0.7, s.P50ScoreGrade2!.Value, 12);
        Assert.Equal(3, s.PairsGrade0);
    }
}
