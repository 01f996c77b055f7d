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

/// <summary>Scores (query id, product id) pairs from a source that knows scores only for some pairs, e.g. a
/// <see cref="RunFileRetriever"/> (only the pairs its file ranks). <see cref="MineRefine.Evaluation.RetrievalEvaluator"/>
/// uses it for the score separation when the retriever cannot score pairs by text.</summary>
public interface IQueryIdPairScorer
{
    /// <summary>Scores for (query id, product id) pairs, in order; <see cref="float.NaN"/> where the source has none.</summary>
    float[] ScorePairsById(IReadOnlyList<(string QueryId, string ProductId)> pairs);
}
