using MineRefine.Retrieval;

namespace MineRefine.Tests.Evaluation;

/// <summary>Returns fixed result lists per query text and fixed pair scores.</summary>
internal sealed class FakeRetriever(
    Dictionary<string, SearchHit[]> results,
    Dictionary<(string, string), float>? pairScores = null) : IRetriever, IPairScorer
{
    public string Name => "fake";
    public int SearchedQueries { get; private set; }

    public IReadOnlyList<SearchHit>[] SearchBatch(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null)
    {
        SearchedQueries += queries.Count;
        var r = queries.Select(q => (IReadOnlyList<SearchHit>)results.GetValueOrDefault(q, []).Take(k).ToArray()).ToArray();
        progress?.Report(queries.Count);
        return r;
    }

    public float[] ScorePairs(IReadOnlyList<(string Query, string ProductId)> pairs, IProgress<int>? progress = null) =>
        pairs.Select(p => pairScores![(p.Query, p.ProductId)]).ToArray();

    public void Dispose() { }
}

/// <summary>The same retriever without the pair-scoring interface.</summary>
internal sealed class RetrieveOnly(IRetriever inner) : IRetriever
{
    public string Name => inner.Name;
    public IReadOnlyList<SearchHit>[] SearchBatch(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null) =>
        inner.SearchBatch(queries, k, progress);
    public void Dispose() => inner.Dispose();
}
