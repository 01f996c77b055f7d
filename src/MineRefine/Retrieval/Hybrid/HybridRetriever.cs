namespace MineRefine.Retrieval.Hybrid;

/// <summary>One fused hit with every retriever's raw evidence kept (paper §9).</summary>
/// <param name="ProductId">Product id.</param>
/// <param name="Fused">Fused score (RRF or linear blend), higher is better.</param>
/// <param name="Dense">Raw dense cosine; filled by pair scoring when the item came only from BM25 and the dense
/// retriever is an <see cref="IPairScorer"/>; otherwise null when absent from the dense list.</param>
/// <param name="Bm25">Raw BM25 score, null when absent from the BM25 list.</param>
/// <param name="DenseRank">1-based rank in the dense top-N, null when absent.</param>
/// <param name="Bm25Rank">1-based rank in the BM25 top-N, null when absent.</param>
/// <param name="Tier">Grade tier from the thresholds on <see cref="Dense"/>; null without thresholds or dense score.</param>
public sealed record HybridHit(
    string ProductId, double Fused, float? Dense, float? Bm25, int? DenseRank, int? Bm25Rank, GradeTier? Tier);

/// <summary>
/// Hybrid retriever: top-N from a dense and a BM25 retriever, union, fused by RRF or a linear blend of normalised
/// scores (<see cref="FusionOptions"/>), tiers from <see cref="GradeThresholds"/> on the raw dense score — never on
/// the fused score (paper §9). Fusion uses only the two lists; a dense cosine filled in by pair scoring is used for
/// the tier, not for the fused score.
/// </summary>
public sealed class HybridRetriever : IRetriever
{
    private readonly IRetriever _dense;
    private readonly IRetriever _bm25;
    private readonly bool _ownsInner;

    /// <summary>Creates the retriever.</summary>
    /// <param name="dense">Dense retriever (scores: cosine). If it implements <see cref="IPairScorer"/>, missing dense
    /// scores are filled in.</param>
    /// <param name="bm25">Lexical retriever.</param>
    /// <param name="options">Fusion options (validated here).</param>
    /// <param name="thresholds">Dense-score cut points for tiers; null = no tiers.</param>
    /// <param name="ownsInner">Dispose <paramref name="dense"/> and <paramref name="bm25"/> with this object.</param>
    public HybridRetriever(IRetriever dense, IRetriever bm25, FusionOptions? options = null,
        GradeThresholds? thresholds = null, bool ownsInner = true)
    {
        _dense = dense ?? throw new ArgumentNullException(nameof(dense));
        _bm25 = bm25 ?? throw new ArgumentNullException(nameof(bm25));
        Options = (options ?? new FusionOptions()).Validate();
        Thresholds = thresholds?.Validate();
        _ownsInner = ownsInner;
    }

    /// <summary>Fusion options in use.</summary>
    public FusionOptions Options { get; }
    /// <summary>Thresholds in use, or null.</summary>
    public GradeThresholds? Thresholds { get; }

    /// <inheritdoc />
    public string Name => $"hybrid:{Options.Describe()}[{_dense.Name}+{_bm25.Name}]";

    /// <inheritdoc />
    public IReadOnlyList<SearchHit>[] SearchBatch(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null)
    {
        var detailed = SearchDetailed(queries, k, progress);
        var result = new IReadOnlyList<SearchHit>[detailed.Length];
        for (var i = 0; i < detailed.Length; i++)
            result[i] = detailed[i].Select(h => new SearchHit(h.ProductId, (float)h.Fused)).ToArray();
        return result;
    }

    /// <summary>Top-<paramref name="k"/> fused hits per query with raw scores, ranks and tiers.</summary>
    public IReadOnlyList<HybridHit>[] SearchDetailed(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be ≥ 1.");
        var depth = Math.Max(Options.CandidateDepth, k);
        var dense = _dense.SearchBatch(queries, depth);
        var bm25 = _bm25.SearchBatch(queries, depth);
        if (dense.Length != queries.Count || bm25.Length != queries.Count)
            throw new InvalidOperationException($"Retrievers returned {dense.Length} (dense) and {bm25.Length} (bm25) result lists for {queries.Count} queries.");

        var fused = new List<HybridHit>[queries.Count];
        for (var q = 0; q < queries.Count; q++) fused[q] = Fuse(dense[q], bm25[q], Options, k).ToList();

        if (_dense is IPairScorer scorer) FillMissingDense(scorer, queries, fused);
        if (Thresholds is { } t)
            foreach (var list in fused)
                for (var i = 0; i < list.Count; i++)
                    list[i] = list[i] with { Tier = t.TierOrNull(list[i].Dense) };
        progress?.Report(queries.Count);
        return fused.Select(l => (IReadOnlyList<HybridHit>)l).ToArray();
    }

    /// <summary>
    /// Fuses one query's two lists (best first) into the top-<paramref name="k"/> union. Ties on the fused score
    /// are broken by the better of the two ranks, then by product id (ordinal). Tiers are left null.
    /// </summary>
    /// <exception cref="InvalidOperationException">A list names the same product twice.</exception>
    public static IReadOnlyList<HybridHit> Fuse(IReadOnlyList<SearchHit> dense, IReadOnlyList<SearchHit> bm25, FusionOptions options, int k)
    {
        var d = Index(dense, "dense");
        var b = Index(bm25, "bm25");
        double[] dn = [], bn = [];
        double dMissing = 0, bMissing = 0;
        if (options.Method == FusionMethod.Linear)
        {
            dn = ScoreNormalization.Normalize(dense.Select(h => (double)h.Score).ToArray(), options.Normalization, options.DenseBounds);
            bn = ScoreNormalization.Normalize(bm25.Select(h => (double)h.Score).ToArray(), options.Normalization, options.Bm25Bounds);
            dMissing = ScoreNormalization.MissingValue(dn, options.Normalization);
            bMissing = ScoreNormalization.MissingValue(bn, options.Normalization);
        }

        var ids = new List<string>(dense.Count + bm25.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in dense) if (seen.Add(h.ProductId)) ids.Add(h.ProductId);
        foreach (var h in bm25) if (seen.Add(h.ProductId)) ids.Add(h.ProductId);

        var hits = new List<HybridHit>(ids.Count);
        foreach (var id in ids)
        {
            int? dr = d.TryGetValue(id, out var di) ? di + 1 : null;
            int? br = b.TryGetValue(id, out var bi) ? bi + 1 : null;
            double score = options.Method == FusionMethod.Rrf
                ? ReciprocalRankFusion.Score(dr, br, options.DenseWeight, options.Bm25Weight, options.RrfK)
                : options.DenseWeight * (dr is null ? dMissing : dn[di]) + options.Bm25Weight * (br is null ? bMissing : bn[bi]);
            hits.Add(new HybridHit(id, score, dr is null ? null : dense[di].Score, br is null ? null : bm25[bi].Score, dr, br, null));
        }
        hits.Sort((x, y) =>
        {
            var c = y.Fused.CompareTo(x.Fused);
            if (c != 0) return c;
            c = Math.Min(x.DenseRank ?? int.MaxValue, x.Bm25Rank ?? int.MaxValue)
                .CompareTo(Math.Min(y.DenseRank ?? int.MaxValue, y.Bm25Rank ?? int.MaxValue));
            return c != 0 ? c : string.CompareOrdinal(x.ProductId, y.ProductId);
        });
        return hits.Count > k ? hits.GetRange(0, k) : hits;
    }

    private static Dictionary<string, int> Index(IReadOnlyList<SearchHit> list, string side)
    {
        var map = new Dictionary<string, int>(list.Count, StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
            if (!map.TryAdd(list[i].ProductId, i))
                throw new InvalidOperationException($"The {side} retriever returned product '{list[i].ProductId}' twice (ranks {map[list[i].ProductId] + 1} and {i + 1}).");
        return map;
    }

    private static void FillMissingDense(IPairScorer scorer, IReadOnlyList<string> queries, List<HybridHit>[] fused)
    {
        var pairs = new List<(string, string)>();
        var where = new List<(int Q, int I)>();
        for (var q = 0; q < fused.Length; q++)
            for (var i = 0; i < fused[q].Count; i++)
                if (fused[q][i].Dense is null) { pairs.Add((queries[q], fused[q][i].ProductId)); where.Add((q, i)); }
        if (pairs.Count == 0) return;
        var scores = scorer.ScorePairs(pairs);
        if (scores.Length != pairs.Count)
            throw new InvalidOperationException($"Pair scorer returned {scores.Length} scores for {pairs.Count} pairs.");
        for (var j = 0; j < where.Count; j++)
        {
            var (q, i) = where[j];
            fused[q][i] = fused[q][i] with { Dense = scores[j] };
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_ownsInner) return;
        _dense.Dispose();
        _bm25.Dispose();
    }
}
