using MineRefine.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MineRefine.Tests.Training;

/// <summary><see cref="ScalarSafeAdamW"/> must be TorchSharp's AdamW to the bit: the trainers switched to it, and every
/// recorded run and resume test assumes the same update.</summary>
public sealed class ScalarSafeAdamWTests
{
    private static Sequential Net(int seed)
    {
        torch.manual_seed(seed);
        return nn.Sequential(("a", nn.Linear(6, 5)), ("relu", nn.ReLU()), ("b", nn.Linear(5, 3)));
    }

    private static List<Tensor> Train(Func<Sequential, torch.optim.Optimizer> make, int steps)
    {
        using var net = Net(7);
        using var opt = make(net);
        torch.manual_seed(11);
        var x = torch.randn(16, 6);
        var y = torch.randint(0, 3, 16);
        for (int s = 0; s < steps; s++)
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var loss = nn.functional.cross_entropy(net.forward(x), y);
            loss.backward();
            opt.step();
        }
        x.Dispose(); y.Dispose();
        return net.parameters().Select(p => p.detach().clone()).ToList();
    }

    [Fact]
    public void MatchesTorchSharpAdamWBitForBit()
    {
        static IEnumerable<AdamW.ParamGroup> Groups(Sequential net) =>
        [
            new AdamW.ParamGroup(net.named_parameters().Where(p => p.name.StartsWith("a.", StringComparison.Ordinal)).Select(p => p.parameter), 3e-3, 0.9, 0.999, 1e-8, 0.01),
            new AdamW.ParamGroup(net.named_parameters().Where(p => p.name.StartsWith("b.", StringComparison.Ordinal)).Select(p => p.parameter), 1e-2, 0.8, 0.99, 1e-6, 0),
        ];
        var reference = Train(net => torch.optim.AdamW(Groups(net), 3e-3, 0.9, 0.999, 1e-8, 0.01), 12);
        var safe = Train(net => new ScalarSafeAdamW(Groups(net), 3e-3, 0.9, 0.999, 1e-8, 0.01), 12);
        var start = Train(net => new ScalarSafeAdamW(Groups(net)), 0);
        Assert.Equal(reference.Count, safe.Count);
        for (int i = 0; i < reference.Count; i++)
        {
            float[] r = reference[i].data<float>().ToArray(), s = safe[i].data<float>().ToArray(), s0 = start[i].data<float>().ToArray();
            Assert.True(r.SequenceEqual(s), $"parameter {i} differs from TorchSharp's AdamW");
            Assert.False(s0.SequenceEqual(s), $"parameter {i} did not move"); // the comparison can fail
        }
        foreach (var t in reference.Concat(safe).Concat(start)) t.Dispose();
    }

    [Fact]
    public void RefusesAmsGrad()
    {
        using var net = Net(1);
        using var opt = new ScalarSafeAdamW([new AdamW.ParamGroup(net.parameters(), amsgrad: true)]);
        using (var scope = torch.NewDisposeScope())
            nn.functional.cross_entropy(net.forward(torch.randn(2, 6)), torch.tensor(new long[] { 0, 1 })).backward();
        Assert.Throws<NotSupportedException>(() => opt.step());
    }
}
