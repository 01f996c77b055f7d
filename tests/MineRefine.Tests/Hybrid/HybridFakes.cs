using MineRefine.Retrieval;

namespace MineRefine.Tests.Hybrid;

/// <summary>Retriever returning fixed lists per query (best first), truncated to k.</summary>
public class FakeRetriever(string name, Dictionary<string, SearchHit[]> lists) : IRetriever
{
    public bool Disposed { get; private set; }
    public List<int> RequestedK { get; } = [];
    public string Name => name;

    public IReadOnlyList<SearchHit>[] SearchBatch(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        lock (RequestedK) RequestedK.Add(k);
        return queries.Select(q => (IReadOnlyList<SearchHit>)(lists.TryGetValue(q, out var l) ? l.Take(k).ToArray() : [])).ToArray();
    }

    public void Dispose() => Disposed = true;
}

/// <summary>Dense fake that can also score any pair from a table (missing pairs score <c>fallback</c>).</summary>
public sealed class FakeDenseScorer(string name, Dictionary<string, SearchHit[]> lists, Dictionary<(string, string), float> pairs, float fallback = -0.5f)
    : FakeRetriever(name, lists), IPairScorer
{
    public int PairsScored { get; private set; }

    public float[] ScorePairs(IReadOnlyList<(string Query, string ProductId)> input, IProgress<int>? progress = null)
    {
        PairsScored += input.Count;
        return input.Select(p => pairs.TryGetValue((p.Query, p.ProductId), out var s) ? s : fallback).ToArray();
    }
}

public static class Hits
{
    public static SearchHit[] Of(params (string Id, float Score)[] hits) => hits.Select(h => new SearchHit(h.Id, h.Score)).ToArray();
}
