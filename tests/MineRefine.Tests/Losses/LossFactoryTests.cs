using MineRefine.Losses;
using TorchSharp;
using static TorchSharp.torch;
using static MineRefine.Tests.Losses.LossTestUtil;

namespace MineRefine.Tests.Losses;

public class LossFactoryTests
{
    [Theory]
    [InlineData("supcon", typeof(LabelAwareSupConLoss))]
    [InlineData("triplet", typeof(WeightedTripletLoss))]
    [InlineData("circle", typeof(MultiClassCircleLoss))]
    [InlineData("supcon+circle", typeof(CombinedLoss))]
    public void CreatesByName(string name, Type type)
    {
        using var loss = LossFactory.Create(name);
        Assert.IsType(type, loss);
        Assert.Equal(name, loss.Name);
    }

    [Fact]
    public void UnknownNameSaysWhatIsAccepted()
    {
        var ex = Assert.Throws<ArgumentException>(() => LossFactory.Create("circel"));
        Assert.Contains("supcon+circle", ex.Message);
    }

    [Fact]
    public void CombinedIsWeightedSum()
    {
        using var scope = torch.NewDisposeScope();
        var s = Scores(new double[,] { { 0.8, 0.5, 0.1, 0.3 }, { 0.2, 0.6, 0.0, 0.0 } });
        var g = Grades(new long[,] { { 2, 1, 0, 0 }, { 1, 0, 0, -1 } });
        using var combined = LossFactory.Create(new LossOptions { Name = "supcon+circle", SupConWeight = 0.5, CircleWeight = 2 });
        var (l, bd) = combined.Compute(s, g);
        double expected = 0.5 * Value(LabelAwareSupConLoss.ComputeLoss(s, g, 0.05)) + 2 * Value(MultiClassCircleLoss.ComputeLoss(s, g));
        Assert.Equal(expected, Value(l), 4);
        Assert.Equal(expected, bd.Total, 4);
        Assert.Single(combined.TrainableParameters);
        Assert.True(bd.Values.ContainsKey("circle/2v0") && bd.Values.ContainsKey("supcon/pos2"));
        Assert.Contains(bd.ToMetrics(), kv => kv.Key == "loss/total");
    }
}
