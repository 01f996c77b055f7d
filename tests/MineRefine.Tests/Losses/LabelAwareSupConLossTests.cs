using MineRefine.Losses;
using TorchSharp;
using static TorchSharp.torch;
using static MineRefine.Tests.Losses.LossTestUtil;

namespace MineRefine.Tests.Losses;

public class LabelAwareSupConLossTests
{
    /// <summary>Plain-double eq. 2 for one instance (grades −1 = padding).</summary>
    private static double Hand(double[] s, long[] r, double tau)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < s.Length; j++) if (r[j] >= 0) max = Math.Max(max, s[j] / tau);
        double z = 0;
        for (int j = 0; j < s.Length; j++) if (r[j] >= 0) z += Math.Exp(s[j] / tau - max);
        double logZ = max + Math.Log(z);
        double sumR = 0, acc = 0;
        for (int i = 0; i < s.Length; i++)
            if (r[i] > 0) { sumR += r[i]; acc += r[i] * (s[i] / tau - logZ); }
        return sumR == 0 ? 0 : -acc / sumR;
    }

    [Fact]
    public void MatchesHandComputationWithPadding()
    {
        using var scope = torch.NewDisposeScope();
        var s = new double[,] { { 0.9, 0.5, 0.1, -0.2 }, { 0.3, 0.8, 0.0, 0.0 } };
        var g = new long[,] { { 2, 1, 0, 0 }, { 1, 0, -1, -1 } };
        double tau = 0.05;
        // Instance 1 written out: −(2·log p_0 + 1·log p_1)/3 with p_i = exp(s_i/τ)/Σ_j exp(s_j/τ).
        double z1 = Math.Exp(18) + Math.Exp(10) + Math.Exp(2) + Math.Exp(-4);
        double l1 = -(2 * Math.Log(Math.Exp(18) / z1) + 1 * Math.Log(Math.Exp(10) / z1)) / 3;
        // Instance 2: padding excluded from the denominator.
        double l2 = -Math.Log(Math.Exp(6) / (Math.Exp(6) + Math.Exp(16)));
        double expected = l1 + l2;
        Assert.Equal(expected, Hand(new[] { 0.9, 0.5, 0.1, -0.2 }, new long[] { 2, 1, 0, 0 }, tau)
                               + Hand(new[] { 0.3, 0.8, 0, 0 }, new long[] { 1, 0, -1, -1 }, tau), 9);
        var loss = LabelAwareSupConLoss.ComputeLoss(Scores(s), Grades(g), tau);
        Assert.Equal(expected, Value(loss), 9);
    }

    [Fact]
    public void RandomInstancesMatchPlainDoubleImplementation()
    {
        using var scope = torch.NewDisposeScope();
        var rng = new Random(11);
        int b = 6, n = 5;
        var s = new double[b, n];
        var g = new long[b, n];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < n; j++) { s[i, j] = rng.NextDouble() * 2 - 1; g[i, j] = rng.Next(-1, 3); }
        double expected = 0;
        for (int i = 0; i < b; i++)
        {
            var si = Enumerable.Range(0, n).Select(j => s[i, j]).ToArray();
            var gi = Enumerable.Range(0, n).Select(j => g[i, j]).ToArray();
            expected += Hand(si, gi, 0.1);
        }
        Assert.Equal(expected, Value(LabelAwareSupConLoss.ComputeLoss(Scores(s), Grades(g), 0.1)), 9);
        Assert.Equal(expected, Value(LabelAwareSupConLoss.ComputeLoss(Scores(s), Grades(g), torch.tensor(0.1, ScalarType.Float64))), 9);
    }

    [Fact]
    public void ModuleUsesLearnedTemperatureAndReportsBreakdown()
    {
        using var scope = torch.NewDisposeScope();
        using var loss = new LabelAwareSupConLoss();
        Assert.Equal(0.05, loss.Temperature, 6);
        Assert.Single(loss.TrainableParameters);
        var s = new double[,] { { 0.7, 0.6, 0.2 } };
        var g = new long[,] { { 2, 1, 0 } };
        var (l, bd) = loss.Compute(Scores(s), Grades(g));
        double expected = Hand(new[] { 0.7, 0.6, 0.2 }, new long[] { 2, 1, 0 }, 0.05);
        Assert.Equal(expected, Value(l), 4); // τ stored in float32
        Assert.Equal(Value(l), bd.Total, 6);
        Assert.Equal(bd.Total, bd.Values["supcon/pos2"] + bd.Values["supcon/pos1"], 6);
        Assert.Equal(1, bd.Counts["supcon/pos2"]);
        Assert.Equal(0.05, bd.Values["supcon/tau"], 6);
        l.backward();
        Assert.NotNull(loss.LogInvTau.grad);
        Assert.True(double.IsFinite(Value(loss.LogInvTau.grad!)));
    }

    [Fact]
    public void TemperatureIsClampedAndFixedWhenNotLearned()
    {
        using var scope = torch.NewDisposeScope();
        using var loss = new LabelAwareSupConLoss();
        loss.SetTemperature(0.001);
        Assert.Equal(0.01, loss.Temperature, 6);
        loss.SetTemperature(5);
        Assert.Equal(1.0, loss.Temperature, 6);
        using var fixedTau = new LabelAwareSupConLoss(new SupConOptions { LearnTemperature = false, InitialTemperature = 0.1 });
        Assert.Empty(fixedTau.TrainableParameters);
        Assert.Equal(0.1, fixedTau.Temperature, 6);
        Assert.Throws<ArgumentException>(() => new LabelAwareSupConLoss(new SupConOptions { InitialTemperature = 2 }));
    }

    [Fact]
    public void OneSgdStepRaisesPositivesAndLowersNegative()
    {
        using var scope = torch.NewDisposeScope();
        var s = Scores(new double[,] { { 0.1, 0.1, 0.5, 0.3 } }, requiresGrad: true);
        var g = Grades(new long[,] { { 2, 1, 0, 0 } });
        var before = Values(s);
        var after = SgdStep(s, LabelAwareSupConLoss.ComputeLoss(s, g, 0.05), 1e-3);
        Assert.True(after[0] > before[0], "grade-2 score must rise");
        Assert.True(after[1] > before[1], "grade-1 score must rise");
        Assert.True(after[2] < before[2], "grade-0 score must fall");
        Assert.True(after[3] < before[3], "grade-0 score must fall");
    }

    [Theory]
    [InlineData(new long[] { 0, 0, -1 })]   // no positive
    [InlineData(new long[] { 2, -1, -1 })]  // single item
    [InlineData(new long[] { -1, -1, -1 })] // all padding
    [InlineData(new long[] { 1, -1, -1 })]
    public void EdgeCasesGiveZeroAndFiniteGradients(long[] grades)
    {
        using var scope = torch.NewDisposeScope();
        var s = Scores(new double[,] { { 0.4, -0.3, 0.9 } }, requiresGrad: true);
        var g = torch.tensor(grades, new long[] { 1, 3 }, ScalarType.Int64);
        using var module = new LabelAwareSupConLoss();
        var (l, bd) = module.Compute(s, g);
        Assert.Equal(0.0, Value(l), 6);
        Assert.False(double.IsNaN(bd.Total));
        l.backward();
        AssertFiniteGrad(s);
        Assert.True(double.IsFinite(Value(module.LogInvTau.grad!)));
    }

    [Fact]
    public void RejectsMismatchedShapesAndWrongGradeType()
    {
        using var scope = torch.NewDisposeScope();
        var s = Scores(new double[,] { { 0.1, 0.2 } });
        Assert.Throws<ArgumentException>(() => LabelAwareSupConLoss.ComputeLoss(s, Grades(new long[,] { { 1, 0, 0 } }), 0.05));
        Assert.Throws<ArgumentException>(() => LabelAwareSupConLoss.ComputeLoss(s, torch.tensor(new[] { 1f, 0f }).view(1, 2), 0.05));
    }
}
