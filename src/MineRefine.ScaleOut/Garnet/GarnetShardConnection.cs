using StackExchange.Redis;

namespace MineRefine.ScaleOut.Garnet;

/// <summary>
/// Connections to the servers holding the shard keys. If the first endpoint reports cluster mode, one cluster-aware
/// multiplexer routes every key by its hash slot; otherwise each endpoint is an independent server and shard s lives on
/// <c>Endpoints[s % n]</c>. Raw vector-set commands are sent with <c>ExecuteAsync</c> (StackExchange.Redis has no typed
/// API for them).
/// </summary>
public sealed class GarnetShardConnection : IDisposable
{
    private readonly ConnectionMultiplexer[] _muxes;
    private readonly GarnetShardOptions _options;

    private GarnetShardConnection(GarnetShardOptions options, ConnectionMultiplexer[] muxes, bool cluster)
    {
        _options = options;
        _muxes = muxes;
        IsCluster = cluster;
    }

    /// <summary>True when the servers form a Garnet/Redis cluster.</summary>
    public bool IsCluster { get; }
    /// <summary>The validated options.</summary>
    public GarnetShardOptions Options => _options;

    /// <summary>Connects to <paramref name="options"/>.Endpoints and detects cluster mode.</summary>
    /// <exception cref="InvalidOperationException">No endpoint answered.</exception>
    public static GarnetShardConnection Connect(GarnetShardOptions options)
    {
        options.Validate();
        ConfigurationOptions Config(IEnumerable<string> eps)
        {
            var c = new ConfigurationOptions
            {
                AbortOnConnectFail = false,
                ConnectTimeout = options.ConnectTimeoutMs,
                SyncTimeout = (int)Math.Max(1000, options.ShardTimeout.TotalMilliseconds * 4),
                AsyncTimeout = (int)Math.Max(1000, options.ShardTimeout.TotalMilliseconds * 4),
                ConnectRetry = 1,
                AllowAdmin = true,
            };
            foreach (var e in eps) c.EndPoints.Add(e);
            return c;
        }
        var first = ConnectionMultiplexer.Connect(Config(options.Endpoints));
        bool cluster = first.GetServers().Any(s => s.IsConnected && s.ServerType == ServerType.Cluster);
        if (!first.GetServers().Any(s => s.IsConnected))
        {
            first.Dispose();
            throw new InvalidOperationException(
                $"None of the Garnet endpoints {string.Join(",", options.Endpoints)} answered; start the servers (with --enable-vector-set-preview) or fix --garnet.");
        }
        if (cluster || options.Endpoints.Count == 1) return new GarnetShardConnection(options, [first], cluster);
        first.Dispose();
        var muxes = options.Endpoints.Select(e => ConnectionMultiplexer.Connect(Config([e]))).ToArray();
        return new GarnetShardConnection(options, muxes, false);
    }

    /// <summary>The database that serves shard <paramref name="shard"/>.</summary>
    public IDatabase Database(int shard) => (IsCluster ? _muxes[0] : _muxes[shard % _muxes.Length]).GetDatabase();

    /// <summary>Where shard <paramref name="shard"/> lives: "host:port" of the owning server, or "?" if unknown.</summary>
    public string Owner(int shard)
    {
        try
        {
            var mux = IsCluster ? _muxes[0] : _muxes[shard % _muxes.Length];
            if (!IsCluster) return mux.GetEndPoints()[0].ToString() ?? "?";
            var ep = mux.GetDatabase().IdentifyEndpoint(_options.VectorKey(shard));
            return ep?.ToString() ?? "?";
        }
        catch (RedisException) { return "?"; }
    }

    /// <summary>Runs a raw command against shard <paramref name="shard"/>'s key.</summary>
    public Task<RedisResult> ExecuteAsync(int shard, string command, params object[] args) =>
        Database(shard).ExecuteAsync(command, args);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var m in _muxes) m.Dispose();
    }
}
