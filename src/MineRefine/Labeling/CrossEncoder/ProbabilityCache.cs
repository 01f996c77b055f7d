using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MineRefine.Data;

namespace MineRefine.Labeling.CrossEncoder;

/// <summary>Append-only JSONL cache of labeler probabilities: one line <c>{"key":"…","p":[p0,p1,p2]}</c> per pair,
/// key = SHA-256 of (model hash, query text, item text). (<see cref="LabelCache"/> stores grades only; a labeler
/// needs the probability vector.) Flushed after every batch; a truncated final line (crash mid-write) is ignored,
/// any other bad line is a <see cref="DataFormatException"/>. Thread-safe.</summary>
public sealed class ProbabilityCache : IDisposable
{
    private readonly Dictionary<string, float[]> _map = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private readonly FileStream _stream;

    /// <summary>Opens (or creates) the cache at <paramref name="path"/>.</summary>
    public ProbabilityCache(string path)
    {
        Path = path;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        bool truncated = File.Exists(path) && Load(path);
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        if (truncated) { _stream.WriteByte((byte)'\n'); _stream.Flush(); }
    }

    /// <summary>The file.</summary>
    public string Path { get; }
    /// <summary>Entries held.</summary>
    public int Count { get { lock (_lock) return _map.Count; } }

    /// <summary>Key of a pair under a model.</summary>
    public static string Key(string modelHash, string query, string itemText) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{modelHash}\u001f{query}\u001f{itemText}")));

    /// <summary>The cached probabilities of <paramref name="key"/>, if any.</summary>
    public bool TryGet(string key, out float[] probabilities)
    {
        lock (_lock) return _map.TryGetValue(key, out probabilities!);
    }

    /// <summary>Adds entries and flushes them.</summary>
    public void AddRange(IEnumerable<(string Key, float[] Probabilities)> entries)
    {
        var sb = new StringBuilder();
        lock (_lock)
        {
            foreach (var (key, p) in entries)
            {
                if (!_map.TryAdd(key, p)) continue;
                sb.Append("{\"key\":\"").Append(key).Append("\",\"p\":[")
                  .Append(string.Join(",", p.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Append("]}\n");
            }
            if (sb.Length == 0) return;
            _stream.Write(Encoding.UTF8.GetBytes(sb.ToString()));
            _stream.Flush();
        }
    }

    private bool Load(string path)
    {
        var text = File.ReadAllText(path);
        var lines = text.Split('\n');
        bool endsWithNewline = text.Length == 0 || text[^1] == '\n';
        bool truncated = false;
        for (int n = 0; n < lines.Length; n++)
        {
            var line = lines[n].TrimEnd('\r');
            if (line.Length == 0) continue;
            bool lastUnterminated = n == lines.Length - 1 && !endsWithNewline;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (!root.TryGetProperty("key", out var k) || k.ValueKind != JsonValueKind.String || k.GetString()!.Length != 64)
                    throw new DataFormatException(path, n + 1, "key", "missing or not a 64-hex SHA-256 key");
                if (!root.TryGetProperty("p", out var pe) || pe.ValueKind != JsonValueKind.Array || pe.GetArrayLength() != 3)
                    throw new DataFormatException(path, n + 1, "p", "missing or not an array of 3 probabilities");
                var p = pe.EnumerateArray().Select(e => e.GetSingle()).ToArray();
                if (p.Any(v => !(v >= 0 && v <= 1)) || Math.Abs(p.Sum() - 1f) > 1e-3f)
                    throw new DataFormatException(path, n + 1, "p", "probabilities must be in [0, 1] and sum to 1");
                _map[k.GetString()!] = p;
            }
            catch (JsonException ex)
            {
                if (lastUnterminated) { truncated = true; continue; }
                throw new DataFormatException(path, n + 1, null, $"cache line is not valid JSON ({ex.Message}); delete the line or the cache file");
            }
        }
        return truncated;
    }

    /// <inheritdoc />
    public void Dispose() { lock (_lock) _stream.Dispose(); }
}
