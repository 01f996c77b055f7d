using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MineRefine.Cli;
using MineRefine.Cli.Infrastructure;
using MineRefine.Data.Sample;
using MineRefine.Retrieval.Dense;
using MineRefine.Retrieval.Hybrid;
using MineRefine.ScaleOut.Garnet;
using MineRefine.Serving;
using MineRefine.Training;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MineRefine.ScaleOut.Tests;

/// <summary>
/// A tiny search index folder (untrained "tiny" model, 300 sample products, exact local ANN index, hand thresholds)
/// and a 3-node Garnet cluster the folder's vectors are pushed to (default layout: 3 shards, prefix "mr", cosine).
/// </summary>
public sealed class GarnetServeFixture : IDisposable
{
    public string Root { get; }
    public string IndexDir { get; }
    public IReadOnlyList<string> Queries { get; }
    internal GarnetTestCluster Cluster { get; }
    internal GarnetShardOptions Options { get; }

    public GarnetServeFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "mr-serve-" + Guid.NewGuid().ToString("N")[..8]);
        var market = SampleMarketplaceGenerator.Generate(new SampleOptions { Products = 300, Queries = 30, Seed = 5 });
        string modelDir = Path.Combine(Root, "model-src");
        using (var model = TrainModelFactory.Create("tiny", 3)) model.Save(modelDir);
        IndexDir = Path.Combine(Root, "index");
        SearchIndex.Build(modelDir, market.Data.Products, IndexDir,
            new SearchIndexOptions { Vectors = new VectorIndexOptions { Kind = VectorIndexKind.Exact } });
        // Hand thresholds so that tiers are computed (and must agree between backends).
        new GradeThresholds { Exact = 0.6, Partial = 0.3, Criterion = "test" }
            .Save(Path.Combine(IndexDir, SearchIndex.ModelDir, SearchIndex.ThresholdsFile));
        Queries = market.Data.Queries.Select(q => q.Text).Distinct().Take(20).ToArray();

        Cluster = new GarnetTestCluster(3, cluster: true);
        Options = new GarnetShardOptions { Endpoints = Cluster.Endpoints, Shards = 3 };
        Cluster.FormCluster(Enumerable.Range(0, 3).Select(Options.VectorKey).ToArray());
        Push(Options, IndexDir);
    }

    internal static void Push(GarnetShardOptions options, string indexDir)
    {
        var v = IndexFolderVectors.Load(indexDir);
        using var conn = GarnetShardConnection.Connect(options);
        new GarnetIndexPusher(conn).Push(v.ProductIds, v.Vectors, v.Attributes);
    }

    public void Dispose()
    {
        Cluster.Dispose();
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }
}

/// <summary>The search service on a real Kestrel bound to 127.0.0.1:0.</summary>
internal sealed class ServiceUnderTest : IAsyncDisposable
{
    public required WebApplication App { get; init; }
    public required HttpClient Http { get; init; }
    public EngineHost Host => App.Services.GetRequiredService<EngineHost>();

    public static async Task<ServiceUnderTest> StartAsync(Func<CancellationToken, ISearchEngine> loader, bool waitReady = true)
    {
        var app = SearchService.Build(new ServiceOptions { Urls = "http://127.0.0.1:0", ApiKeyEnvironmentVariable = "" }, loader);
        await app.StartAsync();
        var svc = new ServiceUnderTest { App = app, Http = new HttpClient { BaseAddress = new Uri(SearchService.BoundAddresses(app).Single()) } };
        if (waitReady) await svc.Host.FirstLoad.WaitAsync(TimeSpan.FromSeconds(120)); // hang guard only
        return svc;
    }

    public async Task<JsonElement> GetJson(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var r = await Http.GetAsync(url);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == expected, $"{url}: expected {(int)expected}, got {(int)r.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

[Trait("Category", "ScaleOut")]
public sealed class GarnetServeTests(GarnetServeFixture fx) : IClassFixture<GarnetServeFixture>
{
    private static string Search(string q, string mode, int k = 10) => $"/v1/search?q={Uri.EscapeDataString(q)}&k={k}&mode={mode}";

    [Fact]
    public async Task Garnet_backend_answers_like_the_local_exact_backend_in_dense_hybrid_and_bm25_modes()
    {
        using var local = SearchIndex.Open(fx.IndexDir);
        await using var svc = await ServiceUnderTest.StartAsync(ct => GarnetDenseBackend.OpenIndex(fx.IndexDir, fx.Options, ct));
        foreach (var (mode, searchMode) in new[] { ("dense", SearchMode.Dense), ("hybrid", SearchMode.Hybrid), ("bm25", SearchMode.Bm25) })
        {
            double found = 0, wanted = 0;
            foreach (var q in fx.Queries)
            {
                var want = local.Search(q, 10, searchMode, null);
                var got = await svc.GetJson(Search(q, mode));
                Assert.False(got.GetProperty("degraded").GetBoolean());
                Assert.Equal(0, got.GetProperty("missingShards").GetArrayLength());
                var rows = got.GetProperty("results").EnumerateArray().ToList();
                Assert.Equal(want.Results.Count, rows.Count);
                var wantById = want.Results.ToDictionary(r => r.ProductId);
                wanted += want.Results.Count;
                foreach (var row in rows)
                {
                    string id = row.GetProperty("productId").GetString()!;
                    if (!wantById.TryGetValue(id, out var w)) continue;
                    found++;
                    // Same cosine (Garnet distance converted back), hence the same threshold tier.
                    Assert.Equal(w.Dense!.Value, row.GetProperty("dense").GetSingle(), 3);
                    Assert.Equal(w.Tier, row.GetProperty("tier").GetString());
                    Assert.Equal(w.Title, row.GetProperty("title").GetString());
                }
            }
            double recall = found / wanted;
            Assert.True(recall >= 0.9, $"{mode}: recall@10 of the garnet backend vs local exact = {recall:F3}");
            if (searchMode == SearchMode.Bm25) Assert.Equal(1.0, recall); // the BM25 leg is the same local index
        }
    }

    [Fact]
    public async Task Readyz_reports_the_garnet_backend_and_its_shards()
    {
        await using var svc = await ServiceUnderTest.StartAsync(ct => GarnetDenseBackend.OpenIndex(fx.IndexDir, fx.Options, ct));
        var ready = await svc.GetJson("/readyz");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal("garnet", ready.GetProperty("engine").GetProperty("backend").GetString());
        var backend = ready.GetProperty("backend");
        Assert.Equal("garnet", backend.GetProperty("kind").GetString());
        Assert.Equal(3, backend.GetProperty("shards").GetInt32());
        Assert.Equal(0, backend.GetProperty("unreachableShards").GetArrayLength());
        Assert.Contains("cluster", backend.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Local_backend_reports_local_and_is_never_degraded()
    {
        await using var svc = await ServiceUnderTest.StartAsync(ct => SearchIndex.Open(fx.IndexDir, ct));
        var ready = await svc.GetJson("/readyz");
        Assert.Equal("local", ready.GetProperty("backend").GetProperty("kind").GetString());
        Assert.Equal("local", ready.GetProperty("engine").GetProperty("backend").GetString());
        var r = await svc.GetJson(Search(fx.Queries[0], "hybrid"));
        Assert.False(r.GetProperty("degraded").GetBoolean());
    }

    [Fact]
    public async Task Load_fails_and_readyz_is_503_when_no_shard_is_reachable()
    {
        int port = GarnetTestCluster.FreePort(); // nothing listens there
        var nowhere = new GarnetShardOptions { Endpoints = [$"127.0.0.1:{port}"], Shards = 3, ConnectTimeoutMs = 500 };
        await using var svc = await ServiceUnderTest.StartAsync(ct => GarnetDenseBackend.OpenIndex(fx.IndexDir, nowhere, ct), waitReady: false);
        await Assert.ThrowsAnyAsync<Exception>(() => svc.Host.FirstLoad.WaitAsync(TimeSpan.FromSeconds(120)));
        var p = await svc.GetJson("/readyz", HttpStatusCode.ServiceUnavailable);
        Assert.Contains(port.ToString(), p.GetProperty("detail").GetString());
    }

    [Fact]
    public void Load_fails_when_the_servers_answer_but_nothing_was_pushed_under_the_prefix()
    {
        var empty = new GarnetShardOptions { Endpoints = fx.Options.Endpoints, Shards = 3, KeyPrefix = "never-pushed" };
        var e = Assert.Throws<InvalidOperationException>(() => GarnetDenseBackend.OpenIndex(fx.IndexDir, empty));
        Assert.Contains("No shard", e.Message);
        Assert.Contains("index push", e.Message);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Stopped_shard_server_flags_responses_degraded_and_names_the_shard()
    {
        // Own deployment (this test kills servers): 3 independent servers, shard s on server s.
        using var servers = new GarnetTestCluster(3, cluster: false);
        var o = new GarnetShardOptions { Endpoints = servers.Endpoints, Shards = 3, ShardTimeout = TimeSpan.FromSeconds(3) };
        GarnetServeFixture.Push(o, fx.IndexDir);
        await using var svc = await ServiceUnderTest.StartAsync(ct => GarnetDenseBackend.OpenIndex(fx.IndexDir, o, ct));
        string q = fx.Queries[0];
        var before = await svc.GetJson(Search(q, "dense", 20));
        Assert.False(before.GetProperty("degraded").GetBoolean());
        Assert.Contains(before.GetProperty("results").EnumerateArray(), r => ShardAssignment.ShardOf(r.GetProperty("productId").GetString()!, 3) == 1);

        servers.Kill(1);
        foreach (var mode in new[] { "dense", "hybrid" })
        {
            var after = await svc.GetJson(Search(q, mode, 20));
            Assert.True(after.GetProperty("degraded").GetBoolean(), mode);
            Assert.Equal([1], after.GetProperty("missingShards").EnumerateArray().Select(x => x.GetInt32()));
            var results = after.GetProperty("results").EnumerateArray().ToList();
            Assert.NotEmpty(results);
            if (mode == "dense") // every dense hit comes from the answering shards
                Assert.All(results, r => Assert.NotEqual(1, ShardAssignment.ShardOf(r.GetProperty("productId").GetString()!, 3)));
        }
        // BM25 mode does not touch the shards (its dense scores come from the folder's embeddings): complete.
        Assert.False((await svc.GetJson(Search(q, "bm25"))).GetProperty("degraded").GetBoolean());
        var batch = await svc.Http.PostAsync("/v1/search", new StringContent(
            JsonSerializer.Serialize(new { queries = new[] { new { q, mode = "dense" } } }), System.Text.Encoding.UTF8, "application/json"));
        var batchJson = JsonDocument.Parse(await batch.Content.ReadAsStringAsync()).RootElement;
        Assert.True(batchJson.GetProperty("results")[0].GetProperty("degraded").GetBoolean());

        var ready = await svc.GetJson("/readyz");
        Assert.Equal("degraded", ready.GetProperty("status").GetString());
        Assert.Equal([1], ready.GetProperty("backend").GetProperty("unreachableShards").EnumerateArray().Select(x => x.GetInt32()));

        servers.Kill(0);
        servers.Kill(2);
        var down = await svc.GetJson("/readyz", HttpStatusCode.ServiceUnavailable);
        Assert.Contains("no shard", down.GetProperty("title").GetString());
    }

    [Fact]
    public void Serve_cli_validates_the_garnet_options()
    {
        static (int Code, string Text) Run(params string[] args)
        {
            var o = new StringWriter();
            var e = new StringWriter();
            int code = Program.Run(args, CliEnvironment.Plain(o, e));
            return (code, o.ToString() + e);
        }
        var missing = Run("serve", "--index", fx.IndexDir, "--backend", "garnet");
        Assert.NotEqual(0, missing.Code);
        Assert.Contains("--garnet", missing.Text);
        var unknown = Run("serve", "--index", fx.IndexDir, "--backend", "redis");
        Assert.NotEqual(0, unknown.Code);
        Assert.Contains("--backend", unknown.Text);
        var badTimeout = Run("serve", "--index", fx.IndexDir, "--backend", "garnet", "--garnet", "127.0.0.1:1", "--shard-timeout-ms", "0");
        Assert.NotEqual(0, badTimeout.Code);
        Assert.Contains("--shard-timeout-ms", badTimeout.Text);
        var stray = Run("serve", "--index", fx.IndexDir, "--garnet", "127.0.0.1:1");
        Assert.NotEqual(0, stray.Code);
        Assert.Contains("--backend garnet", stray.Text);
    }
}
