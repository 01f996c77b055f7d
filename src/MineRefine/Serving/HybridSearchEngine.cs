using MineRefine.Retrieval;
using MineRefine.Retrieval.Hybrid;

namespace MineRefine.Serving;

/// <summary>
/// <see cref="ISearchEngine"/> composed of a dense retriever, a BM25 retriever, a product lookup, grade thresholds
/// (on the dense score, paper §9) and fusion options. In bm25 mode the dense cosine of each hit is filled in when the
/// dense retriever is an <see cref="IPairScorer"/>, so tiers and the grade filter still apply.
/// When the dense retriever is backed by a sharded <see cref="IDenseBackend"/>, a search during which a shard failed is
/// answered from the other shards and flagged (<see cref="SearchResponse.Degraded"/>, <see cref="SearchResponse.MissingShards"/>).
/// Owns (disposes) both retrievers.
/// </summary>
public sealed class HybridSearchEngine : ISearchEngine, IBackendHealthSource
{
    private readonly IRetriever _dense;
    private readonly IRetriever _bm25;
    private readonly HybridRetriever _hybrid;
    private readonly Func<string, ProductView?> _lookup;
    private readonly GradeThresholds? _thresholds;
    private int _disposed;

    /// <summary>Creates the engine.</summary>
    /// <param name="dense">Dense retriever (cosine scores).</param>
    /// <param name="bm25">BM25 retriever.</param>
    /// <param name="lookup">Product id → view, null when unknown.</param>
    /// <param name="productCount">Catalog size, for <see cref="Info"/>.</param>
    /// <param name="thresholds">Calibrated dense thresholds, or null (no tiers; minGrade &gt; 0 refused).</param>
    /// <param name="fusion">Fusion options for hybrid mode; defaults when null.</param>
    /// <param name="name">Engine name; defaults to the hybrid retriever's name.</param>
    public HybridSearchEngine(IRetriever dense, IRetriever bm25, Func<string, ProductView?> lookup, int productCount,
        GradeThresholds? thresholds = null, FusionOptions? fusion = null, string? name = null)
    {
        _dense = dense ?? throw new ArgumentNullException(nameof(dense));
        _bm25 = bm25 ?? throw new ArgumentNullException(nameof(bm25));
        _lookup = lookup ?? throw new ArgumentNullException(nameof(lookup));
        if (productCount < 0) throw new ArgumentOutOfRangeException(nameof(productCount), productCount, "Catalog size must be ≥ 0.");
        _thresholds = thresholds?.Validate();
        _hybrid = new HybridRetriever(dense, bm25, fusion, _thresholds, ownsInner: false);
        Info = new EngineInfo(name ?? _hybrid.Name, productCount, [SearchMode.Dense, SearchMode.Bm25, SearchMode.Hybrid],
            _thresholds, _hybrid.Options, DateTimeOffset.UtcNow)
        { Backend = BackendKind };
    }

    /// <summary>Engine over an in-memory catalog.</summary>
    public static HybridSearchEngine FromProducts(IRetriever dense, IRetriever bm25, IEnumerable<MineRefine.Data.Product> products,
        GradeThresholds? thresholds = null, FusionOptions? fusion = null, string? name = null)
    {
        var map = new Dictionary<string, ProductView>(StringComparer.Ordinal);
        foreach (var p in products) map[p.Id] = ProductView.From(p);
        return new HybridSearchEngine(dense, bm25, id => map.GetValueOrDefault(id), map.Count, thresholds, fusion, name);
    }

    /// <inheritdoc />
    public EngineInfo Info { get; }

    /// <inheritdoc />
    public ProductView? Product(string id) => _lookup(id);

    /// <inheritdoc />
    public SearchResponse Search(string query, int k, SearchMode mode, int? minGrade)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (string.IsNullOrWhiteSpace(query)) throw new SearchRequestException("q", "must not be empty");
        if (k < 1) throw new SearchRequestException("k", "must be ≥ 1");
        if (minGrade is { } g && (g < 0 || g > 2)) throw new SearchRequestException("minGrade", "must be 0, 1 or 2");
        if (minGrade > 0 && _thresholds is null)
            throw new SearchRequestException("minGrade", "this engine has no calibrated thresholds (thresholds.json); omit minGrade or use 0");

        IReadOnlyList<HybridHit> hits;
        int[] missing;
        using (var partial = PartialResults.Begin())
        {
            hits = mode switch
            {
                SearchMode.Dense => Single(_dense, query, k, dense: true),
                SearchMode.Bm25 => Single(_bm25, query, k, dense: false),
                SearchMode.Hybrid => _hybrid.SearchDetailed([query], k)[0],
                _ => throw new SearchRequestException("mode", "must be dense, bm25 or hybrid"),
            };
            missing = partial.Missing;
        }

        var results = new List<SearchResult>(hits.Count);
        foreach (var h in hits)
        {
            if (minGrade > 0 && (h.Tier is null || (int)h.Tier.Value < minGrade)) continue;
            var p = _lookup(h.ProductId);
            var score = mode switch { SearchMode.Dense => h.Dense ?? double.NaN, SearchMode.Bm25 => h.Bm25 ?? double.NaN, _ => h.Fused };
            results.Add(new SearchResult(results.Count + 1, h.ProductId, p?.Title, p?.Category ?? [], score,
                h.Dense, h.Bm25, mode == SearchMode.Hybrid ? h.Fused : null, h.DenseRank, h.Bm25Rank, h.Tier?.ToName()));
        }
        return new SearchResponse(query, mode, k, minGrade, Info.Name, results) { Degraded = missing.Length > 0, MissingShards = missing };
    }

    private List<HybridHit> Single(IRetriever retriever, string query, int k, bool dense)
    {
        var list = retriever.SearchBatch([query], k)[0];
        var hits = new List<HybridHit>(list.Count);
        for (var i = 0; i < list.Count; i++)
            hits.Add(dense
                ? new HybridHit(list[i].ProductId, list[i].Score, list[i].Score, null, i + 1, null, null)
                : new HybridHit(list[i].ProductId, list[i].Score, null, list[i].Score, null, i + 1, null));
        if (!dense && _dense is IPairScorer scorer && hits.Count > 0)
        {
            var scores = scorer.ScorePairs(hits.Select(h => (query, h.ProductId)).ToArray());
            for (var i = 0; i < hits.Count; i++) hits[i] = hits[i] with { Dense = scores[i] };
        }
        if (_thresholds is { } t)
            for (var i = 0; i < hits.Count; i++) hits[i] = hits[i] with { Tier = t.TierOrNull(hits[i].Dense) };
        return hits;
    }

    /// <inheritdoc />
    public string BackendKind => _dense is IBackendHealthSource source ? source.BackendKind : "local";

    /// <summary>Probes the dense backend (local engines always report one reachable shard).</summary>
    public BackendHealth CheckBackend() =>
        _dense is IBackendHealthSource source ? source.CheckBackend() : BackendHealth.Local(_dense.Name);

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _hybrid.Dispose();
        _dense.Dispose();
        _bm25.Dispose();
    }
}
