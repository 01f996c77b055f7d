using MineRefine.Data;
using MineRefine.Text.Synthetic;

namespace MineRefine.Tests.Synthetic;

public sealed class TitleCropGeneratorTests
{
    private static Product P(string id, string title) => new(id, title, null, [], new Dictionary<string, string>(), "en");

    private static readonly string[] Vocabulary =
        ["cordless", "drill", "steel", "white", "kettle", "20v", "max", "brushless", "garden", "hose", "1/2", "in.", "oak", "shelf", "led", "bulb"];

    /// <summary>Products with 2–9 distinct words each, so a crop's words can be found in its title by position.</summary>
    private static List<Product> Catalog(int n, int seed = 1)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(i =>
        {
            int len = 2 + rng.Next(8);
            var words = Vocabulary.OrderBy(_ => rng.Next()).Take(len);
            return P($"p{i:D4}", string.Join(' ', words) + $" model{i}");
        }).ToList();
    }

    private static bool IsOrderedSubsequence(IReadOnlyList<string> part, IReadOnlyList<string> whole)
    {
        int k = 0;
        foreach (var w in whole)
            if (k < part.Count && part[k] == w) k++;
        return k == part.Count;
    }

    [Fact]
    public void Words_lower_case_trim_brackets_and_quotes_and_drop_punctuation()
    {
        Assert.Equal(new[] { "northwind", "exterior", "1-gal.", "#nw-77", "slate", "5'", "x", "8'", "grey" },
            TitleCropGenerator.Words("NORTHWIND  Exterior (1-gal.) \"#NW-77\" Slate, 5' x 8' — Grey"));
        Assert.Empty(TitleCropGenerator.Words(" — *** "));
    }

    [Fact]
    public void Every_crop_is_an_ordered_subset_of_its_products_title_and_the_product_is_its_grade_2_item()
    {
        var catalog = Catalog(500);
        var r = new TitleCropGenerator(new TitleCropOptions { Count = 300, Seed = 5 }).Generate(catalog);
        var byId = catalog.ToDictionary(p => p.Id);
        var queries = r.Queries.ToDictionary(q => q.Id);
        Assert.Equal(300, r.Report.ProductsDrawn);
        Assert.Equal(300, r.Judgments.Count + r.Report.DuplicatesOfHeldOutQueries);
        Assert.Equal(r.Judgments.Count, r.Judgments.Select(j => j.ProductId).Distinct().Count()); // drawn without replacement
        Assert.Equal(r.Queries.Count + r.Report.MergedIntoExisting, r.Judgments.Count);
        foreach (var j in r.Judgments)
        {
            Assert.Equal(Grades.Exact, j.Grade);
            Assert.Equal(JudgmentSource.Synthetic, j.Source);
            var words = queries[j.QueryId].Text.Split(' ');
            Assert.InRange(words.Length, 1, 4);
            Assert.True(IsOrderedSubsequence(words, TitleCropGenerator.Words(byId[j.ProductId].Title)),
                $"'{queries[j.QueryId].Text}' is not an ordered subset of '{byId[j.ProductId].Title}'");
        }
        Assert.All(r.Queries, q => Assert.Equal(TitleCropGenerator.QueryId(q.Text), q.Id));
        Assert.Equal(300, r.Report.Lengths.Sum());
    }

    [Fact]
    public void Same_seed_same_crops_another_seed_other_crops()
    {
        var catalog = Catalog(200);
        TitleCropResult Run(int seed) => new TitleCropGenerator(new TitleCropOptions { Count = 100, Seed = seed }).Generate(catalog);
        var a = Run(3);
        var b = Run(3);
        Assert.Equal(a.Queries, b.Queries);
        Assert.Equal(a.Judgments, b.Judgments);
        Assert.NotEqual(a.Judgments.Select(j => j.ProductId), Run(4).Judgments.Select(j => j.ProductId));
    }

    [Fact]
    public void Lengths_follow_the_weights_and_never_exceed_the_title()
    {
        // 4,000 titles of at least 5 words: the draw is the weights' distribution (binomial s.d. of a share ≤ 0.008).
        var catalog = Enumerable.Range(0, 4000).Select(i => P($"p{i}", $"alpha beta gamma delta epsilon item{i}")).ToList();
        var r = new TitleCropGenerator(new TitleCropOptions { Count = 4000, Seed = 9 }).Generate(catalog);
        double[] expected = [0.10, 0.35, 0.35, 0.20];
        for (int k = 0; k < 4; k++)
            Assert.InRange(r.Report.Lengths[k] / 4000.0, expected[k] - 0.03, expected[k] + 0.03);

        // Weights 0,1: two words whenever the title has two; a one-word title gives a one-word crop.
        var shortOnes = new List<Product> { P("a", "Hammer"), P("b", "Claw Hammer"), P("c", "Steel Claw Hammer") };
        var two = new TitleCropGenerator(new TitleCropOptions { Count = 3, LengthWeights = [0, 1], Seed = 1 }).Generate(shortOnes);
        var text = two.Judgments.ToDictionary(j => j.ProductId, j => two.Queries.Single(q => q.Id == j.QueryId).Text);
        Assert.Equal("hammer", text["a"]);
        Assert.Equal("claw hammer", text["b"]);
        Assert.Equal(2, text["c"].Split(' ').Length);
        Assert.Equal(new[] { 1, 2 }, two.Report.Lengths);
    }

    [Fact]
    public void Equal_crops_merge_into_one_query_held_out_texts_are_dropped_and_wordless_titles_are_never_drawn()
    {
        var catalog = new List<Product> { P("a", "Drill"), P("b", "DRILL"), P("c", "Kettle"), P("d", "—"), P("e", "Hose") };
        var heldOut = new List<Query> { new("dev1", " kettle ", "en") };
        var r = new TitleCropGenerator(new TitleCropOptions { Count = 10, LengthWeights = [1] }).Generate(catalog, heldOut);
        Assert.Equal(1, r.Report.ProductsWithoutWords);
        Assert.Equal(4, r.Report.ProductsDrawn);          // fewer usable products than asked for: all of them
        Assert.Equal(10, r.Report.Requested);
        Assert.Equal(1, r.Report.DuplicatesOfHeldOutQueries);
        Assert.Equal(1, r.Report.MergedIntoExisting);
        Assert.Equal(new[] { "drill", "hose" }, r.Queries.Select(q => q.Text).Order());
        var drill = r.Queries.Single(q => q.Text == "drill");
        Assert.Equal(new[] { "a", "b" }, r.Judgments.Where(j => j.QueryId == drill.Id).Select(j => j.ProductId).Order());
        Assert.DoesNotContain(r.Judgments, j => j.ProductId is "c" or "d");
        Assert.Equal(3, r.Report.Judgments);
        Assert.Equal(2, r.Report.Queries);
    }

    [Theory]
    [InlineData(0, new double[] { 1 }, "Count 0 must be ≥ 1")]
    [InlineData(5, new double[0], "LengthWeights is empty")]
    [InlineData(5, new double[] { 1, -1 }, "finite and ≥ 0")]
    [InlineData(5, new double[] { 0, 0 }, "at least one weight must be > 0")]
    public void Bad_options_are_refused_with_a_message(int count, double[] weights, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new TitleCropGenerator(new TitleCropOptions { Count = count, LengthWeights = weights }));
        Assert.Contains(message, e.Message);
    }
}
