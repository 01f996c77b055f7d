using System.IO.Compression;
using System.Text;

namespace MineRefine.Data.Import;

/// <summary>Opens data files for streaming reads, decompressing gzip transparently.</summary>
public static class DataFiles
{
    /// <summary>True when the file is gzip-compressed: a <c>.gz</c> extension or the gzip magic bytes 1f 8b.</summary>
    public static bool IsGzip(string path)
    {
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return true;
        using var fs = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        return fs.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>Opens <paramref name="path"/> as a byte stream (gzip decompressed when needed).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist (the message names it).</exception>
    public static Stream OpenRead(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Data file not found: {path}", path);
        bool gz = IsGzip(path);
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return gz ? new GZipStream(fs, CompressionMode.Decompress) : fs;
    }

    /// <summary>Opens <paramref name="path"/> as text in <paramref name="encoding"/> (UTF-8 when null; a UTF-8 BOM is
    /// honoured only for UTF-8).</summary>
    public static TextReader OpenText(string path, Encoding? encoding = null)
    {
        encoding ??= new UTF8Encoding(false);
        bool utf8 = encoding is UTF8Encoding;
        return new StreamReader(OpenRead(path), encoding, detectEncodingFromByteOrderMarks: utf8, bufferSize: 1 << 16);
    }
}
