using MineRefine.Data;
using MineRefine.Labeling;
using MineRefine.Labeling.CrossEncoder;
using static TorchSharp.torch;

namespace MineRefine.Tests.CrossEncoder;

public sealed class CrossEncoderLabelerTests : IDisposable
{
    private readonly string _dir = CrossEncoderTestUtil.TempDir();

    public void Dispose() => Directory.Delete(_dir, true);

    private static List<LabelRequest> Requests(int n, int seed) =>
        CrossEncoderTestUtil.ToyPairs(n, seed).Select((p, i) => new LabelRequest($"q{i}", p.QueryText, $"p{i}", p.ItemText + (i % 3 == 0 ? " with a long extra description of the item" : ""))).ToList();

    [Fact]
    public void Save_load_round_trip_gives_identical_probabilities()
    {
        using var pkg = CrossEncoderPackage.CreateTiny(seed: 3);
        var folder = Path.Combine(_dir, "labeler");
        pkg.Save(folder);
        foreach (var f in new[] { "model.safetensors", "config.json", "vocab.txt", "model.json" })
            Assert.True(File.Exists(Path.Combine(folder, f)), f);
        using var loaded = CrossEncoderPackage.Load(folder);
        var rows = Requests(12, 1).Select(r => pkg.Encode(r.QueryText, r.ItemText)).ToList();
        var a = pkg.PredictProbabilities(rows);
        var b = loaded.PredictProbabilities(rows);
        for (int i = 0; i < rows.Count; i++) Assert.Equal(a[i], b[i]);
        Assert.Equal(pkg.Config, loaded.Config with { Transformer = loaded.Config.Transformer });
    }

    [Fact]
    public void Tampered_weights_are_rejected_with_the_file_name()
    {
        using var pkg = CrossEncoderPackage.CreateTiny(seed: 3);
        var folder = Path.Combine(_dir, "labeler");
        pkg.Save(folder);
        var w = Path.Combine(folder, "model.safetensors");
        var bytes = File.ReadAllBytes(w);
        bytes[^1] ^= 0x55;
        File.WriteAllBytes(w, bytes);
        var e = Assert.Throws<InvalidDataException>(() => CrossEncoderPackage.Load(folder));
        Assert.Contains("model.safetensors", e.Message);
    }

    [Fact]
    public void Results_do_not_depend_on_batching_or_order_and_probabilities_sum_to_one()
    {
        using var pkg = CrossEncoderPackage.CreateTiny(seed: 11);
        var req = Requests(23, 2);
        using var bucketed = new CrossEncoderLabeler(pkg, "cross-encoder:t", new CrossEncoderLabelerOptions { BatchSize = 4 }, ownsPackage: false);
        using var plain = new CrossEncoderLabeler(pkg, "cross-encoder:t", new CrossEncoderLabelerOptions { BatchSize = 7, LengthBucketing = false }, ownsPackage: false);
        var a = bucketed.Label(req);
        var reversed = req.AsEnumerable().Reverse().ToList();
        var b = plain.Label(reversed).Reverse().ToList();
        Assert.Equal(req.Count, a.Count);
        for (int i = 0; i < req.Count; i++)
        {
            Assert.Equal(1.0, a[i].Probabilities.Sum(), 5);
            Assert.All(a[i].Probabilities, p => Assert.InRange(p, 0f, 1f));
            for (int g = 0; g < 3; g++) Assert.Equal(a[i].Probabilities[g], b[i].Probabilities[g], 5);
            Assert.Equal(a[i].Grade, b[i].Grade);
            Assert.Equal(JudgmentSource.Model, a[i].Source);
            Assert.Equal("cross-encoder:t", a[i].Judge);
            Assert.Equal(a[i].Probabilities[1] + 2 * a[i].Probabilities[2], a[i].ExpectedGrade, 5);
        }
    }

    [Fact]
    public void Memory_cache_avoids_recomputation_and_progress_is_cumulative()
    {
        using var pkg = CrossEncoderPackage.CreateTiny(seed: 11);
        using var labeler = new CrossEncoderLabeler(pkg, "cross-encoder:t", new CrossEncoderLabelerOptions { BatchSize = 5 }, ownsPackage: false);
        var req = Requests(17, 3);
        var reports = new List<int>();
        var first = labeler.Label(req, new ListProgress(reports));
        Assert.Equal(17, reports[^1]);
        Assert.Equal(reports.OrderBy(x => x), reports);
        long computed = labeler.ComputedPairs;
        Assert.True(computed <= 17 && computed > 0);
        var second = labeler.Label(req.Take(9).ToList());
        Assert.Equal(computed, labeler.ComputedPairs);
        Assert.True(labeler.CacheHits >= 9);
        for (int i = 0; i < 9; i++) Assert.Equal(first[i].Probabilities, second[i].Probabilities);

        // a duplicate pair in one request is computed once
        var dup = new List<LabelRequest> { new("a", "red lamp", "x", "blue chair"), new("b", "red lamp", "y", "blue chair") };
        labeler.Label(dup);
        Assert.Equal(computed + 1, labeler.ComputedPairs);
    }

    [Fact]
    public void Persistent_cache_is_reused_by_a_new_labeler()
    {
        using var pkg = CrossEncoderPackage.CreateTiny(seed: 5);
        var folder = Path.Combine(_dir, "labeler");
        pkg.Save(folder);
        var cache = Path.Combine(_dir, "cache.jsonl");
        var req = Requests(10, 4);
        IReadOnlyList<LabelResult> a;
        using (var l1 = CrossEncoderLabeler.FromFolder(folder, new CrossEncoderLabelerOptions { CachePath = cache }))
        {
            Assert.Equal("cross-encoder:labeler", l1.Name);
            a = l1.Label(req);
            Assert.Equal(10, l1.ComputedPairs);
        }
        using var l2 = CrossEncoderLabeler.FromFolder(folder, new CrossEncoderLabelerOptions { CachePath = cache });
        var b = l2.Label(req);
        Assert.Equal(0, l2.ComputedPairs);
        for (int i = 0; i < req.Count; i++) Assert.Equal(a[i].Probabilities, b[i].Probabilities);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_stopped_grading_job_keeps_its_finished_batches_in_the_persistent_cache(bool bucketing)
    {
        using var pkg = CrossEncoderPackage.CreateTiny(seed: 5);
        var folder = Path.Combine(_dir, "labeler-" + bucketing);
        pkg.Save(folder);
        var cache = Path.Combine(_dir, $"cache-{bucketing}.jsonl");
        var options = new CrossEncoderLabelerOptions { CachePath = cache, BatchSize = 4, LengthBucketing = bucketing };
        var req = Requests(20, 6).Select((r, i) => r with { QueryText = $"{r.QueryText} n{i}" }).ToList(); // 20 distinct pairs
        using (var whole = CrossEncoderLabeler.FromFolder(folder, options with { CachePath = null }))
        {
            var expected = whole.Label(req);
            // Stopped (Ctrl+C) once 8 of the 20 pairs are graded: those two batches are already on disk.
            using var cts = new CancellationTokenSource();
            using (var first = CrossEncoderLabeler.FromFolder(folder, options))
                Assert.ThrowsAny<OperationCanceledException>(() =>
                    first.Label(req, new ListProgress([]).Then(d => { if (d >= 8) cts.Cancel(); }), cts.Token));
            using var again = CrossEncoderLabeler.FromFolder(folder, options);
            Assert.Equal(8, again.CachedPairs);
            var got = again.Label(req);
            Assert.Equal(12, again.ComputedPairs);
            for (int i = 0; i < req.Count; i++)
            {
                // Equal up to float rounding (other batches pad differently), the grade exactly.
                for (int g = 0; g < 3; g++) Assert.Equal(expected[i].Probabilities[g], got[i].Probabilities[g], 5);
                Assert.Equal(expected[i].Grade, got[i].Grade);
            }
        }
    }

    [Fact]
    public async Task LabelAsync_matches_Label()
    {
        using var pkg = CrossEncoderPackage.CreateTiny(seed: 5);
        using var l = new CrossEncoderLabeler(pkg, "cross-encoder:t", ownsPackage: false);
        var req = Requests(5, 8);
        var a = await l.LabelAsync(req);
        l.ClearMemoryCache();
        var b = l.Label(req);
        for (int i = 0; i < req.Count; i++) Assert.Equal(a[i].Probabilities, b[i].Probabilities);
    }

    private sealed class ListProgress(List<int> list) : IProgress<int>
    {
        private Action<int>? _then;
        public ListProgress Then(Action<int> then) { _then = then; return this; }
        public void Report(int value) { list.Add(value); _then?.Invoke(value); }
    }
}
