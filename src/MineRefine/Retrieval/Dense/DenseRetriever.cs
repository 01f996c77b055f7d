using MineRefine.Modeling;

namespace MineRefine.Retrieval.Dense;

/// <summary>Options for <see cref="DenseRetriever"/>.</summary>
public sealed class DenseRetrieverOptions
{
    /// <summary>Vector index used for search (exact by default; Kind = Hnsw for USearch).</summary>
    public VectorIndexOptions Index { get; set; } = new();
    /// <summary>Folder for cached catalog embeddings; null disables caching.</summary>
    public string? CacheFolder { get; set; }
    /// <summary>Receives cache warnings (default: stderr).</summary>
    public Action<string>? Warn { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public DenseRetrieverOptions Validate()
    {
        if (Index is null) throw new ArgumentException("DenseRetrieverOptions.Index must be set (use new VectorIndexOptions() for exact search).");
        Index.Validate();
        if (CacheFolder is not null && string.IsNullOrWhiteSpace(CacheFolder))
            throw new ArgumentException("DenseRetrieverOptions.CacheFolder is blank; give a folder path or null to disable caching.");
        return this;
    }
}

/// <summary>
/// Dense first-stage retriever: the catalog is encoded once with the item tower (cached on disk by model hash and
/// catalog hash), indexed in an <see cref="IVectorIndex"/>, and queries are encoded in batch with the query tower.
/// Scores are cosine similarities. <see cref="ScorePairs"/> gives the cosine of any (query, product) pair from the
/// same embeddings. The embedder is not owned (the caller disposes it); the index is.
/// </summary>
public sealed class DenseRetriever : IRetriever, IPairScorer
{
    private readonly ITextEmbedder _embedder;
    private readonly string[] _productIds;
    private readonly Dictionary<string, int> _rowOf;
    private readonly EmbeddingMatrix _items;
    private readonly IVectorIndex _index;
    private bool _disposed;

    /// <summary>
    /// Encodes (or loads from cache) the catalog and builds the index.
    /// </summary>
    /// <param name="embedder">Text embedder (L2-normalised rows).</param>
    /// <param name="productIds">Product ids, one per catalog row; must be unique.</param>
    /// <param name="itemTexts">Formatted item texts, aligned with <paramref name="productIds"/>.</param>
    /// <param name="options">Index kind and cache folder (default: exact index, no cache).</param>
    /// <param name="progress">Reports items encoded when the catalog is not cached.</param>
    public DenseRetriever(ITextEmbedder embedder, IReadOnlyList<string> productIds, IReadOnlyList<string> itemTexts,
        DenseRetrieverOptions? options = null, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(productIds);
        ArgumentNullException.ThrowIfNull(itemTexts);
        options = (options ?? new DenseRetrieverOptions()).Validate();
        if (productIds.Count != itemTexts.Count)
            throw new ArgumentException($"The catalog has {productIds.Count} product ids but {itemTexts.Count} item texts; they must be aligned.", nameof(itemTexts));
        _embedder = embedder;
        (_productIds, _rowOf) = IndexIds(productIds);

        if (options.CacheFolder is null)
        {
            _items = Encode(itemTexts, progress);
            LoadedFromCache = false;
        }
        else
        {
            var cache = new EmbeddingCache(options.CacheFolder, options.Warn);
            _items = cache.GetOrCompute(embedder.ModelHash, CatalogHash.Of(itemTexts), itemTexts.Count, embedder.Dimension,
                () => Encode(itemTexts, progress), out var cached);
            LoadedFromCache = cached;
        }
        _index = VectorIndex.Create(embedder.Dimension, options.Index);
        try { if (_items.Count > 0) _index.Add(_items); }
        catch { _index.Dispose(); throw; }
    }

    /// <summary>Wraps already-computed item embeddings and an index built over them (rows aligned with
    /// <paramref name="productIds"/>), e.g. a persisted HNSW index opened by the search service. Takes ownership of
    /// <paramref name="index"/>.</summary>
    public DenseRetriever(ITextEmbedder embedder, IReadOnlyList<string> productIds, EmbeddingMatrix items, IVectorIndex index)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(productIds);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(index);
        if (items.Count != productIds.Count || index.Count != productIds.Count)
            throw new ArgumentException($"The catalog has {productIds.Count} product ids but {items.Count} embeddings and an index of {index.Count}; they must be aligned (rebuild the index).");
        if (items.Dimension != embedder.Dimension || index.Dimension != embedder.Dimension)
            throw new ArgumentException($"Embedding dimension {items.Dimension} / index dimension {index.Dimension} does not match the model's {embedder.Dimension} (was the index built with another model?).");
        _embedder = embedder;
        (_productIds, _rowOf) = IndexIds(productIds);
        _items = items;
        _index = index;
        LoadedFromCache = true;
    }

    /// <summary>Product ids and their rows; a repeated id is an error naming both rows.</summary>
    private static (string[] Ids, Dictionary<string, int> RowOf) IndexIds(IReadOnlyList<string> productIds)
    {
        var ids = productIds.ToArray();
        var rowOf = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (int i = 0; i < ids.Length; i++)
            if (!rowOf.TryAdd(ids[i], i))
                throw new ArgumentException($"Product id '{ids[i]}' appears twice in the catalog (rows {rowOf[ids[i]]} and {i}).", nameof(productIds));
        return (ids, rowOf);
    }

    /// <inheritdoc/>
    public string Name => "dense:" + _embedder.Name;
    /// <summary>True if the catalog embeddings came from the cache.</summary>
    public bool LoadedFromCache { get; }
    /// <summary>Number of catalog items.</summary>
    public int Count => _productIds.Length;
    /// <summary>The catalog embeddings (row i = product i).</summary>
    public EmbeddingMatrix ItemEmbeddings => _items;
    /// <summary>The index searched by <see cref="SearchBatch"/>.</summary>
    public IVectorIndex Index => _index;

    private EmbeddingMatrix Encode(IReadOnlyList<string> itemTexts, IProgress<int>? progress)
    {
        var m = _embedder.Encode(itemTexts, EmbeddingRole.Item, progress);
        if (m.Count != itemTexts.Count || m.Dimension != _embedder.Dimension)
            throw new InvalidOperationException($"Embedder '{_embedder.Name}' returned {m.Count}×{m.Dimension} for {itemTexts.Count} items of dimension {_embedder.Dimension}.");
        return m;
    }

    /// <inheritdoc/>
    public IReadOnlyList<SearchHit>[] SearchBatch(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(queries);
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be positive.");
        if (queries.Count == 0) return [];
        var q = _embedder.Encode(queries, EmbeddingRole.Query, progress);
        if (q.Count != queries.Count) throw new InvalidOperationException($"Embedder returned {q.Count} rows for {queries.Count} queries.");
        var found = _index.Search(q, Math.Min(k, Math.Max(1, Count)));
        var result = new IReadOnlyList<SearchHit>[queries.Count];
        for (int i = 0; i < found.Length; i++)
        {
            var (ids, scores) = found[i];
            var hits = new SearchHit[ids.Length];
            for (int j = 0; j < ids.Length; j++) hits[j] = new SearchHit(_productIds[ids[j]], scores[j]);
            result[i] = hits;
        }
        return result;
    }

    /// <summary>Cosine of each (query, product) pair; each distinct query text is encoded once.</summary>
    /// <exception cref="KeyNotFoundException">A product id is not in the catalog.</exception>
    public float[] ScorePairs(IReadOnlyList<(string Query, string ProductId)> pairs, IProgress<int>? progress = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(pairs);
        var distinct = new List<string>();
        var queryRow = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = new int[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            var (query, pid) = pairs[i];
            if (!_rowOf.TryGetValue(pid, out rows[i]))
                throw new KeyNotFoundException($"Pair {i}: product id '{pid}' is not in the catalog of '{Name}'.");
            if (!queryRow.ContainsKey(query)) { queryRow[query] = distinct.Count; distinct.Add(query); }
        }
        if (pairs.Count == 0) return [];
        var q = _embedder.Encode(distinct, EmbeddingRole.Query, progress);
        var scores = new float[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
            scores[i] = VectorMath.Cosine(q.Row(queryRow[pairs[i].Query]), _items.Row(rows[i]));
        return scores;
    }

    /// <summary>Disposes the index (not the embedder).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _index.Dispose();
    }
}
