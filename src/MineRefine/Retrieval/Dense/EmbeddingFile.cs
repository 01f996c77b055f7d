using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace MineRefine.Retrieval.Dense;

/// <summary>
/// Binary embedding matrix file: 8-byte magic "MREMBED\0", int32 LE version (1), int32 LE count, int32 LE dimension,
/// then count × dimension float32 LE values, row-major. Used by <see cref="EmbeddingCache"/> and <see cref="ExactIndex"/>.
/// </summary>
public static class EmbeddingFile
{
    internal static readonly byte[] Magic = "MREMBED\0"u8.ToArray();
    internal const int Version = 1;
    internal const int HeaderBytes = 8 + 4 + 4 + 4;

    /// <summary>True if the file starts with the magic bytes.</summary>
    public static bool HasMagic(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> head = stackalloc byte[8];
        return fs.ReadAtLeast(head, 8, throwOnEndOfStream: false) == 8 && head.SequenceEqual(Magic);
    }

    /// <summary>Writes atomically (temp file then rename). Returns the SHA-256 (hex) of the float payload.</summary>
    public static string Write(string path, EmbeddingMatrix matrix)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = path + ".tmp-" + Environment.ProcessId;
        string sha;
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            Span<byte> header = stackalloc byte[HeaderBytes];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
            BinaryPrimitives.WriteInt32LittleEndian(header[12..], matrix.Count);
            BinaryPrimitives.WriteInt32LittleEndian(header[16..], matrix.Dimension);
            fs.Write(header);
            var payload = PayloadBytes(matrix.Data);
            fs.Write(payload);
            sha = Convert.ToHexStringLower(SHA256.HashData(payload));
        }
        File.Move(tmp, path, overwrite: true);
        return sha;
    }

    /// <summary>Reads and validates the file; returns null and a reason when it is malformed.</summary>
    public static EmbeddingMatrix? TryRead(string path, out string? sha256, out string? problem)
    {
        sha256 = null;
        problem = null;
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { problem = $"cannot read: {e.Message}"; return null; }
        if (bytes.Length < HeaderBytes) { problem = $"file is {bytes.Length} bytes, shorter than the {HeaderBytes}-byte header"; return null; }
        if (!bytes.AsSpan(0, 8).SequenceEqual(Magic)) { problem = "bad magic bytes (not an embedding file)"; return null; }
        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (version != Version) { problem = $"format version {version}, expected {Version}"; return null; }
        int count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        int dim = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16));
        if (count < 0 || dim <= 0) { problem = $"header has count {count}, dimension {dim}"; return null; }
        long expected = HeaderBytes + (long)count * dim * 4;
        if (bytes.LongLength != expected) { problem = $"file is {bytes.LongLength} bytes, header ({count}×{dim}) implies {expected}"; return null; }
        var payload = bytes.AsSpan(HeaderBytes);
        sha256 = Convert.ToHexStringLower(SHA256.HashData(payload));
        var data = new float[count * dim];
        if (BitConverter.IsLittleEndian) payload.CopyTo(MemoryMarshal.AsBytes(data.AsSpan()));
        else for (int i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(payload[(i * 4)..]);
        for (int i = 0; i < data.Length; i++)
            if (!float.IsFinite(data[i])) { problem = $"non-finite value at row {i / dim}, column {i % dim}"; return null; }
        return new EmbeddingMatrix(count, dim, data);
    }

    private static byte[] PayloadBytes(float[] data)
    {
        var bytes = new byte[data.Length * 4L];
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(data.AsSpan()).CopyTo(bytes);
        else for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
        return bytes;
    }
}
