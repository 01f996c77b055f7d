using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;

namespace MineRefine.Tests.Dense;

public class EmbeddingCacheTests
{
    private static EmbeddingMatrix Matrix(int n, int d, int seed)
    {
        var rng = new Random(seed);
        return new EmbeddingMatrix(n, d, Enumerable.Range(0, n * d).Select(_ => (float)rng.NextDouble()).ToArray());
    }

    [Fact]
    public void Round_trip_returns_identical_values_without_recomputing()
    {
        using var dir = new TempDir();
        var warnings = new List<string>();
        var cache = new EmbeddingCache(dir.Path, warnings.Add);
        var m = Matrix(7, 5, 1);
        int computed = 0;
        var first = cache.GetOrCompute("modelA", "cat1", 7, 5, () => { computed++; return m; }, out var c1);
        var second = cache.GetOrCompute("modelA", "cat1", 7, 5, () => { computed++; return m; }, out var c2);
        Assert.False(c1);
        Assert.True(c2);
        Assert.Equal(1, computed);
        Assert.Equal(m.Data, second.Data);
        Assert.Empty(warnings);
        Assert.True(File.Exists(Path.ChangeExtension(cache.PathFor("modelA", "cat1"), ".json")));
    }

    [Fact]
    public void Model_hash_change_recomputes()
    {
        using var dir = new TempDir();
        var cache = new EmbeddingCache(dir.Path, _ => { });
        cache.Store("modelA", "cat1", Matrix(3, 4, 1));
        int computed = 0;
        var fresh = Matrix(3, 4, 2);
        var got = cache.GetOrCompute("modelB", "cat1", 3, 4, () => { computed++; return fresh; }, out var cached);
        Assert.False(cached);
        Assert.Equal(1, computed);
        Assert.Equal(fresh.Data, got.Data);
    }

    [Fact]
    public void Entry_claiming_another_model_is_rejected_with_a_warning()
    {
        using var dir = new TempDir();
        var warnings = new List<string>();
        var cache = new EmbeddingCache(dir.Path, warnings.Add);
        cache.Store("modelA", "cat1", Matrix(3, 4, 1));
        // Put model A's entry where model B's belongs (e.g. a stale copy): the sidecar's model hash must be checked.
        File.Copy(cache.PathFor("modelA", "cat1"), cache.PathFor("modelB", "cat1"));
        File.Copy(Path.ChangeExtension(cache.PathFor("modelA", "cat1"), ".json"), Path.ChangeExtension(cache.PathFor("modelB", "cat1"), ".json"));
        var fresh = Matrix(3, 4, 9);
        var got = cache.GetOrCompute("modelB", "cat1", 3, 4, () => fresh, out var cached);
        Assert.False(cached);
        Assert.Equal(fresh.Data, got.Data);
        Assert.Single(warnings);
        Assert.Contains("model hash", warnings[0]);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("magic")]
    [InlineData("sidecar")]
    public void Corrupted_entry_is_recomputed_with_a_warning(string damage)
    {
        using var dir = new TempDir();
        var warnings = new List<string>();
        var cache = new EmbeddingCache(dir.Path, warnings.Add);
        cache.Store("m", "c", Matrix(6, 4, 1));
        var bin = cache.PathFor("m", "c");
        var bytes = File.ReadAllBytes(bin);
        switch (damage)
        {
            case "flip": bytes[^3] ^= 0x40; File.WriteAllBytes(bin, bytes); break;
            case "truncate": File.WriteAllBytes(bin, bytes[..^4]); break;
            case "magic": bytes[0] = (byte)'X'; File.WriteAllBytes(bin, bytes); break;
            case "sidecar": File.WriteAllText(Path.ChangeExtension(bin, ".json"), "{ not json"); break;
        }
        var fresh = Matrix(6, 4, 2);
        var got = cache.GetOrCompute("m", "c", 6, 4, () => fresh, out var cached);
        Assert.False(cached);
        Assert.Equal(fresh.Data, got.Data);
        Assert.Single(warnings);
        Assert.Contains(bin, warnings[0]);
        // The entry was rewritten and is valid again.
        Assert.NotNull(cache.TryLoad("m", "c", 6, 4, out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void Shape_mismatch_is_not_used()
    {
        using var dir = new TempDir();
        var warnings = new List<string>();
        var cache = new EmbeddingCache(dir.Path, warnings.Add);
        cache.Store("m", "c", Matrix(6, 4, 1));
        Assert.Null(cache.TryLoad("m", "c", 7, 4, out var problem));
        Assert.Contains("expected 7×4", problem);
    }

    [Fact]
    public void Catalog_hash_depends_on_every_text_and_its_boundaries()
    {
        var h = CatalogHash.Of(["ab", "c"]);
        Assert.Equal(h, CatalogHash.Of(new List<string> { "ab", "c" }));
        Assert.NotEqual(h, CatalogHash.Of(["a", "bc"]));
        Assert.NotEqual(h, CatalogHash.Of(["c", "ab"]));
        Assert.NotEqual(h, CatalogHash.Of(["ab", "c", ""]));
        Assert.NotEqual(h, CatalogHash.Of(["ab", "d"]));
        Assert.Equal(64, h.Length);
    }
}
