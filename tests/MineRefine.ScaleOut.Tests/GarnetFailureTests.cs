using MineRefine.Retrieval;
using MineRefine.ScaleOut.Garnet;

namespace MineRefine.ScaleOut.Tests;

/// <summary>Tests that kill or restart servers: each builds its own small deployment.</summary>
[Trait("Category", "ScaleOut")]
public sealed class GarnetFailureTests
{
    private static (string[] Ids, EmbeddingMatrix Vecs) Small(int n)
    {
        var ids = SyntheticCatalog.Ids[..n];
        return (ids, new EmbeddingMatrix(n, SyntheticCatalog.Dim, SyntheticCatalog.Vectors.Data[..(n * SyntheticCatalog.Dim)]));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Killed_shard_makes_the_answer_degraded_and_names_it()
    {
        using var cluster = new GarnetTestCluster(3, cluster: true);
        var o = new GarnetShardOptions { Endpoints = cluster.Endpoints, Shards = 3, ShardTimeout = TimeSpan.FromSeconds(8) }; // generous: a healthy shard on a starved CPU must not count as missing
        cluster.FormCluster(Enumerable.Range(0, 3).Select(o.VectorKey).ToArray());
        var (ids, vecs) = Small(300);
        using var conn = GarnetShardConnection.Connect(o);
        new GarnetIndexPusher(conn).Push(ids, vecs);
        using var router = new GarnetShardedRetriever(conn, new GarnetShardedIndexTests.RowEmbedder());
        Assert.False(router.SearchVectors(SyntheticCatalog.Queries(3), 10)[0].Degraded);

        cluster.Kill(1); // shard 1's key lives on node 1
        var after = router.SearchVectors(SyntheticCatalog.Queries(3), 10);
        Assert.All(after, r =>
        {
            Assert.True(r.Degraded);
            Assert.Equal([1], r.MissingShards);
            Assert.NotEmpty(r.Hits); // shards 0 and 2 still answer
            Assert.All(r.Hits, h => Assert.NotEqual(1, ShardAssignment.ShardOf(h.ProductId, 3)));
        });
        var ex = Assert.Throws<ShardsUnavailableException>(() => router.SearchBatch(["p00001"], 5));
        Assert.Equal([1], ex.MissingShards);
        using var lenient = new GarnetShardedRetriever(conn, new GarnetShardedIndexTests.RowEmbedder()) { AllowDegraded = true };
        Assert.NotEmpty(lenient.SearchBatch(["p00001"], 5)[0]);
        Assert.Equal([1], lenient.LastMissingShards);
    }

    [Fact]
    public void Index_survives_save_and_restart_from_the_same_folder()
    {
        using var cluster = new GarnetTestCluster(3, cluster: false);
        var o = new GarnetShardOptions { Endpoints = cluster.Endpoints, Shards = 3 };
        var (ids, vecs) = Small(600);
        using (var conn = GarnetShardConnection.Connect(o))
        {
            Assert.False(conn.IsCluster);
            new GarnetIndexPusher(conn).Push(ids, vecs);
            Assert.True(new GarnetIndexVerifier(conn).Verify(ids, vecs, 10).Ok);
        }
        cluster.SaveAll();
        for (int i = 0; i < 3; i++) cluster.Kill(i);
        for (int i = 0; i < 3; i++) cluster.Start(i, recover: true);
        using (var conn = GarnetShardConnection.Connect(o))
        {
            var report = new GarnetIndexVerifier(conn).Verify(ids, vecs, 10);
            Assert.True(report.Ok, string.Join("; ", report.Shards));
            using var router = new GarnetShardedRetriever(conn, new GarnetShardedIndexTests.RowEmbedder());
            Assert.Equal("p00042", router.SearchBatch(["p00042"], 3)[0][0].ProductId);
            // A resumed push after restart has nothing left to send.
            Assert.Equal(0, new GarnetIndexPusher(conn).Push(ids, vecs).Sent);
        }
    }
}
