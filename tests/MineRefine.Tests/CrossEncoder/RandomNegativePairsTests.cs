using MineRefine.Data;
using MineRefine.Labeling;
using MineRefine.Labeling.CrossEncoder;

namespace MineRefine.Tests.CrossEncoder;

public sealed class RandomNegativePairsTests : IDisposable
{
    private readonly string _dir = CrossEncoderTestUtil.TempDir();

    public void Dispose() => Directory.Delete(_dir, true);

    private static Dataset Catalog(int products, params (string Q, string P, int G)[] judgments) => new(
        Enumerable.Range(0, products).Select(i => Product.Simple($"p{i}", $"product {i}")).ToList(),
        judgments.Select(j => j.Q).Distinct().Select(q => new Query(q, $"query {q}", "en")).ToList(),
        judgments.Select(j => new Judgment(j.Q, j.P, j.G, JudgmentSource.Human)).ToList());

    [Fact]
    public void Draws_distinct_unjudged_products_per_query_deterministically()
    {
        var data = Catalog(50, ("a", "p1", 2), ("a", "p2", 1), ("b", "p3", 0), ("a", "p4", 2), ("c", "p5", 1));
        var s = RandomNegativePairs.SampleProducts(data, data.Judgments, 3, seed: 7);
        Assert.Equal(9, s.Count);
        Assert.Equal(["a", "a", "a", "b", "b", "b", "c", "c", "c"], s.Select(x => x.QueryId)); // order of first appearance
        foreach (var g in s.GroupBy(x => x.QueryId))
        {
            var judged = data.Judgments.Where(j => j.QueryId == g.Key).Select(j => j.ProductId).ToHashSet();
            Assert.Equal(3, g.Select(x => x.ProductId).Distinct().Count());
            Assert.DoesNotContain(g, x => judged.Contains(x.ProductId));
        }
        Assert.Equal(s, RandomNegativePairs.SampleProducts(data, data.Judgments, 3, seed: 7));
        Assert.NotEqual(s, RandomNegativePairs.SampleProducts(data, data.Judgments, 3, seed: 8));
        Assert.Empty(RandomNegativePairs.SampleProducts(data, data.Judgments, 0, seed: 7));
    }

    [Fact]
    public void A_catalog_with_too_few_other_products_yields_fewer_and_terminates()
    {
        // query a judged 3 of 4 products: one other product exists; query b judged all of them
        var data = Catalog(4, ("a", "p0", 2), ("a", "p1", 1), ("a", "p2", 0), ("b", "p0", 1), ("b", "p1", 1), ("b", "p2", 1), ("b", "p3", 1));
        var s = RandomNegativePairs.SampleProducts(data, data.Judgments, 5, seed: 1);
        Assert.Equal([("a", "p3")], s);
    }

    [Fact]
    public void Labeler_pairs_are_grade_0_flagged_and_follow_the_human_pairs()
    {
        var data = Catalog(30, ("a", "p1", 2), ("b", "p2", 1));
        var options = LabelerTrainOptions.Quick() with { RandomNegativesPerQuery = 2, Seed = 3 };
        var pairs = RandomNegativePairs.WithHumanPairs(data, data.Judgments, options);
        Assert.Equal(6, pairs.Count);
        Assert.All(pairs.Take(2), p => Assert.False(p.RandomNegative));
        Assert.Equal([2, 1], pairs.Take(2).Select(p => p.Grade));
        Assert.All(pairs.Skip(2), p => { Assert.True(p.RandomNegative); Assert.Equal(0, p.Grade); Assert.StartsWith("product ", p.ItemText); });
        Assert.Equal(["query a", "query a", "query b", "query b"], pairs.Skip(2).Select(p => p.QueryText));
        Assert.Equal(pairs[0].QueryKey, pairs[2].QueryKey); // same query key: a by-query dev split keeps them together
        Assert.Equal(2, RandomNegativePairs.WithHumanPairs(data, data.Judgments, options with { RandomNegativesPerQuery = 0 }).Count);
        var e = Assert.Throws<ArgumentException>(() => (options with { RandomNegativesPerQuery = -1 }).Validate());
        Assert.Contains("RandomNegativesPerQuery", e.Message);
    }

    [Fact]
    public void Check_counts_predicted_grades()
    {
        var c = RandomNegativePairs.Check([0, 0, 1, 2, 0]);
        Assert.Equal(5, c.Pairs);
        Assert.Equal([3, 1, 1], c.PredictedCounts);
        Assert.Equal(0.6, c.GradedIrrelevant!.Value, 12);
        Assert.Null(RandomNegativePairs.Check([]).GradedIrrelevant);
        Assert.Throws<ArgumentException>(() => RandomNegativePairs.Check([3]));
    }

    /// <summary>Human pairs of a search engine's results: grades 1 and 2 only (toy rule: the query colour is in the
    /// item). Random pairs: the query with an item in another colour (grade 0 under the rule).</summary>
    private static (List<LabeledPair> Human, List<LabeledPair> Random) EngineLikePairs(int n, int seed)
    {
        var human = CrossEncoderTestUtil.ToyPairs(3 * n, seed).Where(p => p.Grade > 0).Take(n).ToList();
        var random = CrossEncoderTestUtil.ToyPairs(6 * n, seed + 100).Where(p => p.Grade == 0).Take(n / 2)
            .Select(p => p with { RandomNegative = true }).ToList();
        return (human, random);
    }

    [Fact]
    public void A_labeler_trained_with_random_pairs_grades_unrelated_items_0_and_dev_accuracy_stays_on_human_pairs()
    {
        var (human, random) = EngineLikePairs(600, seed: 1);
        var (devHuman, devRandom) = EngineLikePairs(100, seed: 2);
        var options = CrossEncoderTestUtil.TinyOptions(steps: 800);
        using var threads = CrossEncoderTestUtil.OneThread();

        var without = new CrossEncoderTrainer(options).Train(human, devHuman.Concat(devRandom).ToList(), Path.Combine(_dir, "without"),
            initial: CrossEncoderTestUtil.ToyPackage(5));
        var with = new CrossEncoderTrainer(options).Train(human.Concat(random).ToList(), devHuman.Concat(devRandom).ToList(), Path.Combine(_dir, "with"),
            initial: CrossEncoderTestUtil.ToyPackage(5));

        // the flagged dev pairs are scored apart: dev accuracy is over the human pairs only
        Assert.Equal(devHuman.Count, without.DevPairs);
        Assert.Equal(devHuman.Count, with.Dev!.Count);
        Assert.Equal(devRandom.Count, with.DevRandomPairs!.Pairs);
        Assert.Equal(0, without.TrainRandomNegativePairs);
        Assert.Equal(random.Count, with.TrainRandomNegativePairs);
        Assert.Equal(human.Count + random.Count, with.TrainPairs);
        Assert.Contains("dev/random_pairs_graded_0", File.ReadAllText(Path.Combine(_dir, "with", "metrics.jsonl")));

        // without random pairs the labeler has never seen grade 0 and calls unrelated items relevant
        Assert.True(without.DevRandomPairs!.GradedIrrelevant < 0.2, $"without: {without.DevRandomPairs.GradedIrrelevant:P0} graded 0");
        Assert.True(with.DevRandomPairs.GradedIrrelevant > 0.6, $"with: {with.DevRandomPairs.GradedIrrelevant:P0} graded 0");
        using var labeler = CrossEncoderLabeler.FromFolder(with.LabelerFolder);
        var res = labeler.Label(devRandom.Select((p, i) => new LabelRequest($"q{i}", p.QueryText, $"p{i}", p.ItemText)).ToList());
        Assert.Equal(with.DevRandomPairs.GradedIrrelevant!.Value, res.Count(r => r.Grade == 0) / (double)res.Count, 6);
    }
}
