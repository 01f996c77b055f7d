using Cloud.Unum.USearch;

namespace MineRefine.Retrieval.Dense;

/// <summary>
/// Approximate top-k index: a USearch HNSW graph (Cloud.Unum.USearch 2.26.6). Vectors are stored as f16 (default) or
/// f32; the metric is cosine (default) or inner product. USearch reports distances: cos distance = 1 − cos and
/// ip distance = 1 − q·x, so every score returned here is <c>1 − distance</c> (the similarity; higher is better).
/// Adds run in parallel on <see cref="VectorIndexOptions.Threads"/> threads (concurrent <c>usearch_add</c> is supported
/// by the native index once thread contexts are reserved); batched search runs queries in parallel the same way.
/// With more than one add thread the graph, hence the results, may vary slightly between builds; use Threads = 1 for
/// bit-identical builds. A memory-mapped view (<see cref="View"/>) is read-only.
/// </summary>
public sealed unsafe class UsearchIndex : IVectorIndex
{
    private readonly USearchIndex _index;
    private readonly IntPtr _handle;
    private readonly VectorIndexOptions _options;
    private bool _disposed;

    /// <summary>Creates an empty HNSW index for <paramref name="dimension"/>-d vectors.</summary>
    public UsearchIndex(int dimension, VectorIndexOptions? options = null)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Dimension must be positive.");
        _options = (options ?? new VectorIndexOptions { Kind = VectorIndexKind.Hnsw }).Clone().Validate();
        _index = new USearchIndex(
            _options.Metric == VectorMetric.Cosine ? MetricKind.Cos : MetricKind.Ip,
            _options.Quantization == VectorQuantization.F16 ? ScalarKind.Float16 : ScalarKind.Float32,
            (ulong)dimension,
            (ulong)_options.Connectivity,
            (ulong)_options.ExpansionAdd,
            (ulong)_options.ExpansionSearch);
        try
        {
            _handle = UsearchNative.Handle(_index);
            Dimension = dimension;
            ApplyThreads();
        }
        catch
        {
            _index.Dispose();
            throw;
        }
    }

    private UsearchIndex(USearchIndex index, VectorIndexOptions options, bool isView)
    {
        _index = index;
        _options = options;
        try
        {
            _handle = UsearchNative.Handle(index);
            Dimension = checked((int)index.Dimensions());
            IsView = isView;
            UsearchNative.SetExpansionSearch(_handle, _options.ExpansionSearch);
            ApplyThreads();
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>Loads a saved index into memory (it can then be searched and extended).</summary>
    /// <exception cref="InvalidDataException">The file is not a readable USearch index.</exception>
    public static UsearchIndex Load(string path, VectorIndexOptions? options = null) => Open(path, options, view: false);

    /// <summary>Memory-maps a saved index read-only (fast to open, shares pages with the OS cache; <see cref="Add"/> throws).</summary>
    /// <exception cref="InvalidDataException">The file is not a readable USearch index.</exception>
    public static UsearchIndex View(string path, VectorIndexOptions? options = null) => Open(path, options, view: true);

    private static UsearchIndex Open(string path, VectorIndexOptions? options, bool view)
    {
        options = (options ?? new VectorIndexOptions { Kind = VectorIndexKind.Hnsw }).Clone().Validate();
        if (!File.Exists(path)) throw new FileNotFoundException($"USearch index file '{path}' does not exist.", path);
        USearchIndex index;
        try { index = new USearchIndex(Path.GetFullPath(path), view); }
        catch (USearchException e) { throw new InvalidDataException($"USearch index file '{path}' cannot be {(view ? "viewed" : "loaded")}: {e.Message}", e); }
        return new UsearchIndex(index, options, view);
    }

    /// <summary>True when this index is a read-only memory-mapped view of a file.</summary>
    public bool IsView { get; }
    /// <inheritdoc/>
    public int Count => (int)UsearchNative.Size(Live);
    /// <inheritdoc/>
    public int Dimension { get; }
    /// <summary>Connectivity M of the graph.</summary>
    public int Connectivity => checked((int)_index.Connectivity());

    /// <summary>ef_search used by subsequent searches (USearch uses max(ef, k)). Settable at any time, also on views.</summary>
    public int ExpansionSearch
    {
        get => UsearchNative.ExpansionSearch(Live);
        set
        {
            if (value < 1 || value > 4096) throw new ArgumentOutOfRangeException(nameof(value), value, "ExpansionSearch must be between 1 and 4096.");
            UsearchNative.SetExpansionSearch(Live, value);
        }
    }

    /// <summary>SIMD capability USearch uses for distances (e.g. "haswell"), for reports.</summary>
    public string HardwareAcceleration
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _index.HardwareAcceleration();
        }
    }

    /// <summary>ef_construction used by subsequent adds.</summary>
    public int ExpansionAdd => UsearchNative.ExpansionAdd(Live);

    private IntPtr Live
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _handle;
        }
    }

    private void ApplyThreads()
    {
        UsearchNative.SetThreadsAdd(_handle, _options.Threads);
        UsearchNative.SetThreadsSearch(_handle, _options.Threads);
    }

    /// <inheritdoc/>
    public void Add(EmbeddingMatrix vectors)
    {
        var h = Live;
        if (IsView) throw new InvalidOperationException("This USearch index is a read-only memory-mapped view; load it with UsearchIndex.Load to add vectors.");
        if (vectors.Dimension != Dimension)
            throw new ArgumentException($"Vectors have dimension {vectors.Dimension}, the index has {Dimension}.", nameof(vectors));
        int start = Count, n = vectors.Count, d = Dimension;
        if (n == 0) return;
        // reserve() re-sizes thread contexts to the hardware default, so set the thread limits after it.
        UsearchNative.Reserve(h, (long)start + n);
        ApplyThreads();
        fixed (float* p = vectors.Data)
        {
            var basePtr = (IntPtr)p;
            if (_options.Threads == 1)
                for (int i = 0; i < n; i++) UsearchNative.Add(h, (ulong)(start + i), p + (long)i * d);
            else
                Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = _options.Threads },
                    i => UsearchNative.Add(h, (ulong)(start + i), (float*)basePtr + (long)i * d));
        }
    }

    /// <inheritdoc/>
    public (int[] Ids, float[] Scores)[] Search(EmbeddingMatrix queries, int k)
    {
        var h = Live;
        if (queries.Dimension != Dimension)
            throw new ArgumentException($"Queries have dimension {queries.Dimension}, the index has {Dimension}.", nameof(queries));
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be positive.");
        var results = new (int[] Ids, float[] Scores)[queries.Count];
        int d = Dimension;
        fixed (float* p = queries.Data)
        {
            var basePtr = (IntPtr)p;
            if (_options.Threads == 1 || queries.Count < 2)
                for (int i = 0; i < queries.Count; i++) results[i] = SearchOne(h, p + (long)i * d, k);
            else
                Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = _options.Threads },
                    i => results[i] = SearchOne(h, (float*)basePtr + (long)i * d, k));
        }
        return results;
    }

    /// <summary>Searches one query on the calling thread (used for latency measurements).</summary>
    public (int[] Ids, float[] Scores) SearchOne(ReadOnlySpan<float> query, int k)
    {
        var h = Live;
        if (query.Length != Dimension) throw new ArgumentException($"Query has {query.Length} values, the index dimension is {Dimension}.", nameof(query));
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be positive.");
        fixed (float* p = query) return SearchOne(h, p, k);
    }

    private static (int[] Ids, float[] Scores) SearchOne(IntPtr h, float* query, int k)
    {
        var keys = new ulong[k];
        var dist = new float[k];
        int found;
        fixed (ulong* kp = keys)
        fixed (float* dp = dist)
            found = UsearchNative.Search(h, query, k, kp, dp);
        var ids = new int[found];
        var scores = new float[found];
        for (int j = 0; j < found; j++) { ids[j] = checked((int)keys[j]); scores[j] = 1f - dist[j]; }
        VectorMath.SortHits(ids, scores);
        return (ids, scores);
    }

    /// <inheritdoc/>
    public void Save(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        try { _index.Save(Path.GetFullPath(path)); }
        catch (USearchException e) { throw new IOException($"Cannot save USearch index to '{path}': {e.Message}", e); }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _index.Dispose();
    }
}
