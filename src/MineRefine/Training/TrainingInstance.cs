namespace MineRefine.Training;

/// <summary>
/// One training instance (paper §3): a query with up to N graded items. Items carry grades 2/1/0; items added from
/// the catalog because the query had no judged grade-0 item are flagged in <see cref="Unlabeled"/> and carry grade 0
/// (the labeler may re-grade them later).
/// </summary>
/// <param name="QueryId">Query id (for a spelling variant, the variant id, e.g. "q17#spell").</param>
/// <param name="QueryText">Query text fed to the encoder.</param>
/// <param name="ProductIds">Item product ids, no duplicates.</param>
/// <param name="Grades">Grade of each item (same length as <paramref name="ProductIds"/>).</param>
/// <param name="Unlabeled">Per item: true when it is an unjudged catalog item — random fill, a lexical hard negative
/// (<see cref="InstanceOptions.LexicalNegatives"/>) or a dense one (<see cref="InstanceOptions.DenseNegatives"/>) —
/// treated as grade 0.</param>
/// <param name="IsAugmented">True for an additive spelling-augmentation copy.</param>
/// <param name="HasUnlabeledFill">True when at least one item is a random (unlabeled) fill item.</param>
/// <param name="SourceQueryId">Id of the original query (equals <paramref name="QueryId"/> for originals).</param>
public sealed record TrainingInstance(
    string QueryId,
    string QueryText,
    IReadOnlyList<string> ProductIds,
    IReadOnlyList<int> Grades,
    IReadOnlyList<bool> Unlabeled,
    bool IsAugmented,
    bool HasUnlabeledFill,
    string SourceQueryId)
{
    /// <summary>Number of items.</summary>
    public int Count => ProductIds.Count;

    /// <summary>A copy with another query (same items and labels), e.g. a misspelled variant.</summary>
    public TrainingInstance WithQuery(string queryId, string queryText, bool isAugmented = true) =>
        this with { QueryId = queryId, QueryText = queryText, IsAugmented = isAugmented };
}
