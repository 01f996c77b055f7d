using MineRefine.Retrieval;
using MineRefine.Serving;
using StackExchange.Redis;

namespace MineRefine.ScaleOut.Garnet;

/// <summary>
/// The sharded Garnet vector index as the dense leg of the search service (<see cref="IDenseBackend"/>): each query
/// goes through <see cref="GarnetShardedRetriever.SearchVectors"/> (every shard, per-shard timeout, merged top-k);
/// shards that fail or time out are passed on as <see cref="DenseBackendResult.MissingShards"/> so the service flags
/// the response as degraded. The health probe sends <c>VCARD</c> and <c>VDIM</c> to every shard.
/// </summary>
public sealed class GarnetDenseBackend : IDenseBackend
{
    private readonly GarnetShardConnection _connection;
    private readonly GarnetShardedRetriever _router;
    private readonly int? _dimension;

    /// <summary>Wraps an open connection (owned: disposed with the backend).</summary>
    /// <param name="connection">Connection to the shard servers.</param>
    /// <param name="expectedDimension">Vector dimension of the index folder's model; a shard whose VDIM differs is
    /// reported unreachable by the probe (pushed from another model). Null: not checked.</param>
    public GarnetDenseBackend(GarnetShardConnection connection, int? expectedDimension = null)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _router = new GarnetShardedRetriever(connection);
        _dimension = expectedDimension;
    }

    /// <summary>Connects to <paramref name="options"/>.Endpoints (throws when no endpoint answers at all).</summary>
    public static GarnetDenseBackend Connect(GarnetShardOptions options, int? expectedDimension = null) =>
        new(GarnetShardConnection.Connect(options), expectedDimension);

    /// <summary>Opens an index folder for serving with its dense leg on Garnet (the folder's vectors must have been
    /// pushed with the same shard count, key prefix and metric, e.g. by <c>minerefine index push</c>). Fails when no
    /// shard answers.</summary>
    public static ISearchEngine OpenIndex(string indexDir, GarnetShardOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return SearchIndex.Open(indexDir, new SearchIndexOpenOptions { DenseBackend = m => Connect(options, m.Dimension) }, ct);
    }

    /// <inheritdoc />
    public string Kind => "garnet";

    private string Description
    {
        get
        {
            var o = _connection.Options;
            return $"{o.Shards} shards '{o.KeyPrefix}' on {string.Join(",", o.Endpoints)} ({(_connection.IsCluster ? "cluster" : "independent servers")}), " +
                   $"{o.MetricToken}, EF {o.SearchEf}, shard timeout {o.ShardTimeout.TotalMilliseconds:0} ms";
        }
    }

    /// <inheritdoc />
    public DenseBackendResult[] Search(EmbeddingMatrix queries, int k) =>
        _router.SearchVectors(queries, k).Select(r => new DenseBackendResult(r.Hits, r.MissingShards)).ToArray();

    /// <inheritdoc />
    public BackendHealth CheckHealth()
    {
        var o = _connection.Options;
        var unreachable = new List<int>();
        var errors = new List<string>();
        var card = new Task<RedisResult>[o.Shards];
        var dim = new Task<RedisResult>[o.Shards];
        for (int s = 0; s < o.Shards; s++)
        {
            try
            {
                card[s] = _connection.ExecuteAsync(s, "VCARD", o.VectorKey(s)).WaitAsync(o.ShardTimeout);
                dim[s] = _connection.ExecuteAsync(s, "VDIM", o.VectorKey(s)).WaitAsync(o.ShardTimeout);
            }
            catch (Exception e)
            {
                card[s] = dim[s] = Task.FromException<RedisResult>(e);
            }
        }
        try { Task.WaitAll([.. card, .. dim]); } catch (AggregateException) { /* inspected per shard below */ }
        for (int s = 0; s < o.Shards; s++)
        {
            string where = $"shard {s} ({o.VectorKey(s)})";
            if (!card[s].IsCompletedSuccessfully)
            {
                unreachable.Add(s);
                var e = card[s].Exception?.InnerException;
                errors.Add($"{where}: " + (e is TimeoutException ? $"timed out after {o.ShardTimeout.TotalMilliseconds:0} ms" : e?.Message ?? "cancelled"));
                continue;
            }
            if (card[s].Result.IsNull || (long)card[s].Result == 0)
            {
                unreachable.Add(s);
                errors.Add($"{where}: the vector set is empty or missing (run 'minerefine index push' with the same --shards/--prefix)");
                continue;
            }
            if (_dimension is int d && dim[s].IsCompletedSuccessfully && !dim[s].Result.IsNull && (long)dim[s].Result != d)
            {
                unreachable.Add(s);
                errors.Add($"{where}: vectors have dimension {(long)dim[s].Result} but the index folder's model has {d} (pushed from another model?)");
            }
        }
        return new BackendHealth(Kind, Description, o.Shards, unreachable, errors);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _router.Dispose();
        _connection.Dispose();
    }
}
