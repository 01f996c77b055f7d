using MineRefine.Labeling;

namespace MineRefine.Tests.Labeling;

public sealed class CompositeLabelerTests
{
    [Fact]
    public async Task OnlyLowConfidencePairs_GoToSecondJudge()
    {
        // first judge: grade 1 for all; confident (0.9) on even products, unsure (0.4) on odd ones
        var first = new FakeLabeler("cheap", r => (1, int.Parse(r.ProductId[1..]) % 2 == 0 ? 0.9f : 0.4f));
        // second judge: grade 2 for p1, else 1
        var second = new FakeLabeler("strong", r => (r.ProductId == "p1" ? 2 : 1, 1f));
        using var c = new CompositeLabeler(first, second, new CompositeLabelerOptions { ConfidenceThreshold = 0.6f });
        var pairs = Enumerable.Range(0, 6).Select(i => new LabelRequest("q", "q", $"p{i}", $"item {i}")).ToList();
        var res = await c.LabelAsync(pairs);
        Assert.Equal(new[] { "p1", "p3", "p5" }, second.Seen.Select(s => s.ProductId));
        Assert.Equal(new[] { 1, 2, 1, 1, 1, 1 }, res.Select(r => r.Grade));
        Assert.Equal(new[] { "cheap", "strong", "cheap", "strong", "cheap", "strong" }, res.Select(r => r.Judge));
        Assert.Equal(6, c.Report.Total);
        Assert.Equal(3, c.Report.Escalated);
        Assert.Equal(1, c.Report.Changed);
        Assert.Equal(0.5, c.Report.EscalatedShare, 10);
        c.Dispose();
        Assert.True(first.Disposed && second.Disposed);
    }

    [Fact]
    public async Task NothingEscalated_SecondJudgeNotCalled()
    {
        var first = new FakeLabeler("cheap", _ => (0, 0.95f));
        var second = new FakeLabeler("strong", _ => (2, 1f));
        using var c = new CompositeLabeler(first, second, new CompositeLabelerOptions { OwnsJudges = false });
        var res = await c.LabelAsync(new[] { new LabelRequest("q", "q", "p", "i") });
        Assert.Equal(0, second.Calls);
        Assert.Equal(0, res[0].Grade);
        c.Dispose();
        Assert.False(first.Disposed);
    }

    [Fact]
    public void Threshold_IsValidated() =>
        Assert.Throws<ArgumentException>(() => new CompositeLabeler(new FakeLabeler("a", _ => (0, 1f)), new FakeLabeler("b", _ => (0, 1f)),
            new CompositeLabelerOptions { ConfidenceThreshold = 1.5f }));
}
