using MineRefine.Data;
using MineRefine.Data.Sample;
using MineRefine.Text.Augmentation;

namespace MineRefine.Tests.Augmentation;

public sealed class MisspelledQueriesTests
{
    [Fact]
    public void MisspellsOnlyTheGivenQueriesDeterministicallyAndKeepsIdsAndJudgments()
    {
        var ds = SampleMarketplaceGenerator.Generate(new SampleOptions { Seed = 5, Products = 200, Queries = 80, Engagement = false }).Data;
        var test = QuerySplitter.Split(ds, 13).Test.Select(j => j.QueryId).Distinct().ToList();
        var (a, sa) = MisspelledQueries.Apply(ds, test, 99);
        var (b, _) = MisspelledQueries.Apply(ds, test, 99);
        var (c, _) = MisspelledQueries.Apply(ds, test, 100);

        Assert.Equal(test.Count, sa.Considered);
        Assert.Equal(sa.Considered, sa.Misspelled + sa.Unchanged);
        Assert.True(sa.Misspelled > test.Count / 2, $"only {sa.Misspelled} of {test.Count} queries changed");
        Assert.Equal(ds.Queries.Select(q => q.Id), a.Queries.Select(q => q.Id));
        Assert.Same(ds.Judgments, a.Judgments);
        var inTest = test.ToHashSet();
        int changed = 0;
        foreach (var (orig, mis) in ds.Queries.Zip(a.Queries))
        {
            if (!inTest.Contains(orig.Id)) Assert.Equal(orig.Text, mis.Text);
            else if (orig.Text != mis.Text) changed++;
        }
        Assert.Equal(sa.Misspelled, changed);
        Assert.Equal(a.Queries.Select(q => q.Text), b.Queries.Select(q => q.Text));
        Assert.NotEqual(a.Queries.Select(q => q.Text), c.Queries.Select(q => q.Text));
    }
}
