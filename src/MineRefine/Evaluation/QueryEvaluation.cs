using MineRefine.Retrieval;

namespace MineRefine.Evaluation;

/// <summary>Per-query evaluation: counts, the retrieved list and the metric values.</summary>
/// <param name="QueryId">Query id.</param>
/// <param name="Text">Query text sent to the retriever.</param>
/// <param name="Judged">Number of judged items.</param>
/// <param name="Relevant">Judged items with grade ≥ 1.</param>
/// <param name="Exact">Judged items with grade 2.</param>
/// <param name="Skipped">True when the query has no judged item with grade ≥ 1 (no metric is defined).</param>
/// <param name="Hits">Retrieved items, best first.</param>
/// <param name="Metrics">Metric values by key (empty when skipped); grade-2 variants are NaN when the query has no
/// grade-2 item, and <c>tied@K</c> is NaN at K = the evaluated depth when the list is full (the next item is not
/// seen).</param>
public sealed record QueryEvaluation(
    string QueryId,
    string Text,
    int Judged,
    int Relevant,
    int Exact,
    bool Skipped,
    IReadOnlyList<SearchHit> Hits,
    IReadOnlyDictionary<string, double> Metrics);
