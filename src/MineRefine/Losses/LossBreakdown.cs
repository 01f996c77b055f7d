namespace MineRefine.Losses;

/// <summary>
/// Per-term diagnostics of one loss evaluation, for logging (e.g. loss per grade pair). Values are plain doubles
/// read from detached tensors after the forward pass; they are not part of the autograd graph.
/// Keys are "name/term", e.g. "circle/2v0", "triplet/2v1", "supcon/pos2"; each term has a summed value and a count
/// (instances or pairs that contributed, see the loss's documentation).
/// </summary>
public sealed class LossBreakdown
{
    private readonly SortedDictionary<string, double> _values = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Total loss value (the same number as the returned loss tensor).</summary>
    public double Total { get; set; }

    /// <summary>Summed contribution of each term to <see cref="Total"/> (before any outer weight for
    /// combined losses, which is recorded under "weight/…").</summary>
    public IReadOnlyDictionary<string, double> Values => _values;

    /// <summary>How many instances (or pairs) contributed to each term.</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>Adds <paramref name="value"/> and <paramref name="count"/> to term <paramref name="key"/>.</summary>
    public void Add(string key, double value, long count)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _values[key] = _values.GetValueOrDefault(key) + value;
        _counts[key] = _counts.GetValueOrDefault(key) + count;
    }

    /// <summary>Sets a scalar diagnostic (e.g. the temperature) without a count.</summary>
    public void Set(string key, double value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _values[key] = value;
    }

    /// <summary>Copies every term of <paramref name="other"/> into this breakdown (values add up).</summary>
    public void Merge(LossBreakdown other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (k, v) in other._values)
        {
            if (other._counts.TryGetValue(k, out long c)) Add(k, v, c);
            else Set(k, v);
        }
    }

    /// <summary>Flat view for a metrics log: "loss/{key}" → value and "count/{key}" → count, plus "loss/total".</summary>
    public IEnumerable<KeyValuePair<string, double>> ToMetrics(string prefix = "loss")
    {
        yield return new($"{prefix}/total", Total);
        foreach (var (k, v) in _values) yield return new($"{prefix}/{k}", v);
        foreach (var (k, c) in _counts) yield return new($"{prefix}_count/{k}", c);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"total={Total:G6} " + string.Join(' ', _values.Select(kv =>
            _counts.TryGetValue(kv.Key, out long c) ? $"{kv.Key}={kv.Value:G6}(n={c})" : $"{kv.Key}={kv.Value:G6}"));
}
