using MineRefine.Modeling;
using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;
using MineRefine.ScaleOut.Garnet;

namespace MineRefine.ScaleOut.Tests;

/// <summary>Shared catalog: 3,000 clustered 32-d unit vectors with a category attribute (cluster mod 4).</summary>
internal static class SyntheticCatalog
{
    public const int Count = 3000, Dim = 32;
    public static readonly ClusteredVectors Gen = new(Dim, clusters: 40, seed: 7);
    public static readonly EmbeddingMatrix Vectors = Gen.Sample(Count, seed: 11, out ClusterOf);
    public static readonly int[] ClusterOf;
    public static readonly string[] Ids = Enumerable.Range(0, Count).Select(i => $"p{i:D5}").ToArray();
    public static readonly string?[] Attributes = ClusterOf.Select(c => GarnetIndexPusher.CategoryAttribute("cat" + (c % 4))).ToArray();
    public static EmbeddingMatrix Queries(int n) => Gen.Sample(n, seed: 99, out _);
}

/// <summary>
/// A 3-node in-process Garnet cluster with the catalog pushed once; the tests here only read from it.
/// </summary>
public sealed class GarnetClusterFixture : IDisposable
{
    internal GarnetTestCluster Cluster { get; }
    internal GarnetShardOptions Options { get; }
    internal PushReport FirstPush { get; }

    public GarnetClusterFixture()
    {
        Cluster = new GarnetTestCluster(3, cluster: true);
        Options = new GarnetShardOptions { Endpoints = Cluster.Endpoints, Shards = 3, SearchEf = 100, PushBatchSize = 200 };
        Cluster.FormCluster(Enumerable.Range(0, 3).Select(Options.VectorKey).ToArray());
        using var conn = GarnetShardConnection.Connect(Options);
        FirstPush = new GarnetIndexPusher(conn).Push(SyntheticCatalog.Ids, SyntheticCatalog.Vectors, SyntheticCatalog.Attributes);
    }

    public void Dispose() => Cluster.Dispose();
}

[Trait("Category", "ScaleOut")]
public sealed class GarnetShardedIndexTests(GarnetClusterFixture fx) : IClassFixture<GarnetClusterFixture>
{
    [Fact]
    public void Cluster_mode_is_detected_and_shards_live_on_distinct_nodes()
    {
        using var conn = GarnetShardConnection.Connect(fx.Options);
        Assert.True(conn.IsCluster);
        var owners = Enumerable.Range(0, 3).Select(conn.Owner).ToArray();
        Assert.Equal(3, owners.Distinct().Count());
    }

    [Fact]
    public void Push_adds_every_item_once_and_verify_matches_counts_and_embeddings()
    {
        Assert.Equal(SyntheticCatalog.Count, fx.FirstPush.Shards.Sum(s => s.Added));
        Assert.All(fx.FirstPush.Shards, s => Assert.True(s.Items > 500, $"shard {s.Shard} got only {s.Items} items"));
        using var conn = GarnetShardConnection.Connect(fx.Options);
        var report = new GarnetIndexVerifier(conn).Verify(SyntheticCatalog.Ids, SyntheticCatalog.Vectors, samplesPerShard: 25);
        Assert.True(report.Ok, string.Join("; ", report.Shards));
        Assert.Equal(SyntheticCatalog.Count, report.Shards.Sum(s => s.Actual));
    }

    [Fact]
    public void Verify_detects_a_wrong_embedding()
    {
        using var conn = GarnetShardConnection.Connect(fx.Options);
        var tampered = new EmbeddingMatrix(SyntheticCatalog.Count, SyntheticCatalog.Dim, (float[])SyntheticCatalog.Vectors.Data.Clone());
        for (int i = 0; i < tampered.Data.Length; i++) tampered.Data[i] += 0.01f;
        var report = new GarnetIndexVerifier(conn).Verify(SyntheticCatalog.Ids, tampered, samplesPerShard: 5);
        Assert.False(report.Ok);
        Assert.All(report.Shards, s => Assert.InRange(s.MaxAbsError, 0.009, 0.011));
    }

    [Fact]
    public void Repush_is_idempotent_and_skips_by_marker()
    {
        using var conn = GarnetShardConnection.Connect(fx.Options);
        var again = new GarnetIndexPusher(conn).Push(SyntheticCatalog.Ids, SyntheticCatalog.Vectors, SyntheticCatalog.Attributes);
        Assert.Equal(0, again.Sent);
        Assert.Equal(SyntheticCatalog.Count, again.Shards.Sum(s => s.SkippedByMarker));
    }

    [Fact]
    public void Crashed_push_resumes_and_sends_only_what_is_missing()
    {
        var o = new GarnetShardOptions { Endpoints = fx.Options.Endpoints, Shards = 3, KeyPrefix = "resume", PushBatchSize = 100 };
        using var conn = GarnetShardConnection.Connect(o);
        var pusher = new GarnetIndexPusher(conn);
        var ids = SyntheticCatalog.Ids[..600];
        var vecs = new EmbeddingMatrix(600, SyntheticCatalog.Dim, SyntheticCatalog.Vectors.Data[..(600 * SyntheticCatalog.Dim)]);
        var partial = pusher.Push(ids, vecs, stopAfter: 250);
        Assert.InRange(partial.Sent, 250, 349);
        var resumed = pusher.Push(ids, vecs);
        Assert.Equal(600, partial.Sent + resumed.Sent);
        Assert.Equal(600 - partial.Sent, resumed.Shards.Sum(s => s.Added));
        Assert.True(new GarnetIndexVerifier(conn).Verify(ids, vecs, 10).Ok);
    }

    [Fact]
    public void Router_recall_at_10_vs_exact_is_at_least_095_and_scores_are_cosines()
    {
        using var conn = GarnetShardConnection.Connect(fx.Options);
        using var router = new GarnetShardedRetriever(conn);
        using var exact = new ExactIndex(SyntheticCatalog.Dim, new VectorIndexOptions());
        exact.Add(SyntheticCatalog.Vectors);
        var q = SyntheticCatalog.Queries(100);
        var truth = exact.Search(q, 10);
        var got = router.SearchVectors(q, 10);
        double hits = 0;
        for (int i = 0; i < q.Count; i++)
        {
            Assert.False(got[i].Degraded);
            Assert.Equal(10, got[i].Hits.Count);
            var want = truth[i].Ids.Select(r => SyntheticCatalog.Ids[r]).ToHashSet();
            hits += got[i].Hits.Count(h => want.Contains(h.ProductId));
            for (int j = 1; j < got[i].Hits.Count; j++) Assert.True(got[i].Hits[j - 1].Score >= got[i].Hits[j].Score);
            // The similarity reported equals the true cosine of the returned item.
            var top = got[i].Hits[0];
            int row = int.Parse(top.ProductId[1..]);
            float dot = 0;
            var a = q.Row(i); var b = SyntheticCatalog.Vectors.Row(row);
            for (int c = 0; c < a.Length; c++) dot += a[c] * b[c];
            Assert.Equal(dot, top.Score, 3);
        }
        double recall = hits / (10.0 * q.Count);
        Assert.True(recall >= 0.95, $"recall@10 = {recall:F3}");
    }

    [Fact]
    public void Filter_restricts_results_to_the_category()
    {
        using var conn = GarnetShardConnection.Connect(fx.Options);
        using var router = new GarnetShardedRetriever(conn);
        var q = SyntheticCatalog.Queries(5);
        var got = router.SearchVectors(q, 10, filter: ".category == \"cat2\"");
        Assert.All(got, r =>
        {
            Assert.NotEmpty(r.Hits);
            Assert.All(r.Hits, h => Assert.Equal(2, SyntheticCatalog.ClusterOf[int.Parse(h.ProductId[1..])] % 4));
        });
    }

    [Fact]
    public void Text_search_goes_through_the_embedder()
    {
        using var conn = GarnetShardConnection.Connect(fx.Options);
        using var router = new GarnetShardedRetriever(conn, new RowEmbedder());
        var hits = router.SearchBatch(["p00042", "p01234"], 5);
        Assert.Equal("p00042", hits[0][0].ProductId);
        Assert.Equal("p01234", hits[1][0].ProductId);
        Assert.Empty(router.LastMissingShards);
    }

    /// <summary>Embeds the text "pNNNNN" as catalog row NNNNN (so the nearest item is the row itself).</summary>
    internal sealed class RowEmbedder : ITextEmbedder
    {
        public string Name => "rows";
        public int Dimension => SyntheticCatalog.Dim;
        public string ModelHash => "rows";
        public EmbeddingMatrix Encode(IReadOnlyList<string> texts, EmbeddingRole role, IProgress<int>? progress = null)
        {
            var data = new float[texts.Count * Dimension];
            for (int i = 0; i < texts.Count; i++) SyntheticCatalog.Vectors.Row(int.Parse(texts[i][1..])).CopyTo(data.AsSpan(i * Dimension));
            return new EmbeddingMatrix(texts.Count, Dimension, data);
        }
        public void Dispose() { }
    }
}
