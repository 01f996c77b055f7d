namespace MineRefine.Labeling;

/// <summary>Options of <see cref="CompositeLabeler"/>.</summary>
public sealed class CompositeLabelerOptions
{
    /// <summary>Pairs whose first-judge confidence (max probability) is strictly below this go to the second
    /// judge. In (0, 1]; default 0.6.</summary>
    public float ConfidenceThreshold { get; set; } = 0.6f;
    /// <summary>Dispose both judges when the composite is disposed. Default true.</summary>
    public bool OwnsJudges { get; set; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> when an option is out of range.</summary>
    public void Validate()
    {
        if (!(ConfidenceThreshold is > 0f and <= 1f))
            throw new ArgumentException($"CompositeLabelerOptions.ConfidenceThreshold {ConfidenceThreshold} must be in (0, 1] (default 0.6).");
    }
}

/// <summary>Counts of a <see cref="CompositeLabeler"/> (cumulative over calls).</summary>
public sealed class CompositeReport
{
    /// <summary>Pairs graded by the first judge.</summary>
    public long Total { get; internal set; }
    /// <summary>Pairs escalated to the second judge (confidence below threshold).</summary>
    public long Escalated { get; internal set; }
    /// <summary>Escalated pairs whose grade the second judge changed.</summary>
    public long Changed { get; internal set; }
    /// <summary>Share of pairs escalated (0 when nothing was graded).</summary>
    public double EscalatedShare => Total == 0 ? 0 : (double)Escalated / Total;
}

/// <summary>Two-tier judge (paper §6 cost note: grade with a cheap first judge, send only uncertain pairs to a
/// stronger one). Every pair is graded by <c>first</c>; pairs with confidence &lt; threshold are re-graded by
/// <c>second</c> and take its result (its <see cref="LabelResult.Judge"/> and source are kept, so each label
/// records who gave it).</summary>
public sealed class CompositeLabeler : ILabeler
{
    private readonly ILabeler _first, _second;
    private readonly CompositeLabelerOptions _o;

    /// <summary>Creates the composite.</summary>
    public CompositeLabeler(ILabeler first, ILabeler second, CompositeLabelerOptions? options = null)
    {
        _first = first ?? throw new ArgumentNullException(nameof(first));
        _second = second ?? throw new ArgumentNullException(nameof(second));
        _o = options ?? new CompositeLabelerOptions();
        _o.Validate();
        Name = $"composite({first.Name}->{second.Name}@{_o.ConfidenceThreshold:0.###})";
    }

    /// <inheritdoc />
    public string Name { get; }
    /// <summary>Escalation counts.</summary>
    public CompositeReport Report { get; } = new();

    /// <inheritdoc />
    public async Task<IReadOnlyList<LabelResult>> LabelAsync(IReadOnlyList<LabelRequest> pairs, IProgress<int>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var firstResults = await _first.LabelAsync(pairs, null, ct).ConfigureAwait(false);
        if (firstResults.Count != pairs.Count)
            throw new InvalidOperationException($"Judge '{_first.Name}' returned {firstResults.Count} results for {pairs.Count} pairs.");
        var results = firstResults.ToArray();
        var escalate = new List<int>();
        for (int i = 0; i < results.Length; i++)
            if (results[i].Confidence < _o.ConfidenceThreshold) escalate.Add(i);
        progress?.Report(pairs.Count - escalate.Count);
        long changed = 0;
        if (escalate.Count > 0)
        {
            var sub = escalate.Select(i => pairs[i]).ToList();
            var inner = progress is null ? null : new Progress<int>(n => progress.Report(pairs.Count - escalate.Count + n));
            var second = await _second.LabelAsync(sub, inner, ct).ConfigureAwait(false);
            if (second.Count != sub.Count)
                throw new InvalidOperationException($"Judge '{_second.Name}' returned {second.Count} results for {sub.Count} pairs.");
            for (int k = 0; k < escalate.Count; k++)
            {
                if (second[k].Grade != results[escalate[k]].Grade) changed++;
                results[escalate[k]] = second[k];
            }
        }
        lock (Report)
        {
            Report.Total += pairs.Count;
            Report.Escalated += escalate.Count;
            Report.Changed += changed;
        }
        return results;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_o.OwnsJudges) return;
        _first.Dispose();
        _second.Dispose();
    }
}
