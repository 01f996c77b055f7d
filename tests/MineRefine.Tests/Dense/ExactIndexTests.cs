using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;

namespace MineRefine.Tests.Dense;

public class ExactIndexTests
{
    private static EmbeddingMatrix Random(int n, int d, int seed)
    {
        var rng = new Random(seed);
        var data = new float[n * d];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return new EmbeddingMatrix(n, d, data);
    }

    private static (int[] Ids, float[] Scores) BruteForce(EmbeddingMatrix items, ReadOnlySpan<float> q, int k, bool cosine)
    {
        var scores = new float[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            double s = 0, nq = 0, ni = 0;
            var row = items.Row(i);
            for (int j = 0; j < q.Length; j++) { s += (double)q[j] * row[j]; nq += (double)q[j] * q[j]; ni += (double)row[j] * row[j]; }
            scores[i] = cosine ? (float)(s / Math.Sqrt(nq * ni)) : (float)s;
        }
        var ids = Enumerable.Range(0, items.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k).ToArray();
        return (ids, ids.Select(i => scores[i]).ToArray());
    }

    [Theory]
    [InlineData(VectorMetric.Cosine)]
    [InlineData(VectorMetric.InnerProduct)]
    public void TopK_matches_brute_force_dot_products_across_blocks(VectorMetric metric)
    {
        var items = Random(300, 16, 1);
        var queries = Random(23, 16, 2);
        // Small blocks force several query blocks and a running top-k merge over 6 catalog blocks.
        using var index = new ExactIndex(16, new VectorIndexOptions { Metric = metric, ExactQueryBlock = 7, ExactCatalogBlock = 50 });
        index.Add(items);
        var got = index.Search(queries, 10);
        Assert.Equal(23, got.Length);
        for (int q = 0; q < queries.Count; q++)
        {
            var want = BruteForce(items, queries.Row(q), 10, metric == VectorMetric.Cosine);
            Assert.Equal(want.Ids, got[q].Ids);
            for (int j = 0; j < 10; j++) Assert.Equal(want.Scores[j], got[q].Scores[j], 1e-5f);
        }
    }

    [Fact]
    public void Ties_put_lower_id_first_and_k_is_clamped_to_count()
    {
        var v = new float[] { 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0 }; // rows 0, 1 and 3 identical
        using var index = new ExactIndex(3);
        index.Add(new EmbeddingMatrix(4, 3, v));
        var r = index.Search(new EmbeddingMatrix(1, 3, [1, 0, 0]), 10)[0];
        Assert.Equal([0, 1, 3, 2], r.Ids);
        Assert.Equal(1f, r.Scores[0], 1e-6f);
        Assert.Equal(0f, r.Scores[3], 1e-6f);
    }

    [Fact]
    public void Second_add_continues_keys_and_save_load_round_trips()
    {
        var a = Random(40, 8, 3);
        var b = Random(25, 8, 4);
        var queries = Random(5, 8, 5);
        using var dir = new TempDir();
        using var index = new ExactIndex(8);
        index.Add(a);
        index.Add(b);
        Assert.Equal(65, index.Count);
        var all = new EmbeddingMatrix(65, 8, a.Data.Concat(b.Data).ToArray());
        var got = index.Search(queries, 5);
        for (int q = 0; q < 5; q++) Assert.Equal(BruteForce(all, queries.Row(q), 5, true).Ids, got[q].Ids);

        index.Save(dir.File("exact.bin"));
        using var loaded = VectorIndex.Open(dir.File("exact.bin"));
        Assert.IsType<ExactIndex>(loaded);
        var again = loaded.Search(queries, 5);
        // Same ids; scores equal up to float rounding (two appended blocks vs one loaded block sum in a different order).
        for (int q = 0; q < 5; q++)
        {
            Assert.Equal(got[q].Ids, again[q].Ids);
            for (int i = 0; i < 5; i++) Assert.Equal(got[q].Scores[i], again[q].Scores[i], 1e-6f);
        }
    }

    [Fact]
    public void Dimension_mismatch_is_reported()
    {
        using var index = new ExactIndex(8);
        var e = Assert.Throws<ArgumentException>(() => index.Add(Random(2, 4, 1)));
        Assert.Contains("dimension 4", e.Message);
        Assert.Contains("has 8", e.Message);
    }

    [Fact]
    public void Corrupt_file_load_names_the_file()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("bad.bin"), "MREMBED\0garbage"u8.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => ExactIndex.Load(dir.File("bad.bin")));
        Assert.Contains("bad.bin", e.Message);
    }
}
