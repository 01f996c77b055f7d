using MineRefine.Labeling.CrossEncoder;
using static TorchSharp.torch;

namespace MineRefine.Tests.CrossEncoder;

public sealed class GradeCrossEntropyTests
{
    [Fact]
    public void Uniform_logits_give_log3_with_and_without_smoothing()
    {
        var z = new List<float[]> { new[] { 0f, 0f, 0f } };
        Assert.Equal(Math.Log(3), GradeCrossEntropy.Compute(z, [1]), 6);
        Assert.Equal(Math.Log(3), GradeCrossEntropy.Compute(z, [1], labelSmoothing: 0.2), 6);
    }

    [Fact]
    public void Hand_computed_smoothed_and_weighted_value_matches_raw_and_torch()
    {
        // row 0: z = [2, 0, 0], y = 0: lse = ln(e² + 2); −log p = [lse − 2, lse, lse]
        // row 1: z = [0, 1, 0], y = 1
        double lse0 = Math.Log(Math.Exp(2) + 2), lse1 = Math.Log(2 + Math.E);
        double eps = 0.1;
        double l0 = (1 - eps) * (lse0 - 2) + eps / 3 * ((lse0 - 2) + lse0 + lse0);
        double l1 = (1 - eps) * (lse1 - 1) + eps / 3 * (lse1 + (lse1 - 1) + lse1);
        float[] w = [0.5f, 2f, 1f];
        double expected = (0.5 * l0 + 2 * l1) / 2.5;
        var logits = new List<float[]> { new[] { 2f, 0f, 0f }, new[] { 0f, 1f, 0f } };
        Assert.Equal(expected, GradeCrossEntropy.Compute(logits, [0, 1], w, eps), 6);

        using var zt = tensor(new float[] { 2, 0, 0, 0, 1, 0 }, [2, 3]);
        using var yt = tensor(new long[] { 0, 1 });
        using var wt = tensor(w);
        using var loss = GradeCrossEntropy.Compute(zt, yt, wt, eps);
        Assert.Equal(expected, loss.item<float>(), 5);
        using var plain = GradeCrossEntropy.Compute(zt, yt);
        Assert.Equal(((lse0 - 2) + (lse1 - 1)) / 2, plain.item<float>(), 5);
    }

    [Fact]
    public void Inverse_frequency_weights()
    {
        var w = GradeCrossEntropy.Weights([0, 0, 1], 3, ClassWeighting.InverseFrequency);
        Assert.Equal([0.5f, 1f, 1f], w);
        Assert.Equal([1f, 1f, 1f], GradeCrossEntropy.Weights([0, 0, 1], 3, ClassWeighting.None));
    }

    [Fact]
    public void Invalid_smoothing_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GradeCrossEntropy.Compute([new[] { 0f, 0f, 0f }], [0], labelSmoothing: 1.0));
    }
}
