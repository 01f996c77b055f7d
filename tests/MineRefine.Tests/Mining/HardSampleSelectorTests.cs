using MineRefine.Mining;

namespace MineRefine.Tests.Mining;

public class HardSampleSelectorTests
{
    private static List<MiningCandidate> Ranked(params (int grade, CandidateLabel label)[] items) =>
        items.Select((x, i) => new MiningCandidate("q", $"p{i + 1}", i + 1, 1f - i * 0.01f, x.grade < 0 ? null : x.grade, x.label))
            .ToList();

    [Fact]
    public void Splits_at_half_of_k_and_keeps_hardest_first()
    {
        // k = 8, split = 4: ranks 1-4 top part, 5-8 bottom part.
        var c = Ranked(
            (2, CandidateLabel.Judged), (0, CandidateLabel.Labeled), (1, CandidateLabel.Labeled), (0, CandidateLabel.Judged),
            (0, CandidateLabel.Labeled), (2, CandidateLabel.Labeled), (1, CandidateLabel.Judged), (-1, CandidateLabel.Unlabeled));
        var opts = new MiningOptions { K = 8, MaxNegativesPerQuery = 1, MaxPositivesPerQuery = 5, IncludeTopNegatives = true };
        var stats = new MiningStats();
        var mined = HardSampleSelector.Select(c, opts, stats);

        var neg = mined.Where(m => m.Kind == MinedKind.HardNegative).ToList();
        var pos = mined.Where(m => m.Kind == MinedKind.HardPositive).ToList();
        Assert.Single(neg);
        Assert.Equal("p2", neg[0].ProductId);          // best-ranked grade-0 item in the top half
        Assert.Equal(new[] { "p7", "p6" }, pos.Select(p => p.ProductId)); // worst-ranked first
        Assert.Equal(1, stats.DroppedNegativesOverCap); // p4
        Assert.Equal(1, stats.DroppedEasyNegatives);    // p5
        Assert.Equal(2, stats.DroppedEasyPositives);    // p1, p3
        Assert.Equal(1, stats.DroppedUnlabeled);        // p8
        Assert.Equal(1, stats.FalseNegativesAvoided);   // p3: labeled relevant in the top half
        Assert.Equal(new long[] { 2, 1, 1 }, stats.NewlyLabeledByGrade);
        Assert.Equal(8, stats.Candidates);
    }

    [Fact]
    public void Top_window_negatives_can_be_excluded()
    {
        var c = Ranked((0, CandidateLabel.Labeled), (0, CandidateLabel.Labeled), (0, CandidateLabel.Labeled), (2, CandidateLabel.Judged));
        var opts = new MiningOptions { K = 4, SplitRank = 3, IncludeTopNegatives = false, TopNegativeWindow = 2 };
        var stats = new MiningStats();
        var mined = HardSampleSelector.Select(c, opts, stats);
        Assert.Equal(new[] { "p3", "p4" }, mined.Select(m => m.ProductId));
        Assert.Equal(2, stats.DroppedTopWindowNegatives);
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(10, 10)]
    [InlineData(10, 0)]
    public void Invalid_options_are_rejected_with_a_message(int k, int? split)
    {
        var ex = Assert.Throws<ArgumentException>(() => new MiningOptions { K = k, SplitRank = split }.Validate());
        Assert.Contains("k", ex.Message);
    }
}
