using MineRefine.Retrieval.Hybrid;

namespace MineRefine.Serving;

/// <summary>Which retriever answers a search.</summary>
public enum SearchMode
{
    /// <summary>Dense (embedding) retriever only.</summary>
    Dense,
    /// <summary>Lexical BM25 retriever only.</summary>
    Bm25,
    /// <summary>Fusion of both (<see cref="HybridRetriever"/>).</summary>
    Hybrid,
}

/// <summary>One result row.</summary>
/// <param name="Rank">1-based rank in this response (after the grade filter).</param>
/// <param name="ProductId">Product id.</param>
/// <param name="Title">Product title; null when the id is not in the catalog lookup.</param>
/// <param name="Category">Category path from the root; empty when unknown.</param>
/// <param name="Score">The score this mode ranks by (dense cosine, BM25 or fused).</param>
/// <param name="Dense">Raw dense cosine, when known.</param>
/// <param name="Bm25">Raw BM25 score, when the item is in the BM25 list.</param>
/// <param name="Fused">Fused score (hybrid mode only).</param>
/// <param name="DenseRank">1-based rank in the dense list, when present.</param>
/// <param name="Bm25Rank">1-based rank in the BM25 list, when present.</param>
/// <param name="Tier">"exact" | "partial" | "irrelevant" from the dense thresholds; null when unknown.</param>
public sealed record SearchResult(
    int Rank, string ProductId, string? Title, IReadOnlyList<string> Category, double Score,
    float? Dense, float? Bm25, double? Fused, int? DenseRank, int? Bm25Rank, string? Tier);

/// <summary>Answer to one query.</summary>
/// <param name="Query">The query as received.</param>
/// <param name="Mode">Mode used.</param>
/// <param name="K">Requested number of results (before the grade filter).</param>
/// <param name="MinGrade">Grade filter applied (results with tier ≥ it), or null.</param>
/// <param name="Engine">Engine name.</param>
/// <param name="Results">Results, best first.</param>
public sealed record SearchResponse(
    string Query, SearchMode Mode, int K, int? MinGrade, string Engine, IReadOnlyList<SearchResult> Results)
{
    /// <summary>True when part of the index (a dense-backend shard) failed or timed out: the results cover only the
    /// answering shards and must not be taken as complete. Always false for the local backend.</summary>
    public bool Degraded { get; init; }
    /// <summary>The shards that did not answer (empty unless <see cref="Degraded"/>).</summary>
    public IReadOnlyList<int> MissingShards { get; init; } = [];
}

/// <summary>A catalog entry as served.</summary>
public sealed record ProductView(
    string Id, string Title, string? Description, IReadOnlyList<string> Category, IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>View of a data-model product.</summary>
    public static ProductView From(MineRefine.Data.Product p) => new(p.Id, p.Title, p.Description, p.CategoryPath, p.Attributes);
}

/// <summary>What an engine serves.</summary>
/// <param name="Name">Engine name (model, index, fusion).</param>
/// <param name="ProductCount">Catalog size.</param>
/// <param name="Modes">Modes it supports.</param>
/// <param name="Thresholds">Dense-score thresholds, or null (then minGrade &gt; 0 is refused).</param>
/// <param name="Fusion">Fusion options used by hybrid mode, or null.</param>
/// <param name="LoadedAt">When the engine was built.</param>
public sealed record EngineInfo(
    string Name, int ProductCount, IReadOnlyList<SearchMode> Modes, GradeThresholds? Thresholds,
    FusionOptions? Fusion, DateTimeOffset LoadedAt)
{
    /// <summary>Where the dense leg searches: "local" (the folder's ANN index) or a backend kind such as "garnet".</summary>
    public string Backend { get; init; } = "local";
}

/// <summary>A request the engine refuses; the service answers 400 naming <see cref="Field"/>.</summary>
public sealed class SearchRequestException(string field, string message) : Exception(message)
{
    /// <summary>Request field at fault, e.g. "minGrade".</summary>
    public string Field { get; } = field;
}

/// <summary>The search back end used by <see cref="SearchService"/>. Implementations must allow concurrent
/// <see cref="Search"/> calls.</summary>
public interface ISearchEngine : IDisposable
{
    /// <summary>Top-<paramref name="k"/> results of <paramref name="mode"/>, then keeps those with tier ≥
    /// <paramref name="minGrade"/> when given.</summary>
    /// <exception cref="SearchRequestException">When the request cannot be served (e.g. minGrade without thresholds).</exception>
    SearchResponse Search(string query, int k, SearchMode mode, int? minGrade);

    /// <summary>The product with this id, or null.</summary>
    ProductView? Product(string id);

    /// <summary>Description of the engine.</summary>
    EngineInfo Info { get; }
}
