using MineRefine.Data;

namespace MineRefine.Labeling;

/// <summary>A judge that answers from a judgments file (e.g. the sample marketplace's noise-free
/// <c>truth.jsonl</c>, or grades collected from human reviewers). A pair the file does not grade is an error, never a
/// guess.</summary>
public sealed class JudgmentFileLabeler : ILabeler
{
    private readonly Dictionary<(string, string), int> _grades = new();

    /// <summary>Creates the judge from judgments (last wins for repeated pairs).</summary>
    public JudgmentFileLabeler(IEnumerable<Judgment> judgments, string name)
    {
        foreach (var j in judgments) _grades[(j.QueryId, j.ProductId)] = j.Grade;
        Name = name;
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
