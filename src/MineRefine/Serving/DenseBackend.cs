using MineRefine.Modeling;
using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;

namespace MineRefine.Serving;

/// <summary>Hits of one query from a <see cref="IDenseBackend"/>, with the shards that did not answer.</summary>
/// <param name="Hits">Product ids with their cosine similarity (higher is better), best first.</param>
/// <param name="MissingShards">Shards that failed or timed out (empty when the answer is complete). When non-empty the
/// hits cover only the answering shards and the response is flagged <c>degraded</c>.</param>
public sealed record DenseBackendResult(IReadOnlyList<SearchHit> Hits, IReadOnlyList<int> MissingShards);

/// <summary>Reachability of a dense backend, reported by <c>/readyz</c>.</summary>
/// <param name="Kind">"local" (the folder's ANN index) or e.g. "garnet".</param>
/// <param name="Description">Human description (servers, shard count, search settings).</param>
/// <param name="Shards">Number of shards (1 for local).</param>
/// <param name="UnreachableShards">Shards that did not answer the probe.</param>
/// <param name="Errors">One message per unreachable shard.</param>
public sealed record BackendHealth(string Kind, string Description, int Shards, IReadOnlyList<int> UnreachableShards, IReadOnlyList<string> Errors)
{
    /// <summary>True when at least one shard answers (searches can be served, possibly degraded).</summary>
    public bool Ready => UnreachableShards.Count < Shards;
    /// <summary>True when some shard is unreachable: searches would be partial and flagged.</summary>
    public bool Degraded => UnreachableShards.Count > 0;

    /// <summary>Health of the local (in-process) ANN index: always one reachable shard.</summary>
    public static BackendHealth Local(string description) => new("local", description, 1, [], []);
}

/// <summary>
/// A remote (or otherwise external) nearest-neighbour index that replaces the index folder's local ANN index as the
/// dense leg of <see cref="SearchIndex.Open(string, SearchIndexOpenOptions, CancellationToken)"/>. The query tower,
/// BM25, thresholds and fusion stay local; only the vector search goes through the backend. Implementations live
/// outside the library (e.g. the sharded Garnet backend in MineRefine.ScaleOut) and must allow concurrent calls.
/// </summary>
public interface IDenseBackend : IDisposable
{
    /// <summary>Short kind, e.g. "garnet".</summary>
    string Kind { get; }

    /// <summary>Top-<paramref name="k"/> items (cosine, descending) for each row of <paramref name="queries"/>.
    /// A failed or slow shard must be named in <see cref="DenseBackendResult.MissingShards"/>, never silently dropped.</summary>
    DenseBackendResult[] Search(EmbeddingMatrix queries, int k);

    /// <summary>Probes every shard (cheap command, bounded by the backend's timeout).</summary>
    BackendHealth CheckHealth();
}

/// <summary>Something that can report the health of its dense backend (an engine or a retriever).</summary>
public interface IBackendHealthSource
{
    /// <summary>Backend kind ("local", "garnet", …), without probing.</summary>
    string BackendKind { get; }

    /// <summary>Probes the backend now.</summary>
    BackendHealth CheckBackend();
}

/// <summary>
/// Collects the shards that were missing while one engine search ran. <see cref="HybridSearchEngine.Search"/> opens a
/// scope; the dense retriever reports into it (the scope flows with the execution context, so concurrent searches
/// never see each other's shards).
/// </summary>
internal static class PartialResults
{
    private static readonly AsyncLocal<SortedSet<int>?> Current = new();

    /// <summary>Starts collecting for the current execution context; dispose to restore the previous scope.</summary>
    public static Scope Begin() => new();

    /// <summary>Records missing shards in the current scope (no-op outside a scope).</summary>
    public static void ReportMissing(IEnumerable<int> shards)
    {
        var set = Current.Value;
        if (set is null) return;
        lock (set) foreach (var s in shards) set.Add(s);
    }

    /// <summary>A collection scope.</summary>
    public sealed class Scope : IDisposable
    {
        private readonly SortedSet<int>? _previous = Current.Value;
        private readonly SortedSet<int> _set = [];

        internal Scope() => Current.Value = _set;

        /// <summary>Missing shards reported so far, ascending.</summary>
        public int[] Missing { get { lock (_set) return _set.ToArray(); } }

        /// <inheritdoc />
        public void Dispose() => Current.Value = _previous;
    }
}

/// <summary>
/// Dense retriever whose nearest-neighbour search is an <see cref="IDenseBackend"/>: queries are encoded locally
/// (serialised, the model is not thread-safe), searched on the backend, and missing shards are reported to the
/// engine's degraded flag. Pair scores (BM25 mode, hybrid fill-in) use the index folder's item embeddings, so they
/// need no backend call. Owns the embedder and the backend.
/// </summary>
public sealed class BackendDenseRetriever : IRetriever, IPairScorer, IBackendHealthSource
{
    private readonly ITextEmbedder _embedder;
    private readonly IDenseBackend _backend;
    private readonly EmbeddingMatrix _items;
    private readonly Dictionary<string, int> _rowOf;
    private readonly Lock _encodeGate = new();

    /// <summary>Creates the retriever; <paramref name="items"/> row i is the embedding of <paramref name="productIds"/>[i].</summary>
    public BackendDenseRetriever(ITextEmbedder embedder, IDenseBackend backend, IReadOnlyList<string> productIds, EmbeddingMatrix items)
    {
        _embedder = embedder ?? throw new ArgumentNullException(nameof(embedder));
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        ArgumentNullException.ThrowIfNull(productIds);
        _items = items ?? throw new ArgumentNullException(nameof(items));
        if (items.Count != productIds.Count)
            throw new ArgumentException($"{productIds.Count} product ids but {items.Count} item embeddings; rebuild the index.", nameof(items));
        _rowOf = new Dictionary<string, int>(productIds.Count, StringComparer.Ordinal);
        for (int i = 0; i < productIds.Count; i++)
            if (!_rowOf.TryAdd(productIds[i], i))
                throw new ArgumentException($"Product id '{productIds[i]}' appears twice in the catalog (rows {_rowOf[productIds[i]]} and {i}).", nameof(productIds));
    }

    /// <inheritdoc />
    public string Name => $"dense:{_embedder.Name}@{_backend.Kind}";

    private EmbeddingMatrix Encode(IReadOnlyList<string> texts, IProgress<int>? progress)
    {
        lock (_encodeGate) return _embedder.Encode(texts, EmbeddingRole.Query, progress);
    }

    /// <inheritdoc />
    public IReadOnlyList<SearchHit>[] SearchBatch(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be positive.");
        if (queries.Count == 0) return [];
        var q = Encode(queries, progress);
        var found = _backend.Search(q, k);
        if (found.Length != queries.Count)
            throw new InvalidOperationException($"Dense backend '{_backend.Kind}' returned {found.Length} result lists for {queries.Count} queries.");
        foreach (var r in found)
            if (r.MissingShards.Count > 0) PartialResults.ReportMissing(r.MissingShards);
        return found.Select(r => r.Hits).ToArray();
    }

    /// <inheritdoc />
    public float[] ScorePairs(IReadOnlyList<(string Query, string ProductId)> pairs, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0) return [];
        var distinct = new List<string>();
        var queryRow = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = new int[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            if (!_rowOf.TryGetValue(pairs[i].ProductId, out rows[i]))
                throw new KeyNotFoundException($"Pair {i}: product id '{pairs[i].ProductId}' is not in the index folder's catalog.");
            if (queryRow.TryAdd(pairs[i].Query, distinct.Count)) distinct.Add(pairs[i].Query);
        }
        var q = Encode(distinct, progress);
        var scores = new float[pairs.Count];
        for (int i = 0; i < pairs.Count; i++) scores[i] = VectorMath.Cosine(q.Row(queryRow[pairs[i].Query]), _items.Row(rows[i]));
        return scores;
    }

    /// <inheritdoc />
    public string BackendKind => _backend.Kind;

    /// <inheritdoc />
    public BackendHealth CheckBackend() => _backend.CheckHealth();

    /// <summary>Disposes the backend and the embedder.</summary>
    public void Dispose()
    {
        _backend.Dispose();
        _embedder.Dispose();
    }
}
