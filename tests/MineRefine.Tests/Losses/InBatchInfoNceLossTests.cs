using MineRefine.Losses;
using TorchSharp;
using static TorchSharp.torch;
using static MineRefine.Tests.Losses.LossTestUtil;

namespace MineRefine.Tests.Losses;

public class InBatchInfoNceLossTests
{
    [Fact]
    public void HandValueOnTwoPairs()
    {
        using var scope = torch.NewDisposeScope();
        // q1 = (1,0), q2 = (0,1); d1 = (0.6,0.8), d2 = (1,0) — all unit vectors.
        var q = torch.tensor(new double[] { 1, 0, 0, 1 }, new long[] { 2, 2 });
        var d = torch.tensor(new double[] { 0.6, 0.8, 1, 0 }, new long[] { 2, 2 });
        // cos: q1·d1 = 0.6, q1·d2 = 1; q2·d1 = 0.8, q2·d2 = 0. Scale 20.
        double l1 = -Math.Log(Math.Exp(12) / (Math.Exp(12) + Math.Exp(20)));
        double l2 = -Math.Log(Math.Exp(0) / (Math.Exp(16) + Math.Exp(0)));
        var (l, bd) = new InBatchInfoNceLoss().ComputePair(q, d);
        Assert.Equal((l1 + l2) / 2, Value(l), 9);
        Assert.Equal(0.0, bd.Values["infonce/top1"]);
        Assert.Equal(l1 + l2, Value(InBatchInfoNceLoss.ComputePairLoss(q, d, new InBatchInfoNceOptions { SumOverBatch = true })), 9);
        // Normalisation: scaling the inputs does not change the loss.
        Assert.Equal((l1 + l2) / 2, Value(InBatchInfoNceLoss.ComputePairLoss(q * 3, d * 0.5)), 9);
    }

    [Fact]
    public void GradientMovesQueryTowardItsPositive()
    {
        using var scope = torch.NewDisposeScope();
        var q = torch.tensor(new double[] { 1, 0, 0, 1 }, new long[] { 2, 2 }).requires_grad_(true);
        var d = torch.tensor(new double[] { 0.6, 0.8, 1, 0 }, new long[] { 2, 2 });
        double before = Value((nn.functional.normalize(q, 2, 1) * d).sum(1)[0]);
        InBatchInfoNceLoss.ComputePairLoss(q, d).backward();
        var q2 = (q.detach() - 0.1 * q.grad!);
        double after = Value((nn.functional.normalize(q2, 2, 1) * d).sum(1)[0]);
        Assert.True(after > before);
    }

    [Fact]
    public void GradedFormEqualsThePairFormOnTheBatchSimilarityMatrix()
    {
        using var scope = torch.NewDisposeScope();
        var gen = new Generator(7);
        var q = torch.randn(new long[] { 5, 8 }, ScalarType.Float64, generator: gen);
        var d = torch.randn(new long[] { 5, 8 }, ScalarType.Float64, generator: gen);
        var sim = nn.functional.normalize(q, 2, 1).matmul(nn.functional.normalize(d, 2, 1).t());
        var grades = torch.zeros(new long[] { 5, 5 }, ScalarType.Int64) + torch.eye(5, dtype: ScalarType.Int64) * 2;
        Assert.Equal(Value(InBatchInfoNceLoss.ComputePairLoss(q, d)), Value(InBatchInfoNceLoss.ComputeLoss(sim, grades)), 9);
        var sum = new InBatchInfoNceOptions { SumOverBatch = true };
        Assert.Equal(Value(InBatchInfoNceLoss.ComputePairLoss(q, d, sum)), Value(InBatchInfoNceLoss.ComputeLoss(sim, grades, sum)), 9);
    }

    [Fact]
    public void GradedFormHandValueTakesTheBestGradeAsPositiveAndLeavesOtherPositivesOut()
    {
        using var scope = torch.NewDisposeScope();
        // Row 0: positive = the grade-2 item (0.2); the grade-1 items (0.5, 0.9) are neither positive nor negative;
        // the one grade-0 item (0.1) is the negative; the padding slot is ignored.
        // Row 1: no positive — adds nothing and is not counted in the mean.
        // Row 2: two grade-2 items tie; the first (0.3) is the positive, the second (0.8) is left out.
        var scores = Scores(new double[,] { { 0.5, 0.2, 0.9, 0.1, 0.7 }, { 0.4, 0.3, 0.2, 0.1, 0.0 }, { 0.3, 0.8, 0.6, 0.0, 0.0 } }, requiresGrad: true);
        var grades = Grades(new long[,] { { 1, 2, 1, 0, -1 }, { 0, 0, 0, 0, -1 }, { 2, 2, 0, 0, -1 } });
        double l0 = -20 * 0.2 + Math.Log(Math.Exp(20 * 0.2) + Math.Exp(20 * 0.1));
        double l2 = -20 * 0.3 + Math.Log(Math.Exp(20 * 0.3) + Math.Exp(20 * 0.6) + Math.Exp(0));
        var loss = new InBatchInfoNceLoss();
        var (l, bd) = loss.Compute(scores, grades);
        Assert.Equal((l0 + l2) / 2, Value(l), 9);
        Assert.Equal(bd.Total, Value(l), 9);
        Assert.Equal(l0 + l2, bd.Values["infonce/ce"], 9);
        Assert.Equal(2, bd.Counts["infonce/ce"]);
        Assert.Equal(0.5, bd.Values["infonce/top1"], 9);       // row 0's positive beats its negative, row 2's does not
        Assert.Equal(l0 + l2, Value(InBatchInfoNceLoss.ComputeLoss(scores, grades, new InBatchInfoNceOptions { SumOverBatch = true })), 9);

        // Gradients: the positive is pushed up, negatives down, excluded items and padding not at all.
        l.backward();
        double[] g = Values(scores.grad!);
        Assert.True(g[1] < 0 && g[3] > 0, "row 0: positive up, negative down");
        Assert.Equal(0.0, g[0]); Assert.Equal(0.0, g[2]); Assert.Equal(0.0, g[4]);
        Assert.All(g.Skip(5).Take(5), v => Assert.Equal(0.0, v));  // the row without a positive
        Assert.True(g[10] < 0 && g[12] > 0 && g[13] > 0);
        Assert.Equal(0.0, g[11]);
        Assert.Equal("infonce", loss.Name);
        Assert.Empty(loss.TrainableParameters);
    }

    [Fact]
    public void GradedFormWithoutAnyPositiveIsAZeroLossNotNaN()
    {
        using var scope = torch.NewDisposeScope();
        var scores = Scores(new double[,] { { 0.5, 0.2 }, { 0.1, -0.3 } }, requiresGrad: true);
        var grades = Grades(new long[,] { { 0, 0 }, { -1, 0 } });
        var (l, bd) = new InBatchInfoNceLoss().Compute(scores, grades);
        Assert.Equal(0.0, Value(l));
        Assert.Equal(0, bd.Counts["infonce/ce"]);
        l.backward();
        Assert.All(Values(scores.grad!), v => Assert.Equal(0.0, v));
        Assert.IsType<InBatchInfoNceLoss>(LossFactory.Create("infonce"));
        Assert.Throws<ArgumentException>(() => LossFactory.Create(new LossOptions { Name = "infonce", InfoNce = new InBatchInfoNceOptions { Scale = 0 } }));
    }
}
