using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;

namespace MineRefine.Tests.Dense;

public class UsearchIndexTests
{
    private static readonly ClusteredVectors Source = new(64, 50, seed: 11, spread: 0.4);

    private static double RecallAt10((int[] Ids, float[] Scores)[] approx, (int[] Ids, float[] Scores)[] exact)
    {
        double hit = 0;
        for (int q = 0; q < exact.Length; q++) hit += approx[q].Ids.Intersect(exact[q].Ids).Count() / (double)exact[q].Ids.Length;
        return hit / exact.Length;
    }

    [Fact]
    public void Hnsw_recall_at_10_against_exact_is_at_least_0_9_on_clustered_data()
    {
        var items = Source.Sample(5000, seed: 1, out _);
        var queries = Source.Sample(200, seed: 2, out _);
        using var exact = new ExactIndex(64);
        exact.Add(items);
        var truth = exact.Search(queries, 10);
        using var hnsw = new UsearchIndex(64, new VectorIndexOptions { Kind = VectorIndexKind.Hnsw, Threads = 2 });
        hnsw.Add(items);
        Assert.Equal(5000, hnsw.Count);
        Assert.Equal(64, hnsw.Dimension);
        var approx = hnsw.Search(queries, 10);
        Assert.True(RecallAt10(approx, truth) >= 0.9, $"recall@10 = {RecallAt10(approx, truth):F3}");
        // Scores are similarities (1 − cos distance): the returned ids' scores match the exact cosines within f16 error.
        for (int q = 0; q < queries.Count; q++)
            for (int j = 0; j < approx[q].Ids.Length; j++)
            {
                var exactScore = VectorMathCosine(queries.Row(q), items.Row(approx[q].Ids[j]));
                Assert.InRange(approx[q].Scores[j] - exactScore, -0.01f, 0.01f);
            }
    }

    private static float VectorMathCosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { s += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return (float)(s / Math.Sqrt(na * nb));
    }

    [Theory]
    [InlineData(VectorQuantization.F16)]
    [InlineData(VectorQuantization.F32)]
    public void Save_load_and_view_give_identical_results(VectorQuantization quantization)
    {
        var items = Source.Sample(1500, seed: 3, out _);
        var queries = Source.Sample(50, seed: 4, out _);
        var options = new VectorIndexOptions { Kind = VectorIndexKind.Hnsw, Quantization = quantization, Threads = 1, ExpansionSearch = 48 };
        using var dir = new TempDir();
        var path = dir.File("index.usearch");
        using var built = new UsearchIndex(64, options);
        built.Add(items);
        var before = built.Search(queries, 10);
        built.Save(path);

        // Reopened indexes search with 2 threads (parallel batch path); per-query results must not change.
        var reopen = options.Clone();
        reopen.Threads = 2;
        using var loaded = UsearchIndex.Load(path, reopen);
        var viewOptions = reopen.Clone();
        viewOptions.View = true;
        using var viewed = (UsearchIndex)VectorIndex.Open(path, viewOptions);
        Assert.True(viewed.IsView);
        Assert.Equal(48, viewed.ExpansionSearch);
        foreach (var other in new[] { loaded.Search(queries, 10), viewed.Search(queries, 10) })
            for (int q = 0; q < queries.Count; q++)
            {
                Assert.Equal(before[q].Ids, other[q].Ids);
                Assert.Equal(before[q].Scores, other[q].Scores);
            }
        Assert.Throws<InvalidOperationException>(() => viewed.Add(items));
    }

    [Fact]
    public void Expansion_search_can_be_changed_and_k_larger_than_count_returns_all()
    {
        var items = Source.Sample(30, seed: 5, out _);
        using var index = new UsearchIndex(64, new VectorIndexOptions { Kind = VectorIndexKind.Hnsw, Threads = 1 });
        index.Add(items);
        index.ExpansionSearch = 200;
        Assert.Equal(200, index.ExpansionSearch);
        var r = index.SearchOne(items.Row(7), 100);
        Assert.Equal(30, r.Ids.Length);
        Assert.Equal(7, r.Ids[0]);
        Assert.Equal(1f, r.Scores[0], 1e-3f);
        Assert.True(r.Scores.Zip(r.Scores.Skip(1)).All(p => p.First >= p.Second));
    }

    [Fact]
    public void Opening_a_file_that_is_not_an_index_fails_with_its_name()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("junk.usearch"), "definitely not an index");
        var e = Assert.ThrowsAny<Exception>(() => UsearchIndex.Load(dir.File("junk.usearch")));
        Assert.Contains("junk.usearch", e.Message);
    }
}
