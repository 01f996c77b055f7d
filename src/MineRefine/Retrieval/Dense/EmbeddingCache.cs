using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MineRefine.Retrieval.Dense;

/// <summary>
/// On-disk cache of catalog embeddings, keyed by (model hash, catalog hash). Each entry is
/// <c>emb-&lt;key&gt;.bin</c> (8-byte magic "MREMBED\0", int32 LE version 1, int32 LE count, int32 LE dimension, then
/// count × dimension float32 LE, row-major) plus <c>emb-&lt;key&gt;.json</c> (model hash, catalog hash, count, dimension,
/// SHA-256 of the float payload). A missing entry is computed and stored; an entry that is corrupted or does not match
/// the request (hashes, count, dimension, checksum, non-finite values) is reported through the warning callback,
/// recomputed and overwritten — never used silently.
/// </summary>
public sealed class EmbeddingCache
{
    private readonly Action<string> _warn;

    /// <summary>Cache in <paramref name="folder"/> (created on first store). Warnings go to <paramref name="warn"/> (default: stderr).</summary>
    public EmbeddingCache(string folder, Action<string>? warn = null)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new ArgumentException("Embedding cache folder must be a non-empty path.", nameof(folder));
        Folder = folder;
        _warn = warn ?? (m => Console.Error.WriteLine(m));
    }

    /// <summary>The cache folder.</summary>
    public string Folder { get; }

    /// <summary>Path of the binary file for a key (the sidecar is the same path with ".json").</summary>
    public string PathFor(string modelHash, string catalogHash) => Path.Combine(Folder, $"emb-{Key(modelHash, catalogHash)}.bin");

    /// <summary>
    /// Returns the cached matrix for (<paramref name="modelHash"/>, <paramref name="catalogHash"/>) if present and valid
    /// with <paramref name="expectedCount"/> rows of <paramref name="expectedDimension"/>; otherwise calls
    /// <paramref name="compute"/>, stores and returns its result. <paramref name="wasCached"/> tells which happened.
    /// </summary>
    public EmbeddingMatrix GetOrCompute(string modelHash, string catalogHash, int expectedCount, int expectedDimension,
        Func<EmbeddingMatrix> compute, out bool wasCached)
    {
        ArgumentNullException.ThrowIfNull(compute);
        var cached = TryLoad(modelHash, catalogHash, expectedCount, expectedDimension, out var problem);
        if (cached is not null) { wasCached = true; return cached; }
        if (problem is not null)
            _warn($"Embedding cache entry '{PathFor(modelHash, catalogHash)}' is unusable ({problem}); recomputing the embeddings.");
        var fresh = compute();
        if (fresh.Count != expectedCount || fresh.Dimension != expectedDimension)
            throw new InvalidOperationException($"Computed embeddings are {fresh.Count}×{fresh.Dimension}, expected {expectedCount}×{expectedDimension}.");
        Store(modelHash, catalogHash, fresh);
        wasCached = false;
        return fresh;
    }

    /// <summary>
    /// Loads a valid entry, or returns null: <paramref name="problem"/> is null when the entry simply does not exist,
    /// otherwise it says what is wrong with it.
    /// </summary>
    public EmbeddingMatrix? TryLoad(string modelHash, string catalogHash, int expectedCount, int expectedDimension, out string? problem)
    {
        problem = null;
        var bin = PathFor(modelHash, catalogHash);
        var json = Path.ChangeExtension(bin, ".json");
        bool hasBin = File.Exists(bin), hasJson = File.Exists(json);
        if (!hasBin && !hasJson) return null;
        if (!hasBin) { problem = "the .bin file is missing next to its .json sidecar"; return null; }
        if (!hasJson) { problem = "the .json sidecar is missing"; return null; }
        Sidecar? meta;
        try { meta = JsonSerializer.Deserialize<Sidecar>(File.ReadAllText(json)); }
        catch (JsonException e) { problem = $"sidecar is not valid JSON: {e.Message}"; return null; }
        if (meta is null) { problem = "sidecar is empty"; return null; }
        if (meta.Version != EmbeddingFile.Version) { problem = $"sidecar version {meta.Version}, expected {EmbeddingFile.Version}"; return null; }
        if (meta.ModelHash != modelHash) { problem = $"model hash is '{meta.ModelHash}', expected '{modelHash}'"; return null; }
        if (meta.CatalogHash != catalogHash) { problem = $"catalog hash is '{meta.CatalogHash}', expected '{catalogHash}'"; return null; }
        var m = EmbeddingFile.TryRead(bin, out var sha, out var fileProblem);
        if (m is null) { problem = fileProblem; return null; }
        if (m.Count != meta.Count || m.Dimension != meta.Dimension) { problem = $"file holds {m.Count}×{m.Dimension} but the sidecar says {meta.Count}×{meta.Dimension}"; return null; }
        if (!string.Equals(sha, meta.PayloadSha256, StringComparison.OrdinalIgnoreCase)) { problem = "payload checksum does not match the sidecar (file corrupted)"; return null; }
        if (m.Count != expectedCount || m.Dimension != expectedDimension) { problem = $"entry is {m.Count}×{m.Dimension}, expected {expectedCount}×{expectedDimension}"; return null; }
        return m;
    }

    /// <summary>Writes (or overwrites) the entry for the key; binary first, then the sidecar.</summary>
    public void Store(string modelHash, string catalogHash, EmbeddingMatrix matrix)
    {
        var bin = PathFor(modelHash, catalogHash);
        Directory.CreateDirectory(Folder);
        var json = Path.ChangeExtension(bin, ".json");
        if (File.Exists(json)) File.Delete(json);
        var sha = EmbeddingFile.Write(bin, matrix);
        var meta = new Sidecar
        {
            Version = EmbeddingFile.Version,
            ModelHash = modelHash,
            CatalogHash = catalogHash,
            Count = matrix.Count,
            Dimension = matrix.Dimension,
            PayloadSha256 = sha,
            CreatedUtc = DateTime.UtcNow.ToString("O"),
        };
        var tmp = json + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(tmp, JsonSerializer.Serialize(meta, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, json, overwrite: true);
    }

    private static string Key(string modelHash, string catalogHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelHash);
        ArgumentException.ThrowIfNullOrEmpty(catalogHash);
        var h = SHA256.HashData(Encoding.UTF8.GetBytes(modelHash + "\n" + catalogHash));
        return Convert.ToHexStringLower(h)[..24];
    }

    private sealed class Sidecar
    {
        public int Version { get; set; }
        public string ModelHash { get; set; } = "";
        public string CatalogHash { get; set; } = "";
        public int Count { get; set; }
        public int Dimension { get; set; }
        public string PayloadSha256 { get; set; } = "";
        public string CreatedUtc { get; set; } = "";
    }
}
