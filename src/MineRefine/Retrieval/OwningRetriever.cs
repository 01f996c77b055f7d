namespace MineRefine.Retrieval;

/// <summary>A retriever that also disposes a resource it depends on (e.g. the embedder of a dense retriever).</summary>
public sealed class OwningRetriever(IRetriever inner, IDisposable owned) : IRetriever, IPairScorer
{
    /// <inheritdoc />
    public string Name => inner.Name;

    /// <inheritdoc />
    public IReadOnlyList<SearchHit>[] SearchBatch(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null) =>
        inner.SearchBatch(queries, k, progress);

    /// <inheritdoc />
    public float[] ScorePairs(IReadOnlyList<(string Query, string ProductId)> pairs, IProgress<int>? progress = null) =>
        inner is IPairScorer s ? s.ScorePairs(pairs, progress) : throw new NotSupportedException($"{inner.Name} cannot score pairs.");

    /// <inheritdoc />
    public void Dispose()
    {
        inner.Dispose();
        owned.Dispose();
    }
}
