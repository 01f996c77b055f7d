using System.Security.Cryptography;

namespace MineRefine.Common;

/// <summary>File and text hashing helpers.</summary>
public static class FileHashing
{
    /// <summary>Lower-case hex SHA-256 of the file's bytes (streamed, any size).</summary>
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static string Sha256Text(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
