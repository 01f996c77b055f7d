using MineRefine.Data;
using MineRefine.Retrieval;

namespace MineRefine.Evaluation;

/// <summary>Where an evaluation is: <paramref name="Stage"/> is "retrieve" or "score pairs".</summary>
public readonly record struct EvaluationProgress(string Stage, int Done, int Total);

/// <summary>Evaluates a retriever on graded judgments (paper §7): retrieves the top <see cref="EvaluationOptions.Depth"/>
/// (100) over the whole catalog for every judged query (no sub-sampling), computes NDCG/Recall/Precision@K, MRR@10 and
/// the grade-2 variants per query, the judged-only view of incomplete judgments (<see cref="CondensedNdcg"/>,
/// <see cref="JudgedAtK"/>), NDCG in expectation over the order of tied scores (<see cref="TieAwareNdcg"/>),
/// averages them, and — when the system can score pairs — the score separation over all judged pairs.</summary>
/// <remarks>
/// Unjudged retrieved items count as grade 0. Queries with no judged item of grade ≥ 1 are skipped (counted in
/// <see cref="EvaluationResult.Skipped"/>). Main metrics average over the non-skipped queries; recall2/precision2 over
/// the non-skipped queries that have at least one grade-2 item. Judgments repeating a (query, product) pair: the
/// last one wins. Judged items missing from the catalog still count in the recall denominator and the ideal DCG
/// (the retriever cannot find them), and are left out of the separation (counted as <c>pairs_unscorable</c>). A
/// retriever that scores pairs only by query id and only some of them (<see cref="IQueryIdPairScorer"/>, e.g. a
/// replayed run file) gives the separation over the judged pairs it has a score for; the others are counted as
/// <c>pairs_without_score</c>.
/// </remarks>
public sealed class RetrievalEvaluator
{
    private readonly EvaluationOptions _options;

    /// <summary>Creates an evaluator (options validated now).</summary>
    public RetrievalEvaluator(EvaluationOptions? options = null)
    {
        _options = options ?? new EvaluationOptions();
        _options.Validate();
    }

    /// <summary>Runs the evaluation.</summary>
    /// <param name="systemName">Name written into the result.</param>
    /// <param name="retriever">The system under test.</param>
    /// <param name="dataset">Supplies query texts and the catalog.</param>
    /// <param name="judgments">The judgments to evaluate against (e.g. one split); every query id must be in
    /// <paramref name="dataset"/>.</param>
    /// <param name="pairScorer">Scores judged pairs for the separation; defaults to <paramref name="retriever"/> when
    /// it implements <see cref="IPairScorer"/>.</param>
    /// <param name="progress">Progress per stage (done counts are cumulative).</param>
    public EvaluationResult Evaluate(
        string systemName,
        IRetriever retriever,
        Dataset dataset,
        IReadOnlyList<Judgment> judgments,
        IPairScorer? pairScorer = null,
        IProgress<EvaluationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(judgments);
        pairScorer ??= retriever as IPairScorer;

        // Group judgments by query (first-appearance order), last duplicate wins.
        var order = new List<string>();
        var graded = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var j in judgments)
        {
            if (!Grades.IsValid(j.Grade))
                throw new ArgumentException($"Judgment ({j.QueryId}, {j.ProductId}) has grade {j.Grade}; grades are 0, 1 or 2.");
            if (!graded.TryGetValue(j.QueryId, out var map))
            {
                graded[j.QueryId] = map = new Dictionary<string, int>(StringComparer.Ordinal);
                order.Add(j.QueryId);
            }
            map[j.ProductId] = j.Grade;
        }
        var texts = order.Select(id => dataset.FindQuery(id)?.Text
            ?? throw new ArgumentException($"Judged query id '{id}' is not in the data set's query list.")).ToList();

        int depth = _options.Depth;
        var searchProgress = progress is null ? null
            : new SyncProgress<int>(done => progress.Report(new EvaluationProgress("retrieve", done, order.Count)));
        var results = order.Count == 0 ? []
            : retriever is IQueryIdRetriever byId ? byId.SearchBatchById(order, depth)
            : retriever.SearchBatch(texts, depth, searchProgress);
        if (results.Length != order.Count)
            throw new InvalidOperationException($"{retriever.Name} returned {results.Length} result lists for {order.Count} queries.");

        var keys = _options.MetricKeys();
        var perQuery = new List<QueryEvaluation>(order.Count);
        for (int qi = 0; qi < order.Count; qi++)
        {
            var map = graded[order[qi]];
            var hits = results[qi];
            if (hits.Count > depth) hits = hits.Take(depth).ToList();
            var retrievedGrades = hits.Select(h => map.GetValueOrDefault(h.ProductId, 0)).ToArray();
            var retrievedJudged = hits.Select(h => map.ContainsKey(h.ProductId)).ToArray();
            var retrievedScores = hits.Select(h => h.Score).ToArray();
            int relevant = map.Values.Count(g => g >= 1), exact = map.Values.Count(g => g == 2);
            bool skipped = relevant == 0;
            var m = new Dictionary<string, double>(StringComparer.Ordinal);
            if (!skipped)
            {
                foreach (var k in _options.Cutoffs)
                {
                    m[$"ndcg@{k}"] = Ndcg.At(retrievedGrades, map.Values, k, _options.Gains);
                    m[$"recall@{k}"] = RecallAtK.At(retrievedGrades, relevant, k, 1);
                    m[$"precision@{k}"] = PrecisionAtK.At(retrievedGrades, k, 1);
                    m[$"recall2@{k}"] = exact > 0 ? RecallAtK.At(retrievedGrades, exact, k, 2) : double.NaN;
                    m[$"precision2@{k}"] = exact > 0 ? PrecisionAtK.At(retrievedGrades, k, 2) : double.NaN;
                    m[$"ndcg_judged@{k}"] = CondensedNdcg.At(retrievedGrades, retrievedJudged, map.Values, k, _options.Gains);
                    m[$"judged@{k}"] = JudgedAtK.At(retrievedJudged, k);
                    m[$"ndcg_tie_aware@{k}"] = TieAwareNdcg.At(retrievedGrades, retrievedScores, map.Values, k, _options.Gains);
                    // At K = depth a full list hides the next item, so whether rank K ties with it is unknown.
                    m[$"tied@{k}"] = k >= depth && hits.Count >= depth ? double.NaN : TieAwareNdcg.TiedAt(retrievedScores, k);
                }
                m[$"mrr@{_options.MrrCutoff}"] = ReciprocalRank.At(retrievedGrades, _options.MrrCutoff, 1);
            }
            perQuery.Add(new QueryEvaluation(order[qi], texts[qi], map.Count, relevant, exact, skipped, hits, m));
        }

        var means = new OrderedDictionary<string, double?>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            double sum = 0;
            int n = 0;
            foreach (var q in perQuery)
                if (!q.Skipped && q.Metrics.TryGetValue(key, out var v) && !double.IsNaN(v)) { sum += v; n++; }
            means[key] = n == 0 ? null : sum / n;
        }

        SeparationResult? separation = null;
        if (pairScorer is not null && _options.ComputeSeparation)
            separation = Separation(pairScorer, dataset, order, texts, graded, progress);
        else if (retriever is IQueryIdPairScorer byIdScorer && _options.ComputeSeparation)
            separation = SeparationById(byIdScorer, order, graded);

        int evaluated = perQuery.Count(q => !q.Skipped);
        return new EvaluationResult
        {
            System = systemName,
            Queries = evaluated,
            Skipped = perQuery.Count - evaluated,
            QueriesWithExact = perQuery.Count(q => !q.Skipped && q.Exact > 0),
            Metrics = means,
            Separation = separation,
            PerQuery = perQuery,
            Judgments = judgments,
        };
    }

    private static SeparationResult Separation(IPairScorer scorer, Dataset dataset, List<string> order, List<string> texts,
        Dictionary<string, Dictionary<string, int>> graded, IProgress<EvaluationProgress>? progress)
    {
        var pairs = new List<(string Query, string ProductId)>();
        var meta = new List<(string QueryId, int Grade)>();
        int unscorable = 0;
        for (int qi = 0; qi < order.Count; qi++)
            foreach (var (pid, grade) in graded[order[qi]])
            {
                if (dataset.FindProduct(pid) is null) { unscorable++; continue; }
                pairs.Add((texts[qi], pid));
                meta.Add((order[qi], grade));
            }
        var scoreProgress = progress is null ? null
            : new SyncProgress<int>(done => progress.Report(new EvaluationProgress("score pairs", done, pairs.Count)));
        var scores = pairs.Count == 0 ? [] : scorer.ScorePairs(pairs, scoreProgress);
        if (scores.Length != pairs.Count)
            throw new InvalidOperationException($"The pair scorer returned {scores.Length} scores for {pairs.Count} pairs.");
        var scored = new ScoredPair[pairs.Count];
        for (int i = 0; i < scored.Length; i++) scored[i] = new ScoredPair(meta[i].QueryId, meta[i].Grade, scores[i]);
        var result = ScoreSeparation.Compute(scored);
        result.PairsUnscorable = unscorable;
        return result;
    }

    private static SeparationResult SeparationById(IQueryIdPairScorer scorer, List<string> order,
        Dictionary<string, Dictionary<string, int>> graded)
    {
        var pairs = new List<(string QueryId, string ProductId)>();
        var grades = new List<int>();
        foreach (var qid in order)
            foreach (var (pid, grade) in graded[qid]) { pairs.Add((qid, pid)); grades.Add(grade); }
        var scores = scorer.ScorePairsById(pairs);
        if (scores.Length != pairs.Count)
            throw new InvalidOperationException($"The pair scorer returned {scores.Length} scores for {pairs.Count} pairs.");
        var scored = new List<ScoredPair>(pairs.Count);
        int without = 0;
        for (int i = 0; i < scores.Length; i++)
            if (float.IsNaN(scores[i])) without++;
            else scored.Add(new ScoredPair(pairs[i].QueryId, grades[i], scores[i]));
        var result = ScoreSeparation.Compute(scored);
        result.PairsWithoutScore = without;
        return result;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that calls its handler synchronously on the reporting thread
/// (unlike <see cref="Progress{T}"/>, which posts to a synchronisation context).</summary>
public sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => handler(value);
}
