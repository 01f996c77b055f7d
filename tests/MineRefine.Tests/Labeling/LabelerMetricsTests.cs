using System.Text.Json;
using MineRefine.Data;
using MineRefine.Labeling;

namespace MineRefine.Tests.Labeling;

public sealed class LabelerMetricsTests
{
    // truth:     2 2 2 1 1 0 0 0
    // predicted: 2 2 1 1 0 0 0 2
    private static readonly int[] T = { 2, 2, 2, 1, 1, 0, 0, 0 };
    private static readonly int[] P = { 2, 2, 1, 1, 0, 0, 0, 2 };

    [Fact]
    public void Accuracy_Within1_Confusion_ByHand()
    {
        Assert.Equal(5.0 / 8, LabelerMetrics.Accuracy(T, P), 12);
        Assert.Equal(7.0 / 8, LabelerMetrics.Within1(T, P), 12); // only 0→2 is off by 2
        var cm = LabelerMetrics.Confusion(T, P);
        Assert.Equal(new[] { 2, 0, 1 }, cm[0]);
        Assert.Equal(new[] { 1, 1, 0 }, cm[1]);
        Assert.Equal(new[] { 0, 1, 2 }, cm[2]);
    }

    [Fact]
    public void PerClass_And_MacroF1_ByHand()
    {
        var per = LabelerMetrics.PerClass(LabelerMetrics.Confusion(T, P));
        // grade 0: tp 2, predicted 3, true 3 → P = R = F1 = 2/3
        Assert.Equal(2.0 / 3, per[0].Precision, 12); Assert.Equal(2.0 / 3, per[0].Recall, 12); Assert.Equal(2.0 / 3, per[0].F1, 12);
        // grade 1: tp 1, predicted 2, true 2 → 1/2
        Assert.Equal(0.5, per[1].F1, 12);
        // grade 2: tp 2, predicted 3, true 3 → 2/3
        Assert.Equal(2.0 / 3, per[2].F1, 12);
        Assert.Equal(3, per[2].Support);
        Assert.Equal((2.0 / 3 + 0.5 + 2.0 / 3) / 3, LabelerMetrics.MacroF1(T, P), 12);
    }

    [Fact]
    public void ClassNeverPredicted_HasZeroPrecisionAndF1()
    {
        var per = LabelerMetrics.PerClass(LabelerMetrics.Confusion(new[] { 0, 1, 2 }, new[] { 0, 0, 2 }));
        Assert.Equal(0, per[1].Precision); Assert.Equal(0, per[1].Recall); Assert.Equal(0, per[1].F1);
        Assert.Equal(0.5, per[0].Precision, 12);
    }

    [Fact]
    public void Ece_ByHand()
    {
        // conf 0.9 (bin 9) correct, 0.9 wrong, 0.55 (bin 5) correct, 0.35 (bin 3) wrong
        var probs = new[]
        {
            new[] { 0.05f, 0.05f, 0.9f }, new[] { 0.9f, 0.05f, 0.05f },
            new[] { 0.3f, 0.55f, 0.15f }, new[] { 0.35f, 0.33f, 0.32f },
        };
        var truth = new[] { 2, 1, 1, 2 };
        // bin 9: n 2, acc .5, conf .9 → 2/4·.4 = .2 ; bin 5: n 1, acc 1, conf .55 → 1/4·.45 ; bin 3: acc 0, conf .35 → 1/4·.35
        double expected = 0.2 + 0.45 / 4 + 0.35 / 4;
        Assert.Equal(expected, LabelerMetrics.ExpectedCalibrationError(truth, probs), 5);
        // perfectly calibrated one-hot correct predictions → 0
        Assert.Equal(0, LabelerMetrics.ExpectedCalibrationError(new[] { 0, 2 }, new[] { new[] { 1f, 0, 0 }, new[] { 0f, 0, 1f } }), 9);
    }

    [Fact]
    public void Json_HasContractKeys()
    {
        var results = P.Select(g => LabelResult.FromGrade(g, 0.8f, JudgmentSource.Model, "x")).ToList();
        var m = LabelerMetrics.Compute(T, results);
        using var doc = JsonDocument.Parse(m.ToJson());
        foreach (var key in new[] { "accuracy", "within1", "macro_f1", "ece", "confusion", "per_class" })
            Assert.True(doc.RootElement.TryGetProperty(key, out _), key);
        Assert.Equal(5.0 / 8, doc.RootElement.GetProperty("accuracy").GetDouble(), 12);
        // every confidence is 0.8 in bin 7, accuracy 5/8 → ECE = |0.625 − 0.8|
        Assert.Equal(0.175, m.Ece!.Value, 5);
        Assert.Equal(3, doc.RootElement.GetProperty("confusion").GetArrayLength());
        Assert.Null(LabelerMetrics.Compute(T, P).Ece);
    }

    [Fact]
    public void BadInput_Throws()
    {
        Assert.Throws<ArgumentException>(() => LabelerMetrics.Accuracy(new[] { 0 }, new[] { 0, 1 }));
        Assert.Throws<ArgumentException>(() => LabelerMetrics.Accuracy(new[] { 3 }, new[] { 0 }));
        Assert.Throws<ArgumentException>(() => LabelerMetrics.Accuracy(Array.Empty<int>(), Array.Empty<int>()));
    }
}
