using MineRefine.Data;
using MineRefine.Labeling;

namespace MineRefine.Tests.Labeling;

/// <summary>Deterministic test judge: a function of the request gives (grade, confidence).</summary>
internal sealed class FakeLabeler(string name, Func<LabelRequest, (int Grade, float Confidence)> f) : ILabeler
{
    public string Name { get; } = name;
    public int Calls { get; private set; }
    public List<LabelRequest> Seen { get; } = new();
    public bool Disposed { get; private set; }

    public Task<IReadOnlyList<LabelResult>> LabelAsync(IReadOnlyList<LabelRequest> pairs, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        Calls++;
        Seen.AddRange(pairs);
        IReadOnlyList<LabelResult> r = pairs.Select(p => { var (g, c) = f(p); return LabelResult.FromGrade(g, c, JudgmentSource.Model, Name); }).ToList();
        progress?.Report(pairs.Count);
        return Task.FromResult(r);
    }

    public void Dispose() => Disposed = true;
}
