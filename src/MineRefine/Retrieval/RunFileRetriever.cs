using MineRefine.Evaluation;

namespace MineRefine.Retrieval;

/// <summary>Replays a ranking another system produced, read from a TREC run file (<c>qid Q0 docid rank score
/// run_name</c>, the format <c>eval</c> writes as <c>run.trec</c> and trec_eval reads): a search team's production
/// engine, a vendor's results or an older MineRefine run, evaluated with the same metrics and compared with
/// <c>compare</c>. Rankings are keyed by query id (<see cref="IQueryIdRetriever"/>), so the query ids must be the data
/// set's. A query the file does not rank gets an empty list (it still counts, scoring 0) and is counted in
/// <see cref="QueriesWithoutRanking"/>; products need not be in the catalog (a product nobody judged is an unjudged
/// hit, as for any retriever).</summary>
public sealed class RunFileRetriever : IRetriever, IQueryIdRetriever, IQueryIdPairScorer
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<SearchHit>> _run;
    private Dictionary<string, Dictionary<string, float>>? _scores;
    private readonly HashSet<string> _missing = new(StringComparer.Ordinal);

    private RunFileRetriever(string path, IReadOnlyDictionary<string, IReadOnlyList<SearchHit>> run)
    {
        Path = path;
        _run = run;
    }

    /// <summary>Reads the run file (errors name the line and field: <see cref="TrecReader.ReadRunHits"/>).</summary>
    public static RunFileRetriever Load(string path) => new(path, TrecReader.ReadRunHits(path));

    /// <summary>The run file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string Name => "run:" + System.IO.Path.GetFileName(Path);

    /// <summary>Queries the file ranks.</summary>
    public int QueriesInFile => _run.Count;

    /// <summary>Distinct query ids asked for so far that the file does not rank.</summary>
    public int QueriesWithoutRanking => _missing.Count;

    /// <inheritdoc />
    public IReadOnlyList<SearchHit>[] SearchBatchById(IReadOnlyList<string> queryIds, int k)
    {
        ArgumentNullException.ThrowIfNull(queryIds);
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be ≥ 1.");
        var result = new IReadOnlyList<SearchHit>[queryIds.Count];
        for (int i = 0; i < result.Length; i++)
        {
            if (_run.TryGetValue(queryIds[i], out var hits)) result[i] = hits.Count > k ? hits.Take(k).ToList() : hits;
            else
            {
                _missing.Add(queryIds[i]);
                result[i] = [];
            }
        }
        return result;
    }

    /// <summary>The file's score of each pair it ranks (its whole list, not only the evaluated depth); NaN for a pair it
    /// does not rank. The score separation of a run is therefore over the judged pairs the run ranked.</summary>
    public float[] ScorePairsById(IReadOnlyList<(string QueryId, string ProductId)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        _scores ??= _run.ToDictionary(kv => kv.Key, kv =>
        {
            var m = new Dictionary<string, float>(kv.Value.Count, StringComparer.Ordinal);
            foreach (var h in kv.Value) m[h.ProductId] = h.Score; // the reader refuses a product listed twice for a query
            return m;
        }, StringComparer.Ordinal);
        var result = new float[pairs.Count];
        for (int i = 0; i < result.Length; i++)
            result[i] = _scores.TryGetValue(pairs[i].QueryId, out var m) && m.TryGetValue(pairs[i].ProductId, out var s) ? s : float.NaN;
        return result;
    }

    /// <summary>Not supported: a run file ranks query ids, not texts. Use <see cref="SearchBatchById"/> (the evaluator
    /// does).</summary>
    public IReadOnlyList<SearchHit>[] SearchBatch(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null) =>
        throw new InvalidOperationException(
            $"The run file {Path} holds rankings per query id, so it cannot search new query texts; evaluate it (eval --retriever run) instead.");

    /// <inheritdoc />
    public void Dispose() { }
}
