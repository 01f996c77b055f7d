namespace MineRefine.ScaleOut.Garnet;

/// <summary>Distance metric of the vector sets (Garnet's non-Redis <c>XDISTANCE_METRIC</c> option of VADD).</summary>
public enum GarnetMetric
{
    /// <summary>Cosine: Garnet returns the distance 1 − cos; similarity = 1 − d.</summary>
    Cosine,
    /// <summary>Squared Euclidean (Garnet's default): for unit vectors cos = 1 − d/2.</summary>
    L2,
    /// <summary>Inner product: Garnet returns −⟨q, x⟩; similarity = −d.</summary>
    InnerProduct,
}

/// <summary>Vector quantizer stored by Garnet (VADD's <c>NOQUANT | Q8 | BIN</c>).</summary>
public enum GarnetQuantizer
{
    /// <summary>Full FP32 vectors (exact VEMB round trip).</summary>
    NoQuant,
    /// <summary>8-bit scalar quantization.</summary>
    Q8,
    /// <summary>1-bit binary quantization.</summary>
    Bin,
}

/// <summary>
/// Layout and connection options of a sharded vector index on Garnet: <see cref="Shards"/> vector-set keys
/// <c>{KeyPrefix}:{shard-s}:vec</c> (hash-tagged so each key, its progress marker and its metadata live in one slot),
/// spread over the servers in <see cref="Endpoints"/>.
/// </summary>
public sealed class GarnetShardOptions
{
    /// <summary>Server endpoints "host:port". In cluster mode any subset of nodes works (the client discovers the rest);
    /// with independent servers, shard s lives on <c>Endpoints[s % Endpoints.Count]</c>.</summary>
    public IReadOnlyList<string> Endpoints { get; set; } = [];
    /// <summary>Number of shard keys (default 3).</summary>
    public int Shards { get; set; } = 3;
    /// <summary>Key prefix (default "mr").</summary>
    public string KeyPrefix { get; set; } = "mr";
    /// <summary>Distance metric sent with every VADD (default cosine).</summary>
    public GarnetMetric Metric { get; set; } = GarnetMetric.Cosine;
    /// <summary>Quantizer sent with every VADD (default NOQUANT).</summary>
    public GarnetQuantizer Quantizer { get; set; } = GarnetQuantizer.NoQuant;
    /// <summary>HNSW build exploration factor (VADD EF, default 200).</summary>
    public int BuildEf { get; set; } = 200;
    /// <summary>HNSW links per node (VADD M, default 16).</summary>
    public int M { get; set; } = 16;
    /// <summary>Search exploration factor (VSIM EF, default 100).</summary>
    public int SearchEf { get; set; } = 100;
    /// <summary>Per-shard timeout of one query (default 2 s); a shard slower than this is reported missing.</summary>
    public TimeSpan ShardTimeout { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>VADDs pipelined per round trip during a push (default 256); the progress marker advances per batch.</summary>
    public int PushBatchSize { get; set; } = 256;
    /// <summary>Connect timeout in milliseconds (default 2000).</summary>
    public int ConnectTimeoutMs { get; set; } = 2000;
    /// <summary>Send vectors as the FP32 binary blob (default true) instead of <c>VALUES dim v1 … vd</c> text.</summary>
    public bool BinaryVectors { get; set; } = true;

    /// <summary>Parses "host:port[,host:port…]".</summary>
    public static IReadOnlyList<string> ParseEndpoints(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option and how to fix it.</summary>
    public GarnetShardOptions Validate()
    {
        if (Endpoints is null || Endpoints.Count == 0)
            throw new ArgumentException("GarnetShardOptions.Endpoints is empty; give at least one \"host:port\" (e.g. --garnet 127.0.0.1:6379).");
        foreach (var e in Endpoints)
        {
            int colon = e.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(e.AsSpan(colon + 1), out int port) || port is <= 0 or > 65535)
                throw new ArgumentException($"GarnetShardOptions.Endpoints: '{e}' is not \"host:port\" with a port in 1..65535.");
        }
        if (Shards is < 1 or > 16384) throw new ArgumentException($"GarnetShardOptions.Shards is {Shards}; use 1..16384 (one vector-set key per shard).");
        if (string.IsNullOrWhiteSpace(KeyPrefix) || KeyPrefix.IndexOfAny(['{', '}', ' ']) >= 0)
            throw new ArgumentException($"GarnetShardOptions.KeyPrefix '{KeyPrefix}' must be non-blank without braces or spaces (the shard hash tag is added by the library).");
        if (BuildEf is < 1 or > 100_000) throw new ArgumentException($"GarnetShardOptions.BuildEf is {BuildEf}; use 1..100000 (typical 100–400).");
        if (M is < 4 or > 4096) throw new ArgumentException($"GarnetShardOptions.M is {M}; Garnet accepts 4..4096 (typical 16).");
        if (SearchEf < 1) throw new ArgumentException($"GarnetShardOptions.SearchEf is {SearchEf}; it must be ≥ 1 (and ≥ k for good recall).");
        if (ShardTimeout <= TimeSpan.Zero) throw new ArgumentException($"GarnetShardOptions.ShardTimeout is {ShardTimeout}; it must be positive.");
        if (PushBatchSize < 1) throw new ArgumentException($"GarnetShardOptions.PushBatchSize is {PushBatchSize}; it must be ≥ 1.");
        if (ConnectTimeoutMs < 1) throw new ArgumentException($"GarnetShardOptions.ConnectTimeoutMs is {ConnectTimeoutMs}; it must be ≥ 1.");
        return this;
    }

    /// <summary>The vector-set key of shard <paramref name="shard"/>: <c>{prefix}:{shard-s}:vec</c>.</summary>
    public string VectorKey(int shard) => $"{KeyPrefix}:{{shard-{shard}}}:vec";
    /// <summary>The push progress marker of shard <paramref name="shard"/> (same hash slot as its vector set).</summary>
    public string ProgressKey(int shard) => $"{KeyPrefix}:{{shard-{shard}}}:pushed";

    /// <summary>The VADD token of <see cref="Metric"/>.</summary>
    public string MetricToken => Metric switch { GarnetMetric.Cosine => "COSINE", GarnetMetric.L2 => "L2", _ => "IP" };
    /// <summary>The VADD token of <see cref="Quantizer"/>.</summary>
    public string QuantizerToken => Quantizer switch { GarnetQuantizer.NoQuant => "NOQUANT", GarnetQuantizer.Q8 => "Q8", _ => "BIN" };

    /// <summary>
    /// Converts a Garnet VSIM score (a distance, ascending: verified against Garnet 2.2.8) to a similarity, higher is
    /// better: cosine 1 − d; L2 (squared, unit vectors) 1 − d/2, i.e. the cosine; inner product −d.
    /// </summary>
    public static float Similarity(GarnetMetric metric, float distance) => metric switch
    {
        GarnetMetric.Cosine => 1f - distance,
        GarnetMetric.L2 => 1f - distance / 2f,
        _ => -distance,
    };
}
