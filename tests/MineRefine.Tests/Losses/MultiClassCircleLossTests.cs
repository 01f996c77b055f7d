using MineRefine.Losses;
using TorchSharp;
using static TorchSharp.torch;
using static MineRefine.Tests.Losses.LossTestUtil;

namespace MineRefine.Tests.Losses;

public class MultiClassCircleLossTests
{
    /// <summary>Sun et al. (2020) circle loss, written from the paper in plain doubles: m, γ; optional 1/|N|.</summary>
    private static double OriginalCircle(IList<double> sp, IList<double> sn, double m, double gamma, bool divideByN)
    {
        double op = 1 + m, on = -m, dp = 1 - m, dn = m;
        double sumP = sp.Sum(s => Math.Exp(-gamma * Math.Max(op - s, 0) * (s - dp)));
        double sumN = sn.Sum(s => Math.Exp(gamma * Math.Max(s - on, 0) * (s - dn)));
        return Math.Log(1 + (divideByN ? 1.0 / sn.Count : 1.0) * sumP * sumN);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CaseIEqualsOriginalCircleLossOnRandomInputs(bool normalize)
    {
        using var scope = torch.NewDisposeScope();
        var rng = new Random(3);
        int b = 6, n = 7;
        var s = new double[b, n];
        var g = new long[b, n];
        double expected = 0;
        for (int i = 0; i < b; i++)
        {
            var sp = new List<double>(); var sn = new List<double>();
            for (int j = 0; j < n; j++)
            {
                s[i, j] = rng.NextDouble() * 1.6 - 0.6;
                g[i, j] = j == 0 ? 2 : j == 1 ? 0 : new long[] { 2, 0, -1 }[rng.Next(3)];
                if (g[i, j] == 2) sp.Add(s[i, j]); else if (g[i, j] == 0) sn.Add(s[i, j]);
            }
            expected += OriginalCircle(sp, sn, 0.25, 64, normalize);
        }
        var o = new MultiClassCircleOptions { Cases = new[] { CircleCase.CaseI }, NormalizeByNegativeCount = normalize };
        Assert.Equal(expected, Value(MultiClassCircleLoss.ComputeLoss(Scores(s), Grades(g), o)), 7);
        // With the default three cases, grade-2/grade-0-only instances give the same number.
        Assert.Equal(expected, Value(MultiClassCircleLoss.ComputeLoss(Scores(s), Grades(g),
            new MultiClassCircleOptions { NormalizeByNegativeCount = normalize })), 7);
    }

    [Fact]
    public void HandValuesForEachCase()
    {
        using var scope = torch.NewDisposeScope();
        // One instance: grade 2 at 0.8, grade 1 at 0.5, grade 0 at 0.1; γ = 64; |N| = 1 in every case.
        double caseI = Math.Log(1 + Math.Exp(-64 * (1.25 - 0.8) * (0.8 - 0.75)) * Math.Exp(64 * (0.1 + 0.25) * (0.1 - 0.25)));
        double caseII = Math.Log(1 + Math.Exp(-64 * (0.60 - 0.5) * (0.5 - 0.40)) * Math.Exp(64 * (0.1 + 0.25) * (0.1 - 0.25)));
        double caseIII = Math.Log(1 + Math.Exp(-64 * (1.25 - 0.8) * (0.8 - 0.75)) * Math.Exp(64 * (0.5 - 0.30) * (0.5 - 0.60)));
        var (l, bd) = new MultiClassCircleLoss().Compute(Scores(new double[,] { { 0.8, 0.5, 0.1 } }), Grades(new long[,] { { 2, 1, 0 } }));
        Assert.Equal(caseI, bd.Values["circle/2v0"], 9);
        Assert.Equal(caseII, bd.Values["circle/1v0"], 9);
        Assert.Equal(caseIII, bd.Values["circle/2v1"], 9);
        Assert.Equal(caseI + caseII + caseIII, Value(l), 9);
        Assert.Equal(1, bd.Counts["circle/2v1"]);
    }

    [Fact]
    public void HandValueWithTwoNegativesUsesOneOverN()
    {
        using var scope = torch.NewDisposeScope();
        // Grade 2 at 0.9; grade 0 at 0.3 and −0.1: only case I applies; 1/|N| = 1/2.
        double p = Math.Exp(-64 * 0.35 * 0.15);
        double nSum = Math.Exp(64 * 0.55 * 0.05) + Math.Exp(64 * 0.15 * (-0.35));
        double expected = Math.Log(1 + 0.5 * p * nSum);
        var (l, bd) = new MultiClassCircleLoss().Compute(Scores(new double[,] { { 0.9, 0.3, -0.1, 0.0 } }), Grades(new long[,] { { 2, 0, 0, -1 } }));
        Assert.Equal(expected, Value(l), 9);
        Assert.Equal(0, bd.Counts["circle/1v0"]);
        Assert.Equal(0, bd.Counts["circle/2v1"]);
    }

    [Fact]
    public void GradientsPushEachGradeTowardItsTarget()
    {
        using var scope = torch.NewDisposeScope();
        // grade 2 at 0.6 (too low), grade 1 at 0.9 (too high) and 0.1 (too low), grade 0 at 0.4 (too high).
        var s = Scores(new double[,] { { 0.6, 0.9, 0.1, 0.4 } }, requiresGrad: true);
        var g = Grades(new long[,] { { 2, 1, 1, 0 } });
        var before = Values(s);
        var after = SgdStep(s, MultiClassCircleLoss.ComputeLoss(s, g), 1e-3);
        Assert.True(after[0] > before[0], "grade 2 rises toward ≈1");
        Assert.True(after[1] < before[1], "grade 1 above the band falls toward ≈0.5");
        Assert.True(after[2] > before[2], "grade 1 below the band rises toward ≈0.5");
        Assert.True(after[3] < before[3], "grade 0 falls toward 0");
    }

    [Theory]
    [InlineData(new long[] { 2, 2, -1 })]
    [InlineData(new long[] { 0, 0, 0 })]
    [InlineData(new long[] { 1, -1, -1 })]
    [InlineData(new long[] { -1, -1, -1 })]
    public void EmptySidesGiveZeroAndNoNaN(long[] grades)
    {
        using var scope = torch.NewDisposeScope();
        var s = Scores(new double[,] { { 0.4, -0.3, 0.9 } }, requiresGrad: true);
        var (l, bd) = new MultiClassCircleLoss().Compute(s, torch.tensor(grades, new long[] { 1, 3 }, ScalarType.Int64));
        Assert.Equal(0.0, Value(l));
        Assert.Equal(0.0, bd.Total);
        l.backward();
        AssertFiniteGrad(s);
    }

    [Fact]
    public void Float32LargeGammaStaysFinite()
    {
        using var scope = torch.NewDisposeScope();
        var s = torch.tensor(new float[] { -1f, 1f, 1f, -1f }, new long[] { 1, 4 }).requires_grad_(true);
        var g = Grades(new long[,] { { 2, 1, 0, 0 } });
        var l = MultiClassCircleLoss.ComputeLoss(s, g, new MultiClassCircleOptions { Gamma = 128 });
        Assert.True(double.IsFinite(Value(l)) && Value(l) > 100);
        l.backward();
        Assert.All(Values(s.grad!), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void ValidatesOptions()
    {
        Assert.Throws<ArgumentException>(() => new MultiClassCircleLoss(new MultiClassCircleOptions { Gamma = 0 }));
        Assert.Throws<ArgumentException>(() => new MultiClassCircleLoss(new MultiClassCircleOptions
        { Cases = new[] { new CircleCase("bad", 0, 2, 1.25, 0.75, -0.25, 0.25) } }));
    }
}
