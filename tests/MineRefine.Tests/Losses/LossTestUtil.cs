using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Tests.Losses;

internal static class LossTestUtil
{
    public static Tensor Scores(double[,] s, bool requiresGrad = false)
    {
        int b = s.GetLength(0), n = s.GetLength(1);
        var flat = new double[b * n];
        for (int i = 0; i < b; i++) for (int j = 0; j < n; j++) flat[i * n + j] = s[i, j];
        var t = torch.tensor(flat, new long[] { b, n }, ScalarType.Float64);
        return requiresGrad ? t.requires_grad_(true) : t;
    }

    public static Tensor Grades(long[,] g)
    {
        int b = g.GetLength(0), n = g.GetLength(1);
        var flat = new long[b * n];
        for (int i = 0; i < b; i++) for (int j = 0; j < n; j++) flat[i * n + j] = g[i, j];
        return torch.tensor(flat, new long[] { b, n }, ScalarType.Int64);
    }

    public static double Value(Tensor t) => t.detach().to_type(ScalarType.Float64).item<double>();

    public static double[] Values(Tensor t) => t.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    /// <summary>One plain SGD step on the score leaf; returns the new scores.</summary>
    public static double[] SgdStep(Tensor scores, Tensor loss, double lr)
    {
        loss.backward();
        var g = Values(scores.grad!);
        var s = Values(scores);
        Assert.All(g, v => Assert.True(double.IsFinite(v), "gradient must be finite"));
        return s.Select((v, i) => v - lr * g[i]).ToArray();
    }

    public static void AssertFiniteGrad(Tensor scores)
    {
        Assert.NotNull(scores.grad);
        Assert.All(Values(scores.grad!), v => Assert.True(double.IsFinite(v), $"gradient {v} is not finite"));
    }
}
