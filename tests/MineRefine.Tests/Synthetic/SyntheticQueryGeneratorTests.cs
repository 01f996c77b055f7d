using MineRefine.Data;
using MineRefine.Labeling;
using MineRefine.Tests.Labeling;
using MineRefine.Text.Synthetic;

namespace MineRefine.Tests.Synthetic;

public sealed class SyntheticQueryGeneratorTests
{
    private static readonly string[] Colours = { "Red", "Blue", "Black", "White" };
    private static readonly string[] Brands = { "Acme", "Bolt", "Cora" };
    private static readonly string[][] Cats = { new[] { "Tools", "Drills" }, new[] { "Kitchen", "Kettles" }, new[] { "Garden", "Hoses" } };

    private static List<Product> Catalog(int n) => Enumerable.Range(0, n).Select(i => new Product(
        $"p{i:D3}", $"{Brands[i % 3]} Model{i} {Cats[i % 3][1].TrimEnd('s')}", null, Cats[i % 3],
        new Dictionary<string, string> { ["Brand"] = Brands[i % 3], ["Color"] = Colours[i % 4], ["Material"] = i % 2 == 0 ? "Steel" : "Plastic", ["Size"] = $"{i % 5 + 1} ft" },
        "en")).ToList();

    // 90 real queries → cap ⌊0.1/0.9·90⌋ = 10; products p000..p019 have a positive query
    private static (List<Query> Q, List<Judgment> J) Real()
    {
        var qs = Enumerable.Range(0, 90).Select(i => new Query($"r{i}", $"real query {i}", "en")).ToList();
        var js = Enumerable.Range(0, 20).Select(i => new Judgment($"r{i}", $"p{i:D3}", 1 + i % 2, JudgmentSource.Human))
            .Append(new Judgment("r50", "p050", 0, JudgmentSource.Human)).ToList();
        return (qs, js);
    }

    [Fact]
    public void Generates_OnlyForItemsWithoutPositive_ShortQueries_WithinCap()
    {
        var cat = Catalog(60);
        var (qs, js) = Real();
        var gen = new SyntheticQueryGenerator();
        var plan = gen.Generate(cat, qs, js);
        Assert.Equal(10, plan.Report.Cap);
        Assert.Equal(10, plan.Queries.Count);
        Assert.Equal(40, plan.Report.ItemsWithoutPositive); // p050 only has a grade-0 judgment → still eligible
        var positives = js.Where(j => j.Grade > 0).Select(j => j.ProductId).ToHashSet();
        foreach (var sq in plan.Queries)
        {
            Assert.All(sq.SourceProductIds, id => Assert.DoesNotContain(id, positives));
            int tokens = sq.Query.Text.Split(' ').Length;
            Assert.InRange(tokens, 2, 4);
            Assert.StartsWith("syn:", sq.Query.Id);
            Assert.Equal(SyntheticQueryGenerator.QueryId(sq.Query.Text), sq.Query.Id);
            var src = cat.Single(p => p.Id == sq.SourceProductIds[0]);
            // every token comes from the item's features
            var features = string.Join(' ', new[] { src.Title, string.Join(' ', src.CategoryPath) }.Concat(src.Attributes.Values)).ToLowerInvariant();
            Assert.All(sq.Query.Text.Split(' '), t => Assert.Contains(t, features));
            Assert.Contains(src.CategoryPath[1].ToLowerInvariant(), sq.Query.Text); // every default template uses the leaf
        }
        Assert.Equal(plan.Queries.Count, plan.Queries.Select(q => q.Query.Id).Distinct().Count());
    }

    [Fact]
    public void Pairs_SourceItem_PlusSameCategoryAndRandomOthers()
    {
        var cat = Catalog(60);
        var (qs, js) = Real();
        var plan = new SyntheticQueryGenerator(new SyntheticQueryOptions { OtherItemsPerQuery = 3 }).Generate(cat, qs, js);
        var byId = cat.ToDictionary(p => p.Id);
        foreach (var sq in plan.Queries)
        {
            var reqs = plan.Requests.Where(r => r.QueryId == sq.Query.Id).ToList();
            Assert.Equal(sq.SourceProductIds.Count + 3, reqs.Count);
            Assert.Equal(reqs.Count, reqs.Select(r => r.ProductId).Distinct().Count());
            Assert.Equal(sq.SourceProductIds, reqs.Take(sq.SourceProductIds.Count).Select(r => r.ProductId));
            var others = reqs.Skip(sq.SourceProductIds.Count).ToList();
            var srcCat = byId[sq.SourceProductIds[0]].CategoryPath;
            Assert.True(others.Take(2).All(r => byId[r.ProductId].CategoryPath.SequenceEqual(srcCat)), "first two others share the category");
            Assert.All(reqs, r => Assert.Equal(LabelingText.ItemText(byId[r.ProductId]), r.ItemText));
            Assert.All(reqs, r => Assert.Equal(sq.Query.Text, r.QueryText));
        }
    }

    [Fact]
    public void Deterministic_BySeed()
    {
        var cat = Catalog(60);
        var (qs, js) = Real();
        var a = new SyntheticQueryGenerator(new SyntheticQueryOptions { Seed = 1 }).Generate(cat, qs, js);
        var b = new SyntheticQueryGenerator(new SyntheticQueryOptions { Seed = 1 }).Generate(cat, qs, js);
        var c = new SyntheticQueryGenerator(new SyntheticQueryOptions { Seed = 2 }).Generate(cat, qs, js);
        Assert.Equal(a.Requests, b.Requests);
        Assert.Equal(a.Queries.Select(q => q.Query), b.Queries.Select(q => q.Query));
        Assert.NotEqual(a.Requests, c.Requests);
    }

    [Fact]
    public async Task Build_GradesEveryPair_SourceSynthetic_DropsQueriesWithoutPositive()
    {
        var cat = Catalog(60);
        var (qs, js) = Real();
        var gen = new SyntheticQueryGenerator();
        var plan = gen.Generate(cat, qs, js);
        // judge: the source item is exact unless it is a kettle (then irrelevant); everything else irrelevant
        var sources = plan.Queries.SelectMany(q => q.SourceProductIds.Select(s => (q.Query.Id, s))).ToHashSet();
        using var judge = new FakeLabeler("judge", r => (sources.Contains((r.QueryId, r.ProductId)) && !r.ItemText.Contains("Kettles") ? 2 : 0, 1f));
        var res = await gen.GenerateAndLabelAsync(cat, qs, js, judge);
        Assert.Equal(plan.Requests.Count, judge.Seen.Count); // every pair graded, none assumed
        int kettleQueries = plan.Queries.Count(q => cat.Single(p => p.Id == q.SourceProductIds[0]).CategoryPath[1] == "Kettles");
        Assert.True(kettleQueries > 0);
        Assert.Equal(kettleQueries, res.Report.QueriesDroppedNoPositive);
        Assert.Equal(plan.Queries.Count - kettleQueries, res.Queries.Count);
        Assert.All(res.Judgments, j => Assert.Equal(JudgmentSource.Synthetic, j.Source));
        Assert.All(res.Judgments, j => Assert.Contains(j.QueryId, res.Queries.Select(q => q.Id)));
        Assert.Equal(res.Judgments.Count, res.Report.GradeMix.Sum());
        Assert.True(res.Queries.Count <= 0.1 * (qs.Count + res.Queries.Count));

        Assert.Throws<ArgumentException>(() => gen.Build(plan, new LabelResult[] { LabelResult.FromGrade(0, 1f, JudgmentSource.Model, "x") }));
    }

    [Fact]
    public void ItemsWithoutFeatures_AreCounted_NotForced()
    {
        var cat = new List<Product> { Product.Simple("a", "X1"), Product.Simple("b", "Widget") };
        var qs = Enumerable.Range(0, 100).Select(i => new Query($"r{i}", $"q{i}", "")).ToList();
        var plan = new SyntheticQueryGenerator().Generate(cat, qs, Array.Empty<Judgment>());
        // "X1": no usable word; "Widget": leaf = "widget" but no second slot → no 2-token template
        Assert.Empty(plan.Queries);
        Assert.Equal(2, plan.Report.ItemsWithoutTemplate);
    }

    [Fact]
    public void RealQueryText_IsNotDuplicated()
    {
        var cat = new List<Product> { new("a", "Acme Drill", null, new[] { "Tools", "Drills" }, new Dictionary<string, string> { ["Color"] = "Red" }, "en") };
        var qs = Enumerable.Range(0, 100).Select(i => new Query($"r{i}", $"q{i}", "")).Append(new Query("rr", "Red  DRILLS", "")).ToList();
        var plan = new SyntheticQueryGenerator(new SyntheticQueryOptions { Templates = new[] { "{colour} {leaf}" } }).Generate(cat, qs, Array.Empty<Judgment>());
        Assert.Empty(plan.Queries);
        Assert.Equal(1, plan.Report.DuplicatesOfRealQueries);
    }

    [Fact]
    public void HeldOutQueryText_IsNotRepeated_AndDoesNotRaiseTheCap()
    {
        var cat = new List<Product>
        {
            new("a", "Acme Drill", null, new[] { "Tools", "Drills" }, new Dictionary<string, string> { ["Color"] = "Red" }, "en"),
            new("b", "Bolt Kettle", null, new[] { "Kitchen", "Kettles" }, new Dictionary<string, string> { ["Color"] = "Blue" }, "en"),
        };
        var train = Enumerable.Range(0, 9).Select(i => new Query($"r{i}", $"q{i}", "")).ToList();   // cap ⌊0.1/0.9·9⌋ = 1
        var gen = new SyntheticQueryGenerator(new SyntheticQueryOptions { Templates = new[] { "{colour} {leaf}" } });
        var without = gen.Generate(cat, train, Array.Empty<Judgment>());
        Assert.Equal(1, without.Report.Cap);
        string first = Assert.Single(without.Queries).Query.Text;

        // The same text as a dev/test query: skipped and counted, the next item is used instead; the cap stays 1.
        var heldOut = Enumerable.Range(0, 50).Select(i => new Query($"t{i}", $"test {i}", "")).Append(new Query("t-x", first.ToUpperInvariant(), "")).ToList();
        var with = gen.Generate(cat, train, Array.Empty<Judgment>(), heldOut);
        Assert.Equal(1, with.Report.Cap);
        Assert.Equal(1, with.Report.DuplicatesOfRealQueries);
        Assert.NotEqual(first, Assert.Single(with.Queries).Query.Text);
    }

    [Fact]
    public void SplitQueries_SeparatesTheGradedQueriesFromTheHeldOut()
    {
        var (qs, js) = Real();
        var data = new Dataset(Catalog(60), qs, js);
        var (train, heldOut) = SyntheticQueryGenerator.SplitQueries(data, js.Where(j => j.QueryId != "r3").ToList());
        Assert.Equal(js.Select(j => j.QueryId).Distinct().Where(id => id != "r3"), train.Select(q => q.Id));
        Assert.Equal(qs.Count - train.Count, heldOut.Count);
        Assert.Contains(heldOut, q => q.Id == "r3");
        Assert.Empty(train.Select(q => q.Id).Intersect(heldOut.Select(q => q.Id)));
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentException>(() => new SyntheticQueryGenerator(new SyntheticQueryOptions { MaxShare = 0 }));
        Assert.Throws<ArgumentException>(() => new SyntheticQueryGenerator(new SyntheticQueryOptions { Templates = new[] { "{price} {leaf}" } }));
        Assert.Throws<ArgumentException>(() => new SyntheticQueryGenerator(new SyntheticQueryOptions { MinTokens = 3, MaxTokens = 2 }));
    }
}
