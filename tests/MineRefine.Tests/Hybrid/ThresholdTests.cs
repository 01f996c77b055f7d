using MineRefine.Retrieval.Hybrid;

namespace MineRefine.Tests.Hybrid;

public class ThresholdTests
{
    // Exact curve (3 positives): cut .9 → P 1, R 2/3; cut .7 → P .75, R 1, F1 6/7 (max).
    // Partial curve (5 positives): cut .5 → P 5/6, R 1, F1 10/11 (max); lowest cut with P ≥ .8 is .5.
    private static readonly (float, int)[] Set =
        [(0.95f, 2), (0.9f, 2), (0.8f, 1), (0.7f, 2), (0.6f, 0), (0.5f, 1), (0.4f, 0), (0.3f, 0)];

    [Fact]
    public void Tier_boundaries_are_inclusive()
    {
        var t = new GradeThresholds { Exact = 0.7, Partial = 0.4 };
        Assert.Equal(GradeTier.Exact, t.Tier(0.7));
        Assert.Equal(GradeTier.Partial, t.Tier(0.69));
        Assert.Equal(GradeTier.Partial, t.Tier(0.4));
        Assert.Equal(GradeTier.Irrelevant, t.Tier(0.39));
        Assert.Null(t.TierOrNull(null));
        Assert.Null(t.TierOrNull(double.NaN));
        Assert.Throws<ArgumentException>(() => t.Tier(double.NaN));
        Assert.Equal("partial", t.Tier(0.5).ToName());
        Assert.Throws<ArgumentException>(() => new GradeThresholds { Exact = 0.3, Partial = 0.4 }.Validate());
    }

    [Fact]
    public void Curve_hand_values()
    {
        var exact = ThresholdCalibrator.Curve(Set, 2);
        Assert.Equal(8, exact.Count);
        var at7 = exact.Single(p => p.Threshold == 0.7f);
        Assert.Equal((3, 1, 3), (at7.TruePositives, at7.FalsePositives, at7.Positives));
        Assert.Equal(0.75, at7.Precision, 12);
        Assert.Equal(1.0, at7.Recall, 12);
        Assert.Equal(6.0 / 7, at7.F1, 12);
        var ties = ThresholdCalibrator.Curve([(0.5f, 2), (0.5f, 0), (0.2f, 2)], 2);
        Assert.Equal(2, ties.Count); // tied scores share one cut
        Assert.Equal(0.5, ties[0].Precision, 12);
    }

    [Fact]
    public void Target_precision_picks_lowest_cut_reaching_target()
    {
        var r = ThresholdCalibrator.Calibrate(Set, new CalibrationOptions { Criterion = CalibrationCriterion.TargetPrecision, TargetPrecision = 0.8 });
        Assert.Equal(0.9f, (float)r.Thresholds.Exact);
        Assert.Equal(0.5f, (float)r.Thresholds.Partial);
        Assert.Equal(1.0, r.Thresholds.ExactAt!.Precision, 12);
        Assert.Equal(2.0 / 3, r.Thresholds.ExactAt.Recall, 12);
        Assert.Equal(5.0 / 6, r.Thresholds.PartialAt!.Precision, 12);
        Assert.True(r.ExactTargetReached && r.PartialTargetReached);
        Assert.False(r.PartialClampedToExact);
        Assert.Equal("precision>=0.8", r.Thresholds.Criterion);
        Assert.Equal(8, r.ExactCurve.Count);
    }

    [Fact]
    public void Max_f1_picks_best_f1_cut()
    {
        var r = ThresholdCalibrator.Calibrate(Set, new CalibrationOptions { Criterion = CalibrationCriterion.MaxF1 });
        Assert.Equal(0.7f, (float)r.Thresholds.Exact);
        Assert.Equal(6.0 / 7, r.Thresholds.ExactAt!.F1, 12);
        Assert.Equal(0.5f, (float)r.Thresholds.Partial);
        Assert.Equal(10.0 / 11, r.Thresholds.PartialAt!.F1, 12);
    }

    [Fact]
    public void Unreachable_target_falls_back_to_highest_precision_and_says_so()
    {
        var r = ThresholdCalibrator.Calibrate([(0.9f, 0), (0.8f, 2), (0.7f, 1), (0.6f, 0)], new CalibrationOptions { TargetPrecision = 0.9 });
        Assert.False(r.ExactTargetReached);
        Assert.Equal(0.8f, (float)r.Thresholds.Exact); // P .5 is the best the exact curve offers
    }

    [Fact]
    public void Partial_is_clamped_to_exact()
    {
        // Max F1: partial cut .7 (P 1, R .75, F1 .857 vs .727 at .3), exact cut .3 (the only grade-2 item).
        (float, int)[] set = [(0.9f, 1), (0.8f, 1), (0.7f, 1), (0.6f, 0), (0.5f, 0), (0.4f, 0), (0.3f, 2)];
        var r = ThresholdCalibrator.Calibrate(set, new CalibrationOptions { Criterion = CalibrationCriterion.MaxF1 });
        Assert.True(r.PartialClampedToExact);
        Assert.Equal(0.3f, (float)r.Thresholds.Exact);
        Assert.Equal(0.3f, (float)r.Thresholds.Partial);
        Assert.Equal(4.0 / 7, r.Thresholds.PartialAt!.Precision, 12);
    }

    [Fact]
    public void Bad_inputs_are_rejected_with_a_reason()
    {
        Assert.Contains("none", Assert.Throws<ArgumentException>(() => ThresholdCalibrator.Calibrate([])).Message);
        Assert.Contains("grade-2", Assert.Throws<ArgumentException>(() => ThresholdCalibrator.Calibrate([(0.5f, 1), (0.2f, 0)])).Message);
        Assert.Contains("pair 1", Assert.Throws<ArgumentException>(() => ThresholdCalibrator.Calibrate([(0.5f, 2), (float.NaN, 0)])).Message);
        Assert.Contains("grade", Assert.Throws<ArgumentException>(() => ThresholdCalibrator.Calibrate([(0.5f, 3)])).Message);
        Assert.Throws<ArgumentException>(() => new CalibrationOptions { TargetPrecision = 0 }.Validate());
    }

    [Fact]
    public void ScoreJudgments_uses_query_text_and_keeps_order()
    {
        var scorer = new FakeDenseScorer("d", new(), new() { [("red drill", "p1")] = 0.8f, [("red drill", "p2")] = 0.1f });
        var pairs = ThresholdCalibrator.ScoreJudgments(scorer,
            [new global::MineRefine.Data.Query("q1", "red drill", "en")],
            [new global::MineRefine.Data.Judgment("q1", "p1", 2, global::MineRefine.Data.JudgmentSource.Human), new global::MineRefine.Data.Judgment("q1", "p2", 0, global::MineRefine.Data.JudgmentSource.Human)]);
        Assert.Equal([(0.8f, 2), (0.1f, 0)], pairs);
        Assert.Throws<ArgumentException>(() => ThresholdCalibrator.ScoreJudgments(scorer, [],
            [new global::MineRefine.Data.Judgment("q9", "p1", 2, global::MineRefine.Data.JudgmentSource.Human)]));
    }

    [Fact]
    public void Thresholds_json_round_trip()
    {
        var dir = Directory.CreateTempSubdirectory("mr-thr-");
        try
        {
            var path = Path.Combine(dir.FullName, GradeThresholds.FileName);
            var t = ThresholdCalibrator.Calibrate(Set).Thresholds;
            t.Save(path);
            var back = GradeThresholds.Load(path);
            Assert.Equal(t, back);
            Assert.Equal(t.ExactAt, back.ExactAt);

            File.WriteAllText(path, "{\"exact\": 0.2, \"partial\": 0.5}");
            var e = Assert.Throws<InvalidDataException>(() => GradeThresholds.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("Partial", e.Message);
            File.WriteAllText(path, "{\"partial\": 0.5}");
            Assert.Throws<InvalidDataException>(() => GradeThresholds.Load(path)); // exact is required
        }
        finally { dir.Delete(true); }
    }
}
