using MineRefine.Data;
using MineRefine.Mining;
using MineRefine.Retrieval;
using MineRefine.Tests.Labeling;

namespace MineRefine.Tests.Mining;

public class HardSampleMinerTests
{
    /// <summary>Returns p1..pN in order for every query.</summary>
    private sealed class FixedRetriever(int n) : IRetriever
    {
        public string Name => "fixed";
        public IReadOnlyList<SearchHit>[] SearchBatch(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null) =>
            queries.Select(_ => (IReadOnlyList<SearchHit>)Enumerable.Range(1, Math.Min(k, n))
                .Select(i => new SearchHit($"p{i}", 1f - i / 100f)).ToList()).ToArray();
        public void Dispose() { }
    }

    private static Dataset Data(int n) => new(
        Enumerable.Range(1, n).Select(i => Product.Simple($"p{i}", $"item {i}")).ToList(),
        [new Query("q", "query", "en")],
        []);

    [Fact]
    public async Task Relabels_unjudged_pairs_keeps_judged_labels_and_counts_false_negatives()
    {
        var data = Data(10);
        var train = new List<Judgment> { new("q", "p1", 2, JudgmentSource.Human), new("q", "p9", 1, JudgmentSource.Human),
            new("q", "p3", 0, JudgmentSource.Human) };
        // The labeler calls even-numbered items relevant (grade 1), odd ones irrelevant.
        var labeler = new FakeLabeler("fake", r => (int.Parse(r.ProductId[1..]) % 2 == 0 ? 1 : 0, 0.9f));
        var miner = new HardSampleMiner(new MiningOptions { K = 10, MaxNegativesPerQuery = 10, MaxPositivesPerQuery = 10 });
        var result = await miner.MineAsync(data, train, new FixedRetriever(10), labeler, p => p.Title);

        Assert.Equal(7, labeler.Seen.Count); // 10 retrieved − 3 judged
        Assert.DoesNotContain(labeler.Seen, r => r.ProductId is "p1" or "p3" or "p9");
        var neg = result.Mined.Where(m => m.Kind == MinedKind.HardNegative).Select(m => m.ProductId).ToList();
        var pos = result.Mined.Where(m => m.Kind == MinedKind.HardPositive).Select(m => m.ProductId).ToList();
        Assert.Equal(["p3", "p5"], neg);               // grade 0 in ranks 1..5 (p3 judged, p5 labeled)
        Assert.Equal(["p10", "p9", "p8", "p6"], pos);   // grade ≥ 1 in ranks 6..10, worst first
        Assert.Equal(2, result.Stats.FalseNegativesAvoided); // p2, p4 labeled relevant in the top half
        // Union: the original three plus the newly labeled mined pairs (p5, p10, p8, p6).
        Assert.Equal(7, result.Union.Count);
        Assert.Contains(result.Union, j => j.ProductId == "p3" && j.Grade == 0 && j.Source == JudgmentSource.Human);
        Assert.Equal(4, result.Union.Count(j => j.Source == JudgmentSource.Model));
    }

    [Fact]
    public async Task Without_relabeling_unjudged_items_are_assumed_negative()
    {
        var data = Data(6);
        var train = new List<Judgment> { new("q", "p1", 2, JudgmentSource.Human) };
        var miner = new HardSampleMiner(new MiningOptions { K = 6, Relabel = false });
        var result = await miner.MineAsync(data, train, new FixedRetriever(6), null, p => p.Title);
        Assert.Equal(["p2", "p3"], result.Mined.Select(m => m.ProductId));
        Assert.All(result.Mined, m => Assert.Equal(CandidateLabel.Assumed, m.Label));
        Assert.Equal(5, result.Stats.AssumedNegative);
    }

    [Fact]
    public async Task Labeling_budget_grades_the_pairs_most_likely_to_be_selected()
    {
        var data = Data(10);
        var labeler = new FakeLabeler("fake", _ => (0, 0.9f));
        var miner = new HardSampleMiner(new MiningOptions { K = 10, MaxLabelsPerQuery = 4 });
        var result = await miner.MineAsync(data, [new Judgment("q", "p1", 2, JudgmentSource.Human)],
            new FixedRetriever(10), labeler, p => p.Title);
        Assert.Equal([2, 3, 9, 10], labeler.Seen.Select(r => int.Parse(r.ProductId[1..])).Order());
        Assert.Equal(5, result.Stats.DroppedUnlabeled);
    }

    [Fact]
    public async Task Writes_and_reads_back_mined_pairs()
    {
        var data = Data(6);
        var miner = new HardSampleMiner(new MiningOptions { K = 6, Relabel = false });
        var result = await miner.MineAsync(data, [new Judgment("q", "p1", 2, JudgmentSource.Human)], new FixedRetriever(6), null, p => p.Title);
        string dir = Path.Combine(Path.GetTempPath(), "mr-mine-" + Guid.NewGuid().ToString("N"));
        try
        {
            HardSampleMiner.Write(result, dir);
            var back = HardSampleMiner.ReadMinedAsJudgments(Path.Combine(dir, "mined.jsonl"));
            Assert.Equal(result.Mined.Select(m => (m.ProductId, m.Grade)), back.Select(j => (j.ProductId, j.Grade)));
            Assert.Contains("\"hard_negatives\": 2", File.ReadAllText(Path.Combine(dir, "mining.json")));
            File.AppendAllText(Path.Combine(dir, "mined.jsonl"), "{\"query_id\":\"q\",\"product_id\":\"p1\",\"grade\":7}\n");
            var ex = Assert.Throws<DataFormatException>(() => HardSampleMiner.ReadMinedAsJudgments(Path.Combine(dir, "mined.jsonl")));
            Assert.Equal("grade", ex.Field);
            Assert.Equal(3, ex.Line);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
