using MineRefine.Data;
using MineRefine.Text;

namespace MineRefine.Tests.Data;

public class QuerySplitterTests
{
    private static List<Judgment> Judgments(int queries, int perQuery = 3) =>
        Enumerable.Range(0, queries).SelectMany(q => Enumerable.Range(0, perQuery)
            .Select(p => new Judgment($"query number {q}", $"p{p}", p % 3, JudgmentSource.Human))).ToList();

    [Fact]
    public void DeterministicAndQueriesNeverCrossSplits()
    {
        var js = Judgments(2000);
        var a = QuerySplitter.Split(js, seed: 7);
        var b = QuerySplitter.Split(js, seed: 7);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Dev, b.Dev);
        Assert.Equal(a.Test, b.Test);
        Assert.Equal(js.Count, a.Train.Count + a.Dev.Count + a.Test.Count);
        var tr = a.Train.Select(j => j.QueryId).ToHashSet();
        var dv = a.Dev.Select(j => j.QueryId).ToHashSet();
        var te = a.Test.Select(j => j.QueryId).ToHashSet();
        Assert.Empty(tr.Intersect(dv));
        Assert.Empty(tr.Intersect(te));
        Assert.Empty(dv.Intersect(te));
        // 2000 queries: fractions within 4 standard deviations of 0.70 / 0.15
        Assert.InRange(tr.Count / 2000.0, 0.70 - 0.041, 0.70 + 0.041);
        Assert.InRange(dv.Count / 2000.0, 0.15 - 0.032, 0.15 + 0.032);
        var c = QuerySplitter.Split(js, seed: 8);
        Assert.NotEqual(a.Train.Select(j => j.QueryId).Distinct(), c.Train.Select(j => j.QueryId).Distinct());
    }

    [Fact]
    public void AddingQueriesDoesNotMoveOthers()
    {
        var small = QuerySplitter.Split(Judgments(300), seed: 3);
        var big = QuerySplitter.Split(Judgments(900), seed: 3);
        var bigTrain = big.Train.Select(j => j.QueryId).ToHashSet();
        var bigTest = big.Test.Select(j => j.QueryId).ToHashSet();
        Assert.All(small.Train, j => Assert.Contains(j.QueryId, bigTrain));
        Assert.All(small.Test, j => Assert.Contains(j.QueryId, bigTest));
    }

    [Fact]
    public void CaseAndWhitespaceVariantsOfAQueryLandTogether()
    {
        // distinct ids whose texts normalise to the same string
        var queries = new List<Query>();
        var judgments = new List<Judgment>();
        for (int i = 0; i < 200; i++)
        {
            string text = $"Cordless Drill {i}";
            string[] variants = [text, "  " + text.ToUpperInvariant() + " ", text.Replace(" ", "   ").ToLowerInvariant()];
            for (int v = 0; v < variants.Length; v++)
            {
                queries.Add(new Query($"id{i}-{v}", variants[v], "en"));
                judgments.Add(new Judgment($"id{i}-{v}", "p1", 1, JudgmentSource.Human));
            }
        }
        var data = new Dataset([Product.Simple("p1", "drill")], queries, judgments);
        var split = QuerySplitter.Split(data, seed: 11);
        var bucketOf = new Dictionary<string, int>();
        foreach (var (list, b) in new[] { (split.Train, 0), (split.Dev, 1), (split.Test, 2) })
            foreach (var j in list)
            {
                string key = TextNormalizer.NormalizeQuery(data.FindQuery(j.QueryId)!.Text);
                if (bucketOf.TryGetValue(key, out int prev)) Assert.Equal(prev, b);
                else bucketOf[key] = b;
            }
        Assert.Equal(200, bucketOf.Count);
        Assert.True(split.Test.Count > 0 && split.Dev.Count > 0);
    }

    [Fact]
    public void BadFractionsRejected()
    {
        Assert.Throws<ArgumentException>(() => QuerySplitter.Split(Judgments(3), seed: 1, trainFrac: 0.9, devFrac: 0.2));
    }
}
