using MineRefine.Data;
using MineRefine.Text.Augmentation;
using MineRefine.Training;
using TorchSharp;

namespace MineRefine.Tests.Training;

public class InstanceBuilderTests
{
    private static readonly string[] Catalog = Enumerable.Range(0, 200).Select(i => $"p{i}").ToArray();

    private static List<Judgment> J(string q, params (string P, int G)[] items) =>
        items.Select(x => new Judgment(q, x.P, x.G, JudgmentSource.Human)).ToList();

    private static Dictionary<string, string> Texts(params string[] ids) => ids.ToDictionary(i => i, i => "text " + i);

    [Fact]
    public void BuildsStratifiedInstancesWithANegative()
    {
        var judgments = J("q1", Enumerable.Range(0, 6).Select(i => ($"p{i}", 2))
            .Concat(Enumerable.Range(6, 6).Select(i => ($"p{i}", 1)))
            .Concat(Enumerable.Range(12, 10).Select(i => ($"p{i}", 0))).ToArray());
        var (inst, summary) = InstanceBuilder.Build(judgments, Texts("q1"), Catalog, 1);
        var one = Assert.Single(inst);
        Assert.Equal(8, one.Count);
        Assert.Equal(one.Count, one.ProductIds.Distinct().Count());
        Assert.Equal(3, one.Grades.Count(g => g == 2));
        Assert.Equal(3, one.Grades.Count(g => g == 1));
        Assert.Equal(2, one.Grades.Count(g => g == 0));
        Assert.False(one.HasUnlabeledFill);
        // Grades match the judgments.
        var truth = judgments.ToDictionary(j => j.ProductId, j => j.Grade);
        for (int i = 0; i < one.Count; i++) Assert.Equal(truth[one.ProductIds[i]], one.Grades[i]);
        Assert.Equal(1, summary.QueriesUsed);
        Assert.Equal(8, summary.JudgedItemsUsed);
        Assert.Equal(22, summary.JudgedItems);
    }

    [Fact]
    public void NoNegativeGetsUnlabeledFillAndNoPositiveIsSkipped()
    {
        var judgments = J("q1", ("p0", 2), ("p1", 1)).Concat(J("q2", ("p2", 0), ("p3", 0))).Concat(J("q3", ("p4", 1))).ToList();
        var (inst, s) = InstanceBuilder.Build(judgments, Texts("q1", "q2", "q3"), Catalog, 3);
        Assert.Equal(new[] { "q1", "q3" }, inst.Select(i => i.QueryId));
        Assert.Equal(1, s.SkippedNoPositive);
        Assert.Equal(2, s.QueriesWithUnlabeledFill);
        Assert.Equal(4, s.UnlabeledItemsAdded);
        var q1 = inst[0];
        Assert.True(q1.HasUnlabeledFill);
        Assert.Equal(4, q1.Count);
        for (int i = 0; i < q1.Count; i++)
        {
            if (q1.Unlabeled[i])
            {
                Assert.Equal(0, q1.Grades[i]);
                Assert.DoesNotContain(q1.ProductIds[i], new[] { "p0", "p1" });
            }
        }
        Assert.Equal(2, q1.Unlabeled.Count(u => u));
        var (noFill, s2) = InstanceBuilder.Build(judgments, Texts("q1", "q2", "q3"), Catalog, 3, new InstanceOptions { UnlabeledFillCount = 0 });
        Assert.Equal(2, s2.InstancesWithoutNegative);
        Assert.All(noFill, i => Assert.False(i.HasUnlabeledFill));
    }

    [Fact]
    public void MissingTextIsCountedNotSilentlyDropped()
    {
        var (inst, s) = InstanceBuilder.Build(J("q1", ("p0", 2), ("p1", 0)), new Dictionary<string, string>(), Catalog, 0);
        Assert.Empty(inst);
        Assert.Equal(1, s.SkippedNoText);
        Assert.Equal(new[] { "q1" }, s.MissingTextQueryIds);
    }

    [Fact]
    public void DeterministicPerSeedAndIndependentOfQueryOrder()
    {
        var rng = new Random(4);
        var judgments = new List<Judgment>();
        for (int q = 0; q < 30; q++)
            for (int p = 0; p < 15; p++)
                judgments.Add(new Judgment($"q{q}", $"p{rng.Next(200)}_{p}", rng.Next(3), JudgmentSource.Human));
        var texts = Texts(Enumerable.Range(0, 30).Select(i => $"q{i}").ToArray());
        var a = InstanceBuilder.Build(judgments, texts, Catalog, 11).Instances;
        var b = InstanceBuilder.Build(judgments, texts, Catalog, 11).Instances;
        Assert.Equal(a.Select(Key), b.Select(Key));
        var reversed = InstanceBuilder.Build(Enumerable.Reverse(judgments).ToList(), texts, Catalog, 11).Instances;
        Assert.Equal(a.Select(i => (i.QueryId, string.Join(",", i.ProductIds.Order()))).OrderBy(x => x.QueryId),
                     reversed.Select(i => (i.QueryId, string.Join(",", i.ProductIds.Order()))).OrderBy(x => x.QueryId));
        var c = InstanceBuilder.Build(judgments, texts, Catalog, 12).Instances;
        Assert.NotEqual(a.Select(Key), c.Select(Key));
        static string Key(TrainingInstance i) => i.QueryId + ":" + string.Join(",", i.ProductIds);
    }

    [Fact]
    public void CoverAllItemsUsesEveryJudgedItem()
    {
        var judgments = J("q1", Enumerable.Range(0, 3).Select(i => ($"p{i}", 2))
            .Concat(Enumerable.Range(3, 5).Select(i => ($"p{i}", 1)))
            .Concat(Enumerable.Range(8, 17).Select(i => ($"p{i}", 0))).ToArray());
        var (inst, s) = InstanceBuilder.Build(judgments, Texts("q1"), Catalog, 5, new InstanceOptions { CoverAllItems = true });
        Assert.True(inst.Count >= 4);
        Assert.Equal(25, inst.SelectMany(i => i.ProductIds).Distinct().Count());
        Assert.Equal(25, s.JudgedItemsUsed);
        Assert.All(inst, i =>
        {
            Assert.Equal(i.Count, i.ProductIds.Distinct().Count());
            Assert.Contains(i.Grades, g => g > 0);
            Assert.Contains(0, i.Grades);
        });
    }

    [Fact]
    public void ProportionalAllocationFollowsJudgedMix()
    {
        var o = new InstanceOptions { Stratification = GradeStratification.Proportional };
        var alloc = InstanceBuilder.Allocate(new[] { 30, 5, 5 }, 8, o);
        Assert.Equal(8, alloc.Sum());
        Assert.True(alloc[0] >= 5, $"grade-0 share {alloc[0]}");
        Assert.True(alloc[1] >= 1 && alloc[2] >= 1);
        var balanced = InstanceBuilder.Allocate(new[] { 30, 5, 5 }, 8, new InstanceOptions());
        Assert.Equal(new[] { 2, 3, 3 }, balanced);
        Assert.Equal(new[] { 0, 1, 1 }, InstanceBuilder.Allocate(new[] { 0, 1, 1 }, 8, new InstanceOptions()));
    }

    [Fact]
    public void SpellingVariantsCopyItemsAndLabels()
    {
        var (inst, _) = InstanceBuilder.Build(J("q1", ("p0", 2), ("p1", 0)).Concat(J("q2", ("p2", 1), ("p3", 0))).ToList(),
            Texts("q1", "q2"), Catalog, 0);
        var aug = new AugmentationResult
        {
            Variants = new[] { new SpellingVariant("q1", "q1#spell", "text q1", "twxt q1", 1) },
            Considered = 2, Changed = 1, Kept = 1,
        };
        var extra = Assert.Single(InstanceBuilder.SpellingVariantInstances(inst, aug));
        Assert.Equal("q1#spell", extra.QueryId);
        Assert.Equal("q1", extra.SourceQueryId);
        Assert.Equal("twxt q1", extra.QueryText);
        Assert.True(extra.IsAugmented);
        Assert.Equal(inst[0].ProductIds, extra.ProductIds);
        Assert.Equal(inst[0].Grades, extra.Grades);
    }

    [Fact]
    public void GradeTensorPadsWithMinusOne()
    {
        using var scope = torch.NewDisposeScope();
        var a = new TrainingInstance("a", "a", new[] { "x", "y", "z" }, new[] { 2, 0, 1 }, new[] { false, false, false }, false, false, "a");
        var b = new TrainingInstance("b", "b", new[] { "x" }, new[] { 1 }, new[] { false }, false, false, "b");
        var t = InstanceBuilder.GradeTensor(new[] { a, b });
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(new long[] { 2, 0, 1, 1, -1, -1 }, t.data<long>().ToArray());
        Assert.Equal(torch.ScalarType.Int64, t.dtype);
    }

    [Fact]
    public void RejectsBadGradeAndOptions()
    {
        Assert.Throws<ArgumentException>(() => InstanceBuilder.Build(J("q", ("p", 3)), Texts("q"), Catalog, 0));
        var ex = Assert.Throws<ArgumentException>(() => InstanceBuilder.Build(J("q", ("p", 2)), Texts("q"), Catalog, 0, new InstanceOptions { ItemsPerInstance = 1 }));
        Assert.Contains("ItemsPerInstance", ex.Message);
    }

    [Fact]
    public void LexicalNegativesComeFromTheTopListSkipJudgedItemsAndAreAddedOnTop()
    {
        // q1: judged p0 (2), p1 (1), p2 (0); its lexical list puts judged items first, then p10..p19, then p50.
        var judgments = J("q1", ("p0", 2), ("p1", 1), ("p2", 0)).Concat(J("q2", ("p3", 2))).ToList();
        var lists = new Dictionary<string, IReadOnlyList<string>>
        {
            ["q1"] = new[] { "p0", "p1", "p2" }.Concat(Enumerable.Range(10, 10).Select(i => $"p{i}")).Append("p50").ToArray(),
            ["q2"] = new[] { "p3", "p60" }, // only one unjudged candidate
        };
        var o = new InstanceOptions { LexicalNegatives = 3, LexicalNegativeDepth = 13, UnlabeledFillCount = 0 };
        var (inst, s) = InstanceBuilder.Build(judgments, Texts("q1", "q2"), Catalog, 5, o, q => lists[q]);
        var q1 = inst.Single(i => i.QueryId == "q1");
        Assert.Equal(6, q1.Count); // 3 judged + 3 lexical, on top of the judged slots
        var lexical = Enumerable.Range(0, q1.Count).Where(i => q1.Unlabeled[i]).Select(i => q1.ProductIds[i]).ToList();
        Assert.Equal(3, lexical.Count);
        Assert.All(lexical, p => Assert.Contains(p, lists["q1"].Take(13).Skip(3))); // within depth 13, never judged, never p50
        Assert.All(Enumerable.Range(0, q1.Count).Where(i => q1.Unlabeled[i]), i => Assert.Equal(0, q1.Grades[i]));
        Assert.False(q1.HasUnlabeledFill); // HasUnlabeledFill is about random fill only
        var q2 = inst.Single(i => i.QueryId == "q2");
        Assert.Equal(new[] { "p3", "p60" }, q2.ProductIds.OrderBy(p => p));
        Assert.Equal(4, s.LexicalNegativesAdded);
        Assert.Equal(2, s.QueriesWithLexicalNegatives);
        Assert.Equal(1, s.QueriesShortOfLexicalNegatives);
        Assert.Contains("lexical negatives: 2 queries / 4 items (1 queries short)", s.ToString());

        // Deterministic per seed; another seed draws another subset of the 10 candidates.
        var (again, _) = InstanceBuilder.Build(judgments, Texts("q1", "q2"), Catalog, 5, o, q => lists[q]);
        Assert.Equal(q1.ProductIds, again.Single(i => i.QueryId == "q1").ProductIds);
        var draws = Enumerable.Range(0, 20).Select(seed => string.Join(",", InstanceBuilder.Build(judgments, Texts("q1", "q2"), Catalog, seed, o, q => lists[q])
            .Instances[0].ProductIds.Where(p => !judgments.Any(j => j.ProductId == p)).OrderBy(p => p))).Distinct().Count();
        Assert.True(draws > 1, "the lexical negatives never changed with the seed");

        // Off by default: the same call without the option matches the plain build.
        var (plain, _) = InstanceBuilder.Build(judgments, Texts("q1", "q2"), Catalog, 5, new InstanceOptions { UnlabeledFillCount = 0 });
        Assert.Equal(plain.Select(i => i.ProductIds), InstanceBuilder.Build(judgments, Texts("q1", "q2"), Catalog, 5,
            new InstanceOptions { UnlabeledFillCount = 0 }, q => lists[q]).Instances.Select(i => i.ProductIds));
    }

    [Fact]
    public void DenseNegativesComeFromTheStartModelListAndNeverRepeatALexicalOne()
    {
        // q1: judged p0 (2), p1 (1). Lexical list p10..p13, dense list p0 (judged), p12, p13 (shared), p20..p22, p99 (too deep).
        var judgments = J("q1", ("p0", 2), ("p1", 1)).Concat(J("q2", ("p3", 2))).ToList();
        var lexical = new Dictionary<string, IReadOnlyList<string>> { ["q1"] = new[] { "p10", "p11", "p12", "p13" }, ["q2"] = Array.Empty<string>() };
        var dense = new Dictionary<string, IReadOnlyList<string>>
        {
            ["q1"] = new[] { "p0", "p12", "p13", "p20", "p21", "p22", "p99" },
            ["q2"] = new[] { "p3" }, // nothing unjudged: short, no dense negative
        };
        var o = new InstanceOptions { LexicalNegatives = 4, DenseNegatives = 3, DenseNegativeDepth = 6, UnlabeledFillCount = 0 };
        var (inst, s) = InstanceBuilder.Build(judgments, Texts("q1", "q2"), Catalog, 5, o, q => lexical[q], q => dense[q]);
        var q1 = inst.Single(i => i.QueryId == "q1");
        // 2 judged + all 4 lexical; the dense pool within depth 6 is p12, p13, p20, p21, p22 minus the 2 lexical ones: p20..p22.
        Assert.Equal(new[] { "p0", "p1", "p10", "p11", "p12", "p13", "p20", "p21", "p22" }, q1.ProductIds.OrderBy(p => p, StringComparer.Ordinal));
        Assert.Equal(q1.ProductIds.Count, q1.ProductIds.Distinct().Count());
        Assert.All(Enumerable.Range(0, q1.Count).Where(i => q1.ProductIds[i].Length == 3), i => Assert.True(q1.Unlabeled[i] && q1.Grades[i] == 0));
        Assert.Equal(3, s.DenseNegativesAdded);
        Assert.Equal(1, s.QueriesWithDenseNegatives);
        Assert.Equal(1, s.QueriesShortOfDenseNegatives); // q2
        Assert.Equal(4, s.LexicalNegativesAdded);
        Assert.Contains("dense negatives: 1 queries / 3 items (1 queries short)", s.ToString());

        // Without lexical negatives the shared items are drawn too, 3 of the 5 unjudged within depth 6.
        var (alone, s2) = InstanceBuilder.Build(judgments, Texts("q1", "q2"), Catalog, 5,
            new InstanceOptions { DenseNegatives = 3, DenseNegativeDepth = 6, UnlabeledFillCount = 0 }, null, q => dense[q]);
        var drawn = alone.Single(i => i.QueryId == "q1").ProductIds.Where(p => p is not ("p0" or "p1")).ToList();
        Assert.Equal(3, drawn.Count);
        Assert.All(drawn, p => Assert.Contains(p, new[] { "p12", "p13", "p20", "p21", "p22" }));
        Assert.Equal(0, s2.LexicalNegativesAdded);

        // Adding a dense source leaves the lexical draw of an instance unchanged (the dense draw comes after it).
        var (lexOnly, _) = InstanceBuilder.Build(judgments, Texts("q1", "q2"), Catalog, 5,
            new InstanceOptions { LexicalNegatives = 2, UnlabeledFillCount = 0 }, q => lexical[q]);
        var (both, _) = InstanceBuilder.Build(judgments, Texts("q1", "q2"), Catalog, 5,
            new InstanceOptions { LexicalNegatives = 2, DenseNegatives = 1, DenseNegativeDepth = 6, UnlabeledFillCount = 0 }, q => lexical[q], q => dense[q]);
        var lexDrawn = lexOnly.Single(i => i.QueryId == "q1").ProductIds.Where(p => lexical["q1"].Contains(p)).ToHashSet();
        var bothQ1 = both.Single(i => i.QueryId == "q1");
        Assert.Equal(2, lexDrawn.Count);
        Assert.Subset(bothQ1.ProductIds.ToHashSet(), lexDrawn);
        Assert.Equal(5, bothQ1.Count); // 2 judged + 2 lexical + 1 dense

        var e = Assert.Throws<ArgumentException>(() =>
            InstanceBuilder.Build(judgments, Texts("q1", "q2"), Catalog, 1, new InstanceOptions { DenseNegatives = 2 }));
        Assert.Contains("denseCandidates", e.Message);
        Assert.Contains("DenseNegativeDepth", Assert.Throws<ArgumentException>(() =>
            new InstanceOptions { DenseNegatives = 5, DenseNegativeDepth = 3 }.Validate()).Message);
        Assert.Contains("DenseNegatives", Assert.Throws<ArgumentException>(() =>
            new InstanceOptions { DenseNegatives = 65 }.Validate()).Message);
    }

    [Fact]
    public void LexicalNegativesNeedACandidateSourceAndValidOptions()
    {
        var judgments = J("q1", ("p0", 2));
        var e = Assert.Throws<ArgumentException>(() =>
            InstanceBuilder.Build(judgments, Texts("q1"), Catalog, 1, new InstanceOptions { LexicalNegatives = 2 }));
        Assert.Contains("lexicalCandidates", e.Message);
        Assert.Contains("LexicalNegativeDepth", Assert.Throws<ArgumentException>(() =>
            new InstanceOptions { LexicalNegatives = 5, LexicalNegativeDepth = 3 }.Validate()).Message);
        Assert.Contains("LexicalNegatives", Assert.Throws<ArgumentException>(() =>
            new InstanceOptions { LexicalNegatives = -1 }.Validate()).Message);
    }
}
