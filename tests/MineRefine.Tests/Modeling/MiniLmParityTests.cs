using MineRefine.Modeling;

namespace MineRefine.Tests.Modeling;

public class MiniLmParityTests
{
    [Fact]
    public void TorchSharpMatchesOnnxRuntime()
    {
        var texts = new[]
        {
            "This is an example sentence",
            "Voltek 20V cordless drill/driver kit, 1/2 in.",
            "Lumina 1 gal. #LW-06 Pure White Eggshell Enamel Interior Paint",
            "",
            "naïve café crème — ½ inch copper pipe fitting (10-pack)",
            "garden hose",
        };
        using var torchEmb = SiameseEmbedder.MiniLm(new EmbedderOptions { BatchSize = 4 });
        using var onnx = new OnnxMiniLmEmbedder(threads: 2, options: new EmbedderOptions { BatchSize = 4 });
        var a = torchEmb.Encode(texts, EmbeddingRole.Query);
        var b = onnx.Encode(texts, EmbeddingRole.Query);
        Assert.Equal(384, a.Dimension);
        float maxDiff = 0;
        for (int i = 0; i < a.Data.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(a.Data[i] - b.Data[i]));
        Assert.True(maxDiff <= 1e-4f, $"max abs diff {maxDiff}");
        float[] reference = [0.0677f, 0.0635f, 0.0487f, 0.0793f, 0.0374f];
        for (int i = 0; i < reference.Length; i++)
        {
            Assert.Equal(reference[i], a.Row(0)[i], 5e-4f);
            Assert.Equal(reference[i], b.Row(0)[i], 5e-4f);
        }
    }
}
