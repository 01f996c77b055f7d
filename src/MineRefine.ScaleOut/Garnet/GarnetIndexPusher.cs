using System.Globalization;
using MineRefine.Retrieval;
using StackExchange.Redis;

namespace MineRefine.ScaleOut.Garnet;

/// <summary>Per-shard outcome of a push.</summary>
/// <param name="Shard">Shard number.</param>
/// <param name="Key">Vector-set key.</param>
/// <param name="Items">Items assigned to the shard.</param>
/// <param name="SkippedByMarker">Items before the progress marker, not re-sent (resumed push).</param>
/// <param name="Added">VADDs that created an element (reply 1).</param>
/// <param name="AlreadyPresent">VADDs of elements already in the set (reply 0: idempotent re-push).</param>
public sealed record ShardPushReport(int Shard, string Key, int Items, int SkippedByMarker, int Added, int AlreadyPresent);

/// <summary>Outcome of <see cref="GarnetIndexPusher.Push"/>.</summary>
public sealed record PushReport(IReadOnlyList<ShardPushReport> Shards, TimeSpan Elapsed)
{
    /// <summary>Items sent (VADD calls) over all shards.</summary>
    public int Sent => Shards.Sum(s => s.Added + s.AlreadyPresent);
    /// <summary>VADDs per second.</summary>
    public double ItemsPerSecond => Elapsed.TotalSeconds > 0 ? Sent / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Writes item embeddings into sharded Garnet vector sets. Every call is
/// <c>VADD key FP32 blob|VALUES d v… id NOQUANT|Q8|BIN EF ef M m XDISTANCE_METRIC metric [SETATTR json]</c> (the
/// metric and quantizer are repeated on every call, so the first call of a crashed push that re-creates a set
/// creates it with the same parameters). Idempotent and resumable: each shard keeps a progress marker
/// <c>{prefix}:{shard-s}:pushed = "fingerprint:count"</c> (fingerprint of the shard's ids and dimension), advanced
/// after each acknowledged batch; a re-run skips rows before the marker and re-sends the rest (VADD of an existing
/// element replies 0 and changes nothing). A marker whose fingerprint differs (other catalog) or whose count exceeds
/// VCARD (server lost data) is ignored and the shard is re-sent from the start.
/// </summary>
public sealed class GarnetIndexPusher(GarnetShardConnection connection)
{
    /// <summary>Receives warnings (default: stderr).</summary>
    public Action<string> Warn { get; init; } = m => Console.Error.WriteLine(m);
    /// <summary>Push the shards concurrently (default true; a <c>stopAfter</c> test push is always sequential).</summary>
    public bool ParallelShards { get; init; } = true;

    /// <summary>
    /// Pushes <paramref name="vectors"/> (row i = <paramref name="productIds"/>[i]) with optional per-item JSON
    /// attributes (e.g. <c>{"category":"Tools"}</c>, used by VSIM FILTER).
    /// </summary>
    /// <param name="productIds">Element names, unique, aligned with the rows.</param>
    /// <param name="vectors">Embeddings, one row per product.</param>
    /// <param name="attributes">Optional JSON object per item for SETATTR (null entries: no attributes).</param>
    /// <param name="progress">Reports items acknowledged so far.</param>
    /// <param name="stopAfter">Test hook: stop (as if crashed) after this many items have been acknowledged.</param>
    public PushReport Push(IReadOnlyList<string> productIds, EmbeddingMatrix vectors, IReadOnlyList<string?>? attributes = null,
        IProgress<int>? progress = null, int? stopAfter = null)
    {
        ArgumentNullException.ThrowIfNull(productIds);
        ArgumentNullException.ThrowIfNull(vectors);
        if (productIds.Count != vectors.Count)
            throw new ArgumentException($"{productIds.Count} product ids but {vectors.Count} vectors; they must be aligned.", nameof(vectors));
        if (attributes is not null && attributes.Count != productIds.Count)
            throw new ArgumentException($"{attributes.Count} attribute rows for {productIds.Count} products; they must be aligned.", nameof(attributes));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < productIds.Count; i++)
            if (!seen.Add(productIds[i])) throw new ArgumentException($"Product id '{productIds[i]}' appears twice (row {i}); vector-set elements must be unique.", nameof(productIds));

        var o = connection.Options;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var rows = ShardAssignment.Split(productIds, o.Shards);
        var reports = new ShardPushReport[o.Shards];
        int acked = 0;
        void PushShard(int s)
        {
            var db = connection.Database(s);
            string key = o.VectorKey(s), marker = o.ProgressKey(s);
            string fp = Fingerprint(rows[s], productIds, vectors.Dimension);
            int start = ReadMarker(db, key, marker, fp, s);
            int added = 0, present = 0;
            for (int b = start; b < rows[s].Count; b += o.PushBatchSize)
            {
                if (stopAfter is int stop && Volatile.Read(ref acked) >= stop) break;
                int end = Math.Min(rows[s].Count, b + o.PushBatchSize);
                var tasks = new Task<RedisResult>[end - b];
                for (int j = b; j < end; j++)
                {
                    int row = rows[s][j];
                    tasks[j - b] = db.ExecuteAsync("VADD", VaddArgs(key, productIds[row], vectors.Row(row), attributes?[row]));
                }
                try { Task.WaitAll(tasks); }
                catch (AggregateException e)
                {
                    throw new InvalidOperationException($"VADD to shard {s} ('{key}' on {connection.Owner(s)}) failed: {e.InnerExceptions[0].Message}. " +
                        "Check that the server runs with --enable-vector-set-preview and that an existing set has the same dimension, metric and quantizer.", e.InnerExceptions[0]);
                }
                foreach (var t in tasks) { if ((long)t.Result == 1) added++; else present++; }
                db.StringSet(marker, fp + ":" + end.ToString(CultureInfo.InvariantCulture));
                int total = Interlocked.Add(ref acked, end - b);
                progress?.Report(total);
            }
            reports[s] = new ShardPushReport(s, key, rows[s].Count, start, added, present);
        }
        if (ParallelShards && stopAfter is null) Parallel.For(0, o.Shards, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(o.Shards, 8) }, PushShard);
        else for (int s = 0; s < o.Shards; s++) PushShard(s);
        return new PushReport(reports, sw.Elapsed);
    }

    private int ReadMarker(IDatabase db, string key, string marker, string fp, int shard)
    {
        var value = db.StringGet(marker);
        if (value.IsNull) return 0;
        var text = value.ToString();
        int colon = text.LastIndexOf(':');
        if (colon < 0 || text[..colon] != fp || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            Warn($"shard {shard}: progress marker '{text}' belongs to another catalog; re-sending the whole shard (existing elements are kept).");
            return 0;
        }
        long card = (long)db.Execute("VCARD", key);
        if (card < count)
        {
            Warn($"shard {shard}: marker says {count} pushed but VCARD is {card} (data lost?); re-sending the whole shard.");
            return 0;
        }
        return count;
    }

    internal object[] VaddArgs(string key, string element, ReadOnlySpan<float> v, string? attribute)
    {
        var o = connection.Options;
        var args = new List<object>(v.Length + 16) { key };
        if (o.BinaryVectors)
        {
            var blob = new byte[v.Length * 4];
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(v).CopyTo(blob);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("FP32 blobs are little-endian.");
            args.Add("FP32"); args.Add(blob);
        }
        else
        {
            args.Add("VALUES"); args.Add(v.Length);
            foreach (var x in v) args.Add(x.ToString("R", CultureInfo.InvariantCulture));
        }
        args.Add(element);
        args.Add(o.QuantizerToken);
        args.Add("EF"); args.Add(o.BuildEf);
        args.Add("M"); args.Add(o.M);
        args.Add("XDISTANCE_METRIC"); args.Add(o.MetricToken);
        if (attribute is not null) { args.Add("SETATTR"); args.Add(attribute); }
        return args.ToArray();
    }

    internal static string Fingerprint(List<int> rows, IReadOnlyList<string> ids, int dimension)
    {
        ulong h = 14695981039346656037UL;
        void Mix(ReadOnlySpan<byte> bytes) { foreach (var b in bytes) { h ^= b; h *= 1099511628211UL; } }
        Mix(BitConverter.GetBytes(dimension));
        foreach (int r in rows) { Mix(System.Text.Encoding.UTF8.GetBytes(ids[r])); Mix([0]); }
        return h.ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>JSON attribute object <c>{"category": value}</c> for SETATTR (null when <paramref name="category"/> is null).</summary>
    public static string? CategoryAttribute(string? category) =>
        category is null ? null : System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["category"] = category });
}
