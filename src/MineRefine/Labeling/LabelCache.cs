using System.Text;
using System.Text.Json;
using MineRefine.Data;

namespace MineRefine.Labeling;

/// <summary>Append-only JSONL cache of judge answers: one line <c>{"key":"…","grade":g,"judge":"…"}</c> per pair.
/// Lines are appended and flushed after each successful batch, so a crash loses at most the batch in flight. A
/// truncated final line (crash mid-write, no trailing newline) is ignored and counted; any other bad line is a
/// <see cref="DataFormatException"/>. Thread-safe.</summary>
public sealed class LabelCache : IDisposable
{
    private readonly Dictionary<string, int> _map = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private readonly FileStream? _stream;

    /// <summary>Opens (or creates) the cache at <paramref name="path"/>.</summary>
    public LabelCache(string path)
    {
        Path = path;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        if (File.Exists(path)) Load(path);
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        if (TruncatedLineIgnored) { _stream.WriteByte((byte)'\n'); _stream.Flush(true); }
    }

    /// <summary>Cache file path.</summary>
    public string Path { get; }
    /// <summary>Entries loaded or added.</summary>
    public int Count { get { lock (_lock) return _map.Count; } }
    /// <summary>True when a truncated final line was found and ignored on load.</summary>
    public bool TruncatedLineIgnored { get; private set; }

    /// <summary>The cached grade for <paramref name="key"/>, if any.</summary>
    public bool TryGet(string key, out int grade) { lock (_lock) return _map.TryGetValue(key, out grade); }

    /// <summary>Adds entries and flushes them to disk.</summary>
    public void AddRange(IEnumerable<(string Key, int Grade)> entries, string judge)
    {
        var sb = new StringBuilder();
        lock (_lock)
        {
            foreach (var (key, grade) in entries)
            {
                if (!_map.TryAdd(key, grade)) continue;
                sb.Append(JsonSerializer.Serialize(new Entry { Key = key, Grade = grade, Judge = judge })).Append('\n');
            }
            if (sb.Length == 0 || _stream is null) return;
            var bytes = Encoding.UTF8.GetBytes(sb.ToString());
            _stream.Write(bytes);
            _stream.Flush(true);
        }
    }

    private void Load(string path)
    {
        var text = File.ReadAllText(path);
        var lines = text.Split('\n');
        bool endsWithNewline = text.Length == 0 || text[^1] == '\n';
        for (int n = 0; n < lines.Length; n++)
        {
            var line = lines[n].TrimEnd('\r');
            if (line.Length == 0) continue;
            bool lastUnterminated = n == lines.Length - 1 && !endsWithNewline;
            Entry? e;
            try { e = JsonSerializer.Deserialize<Entry>(line); }
            catch (JsonException ex)
            {
                if (lastUnterminated) { TruncatedLineIgnored = true; continue; }
                throw new DataFormatException(path, n + 1, null, $"cache line is not valid JSON ({ex.Message}); delete the line or the cache file");
            }
            if (e is null || string.IsNullOrEmpty(e.Key) || e.Key.Length != 64)
                throw new DataFormatException(path, n + 1, "key", "missing or not a 64-hex SHA-256 key");
            if (!Grades.IsValid(e.Grade)) throw new DataFormatException(path, n + 1, "grade", $"grade {e.Grade} is not 0, 1 or 2");
            _map[e.Key] = e.Grade;
        }
    }

    /// <inheritdoc />
    public void Dispose() { lock (_lock) _stream?.Dispose(); }

    private sealed class Entry
    {
        [System.Text.Json.Serialization.JsonPropertyName("key")] public string Key { get; set; } = "";
        [System.Text.Json.Serialization.JsonPropertyName("grade")] public int Grade { get; set; } = -1;
        [System.Text.Json.Serialization.JsonPropertyName("judge")] public string? Judge { get; set; }
    }
}
