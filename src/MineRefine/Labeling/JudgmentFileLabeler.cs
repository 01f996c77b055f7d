using MineRefine.Data;

namespace MineRefine.Labeling;

/// <summary>A judge that answers from a judgments file (e.g. the sample marketplace's noise-free
/// <c>truth.jsonl</c>, or grades collected from human reviewers). By default a pair the file does not grade is an
/// error, never a guess; a <b>complete</b> file (every relevant pair listed, e.g. the sample's
/// <c>truth-complete.jsonl</c>) is opened with <c>unlistedGrade: 0</c>, so that unlisted pairs are grade 0 by the
/// file's own definition.</summary>
public sealed class JudgmentFileLabeler : ILabeler
{
    private readonly Dictionary<(string, string), int> _grades = new();
    private readonly int? _unlistedGrade;

    /// <summary>Creates the judge from judgments (last wins for repeated pairs).</summary>
    /// <param name="judgments">The graded pairs.</param>
    /// <param name="name">Name recorded with every label.</param>
    /// <param name="unlistedGrade">Grade of a pair the judgments do not list; null (default) makes such a pair an
    /// error. Only set it for files that are complete by construction.</param>
    public JudgmentFileLabeler(IEnumerable<Judgment> judgments, string name, int? unlistedGrade = null)
    {
        if (unlistedGrade is int u && !Grades.IsValid(u))
            throw new ArgumentOutOfRangeException(nameof(unlistedGrade), $"unlistedGrade must be 0, 1 or 2 (got {u}).");
        foreach (var j in judgments) _grades[(j.QueryId, j.ProductId)] = j.Grade;
        Name = name;
        _unlistedGrade = unlistedGrade;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Number of graded pairs known.</summary>
    public int Count => _grades.Count;

    /// <inheritdoc />
    public Task<IReadOnlyList<LabelResult>> LabelAsync(IReadOnlyList<LabelRequest> pairs, IProgress<int>? progress = null,
        CancellationToken ct = default)
    {
        var results = new LabelResult[pairs.Count];
        var failures = new List<LabelFailure>();
        for (int i = 0; i < pairs.Count; i++)
        {
            if (_grades.TryGetValue((pairs[i].QueryId, pairs[i].ProductId), out int g))
                results[i] = LabelResult.FromGrade(g, 1f, JudgmentSource.Model, Name);
            else if (_unlistedGrade is int u)
                results[i] = LabelResult.FromGrade(u, 1f, JudgmentSource.Model, Name);
            else
                failures.Add(new LabelFailure(i, pairs[i].QueryId, pairs[i].ProductId, $"{Name} has no grade for this pair"));
        }
        progress?.Report(pairs.Count);
        if (failures.Count > 0) throw new LabelingException(Name, failures, results);
        return Task.FromResult<IReadOnlyList<LabelResult>>(results);
    }

    /// <inheritdoc />
    public void Dispose() { }
}
