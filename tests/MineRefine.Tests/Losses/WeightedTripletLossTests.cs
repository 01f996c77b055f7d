using MineRefine.Losses;
using TorchSharp;
using static TorchSharp.torch;
using static MineRefine.Tests.Losses.LossTestUtil;

namespace MineRefine.Tests.Losses;

public class WeightedTripletLossTests
{
    private static double Hand(double[,] s, long[,] g, WeightedTripletOptions o)
    {
        double total = 0;
        for (int q = 0; q < s.GetLength(0); q++)
        {
            double sum = 0; int pairs = 0;
            for (int i = 0; i < s.GetLength(1); i++)
                for (int j = 0; j < s.GetLength(1); j++)
                {
                    long ri = g[q, i], rj = g[q, j];
                    if (rj < 0 || ri <= rj) continue;
                    double m = (ri, rj) switch { (2, 1) => o.Margin21, (1, 0) => o.Margin10, _ => o.Margin20 };
                    double w = (ri, rj) switch { (2, 1) => o.Weight21, (1, 0) => o.Weight10, _ => o.Weight20 };
                    sum += w * Math.Max(0, m - (s[q, i] - s[q, j]));
                    pairs++;
                }
            if (pairs > 0) total += sum / pairs;
        }
        return total;
    }

    [Fact]
    public void HandValueOnThreeItems()
    {
        using var scope = torch.NewDisposeScope();
        // (2,1): max(0, 0.1 − 0.05) = 0.05; (2,0): max(0, 0.2 − 0.4) = 0; (1,0): max(0, 0.1 − 0.35) = 0; mean over 3 pairs.
        var (l, bd) = new WeightedTripletLoss().Compute(Scores(new double[,] { { 0.5, 0.45, 0.1 } }), Grades(new long[,] { { 2, 1, 0 } }));
        Assert.Equal(0.05 / 3, Value(l), 9);
        Assert.Equal(0.05 / 3, bd.Values["triplet/2v1"], 9);
        Assert.Equal(1, bd.Counts["triplet/2v1"]);
        Assert.Equal(1, bd.Counts["triplet/2v1_active"]);
        Assert.Equal(0, bd.Counts["triplet/2v0_active"]);
    }

    [Fact]
    public void WeightedRandomInstancesMatchPlainLoop()
    {
        using var scope = torch.NewDisposeScope();
        var rng = new Random(5);
        var s = new double[4, 6];
        var g = new long[4, 6];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 6; j++) { s[i, j] = rng.NextDouble() * 2 - 1; g[i, j] = rng.Next(-1, 3); }
        var o = new WeightedTripletOptions { Margin21 = 0.15, Margin10 = 0.3, Margin20 = 0.5, Weight21 = 2, Weight10 = 0.5, Weight20 = 1.5 };
        var (l, bd) = new WeightedTripletLoss(o).Compute(Scores(s), Grades(g));
        double expected = Hand(s, g, o);
        Assert.Equal(expected, Value(l), 9);
        Assert.Equal(expected, bd.Total, 9);
        Assert.Equal(expected, bd.Values["triplet/2v1"] + bd.Values["triplet/1v0"] + bd.Values["triplet/2v0"], 9);
        Assert.Equal(expected, Value(WeightedTripletLoss.ComputeLoss(Scores(s), Grades(g), o)), 9);
    }

    [Fact]
    public void OneSgdStepSeparatesViolatingPair()
    {
        using var scope = torch.NewDisposeScope();
        var s = Scores(new double[,] { { 0.2, 0.3, 0.25 } }, requiresGrad: true);
        var g = Grades(new long[,] { { 2, 1, 0 } });
        var before = Values(s);
        var after = SgdStep(s, WeightedTripletLoss.ComputeLoss(s, g), 0.1);
        Assert.True(after[0] > before[0]);
        Assert.True(after[2] < before[2]);
    }

    [Theory]
    [InlineData(new long[] { 0, 0, -1 })]
    [InlineData(new long[] { 2, 2, 2 })]
    [InlineData(new long[] { 1, -1, -1 })]
    [InlineData(new long[] { -1, -1, -1 })]
    public void NoPairsGivesZero(long[] grades)
    {
        using var scope = torch.NewDisposeScope();
        var s = Scores(new double[,] { { 0.4, 0.3, 0.9 } }, requiresGrad: true);
        var l = WeightedTripletLoss.ComputeLoss(s, torch.tensor(grades, new long[] { 1, 3 }, ScalarType.Int64));
        Assert.Equal(0.0, Value(l));
        l.backward();
        AssertFiniteGrad(s);
    }
}
