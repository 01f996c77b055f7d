using MineRefine.Data;
using MineRefine.Labeling;

namespace MineRefine.Training;

/// <summary>
/// Grades, with a relevance judge (normally the cross-encoder labeler), the items the trainer would otherwise
/// <b>assume</b> to be grade 0: the unlabeled catalog fill and BM25 lexical negatives of the instances
/// (<see cref="TrainingInstance.Unlabeled"/>; issue 4: "marked as unlabeled until a labeler exists") and, every step,
/// the highest-scoring shared random negatives of each instance (<see cref="TrainOptions.JudgedRandomNegatives"/>).
/// This is the paper's §6 rule — "grade every retrieved pair not already labeled; this is what prevents false
/// negatives" — applied to the trainer's own extra negatives: on a catalog where a random product is often relevant
/// (many substitutes/complements per query) an assumed-0 item is a false negative that the circle loss pushes into
/// the grade-0 band.
/// <list type="bullet">
/// <item>An instance item graded 1 or 2 takes that grade (it becomes a positive of the instance); graded 0 it stays a
/// negative; either way it is no longer flagged unlabeled.</item>
/// <item>A random negative graded 1 or 2 is masked out of that instance's loss (grade −1): random items are never
/// promoted to positives, only kept from being wrong negatives.</item>
/// </list>
/// Only the top-scoring random negatives are graded (default 8 per instance and step, ≈ 128 cross-encoder pairs per
/// step at batch 16): a random item the model already scores low carries almost no loss. The judge's outputs are
/// deterministic, so a resumed run stays bit-identical.
/// </summary>
public sealed class AssumedNegativeJudge
{
    private readonly ILabeler _labeler;
    private readonly Func<Product, string> _itemText;

    /// <summary>Creates the judge. <paramref name="itemText"/> is the judge's view of a product
    /// (default <see cref="LabelingText.ItemText"/>, what the cross-encoder labeler is trained on).</summary>
    public AssumedNegativeJudge(ILabeler labeler, Func<Product, string>? itemText = null)
    {
        _labeler = labeler ?? throw new ArgumentNullException(nameof(labeler));
        _itemText = itemText ?? (p => LabelingText.ItemText(p));
    }

    /// <summary>Judge name (<see cref="ILabeler.Name"/>).</summary>
    public string Name => _labeler.Name;

    /// <summary>Grades (query id, query text, product id) pairs; products must be in <paramref name="dataset"/>. The query
    /// id is what file judges (<see cref="JudgmentFileLabeler"/>) look pairs up by.</summary>
    public IReadOnlyList<int> Grade(Dataset dataset, IReadOnlyList<(string QueryId, string QueryText, string ProductId)> pairs, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0) return Array.Empty<int>();
        var requests = pairs.Select(p => new LabelRequest(p.QueryId, p.QueryText, p.ProductId,
            _itemText(dataset.FindProduct(p.ProductId) ?? throw new ArgumentException($"Product '{p.ProductId}' is not in the catalog.")))).ToList();
        var results = _labeler.LabelAsync(requests, null, ct).GetAwaiter().GetResult();
        return results.Select(r => r.Grade).ToArray();
    }

    /// <summary>
    /// Grades every unlabeled item of <paramref name="instances"/> with <paramref name="grade"/> (one batched call; pairs
    /// carry the instance's <see cref="TrainingInstance.SourceQueryId"/>)
    /// and returns the instances with those grades in place and no unlabeled flag left, plus how many items were graded
    /// and how many of them the judge found relevant (grade ≥ 1). Instances without unlabeled items are returned as is.
    /// </summary>
    public static (List<TrainingInstance> Instances, int Judged, int Relevant) JudgeInstances(
        IReadOnlyList<TrainingInstance> instances, Func<IReadOnlyList<(string QueryId, string QueryText, string ProductId)>, IReadOnlyList<int>> grade)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(grade);
        var pairs = new List<(string, string, string)>();
        foreach (var inst in instances)
            for (int k = 0; k < inst.Count; k++)
                if (inst.Unlabeled[k]) pairs.Add((inst.SourceQueryId, inst.QueryText, inst.ProductIds[k]));
        if (pairs.Count == 0) return (instances.ToList(), 0, 0);
        var grades = grade(pairs);
        if (grades.Count != pairs.Count)
            throw new InvalidOperationException($"The judge returned {grades.Count} grades for {pairs.Count} pairs.");
        int next = 0, relevant = 0;
        var result = new List<TrainingInstance>(instances.Count);
        foreach (var inst in instances)
        {
            if (!inst.Unlabeled.Any(u => u)) { result.Add(inst); continue; }
            var g = inst.Grades.ToArray();
            for (int k = 0; k < inst.Count; k++)
            {
                if (!inst.Unlabeled[k]) continue;
                int v = grades[next++];
                if (!Grades.IsValid(v)) throw new InvalidOperationException($"The judge returned grade {v}; grades are 0, 1, 2.");
                g[k] = v;
                if (v > 0) relevant++;
            }
            result.Add(inst with { Grades = g, Unlabeled = new bool[inst.Count], HasUnlabeledFill = false });
        }
        return (result, pairs.Count, relevant);
    }

    /// <summary>
    /// Grades the <paramref name="perInstance"/> highest-scoring random negatives of each row (those still grade 0 in
    /// <paramref name="grades"/>; ties by column) and sets the ones the judge finds relevant to −1 (masked).
    /// <paramref name="scores"/> and <paramref name="grades"/> are row-major [rows, columns]; <paramref name="grade"/>
    /// receives (row, column) pairs and returns their grades in order. Returns (graded, masked).
    /// </summary>
    public static (int Judged, int Masked) MaskRelevantRandomNegatives(float[] scores, long[] grades, int rows, int columns,
        int perInstance, Func<IReadOnlyList<(int Row, int Column)>, IReadOnlyList<int>> grade)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(grades);
        ArgumentNullException.ThrowIfNull(grade);
        if (scores.Length != rows * columns || grades.Length != rows * columns)
            throw new ArgumentException($"scores ({scores.Length}) and grades ({grades.Length}) must both hold rows × columns = {rows * columns} values.");
        ArgumentOutOfRangeException.ThrowIfNegative(perInstance);
        var picks = new List<(int Row, int Column)>();
        for (int r = 0; r < rows; r++)
        {
            var top = Enumerable.Range(0, columns).Where(c => grades[r * columns + c] == 0)
                .OrderByDescending(c => scores[r * columns + c]).ThenBy(c => c).Take(perInstance);
            foreach (int c in top) picks.Add((r, c));
        }
        if (picks.Count == 0) return (0, 0);
        var g = grade(picks);
        if (g.Count != picks.Count) throw new InvalidOperationException($"The judge returned {g.Count} grades for {picks.Count} pairs.");
        int masked = 0;
        for (int i = 0; i < picks.Count; i++)
            if (g[i] > 0) { grades[picks[i].Row * columns + picks[i].Column] = -1; masked++; }
        return (picks.Count, masked);
    }
}
