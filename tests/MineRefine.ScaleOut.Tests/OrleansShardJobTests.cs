using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using MineRefine.Data;
using MineRefine.Labeling;
using MineRefine.Modeling;
using MineRefine.Retrieval;
using MineRefine.ScaleOut.Orleans;
using Orleans.TestingHost;

namespace MineRefine.ScaleOut.Tests;

/// <summary>Deterministic fake embedder: each text's vector depends only on the text (seeded by its FNV hash).</summary>
internal sealed class HashEmbedder : ITextEmbedder
{
    /// <summary>Texts that throw the first time they are seen (failure injection; shared by all in-process silos).</summary>
    public static readonly ConcurrentDictionary<string, int> FailOnce = new();
    /// <summary>Sleep per Encode call (to keep a job running while a silo is killed).</summary>
    public static volatile int DelayMs;
    /// <summary>Texts that always throw.</summary>
    public static readonly ConcurrentDictionary<string, bool> FailAlways = new();

    public string Name => "hash";
    public int Dimension => 16;
    public string ModelHash => "hash-v1";
    public EmbeddingMatrix Encode(IReadOnlyList<string> texts, EmbeddingRole role, IProgress<int>? progress = null)
    {
        if (DelayMs > 0) Thread.Sleep(DelayMs);
        foreach (var t in texts)
        {
            if (FailAlways.ContainsKey(t)) throw new InvalidOperationException($"injected permanent failure on '{t}'");
            if (FailOnce.TryGetValue(t, out int n) && n == 0 && FailOnce.TryUpdate(t, 1, 0))
                throw new InvalidOperationException($"injected failure on '{t}'");
        }
        var data = new float[texts.Count * Dimension];
        for (int i = 0; i < texts.Count; i++)
        {
            uint h = 2166136261;
            foreach (char c in texts[i]) { h ^= c; h *= 16777619; }
            var rng = new Random((int)h ^ (role == EmbeddingRole.Item ? 1 : 2));
            double norm = 0;
            for (int j = 0; j < Dimension; j++) { float v = (float)(rng.NextDouble() - 0.5); data[i * Dimension + j] = v; norm += v * v; }
            for (int j = 0; j < Dimension; j++) data[i * Dimension + j] /= (float)Math.Sqrt(norm);
        }
        return new EmbeddingMatrix(texts.Count, Dimension, data);
    }
    public void Dispose() { }
}

/// <summary>Fake judge: grade from the word overlap of query and item text.</summary>
internal sealed class OverlapLabeler : ILabeler
{
    public string Name => "overlap";
    public Task<IReadOnlyList<LabelResult>> LabelAsync(IReadOnlyList<LabelRequest> pairs, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var r = pairs.Select(p =>
        {
            var q = p.QueryText.Split(' ').ToHashSet();
            int overlap = p.ItemText.Split(' ').Count(q.Contains);
            float p2 = Math.Min(0.9f, 0.1f + 0.2f * overlap), p0 = (1 - p2) / 2;
            return LabelResult.FromProbabilities([p0, 1 - p2 - p0, p2], JudgmentSource.Model, Name);
        }).ToList();
        return Task.FromResult<IReadOnlyList<LabelResult>>(r);
    }
    public void Dispose() { }
}

public sealed class FakeServicesConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.ConfigureServices(s =>
    {
        s.AddSingleton<ITextEmbedder, HashEmbedder>();
        s.AddSingleton<ILabeler, OverlapLabeler>();
    });
}

/// <summary>Orleans in-process test cluster with three silos.</summary>
public sealed class OrleansClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;
    public string Results { get; } = Path.Combine(Path.GetTempPath(), "mr-orleans-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<FakeServicesConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try { Directory.Delete(Results, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[Trait("Category", "ScaleOut")]
public sealed class OrleansShardJobTests(OrleansClusterFixture fx) : IClassFixture<OrleansClusterFixture>
{
    private static readonly string[] Texts = Enumerable.Range(0, 2000).Select(i => $"item {i} drill bit {i % 17}").ToArray();

    private ShardJobCoordinator Coordinator(int shardSize = 150, Action<int, int, string>? onRetry = null) =>
        new(fx.Cluster.GrainFactory, new ShardJobOptions { ResultsFolder = fx.Results, ShardSize = shardSize, RetryDelay = TimeSpan.FromMilliseconds(10) }) { OnRetry = onRetry };

    [Fact]
    public async Task Encode_job_over_three_silos_equals_the_single_process_result()
    {
        var job = await Coordinator().EncodeAsync("enc-a", Texts);
        var local = LocalShardJobs.Encode(new HashEmbedder(), Texts, 150);
        Assert.Equal(local.Checksum, job.Checksum);
        Assert.Equal(local.Embeddings.Data, job.Embeddings.Data);
        Assert.Equal(14, job.Shards.Count);
        Assert.True(job.Shards.Select(s => s.Outcome.Silo).Distinct().Count() >= 2, "all shards ran on one silo");
        Assert.All(job.Shards, s => Assert.False(s.Outcome.FromExistingResult));

        // Running the same job again recomputes nothing: every shard result is already stored.
        var again = await Coordinator().EncodeAsync("enc-a", Texts);
        Assert.Equal(job.Checksum, again.Checksum);
        Assert.All(again.Shards, s => Assert.True(s.Outcome.FromExistingResult));
    }

    [Fact]
    public async Task A_failing_shard_is_retried_and_the_result_is_still_identical()
    {
        HashEmbedder.FailOnce[Texts[1000]] = 0; // shard 1000/150 = 6 fails once
        var retried = new ConcurrentBag<int>();
        var job = await Coordinator(onRetry: (s, _, _) => retried.Add(s)).EncodeAsync("enc-retry", Texts);
        Assert.Equal([6], retried.ToArray());
        Assert.Equal(2, job.Shards[6].Attempts);
        Assert.Contains("injected failure", job.Shards[6].Errors[0]);
        Assert.Equal(LocalShardJobs.Encode(new HashEmbedder(), Texts, 150).Checksum, job.Checksum);
    }

    [Fact]
    public async Task A_shard_failing_every_attempt_fails_the_job_naming_it()
    {
        var coordinator = new ShardJobCoordinator(fx.Cluster.GrainFactory,
            new ShardJobOptions { ResultsFolder = fx.Results, ShardSize = 10, MaxAttempts = 2, RetryDelay = TimeSpan.Zero });
        var texts = Enumerable.Range(0, 30).Select(i => $"x{i}").ToArray();
        HashEmbedder.FailAlways["x25"] = true;
        try
        {
            var ex = await Assert.ThrowsAsync<ShardJobFailedException>(() => coordinator.EncodeAsync("enc-fail", texts));
            Assert.Equal(2, ex.Shard);
            Assert.Equal(2, ex.Errors.Count);
            Assert.Contains("x25", ex.Message);
        }
        finally { HashEmbedder.FailAlways.TryRemove("x25", out _); }
    }

    [Fact]
    public async Task Grade_job_equals_the_single_process_result()
    {
        var pairs = Enumerable.Range(0, 500).Select(i => new LabelRequest($"q{i % 40}", $"drill bit {i % 7}", $"p{i}", Texts[i])).ToArray();
        var job = await Coordinator(shardSize: 64).GradeAsync("grade-a", pairs, "overlap");
        var local = await LocalShardJobs.GradeAsync(new OverlapLabeler(), pairs, 64);
        Assert.Equal(local.Checksum, job.Checksum);
        Assert.Equal(local.Labels.Select(l => l.Grade), job.Labels.Select(l => l.Grade));
        Assert.Contains(job.Labels, l => l.Grade == 2);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Killing_a_silo_mid_job_still_gives_the_identical_result()
    {
        // Own cluster: this test kills a silo.
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<FakeServicesConfigurator>();
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var results = Path.Combine(fx.Results, "kill");
        HashEmbedder.DelayMs = 150;
        try
        {
            var coordinator = new ShardJobCoordinator(cluster.GrainFactory,
                new ShardJobOptions { ResultsFolder = results, ShardSize = 50, MaxConcurrentShards = 3, ShardTimeout = TimeSpan.FromSeconds(20), MaxAttempts = 6 });
            var texts = Texts[..1200];
            var job = coordinator.EncodeAsync("enc-kill", texts);
            while (!job.IsCompleted && (!Directory.Exists(Path.Combine(results, "enc-kill")) || Directory.GetFiles(Path.Combine(results, "enc-kill"), "*.emb").Length < 3))
                await Task.Delay(20);
            Assert.False(job.IsCompleted, "the job finished before a silo could be killed; raise DelayMs");
            await cluster.KillSiloAsync(cluster.SecondarySilos[0]);
            var done = await job;
            Assert.Equal(LocalShardJobs.Encode(new HashEmbedder(), texts, 50).Checksum, done.Checksum);
        }
        finally
        {
            HashEmbedder.DelayMs = 0;
            await cluster.StopAllSilosAsync();
        }
    }
}
