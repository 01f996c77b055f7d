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
        var (l, bd) = new InBatchInfoNceLoss().Compute(q, d);
        Assert.Equal((l1 + l2) / 2, Value(l), 9);
        Assert.Equal(0.0, bd.Values["infonce/top1"]);
        Assert.Equal(l1 + l2, Value(InBatchInfoNceLoss.ComputeLoss(q, d, new InBatchInfoNceOptions { SumOverBatch = true })), 9);
        // Normalisation: scaling the inputs does not change the loss.
        Assert.Equal((l1 + l2) / 2, Value(InBatchInfoNceLoss.ComputeLoss(q * 3, d * 0.5)), 9);
    }

    [Fact]
    public void GradientMovesQueryTowardItsPositive()
    {
        using var scope = torch.NewDisposeScope();
        var q = torch.tensor(new double[] { 1, 0, 0, 1 }, new long[] { 2, 2 }).requires_grad_(true);
        var d = torch.tensor(new double[] { 0.6, 0.8, 1, 0 }, new long[] { 2, 2 });
        double before = Value((nn.functional.normalize(q, 2, 1) * d).sum(1)[0]);
        InBatchInfoNceLoss.ComputeLoss(q, d).backward();
        var q2 = (q.detach() - 0.1 * q.grad!);
        double after = Value((nn.functional.normalize(q2, 2, 1) * d).sum(1)[0]);
        Assert.True(after > before);
    }
}
