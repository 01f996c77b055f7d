using System.Buffers.Binary;
using System.Security.Cryptography;
using MineRefine.Data;
using MineRefine.Labeling;
using MineRefine.Retrieval;

namespace MineRefine.ScaleOut.Orleans;

/// <summary>
/// Shard result files: <c>{folder}/{jobId}/shard-{s:D5}.{emb|grades}</c>, written atomically (temp file in the same
/// folder, flushed, then renamed over the final name), so a reader never sees a half-written shard and a crashed
/// writer leaves only a temp file. Format (little-endian): magic "MRS1", kind (1 = embeddings, 2 = grades), count,
/// width (dimension, or 5 for grades: grade, p0, p1, p2, expected), then count × width float32.
/// </summary>
public static class ShardResultFiles
{
    private const uint Magic = 0x3153524D; // "MRS1"

    /// <summary>Path of shard <paramref name="shard"/>'s result.</summary>
    public static string PathOf(string folder, string jobId, int shard, bool embeddings) =>
        System.IO.Path.Combine(folder, Sanitize(jobId), $"shard-{shard:D5}.{(embeddings ? "emb" : "grades")}");

    private static string Sanitize(string jobId)
    {
        if (string.IsNullOrWhiteSpace(jobId) || jobId.IndexOfAny(['/', '\\', '\0']) >= 0 || jobId is "." or "..")
            throw new ArgumentException($"Job id '{jobId}' must be a non-blank file name (no slashes).", nameof(jobId));
        return jobId;
    }

    /// <summary>Atomically writes rows of <paramref name="width"/> floats; returns the file's SHA-256 (hex).</summary>
    public static string Write(string path, int kind, int count, int width, ReadOnlySpan<float> values)
    {
        if (values.Length != (long)count * width) throw new ArgumentException($"{values.Length} values for {count}×{width}.");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var bytes = new byte[16 + values.Length * 4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), kind);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), count);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), width);
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(16 + 4 * i), values[i]);
        var tmp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
        {
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Reads a result file; null if it does not exist. Throws <see cref="DataFormatException"/> if corrupt.</summary>
    public static (int Kind, int Count, int Width, float[] Values, string Sha256)? TryRead(string path)
    {
        if (!File.Exists(path)) return null;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 16 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
            throw new DataFormatException(path, 1, "header", "not a MineRefine shard result (bad magic); delete it to recompute the shard.");
        int kind = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        int count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        int width = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        if (count < 0 || width < 0 || bytes.Length != 16 + (long)count * width * 4)
            throw new DataFormatException(path, 1, "length", $"{bytes.Length} bytes for {count}×{width} floats (truncated); delete it to recompute the shard.");
        var values = new float[count * width];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(16 + 4 * i));
        return (kind, count, width, values, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>Flattens label results into rows (grade, p0, p1, p2, expected).</summary>
    public static float[] Flatten(IReadOnlyList<LabelResult> results)
    {
        var v = new float[results.Count * 5];
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            if (r.Probabilities.Length != 3) throw new ArgumentException($"Label result {i} has {r.Probabilities.Length} probabilities; expected 3.");
            v[5 * i] = r.Grade; v[5 * i + 1] = r.Probabilities[0]; v[5 * i + 2] = r.Probabilities[1]; v[5 * i + 3] = r.Probabilities[2]; v[5 * i + 4] = r.ExpectedGrade;
        }
        return v;
    }

    /// <summary>Rebuilds label results from flattened rows.</summary>
    public static LabelResult[] Unflatten(ReadOnlySpan<float> v, string judge, JudgmentSource source = JudgmentSource.Model)
    {
        var r = new LabelResult[v.Length / 5];
        for (int i = 0; i < r.Length; i++)
            r[i] = new LabelResult((int)v[5 * i], [v[5 * i + 1], v[5 * i + 2], v[5 * i + 3]], v[5 * i + 4], source, judge);
        return r;
    }

    /// <summary>SHA-256 (hex) of an embedding matrix's dimension and row-major floats (little-endian): the checksum compared between the sharded and single-process paths.</summary>
    public static string Checksum(EmbeddingMatrix m) => Checksum(m.Data, m.Dimension);

    /// <summary>SHA-256 (hex) of a width and float values (little-endian).</summary>
    public static string Checksum(ReadOnlySpan<float> values, int width)
    {
        var bytes = new byte[4 + values.Length * 4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, width);
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 + 4 * i), values[i]);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
