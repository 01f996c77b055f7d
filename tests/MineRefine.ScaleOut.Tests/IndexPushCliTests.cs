using MineRefine.Cli;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Data.Import;
using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;
using MineRefine.ScaleOut.Garnet;
using MineRefine.Serving;

namespace MineRefine.ScaleOut.Tests;

[Trait("Category", "ScaleOut")]
public sealed class IndexPushCliTests
{
    /// <summary>Writes a minimal index folder (products, embedding cache, index.json) without a model.</summary>
    private static string IndexFolder(int n)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mr-pushcli-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var products = Enumerable.Range(0, n).Select(i => new Product(SyntheticCatalog.Ids[i], "t" + i, null,
            new[] { "cat" + (SyntheticCatalog.ClusterOf[i] % 4), "leaf" }, Product.EmptyAttributes, "en")).ToList();
        using (var w = new JsonlWriter(Path.Combine(dir, SearchIndex.ProductsFile)))
            foreach (var p in products) w.Write(p);
        var vecs = new EmbeddingMatrix(n, SyntheticCatalog.Dim, SyntheticCatalog.Vectors.Data[..(n * SyntheticCatalog.Dim)]);
        new EmbeddingCache(Path.Combine(dir, SearchIndex.EmbeddingsDir)).GetOrCompute("mh", "ch", n, SyntheticCatalog.Dim, () => vecs, out _);
        Json.WriteFile(Path.Combine(dir, SearchIndex.ManifestFile),
            new SearchIndexManifest(n, SyntheticCatalog.Dim, "synthetic", "mh", "ch", "exact", false, false, DateTimeOffset.UtcNow, 0));
        return dir;
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, CliEnvironment.Plain(stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Push_then_verify_through_the_cli_on_independent_servers()
    {
        using var servers = new GarnetTestCluster(2, cluster: false);
        var dir = IndexFolder(400);
        try
        {
            string garnet = string.Join(",", servers.Endpoints);
            var push = Run("index", "push", "--index", dir, "--garnet", garnet, "--shards", "3", "--json");
            Assert.True(push.Code == 0, push.Err + push.Out);
            using (var json = System.Text.Json.JsonDocument.Parse(push.Out))
            {
                var shards = json.RootElement.EnumerateObject().First(p => p.Name.Equals("shards", StringComparison.OrdinalIgnoreCase)).Value;
                Assert.Equal(3, shards.GetArrayLength());
                Assert.Equal(400, shards.EnumerateArray().Sum(s => s.EnumerateObject().First(p => p.Name.Equals("added", StringComparison.OrdinalIgnoreCase)).Value.GetInt32()));
            }
            var verify = Run("index", "verify", "--index", dir, "--garnet", garnet, "--shards", "3");
            Assert.True(verify.Code == 0, verify.Err + verify.Out);
            Assert.Contains("index matches", verify.Out);
            // Category attributes were set from the catalog's top-level category.
            using var conn = GarnetShardConnection.Connect(new GarnetShardOptions { Endpoints = servers.Endpoints, Shards = 3 });
            var attr = conn.Database(ShardAssignment.ShardOf("p00007", 3)).Execute("VGETATTR", "mr:{shard-" + ShardAssignment.ShardOf("p00007", 3) + "}:vec", "p00007").ToString();
            Assert.Equal($"{{\"category\":\"cat{SyntheticCatalog.ClusterOf[7] % 4}\"}}", attr);
            // Verifying against 4 shards (a different layout) fails with exit code 1.
            Assert.Equal(1, Run("index", "verify", "--index", dir, "--garnet", garnet, "--shards", "4").Code);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Push_without_garnet_is_a_usage_error_naming_the_option()
    {
        var dir = IndexFolder(10);
        try
        {
            var r = Run("index", "push", "--index", dir);
            Assert.NotEqual(0, r.Code);
            Assert.Contains("--garnet", r.Err + r.Out);
        }
        finally { Directory.Delete(dir, true); }
    }
}
