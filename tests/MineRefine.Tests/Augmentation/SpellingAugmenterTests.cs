using MineRefine.Text.Augmentation;
using MineRefine.Training;

namespace MineRefine.Tests.Augmentation;

public class SpellingAugmenterTests
{
    private static readonly string[] Words =
    {
        "cordless", "drill", "kitchen", "faucet", "vanity", "mirror", "outdoor", "lantern", "garden", "hose", "shelf",
        "bracket", "ceiling", "fan", "light", "bulb", "wooden", "table", "patio", "chair", "cabinet", "handle", "door",
        "knob", "shower", "head", "toilet", "seat", "paint", "roller", "white", "black", "storage", "bin", "rug",
        "pendant", "hammer", "screwdriver", "extension", "cord", "thermostat", "sink", "refrigerator", "mat", "lamp",
    };

    private static List<(string, string)> SyntheticQueries(int count, int seed)
    {
        var rng = new Random(seed);
        var list = new List<(string, string)>(count);
        for (int i = 0; i < count; i++)
        {
            int n = rng.Next(1, 5);
            list.Add(($"q{i}", string.Join(' ', Enumerable.Range(0, n).Select(_ => Words[rng.Next(Words.Length)])) + " " + i));
        }
        return list;
    }

    [Fact]
    public void AugmentIsDeterministicAndOrderIndependent()
    {
        var aug = new SpellingAugmenter();
        var queries = SyntheticQueries(300, 1);
        var a = aug.Augment(queries, 42);
        var b = aug.Augment(queries, 42);
        Assert.Equal(a.Variants, b.Variants);
        var reversed = Enumerable.Reverse(queries).ToList();
        var c = aug.Augment(reversed, 42);
        Assert.Equal(a.Variants.OrderBy(v => v.QueryId).ToList(), c.Variants.OrderBy(v => v.QueryId).ToList());
        var d = aug.Augment(queries, 43);
        Assert.NotEqual(a.Variants.Select(v => v.Variant), d.Variants.Select(v => v.Variant));
        Assert.Equal(a.Considered, a.Changed + a.SkippedNoChange + a.SkippedNonLatin);
        Assert.Equal(a.Changed, a.Kept + a.NotKept);
    }

    [Fact]
    public void DigitsAndUnitsAreNeverEdited()
    {
        var aug = new SpellingAugmenter(new SpellingAugmentationOptions
        {
            // Force edits on every editable token.
            ShortTokenEditCounts = new[] { 0.0, 1.0 }, MediumTokenEditCounts = new[] { 0.0, 0.0, 1.0 },
            LongTokenEditCounts = new[] { 0.0, 0.0, 0.0, 1.0 },
        });
        string q = "18v 3/4 in lbs 2x4 Mah oz. 1000w hammer";
        int hammerChanged = 0;
        for (int s = 0; s < 200; s++)
        {
            var d = aug.MakeVariantDetailed(q, new SerializableRandom(s));
            var tokens = d.Text.Split(' ');
            Assert.Equal(new[] { "18v", "3/4", "in", "lbs", "2x4", "Mah", "oz.", "1000w" }, tokens[..8]);
            if (tokens[8] != "hammer") hammerChanged++;
            Assert.True(d.Tokens.Take(8).All(t => t.Protected));
        }
        Assert.True(hammerChanged > 150, $"the editable token changed only {hammerChanged}/200 times");
    }

    [Theory]
    [InlineData("дрель аккумуляторная")]
    [InlineData("cordless дрель")]
    [InlineData("電動ドリル 18v")]
    [InlineData("مثقاب")]
    public void NonLatinQueriesAreSkipped(string q)
    {
        var aug = new SpellingAugmenter(new SpellingAugmentationOptions { KeepRatio = 1 });
        Assert.False(SpellingAugmenter.IsLatinScript(q));
        Assert.Null(aug.MakeVariant(q, new SerializableRandom(1)));
        var r = aug.Augment(new[] { ("x", q) }, 7);
        Assert.Equal(1, r.SkippedNonLatin);
        Assert.Empty(r.Variants);
    }

    [Theory]
    [InlineData("café crème brûlée")]
    [InlineData("Straße 12")]
    [InlineData("ñandú – 50% off!")]
    public void LatinWithDiacriticsIsAccepted(string q) => Assert.True(SpellingAugmenter.IsLatinScript(q));

    [Fact]
    public void KeptRatioIsCloseToOptionAndKeptVariantsDiffer()
    {
        foreach (double ratio in new[] { 0.4, 0.3 })
        {
            var aug = new SpellingAugmenter(new SpellingAugmentationOptions { KeepRatio = ratio });
            var r = aug.Augment(SyntheticQueries(4000, 2), 9);
            Assert.True(r.Changed > 2000, $"changed {r.Changed}");
            double observed = (double)r.Kept / r.Changed;
            Assert.InRange(observed, ratio - 0.03, ratio + 0.03);
            Assert.All(r.Variants, v =>
            {
                Assert.NotEqual(v.Original, v.Variant);
                Assert.True(v.EditDistance >= 1);
                Assert.Equal(SpellingAugmenter.EditDistance(v.Original, v.Variant), v.EditDistance);
                Assert.Equal(v.QueryId + "#spell", v.VariantQueryId);
            });
        }
    }

    [Fact]
    public void KeepRatioOneKeepsEveryChangedVariant()
    {
        var aug = new SpellingAugmenter(new SpellingAugmentationOptions { KeepRatio = 1.0 });
        var r = aug.Augment(SyntheticQueries(500, 3), 123);
        Assert.Equal(r.Changed, r.Kept);
        Assert.True(r.SkippedNoChange > 0, "short queries sometimes come out unchanged and must be counted");
    }

    [Fact]
    public void EditCountsFollowTheLengthTable()
    {
        var aug = new SpellingAugmenter();
        var rng = new SerializableRandom(2024);
        var counts = new Dictionary<string, int[]> { ["short"] = new int[5], ["medium"] = new int[5], ["long"] = new int[5] };
        const int perBucket = 4000;
        foreach (var (bucket, minLen, maxLen) in new[] { ("short", 1, 3), ("medium", 4, 6), ("long", 7, 12) })
        {
            for (int i = 0; i < perBucket; i++)
            {
                int len = rng.Next(minLen, maxLen + 1);
                var token = new string(Enumerable.Range(0, len).Select(_ => (char)('a' + rng.Next(26))).ToArray());
                if (aug.IsProtected(token)) { i--; continue; }
                var rec = Assert.Single(aug.MakeVariantDetailed(token, rng).Tokens);
                counts[bucket][rec.PlannedEdits]++;
                Assert.Equal(rec.PlannedEdits, rec.Kinds.Count);
                // OSA distance is not a metric; each edit costs at most 2 Levenshtein operations (a transposition).
                Assert.True(SpellingAugmenter.EditDistance(token, rec.Edited) <= 2 * rec.PlannedEdits);
                if (rec.PlannedEdits == 1) Assert.Equal(1, SpellingAugmenter.EditDistance(token, rec.Edited));
            }
        }
        void Check(string bucket, double[] expected)
        {
            for (int k = 0; k < 5; k++)
            {
                double p = k < expected.Length ? expected[k] : 0;
                double observed = counts[bucket][k] / (double)perBucket;
                // 4 standard errors at n = 4000 is at most 0.032.
                Assert.True(Math.Abs(observed - p) <= 0.032, $"{bucket} k={k}: observed {observed:F3}, expected {p}");
            }
        }
        Check("short", new[] { 0.9, 0.1 });
        Check("medium", new[] { 0.7, 0.15, 0.15 });
        Check("long", new[] { 0.2, 0.25, 0.35, 0.15, 0.05 });
    }

    [Fact]
    public void EditKindsFollowTheirWeights()
    {
        var aug = new SpellingAugmenter();
        var rng = new SerializableRandom(77);
        var kinds = new int[4];
        int total = 0;
        for (int i = 0; i < 3000; i++)
            foreach (var t in aug.MakeVariantDetailed("screwdriver", rng).Tokens)
                foreach (var k in t.Kinds) { kinds[(int)k]++; total++; }
        // Fallbacks (deletion/transposition → substitution) are rare on an 11-letter word.
        Assert.InRange(kinds[0] / (double)total, 0.37, 0.43);
        Assert.InRange(kinds[1] / (double)total, 0.22, 0.28);
        Assert.InRange(kinds[2] / (double)total, 0.12, 0.18);
        Assert.InRange(kinds[3] / (double)total, 0.17, 0.23);
    }

    [Fact]
    public void SubstitutionsUseKeyboardNeighboursAndKeepCase()
    {
        var aug = new SpellingAugmenter(new SpellingAugmentationOptions
        {
            SubstitutionWeight = 1, DeletionWeight = 0, InsertionWeight = 0, TranspositionWeight = 0,
            ShortTokenEditCounts = new[] { 0.0, 1.0 },
        });
        for (int s = 0; s < 100; s++)
        {
            string v = aug.MakeVariant("Q", new SerializableRandom(s))!;
            Assert.Contains(v, new[] { "W", "A" });
        }
        Assert.Equal("wsdr", SpellingAugmenter.NeighboursOf('e'));
    }

    [Fact]
    public void ValidationNamesTheProblem()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SpellingAugmenter(new SpellingAugmentationOptions { KeepRatio = 1.5 }));
        Assert.Contains("KeepRatio", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new SpellingAugmenter(new SpellingAugmentationOptions { MediumTokenEditCounts = new[] { 0.5, 0.2 } }));
        Assert.Contains("MediumTokenEditCounts", ex.Message);
    }
}
