using System.Text;
using System.Text.Json;

namespace MineRefine.Training;

/// <summary>
/// Appends one JSON object per line to a <c>metrics.jsonl</c> file: <c>{"step":12,"time":"…","loss/total":1.2,…}</c>,
/// flushed after every line so a crash loses at most the line being written. Non-finite numbers are written as the
/// strings "NaN", "Infinity", "-Infinity" (JSON has no literal for them). On resume, call
/// <see cref="TruncateAfterStep"/> first so that steps redone after the checkpoint are not logged twice.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    private readonly FileStream _stream;
    private readonly bool _timestamps;

    /// <summary>Opens (appends to) or creates <paramref name="path"/>.</summary>
    /// <param name="path">The .jsonl file.</param>
    /// <param name="includeTimestamp">Write a "time" field (UTC, ISO 8601). Default true.</param>
    public MetricsLog(string path, bool includeTimestamp = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        _timestamps = includeTimestamp;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Writes one line for <paramref name="step"/>. Repeated keys: the last value wins.</summary>
    public void Write(long step, IEnumerable<KeyValuePair<string, double>> metrics, IEnumerable<KeyValuePair<string, string>>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (k, v) in metrics)
        {
            if (k is "step" or "time") throw new ArgumentException($"Metric name '{k}' is reserved.", nameof(metrics));
            if (!values.ContainsKey(k)) order.Add(k);
            values[k] = v;
        }
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("step", step);
            if (_timestamps) w.WriteString("time", DateTimeOffset.UtcNow);
            if (tags is not null) foreach (var (k, v) in tags) w.WriteString(k, v);
            foreach (var k in order)
            {
                double v = values[k];
                if (double.IsFinite(v)) w.WriteNumber(k, v);
                else w.WriteString(k, double.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
            }
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        _stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        _stream.Flush();
    }

    /// <summary>Writes one line from a plain dictionary.</summary>
    public void Write(long step, IReadOnlyDictionary<string, double> metrics) => Write(step, (IEnumerable<KeyValuePair<string, double>>)metrics);

    /// <summary>Rewrites <paramref name="path"/> (atomically) without the lines whose step is greater than
    /// <paramref name="step"/> and without unparsable lines (e.g. a half-written last line). Returns the number of
    /// lines removed; 0 when the file does not exist.</summary>
    public static int TruncateAfterStep(string path, long step)
    {
        if (!File.Exists(path)) return 0;
        var keep = new StringBuilder();
        int removed = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            long? s = TryStep(line);
            if (s is null || s > step) { removed++; continue; }
            keep.Append(line).Append('\n');
        }
        if (removed > 0) AtomicFile.WriteAllText(path, keep.ToString());
        return removed;
    }

    /// <summary>Reads every line as a JSON object (for tests and reports).</summary>
    public static IReadOnlyList<JsonElement> ReadAll(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    private static long? TryStep(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("step", out var s) && s.TryGetInt64(out long v) ? v : null;
        }
        catch (JsonException) { return null; }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
