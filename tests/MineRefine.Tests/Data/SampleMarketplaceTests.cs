using MineRefine.Data;
using MineRefine.Data.Import;
using MineRefine.Data.Sample;

namespace MineRefine.Tests.Data;

public class SampleMarketplaceTests
{
    private static readonly Lazy<SampleMarketplace> Default = new(() => SampleMarketplaceGenerator.Generate(new SampleOptions()));

    private static SampleMarketplace Small(int seed) =>
        SampleMarketplaceGenerator.Generate(new SampleOptions { Seed = seed, Products = 400, Queries = 120 });

    [Fact]
    public void SameSeedGivesIdenticalFilesDifferentSeedDiffers()
    {
        using var dir = new TempDir();
        string a = Path.Combine(dir.Path, "a"), b = Path.Combine(dir.Path, "b"), c = Path.Combine(dir.Path, "c");
        Small(5).WriteTo(a);
        Small(5).WriteTo(b);
        Small(6).WriteTo(c);
        string[] files = ["products.jsonl", "queries.jsonl", "judgments.jsonl", "truth.jsonl", "engagement.jsonl", "stats.json"];
        foreach (var f in files)
        {
            Assert.True(File.Exists(Path.Combine(a, f)), f);
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, f)), File.ReadAllBytes(Path.Combine(b, f)));
        }
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, "products.jsonl")), File.ReadAllBytes(Path.Combine(c, "products.jsonl")));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, "queries.jsonl")), File.ReadAllBytes(Path.Combine(c, "queries.jsonl")));
    }

    [Fact]
    public void WrittenFolderLoadsAsSampleFormat()
    {
        using var dir = new TempDir();
        var m = Small(9);
        m.WriteTo(dir.Path);
        var d = DatasetLoader.Load(new DataSourceOptions { Format = "sample", DataDir = dir.Path });
        Assert.Equal(m.Data.Products.Count, d.Products.Count);
        Assert.Equal(m.Data.Queries, d.Queries);
        Assert.Equal(m.Data.Judgments, d.Judgments);
        Assert.Equal(m.Data.Engagement, d.Engagement);
        Assert.Equal(m.Truth, JsonlFormat.ReadJudgments(dir.File("truth.jsonl")));
        Assert.Equal(0, d.Report.JudgmentsWithUnknownProduct);
    }

    [Fact]
    public void CatalogAndQueriesLookRight()
    {
        var m = Default.Value;
        var s = m.Statistics;
        Assert.Equal(3000, m.Data.Products.Count);
        Assert.Equal(600, m.Data.Queries.Count);
        Assert.True(SampleTaxonomy.Categories.Count >= 12);
        Assert.Equal(SampleTaxonomy.Categories.Count,
            m.Data.Products.Select(p => p.CategoryPath[1]).Distinct().Count());
        Assert.All(m.Data.Products, p => Assert.Equal(2, p.CategoryPath.Count));
        Assert.True(s.HeadQueries > 30 && s.TailQueries > 300, $"head {s.HeadQueries} tail {s.TailQueries}");
        Assert.InRange(s.MisspelledQueries, 6, 60);
        Assert.True(s.QueriesByLocale["es"] > 15 && s.QueriesByLocale["de"] > 15);
        Assert.Equal(m.Data.Queries.Count,
            m.Data.Queries.Select(q => MineRefine.Text.TextNormalizer.NormalizeQuery(q.Text)).Distinct().Count());
        foreach (var q in m.Data.Queries)
        {
            var it = m.Intents[q.Id];
            var cat = SampleTaxonomy.Find(it.Category);
            if (it.IsMisspelled) continue;
            string noun = q.Locale switch { "es" => cat.NounEs, "de" => cat.NounDe, _ => "" };
            if (noun.Length > 0) Assert.Contains(noun, q.Text);
            else Assert.Contains(cat.QueryNouns, n => q.Text.EndsWith(n, StringComparison.Ordinal));
            if (q.Locale == "en")
                foreach (var v in it.StatedAttributes.Values) Assert.Contains(v.ToLowerInvariant(), q.Text);
        }
    }

    [Fact]
    public void TruthFollowsTheWrittenPolicy()
    {
        var m = Default.Value;
        int complements = 0, substitutes = 0;
        foreach (var j in m.Truth)
        {
            var it = m.Intents[j.QueryId];
            var p = m.Data.FindProduct(j.ProductId)!;
            string leaf = p.CategoryPath[1];
            switch (j.Grade)
            {
                case 2:
                    Assert.Equal(it.Category, leaf);
                    foreach (var kv in it.StatedAttributes)
                    {
                        Assert.Equal(kv.Value, p.Attributes[kv.Key]);
                        Assert.Contains(kv.Value, p.Title); // and the title shows it
                    }
                    break;
                case 1:
                    bool sameTypeMismatch = leaf == it.Category &&
                        it.StatedAttributes.Any(kv => p.Attributes[kv.Key] != kv.Value);
                    Assert.True(sameTypeMismatch || SampleTaxonomy.AreSubstitutes(it.Category, leaf) ||
                        SampleTaxonomy.AreComplements(it.Category, leaf), $"{j} is not a substitute or complement");
                    break;
                default:
                    Assert.NotEqual(it.Category, leaf);
                    Assert.False(SampleTaxonomy.AreSubstitutes(it.Category, leaf) || SampleTaxonomy.AreComplements(it.Category, leaf));
                    break;
            }
            if (SampleTaxonomy.AreComplements(it.Category, leaf)) { complements++; Assert.Equal(1, j.Grade); }
            if (SampleTaxonomy.AreSubstitutes(it.Category, leaf)) { substitutes++; Assert.Equal(1, j.Grade); }
        }
        Assert.True(complements > 100 && substitutes > 20, $"complements {complements}, substitutes {substitutes}");
        // a concrete spot check of the complement rule: a case for "phone"
        var phoneCase = m.Data.Products.First(p => p.CategoryPath[1] == "Phone Cases");
        var phoneIntent = new SampleQueryIntent("x", "Phones", new Dictionary<string, string>(), true, false, "en", 1);
        Assert.Equal(1, SampleGradingPolicy.Grade(phoneIntent, phoneCase));
        Assert.Equal(0, SampleGradingPolicy.Grade(phoneIntent, m.Data.Products.First(p => p.CategoryPath[1] == "Yoga Mats")));
    }

    [Fact]
    public void GradeMixAndCandidatesPerQuery()
    {
        var m = Default.Value;
        var byQuery = m.Truth.GroupBy(j => j.QueryId).ToList();
        Assert.Equal(m.Data.Queries.Count, byQuery.Count);
        Assert.All(byQuery, g => Assert.InRange(g.Count(), 8, 15));
        Assert.All(byQuery, g => Assert.Equal(g.Count(), g.Select(j => j.ProductId).Distinct().Count()));
        double zeroShare = m.Truth.Count(j => j.Grade == 0) / (double)m.Truth.Count;
        Assert.True(zeroShare >= 0.30, $"grade-0 share {zeroShare}");
        int allThree = byQuery.Count(g => g.Select(j => j.Grade).Distinct().Count() == 3);
        Assert.True(allThree >= 0.8 * byQuery.Count, $"{allThree} of {byQuery.Count} queries have all three grades");
        Assert.Equal(allThree, m.Statistics.QueriesWithAllThreeGrades);
        Assert.Equal(m.Statistics.TruthGradeCounts, new[] { 0, 1, 2 }.Select(g => m.Truth.Count(j => j.Grade == g)).ToArray());
    }

    [Fact]
    public void HumanLabelsDifferFromTruthExactlyAtTheFlips()
    {
        var m = Default.Value;
        Assert.Equal(m.Truth.Count, m.Data.Judgments.Count);
        int diff = 0, adjacent = 0;
        for (int i = 0; i < m.Truth.Count; i++)
        {
            var t = m.Truth[i];
            var h = m.Data.Judgments[i];
            Assert.Equal((t.QueryId, t.ProductId), (h.QueryId, h.ProductId));
            Assert.Equal(JudgmentSource.Human, h.Source);
            if (t.Grade != h.Grade)
            {
                diff++;
                if (Math.Abs(t.Grade - h.Grade) == 1) adjacent++;
            }
        }
        Assert.Equal(m.Statistics.NoiseFlips, diff);
        // ~6900 pairs at rate 0.10: standard deviation ≈ 0.0036, allow ±0.02
        Assert.InRange(diff / (double)m.Truth.Count, 0.08, 0.12);
        Assert.True(adjacent >= 0.75 * diff, $"{adjacent} of {diff} flips adjacent");

        var clean = SampleMarketplaceGenerator.Generate(new SampleOptions { Products = 300, Queries = 60, NoiseRate = 0 });
        Assert.Equal(clean.Truth, clean.Data.Judgments);
        Assert.Equal(0, clean.Statistics.NoiseFlips);
    }

    [Fact]
    public void EngagementFollowsGradesAndPopularity()
    {
        var m = Default.Value;
        var truth = m.Truth.ToDictionary(j => (j.QueryId, j.ProductId), j => j.Grade);
        Assert.Equal(m.Truth.Count, m.Data.Engagement.Count);
        Assert.All(m.Data.Engagement, e =>
        {
            Assert.InRange(e.Clicks, 0, e.Impressions);
            Assert.InRange(e.AddToCarts, 0, e.Clicks);
            Assert.InRange(e.Orders, 0, e.AddToCarts);
        });
        double Ctr(int g)
        {
            var rows = m.Data.Engagement.Where(e => truth[(e.QueryId, e.ProductId)] == g).ToList();
            return rows.Sum(e => e.Clicks) / (double)rows.Sum(e => e.Impressions);
        }
        Assert.True(Ctr(2) > 1.5 * Ctr(1) && Ctr(1) > 1.5 * Ctr(0), $"CTR {Ctr(0)} {Ctr(1)} {Ctr(2)}");
        double Impr(bool head) => m.Data.Engagement.Where(e => m.Intents[e.QueryId].IsHead == head).Average(e => e.Impressions);
        Assert.True(Impr(true) > 10 * Impr(false));

        var none = SampleMarketplaceGenerator.Generate(new SampleOptions { Products = 300, Queries = 50, Engagement = false });
        Assert.Empty(none.Data.Engagement);
    }

    [Fact]
    public void OptionsValidated()
    {
        var ex = Assert.Throws<ArgumentException>(() => SampleMarketplaceGenerator.Generate(new SampleOptions { NoiseRate = 1.5 }));
        Assert.Contains("NoiseRate", ex.Message);
        Assert.Throws<ArgumentException>(() => SampleMarketplaceGenerator.Generate(new SampleOptions { Products = 10 }));
    }
}
