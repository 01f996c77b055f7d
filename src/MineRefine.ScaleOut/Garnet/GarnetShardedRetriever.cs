using System.Globalization;
using MineRefine.Modeling;
using MineRefine.Retrieval;
using StackExchange.Redis;

namespace MineRefine.ScaleOut.Garnet;

/// <summary>
/// Result of one sharded query: merged hits (similarity, descending) plus which shards did not answer in time.
/// <see cref="Degraded"/> is true whenever <see cref="MissingShards"/> is non-empty: the hits then cover only the
/// answering shards and must not be presented as complete.
/// </summary>
public sealed record ShardedSearchResult(IReadOnlyList<SearchHit> Hits, IReadOnlyList<int> MissingShards, IReadOnlyList<string> Errors)
{
    /// <summary>True if at least one shard failed or timed out.</summary>
    public bool Degraded => MissingShards.Count > 0;
}

/// <summary>Thrown by <see cref="GarnetShardedRetriever.SearchBatch"/> when shards are missing and partial answers are not allowed.</summary>
public sealed class ShardsUnavailableException(IReadOnlyList<ShardedSearchResult> results, IReadOnlyList<int> missing, string message)
    : Exception(message)
{
    /// <summary>The degraded per-query results (partial hits from the answering shards).</summary>
    public IReadOnlyList<ShardedSearchResult> Results { get; } = results;
    /// <summary>Union of the missing shards over the batch.</summary>
    public IReadOnlyList<int> MissingShards { get; } = missing;
}

/// <summary>
/// Router over a sharded Garnet vector index: each query is sent to every shard
/// (<c>VSIM key FP32 blob COUNT k EF e [FILTER expr] WITHSCORES</c>) in parallel, each shard under its own timeout;
/// the per-shard lists (Garnet 2.2.8 returns distances, ascending) are converted to similarities with
/// <see cref="GarnetShardOptions.Similarity"/> and merged into the global top-k. A shard that fails or times out is
/// named in <see cref="ShardedSearchResult.MissingShards"/>; the <see cref="IRetriever"/> entry point throws
/// <see cref="ShardsUnavailableException"/> in that case unless <see cref="AllowDegraded"/> is set, so a partial
/// answer is never silent.
/// </summary>
public sealed class GarnetShardedRetriever : IRetriever
{
    private readonly GarnetShardConnection _connection;
    private readonly ITextEmbedder? _embedder;
    private readonly bool _ownsConnection;

    /// <summary>Creates a router; <paramref name="embedder"/> is needed only for text queries (<see cref="SearchBatch"/>).</summary>
    public GarnetShardedRetriever(GarnetShardConnection connection, ITextEmbedder? embedder = null, bool ownsConnection = false)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _embedder = embedder;
        _ownsConnection = ownsConnection;
    }

    /// <inheritdoc/>
    public string Name => "garnet-sharded" + (_embedder is null ? "" : ":" + _embedder.Name);
    /// <summary>When true, <see cref="SearchBatch"/> returns partial hits instead of throwing; <see cref="LastMissingShards"/> says which shards were missing.</summary>
    public bool AllowDegraded { get; init; }
    /// <summary>Optional VSIM FILTER expression applied to every query of <see cref="SearchBatch"/>, e.g. <c>.category == "Tools"</c>.</summary>
    public string? Filter { get; init; }
    /// <summary>Queries sent concurrently by batch searches (default 16).</summary>
    public int Concurrency { get; init; } = 16;
    /// <summary>Missing shards of the last <see cref="SearchBatch"/> (empty when complete).</summary>
    public IReadOnlyList<int> LastMissingShards { get; private set; } = [];

    /// <inheritdoc/>
    public IReadOnlyList<SearchHit>[] SearchBatch(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (_embedder is null) throw new InvalidOperationException("GarnetShardedRetriever was created without an ITextEmbedder; pass one to search by text, or call SearchVectors.");
        if (queries.Count == 0) return [];
        var q = _embedder.Encode(queries, EmbeddingRole.Query, progress);
        var results = SearchVectors(q, k, Filter);
        var missing = results.SelectMany(r => r.MissingShards).Distinct().Order().ToArray();
        LastMissingShards = missing;
        if (missing.Length > 0 && !AllowDegraded)
            throw new ShardsUnavailableException(results, missing,
                $"Shards {string.Join(", ", missing)} did not answer ({results.SelectMany(r => r.Errors).FirstOrDefault()}); the result would be partial. Set AllowDegraded to accept flagged partial results.");
        return results.Select(r => r.Hits).ToArray();
    }

    /// <summary>Top-<paramref name="k"/> over all shards for each row of <paramref name="queries"/>.</summary>
    public ShardedSearchResult[] SearchVectors(EmbeddingMatrix queries, int k, string? filter = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be positive.");
        var results = new ShardedSearchResult[queries.Count];
        int conc = Math.Max(1, Concurrency);
        for (int start = 0; start < queries.Count; start += conc)
        {
            int end = Math.Min(queries.Count, start + conc);
            var tasks = new Task<ShardedSearchResult>[end - start];
            for (int i = start; i < end; i++) tasks[i - start] = SearchOneAsync(queries.Row(i).ToArray(), k, filter);
            Task.WaitAll(tasks);
            for (int i = start; i < end; i++) results[i] = tasks[i - start].Result;
        }
        return results;
    }

    /// <summary>One query against every shard, merged.</summary>
    public async Task<ShardedSearchResult> SearchOneAsync(float[] query, int k, string? filter = null)
    {
        var o = _connection.Options;
        var blob = new byte[query.Length * 4];
        Buffer.BlockCopy(query, 0, blob, 0, blob.Length);
        var shardTasks = new Task<RedisResult>[o.Shards];
        for (int s = 0; s < o.Shards; s++)
        {
            var args = new List<object> { o.VectorKey(s), "FP32", blob, "COUNT", k, "EF", Math.Max(o.SearchEf, k) };
            if (filter is not null) { args.Add("FILTER"); args.Add(filter); }
            args.Add("WITHSCORES");
            try { shardTasks[s] = _connection.ExecuteAsync(s, "VSIM", args.ToArray()).WaitAsync(o.ShardTimeout); }
            catch (Exception e) { shardTasks[s] = Task.FromException<RedisResult>(e); }
        }
        try { await Task.WhenAll(shardTasks).ConfigureAwait(false); } catch { /* inspected per shard below */ }
        var merged = new List<SearchHit>(k * o.Shards);
        var missing = new List<int>();
        var errors = new List<string>();
        for (int s = 0; s < o.Shards; s++)
        {
            var t = shardTasks[s];
            if (!t.IsCompletedSuccessfully)
            {
                missing.Add(s);
                var e = t.Exception?.InnerException;
                errors.Add($"shard {s} ({o.VectorKey(s)}): " + (e is TimeoutException ? $"timed out after {o.ShardTimeout.TotalMilliseconds:0} ms" : e?.Message ?? "cancelled"));
                continue;
            }
            var r = t.Result;
            if (r.IsNull) continue; // key does not exist: an empty shard
            var items = (RedisResult[])r!;
            for (int j = 0; j + 1 < items.Length; j += 2)
            {
                float d = float.Parse(items[j + 1].ToString()!, CultureInfo.InvariantCulture);
                merged.Add(new SearchHit(items[j].ToString()!, GarnetShardOptions.Similarity(o.Metric, d)));
            }
        }
        merged.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : string.CompareOrdinal(a.ProductId, b.ProductId));
        if (merged.Count > k) merged.RemoveRange(k, merged.Count - k);
        return new ShardedSearchResult(merged, missing, errors);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsConnection) _connection.Dispose();
    }
}
