namespace MineRefine.Retrieval;

/// <summary>One retrieved product with the retriever's score (higher is better).</summary>
public readonly record struct SearchHit(string ProductId, float Score);

/// <summary>A first-stage retriever over a fixed catalog.</summary>
public interface IRetriever : IDisposable
{
    /// <summary>System name used in reports, e.g. "bm25", "dense:minilm".</summary>
    string Name { get; }

    /// <summary>Top-<paramref name="k"/> products for each query, best first.</summary>
    IReadOnlyList<SearchHit>[] SearchBatch(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null);
}

/// <summary>A retriever that can also score arbitrary query–product pairs (used for score separation metrics).</summary>
public interface IPairScorer
{
    /// <summary>Scores for (query text, product id) pairs, in order.</summary>
    float[] ScorePairs(IReadOnlyList<(string Query, string ProductId)> pairs, IProgress<int>? progress = null);
}

/// <summary>A retriever whose rankings are keyed by query id rather than computed from the query text (e.g. a
/// <see cref="RunFileRetriever"/> replaying another system's TREC run). <see cref="MineRefine.Evaluation.RetrievalEvaluator"/>
/// asks it by id.</summary>
public interface IQueryIdRetriever
{
    /// <summary>Top-<paramref name="k"/> products for each query id, best first (an empty list for an unknown id).</summary>
    IReadOnlyList<SearchHit>[] SearchBatchById(IReadOnlyList<string> queryIds, int k);
}
