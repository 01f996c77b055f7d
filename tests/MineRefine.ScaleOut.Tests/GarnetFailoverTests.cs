using MineRefine.Retrieval;
using MineRefine.ScaleOut.Garnet;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace MineRefine.ScaleOut.Tests;

/// <summary>
/// The failover runbook of docs/scaling-out.md on a 4-node in-process cluster: nodes 0–2 are primaries (one shard
/// each); the catalog is pushed, node 1 is saved, then node 3 is attached as its replica (initial sync from
/// the checkpoint), node 1 is killed, node 3 is promoted with CLUSTER FAILOVER FORCE, saved and restarted. Every command and reply is written to the test output.
/// </summary>
[Trait("Category", "ScaleOut")]
public sealed class GarnetFailoverTests(ITestOutputHelper output)
{
    private string Cmd(IServer server, params object[] args)
    {
        string reply;
        try { reply = server.Execute((string)args[0], args.Skip(1).ToArray()).ToString() ?? "(nil)"; }
        catch (RedisException e) { reply = "EXCEPTION " + e.Message; }
        output.WriteLine($"{server.EndPoint} > {string.Join(" ", args)}\n  {reply.Replace("\n", "\n  ")}");
        return reply;
    }

    private static T WaitFor<T>(Func<T?> probe, string what, int seconds = 180) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds); // hang guard, not a timing assertion (a starved CPU slows the replica sync a lot)
        while (true)
        {
            if (probe() is { } v) return v;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting for {what} after {seconds} s");
            Thread.Sleep(250);
        }
    }

    /// <summary>Asserts that the cluster holds exactly these vectors (counts and sampled embeddings). Right after a
    /// promoted node restarted, a shard can still answer with an error for a moment, so a failed check is repeated for
    /// up to a minute; the last report is in the failure message.</summary>
    private static void Verified(GarnetIndexVerifier verifier, string[] ids, EmbeddingMatrix vectors)
    {
        VerifyReport? last = null;
        try { WaitFor(() => (last = verifier.Verify(ids, vectors, 20)).Ok ? last : null, "the vectors to verify", seconds: 60); }
        catch (TimeoutException) { Assert.Fail("verify failed: " + string.Join("; ", last!.Shards)); }
    }

    /// <summary>SAVE through <see cref="GarnetTestCluster.SaveWhenIdle"/> (retried while a checkpoint is in progress),
    /// logged like every other command.</summary>
    private void Save(IServer server, string what)
    {
        var reply = GarnetTestCluster.SaveWhenIdle(server);
        output.WriteLine($"{server.EndPoint} > SAVE ({what})\n  {reply}");
        Assert.StartsWith("OK", reply);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Replica_promoted_with_failover_force_then_saved_and_restarted_serves_the_shard_and_repush_is_idempotent()
    {
        using var cluster = new GarnetTestCluster(4, cluster: true, "--aof");
        var o = new GarnetShardOptions { Endpoints = cluster.Endpoints[..3], Shards = 3, ShardTimeout = TimeSpan.FromSeconds(3) };
        cluster.FormCluster(Enumerable.Range(0, 3).Select(o.VectorKey).ToArray()); // node 3 joins with no slots
        int n = 300;
        var ids = SyntheticCatalog.Ids[..n];
        var vecs = new EmbeddingMatrix(n, SyntheticCatalog.Dim, SyntheticCatalog.Vectors.Data[..(n * SyntheticCatalog.Dim)]);
        string key1 = o.VectorKey(1);
        int onShard1 = ids.Count(id => ShardAssignment.ShardOf(id, 3) == 1);

        using (var conn = GarnetShardConnection.Connect(o))
        {
            var push = new GarnetIndexPusher(conn).Push(ids, vecs);
            Assert.Equal(n, push.Shards.Sum(s => s.Added));
        }

        using (var admin = cluster.Direct())
        {
            var primary = cluster.Admin(admin, 1);
            var replica = cluster.Admin(admin, 3);
            // Checkpoint the primary first so the replica's initial sync transfers a checkpoint (the issue's case).
            Save(primary, "the primary of shard 1");
            string primaryId = Cmd(primary, "CLUSTER", "MYID").Trim();
            Assert.StartsWith("OK", Cmd(replica, "CLUSTER", "REPLICATE", primaryId));
            WaitFor(() => Cmd(replica, "INFO", "replication") is var r && r.Contains("role:slave") && r.Contains("master_link_status:up") && r.Contains("master_sync_in_progress:False") ? r : null,
                "node 3 to replicate node 1");
        }

        using (var admin = cluster.Direct())
        {
            var replica = cluster.Admin(admin, 3);
            Cmd(replica, "READONLY");
            WaitFor(() => Cmd(replica, "VCARD", key1) is var c && long.TryParse(c, out long v) && v == onShard1 ? c : null,
                $"the replica to hold the {onShard1} elements of shard 1");
        }

        cluster.Kill(1);
        using (var admin = cluster.Direct())
        {
            var replica = cluster.Admin(admin, 3);
            Cmd(replica, "INFO", "replication");
            Cmd(replica, "CLUSTER", "NODES");
            var reply = Cmd(replica, "CLUSTER", "FAILOVER", "FORCE");
            if (!reply.StartsWith("OK")) reply = Cmd(replica, "CLUSTER", "FAILOVER", "TAKEOVER");
            Assert.StartsWith("OK", reply);
            WaitFor(() => Cmd(replica, "INFO", "replication") is var r && r.Contains("role:master") ? r : null, "node 3 to become primary");
            Save(replica, "the promoted node");
        }
        // Runbook step 3: restart the promoted node from its checkpoint before any write.
        cluster.Kill(3);
        cluster.Start(3, recover: true);
        using (var admin = cluster.Direct())
        {
            var promoted = cluster.Admin(admin, 3);
            Cmd(promoted, "CLUSTER", "NODES");
            WaitFor(() => Cmd(promoted, "INFO", "replication") is var r && r.Contains("role:master") ? r : null, "node 3 to come back as primary");
            Assert.Equal(onShard1.ToString(), Cmd(promoted, "VCARD", key1));
        }

        var after = new GarnetShardOptions { Endpoints = [cluster.Endpoints[0], cluster.Endpoints[2], cluster.Endpoints[3]], Shards = 3 };
        using (var conn = GarnetShardConnection.Connect(after))
        {
            Assert.EndsWith(":" + cluster.Ports[3], conn.Owner(1));
            using var router = new GarnetShardedRetriever(conn, new GarnetShardedIndexTests.RowEmbedder());
            string probe = ids.First(id => ShardAssignment.ShardOf(id, 3) == 1);
            Assert.Equal(probe, router.SearchBatch([probe], 3)[0][0].ProductId); // no ShardsUnavailableException
            var repush = new GarnetIndexPusher(conn).Push(ids, vecs);
            Assert.Equal(0, repush.Shards.Sum(s => s.Added));
            Verified(new GarnetIndexVerifier(conn), ids, vecs);

            // A new vector set written after promotion lives beside the old one without mixing.
            var v2 = new GarnetShardOptions { Endpoints = after.Endpoints, Shards = 3, KeyPrefix = "v2" };
            using var conn2 = GarnetShardConnection.Connect(v2);
            var reversed = ids.Reverse().ToArray(); // same vectors, other names: a mix would show old names
            Assert.Equal(n, new GarnetIndexPusher(conn2).Push(reversed, vecs).Shards.Sum(s => s.Added));
            Verified(new GarnetIndexVerifier(conn2), reversed, vecs);
            Verified(new GarnetIndexVerifier(conn), ids, vecs);
        }
    }
}
