using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MineRefine.Retrieval.Dense;

/// <summary>Stable content hash of a catalog's formatted item texts (order matters).</summary>
public static class CatalogHash
{
    /// <summary>
    /// SHA-256 (lowercase hex) over the item count and each text as a length-prefixed UTF-8 string, so
    /// ["ab","c"] and ["a","bc"] differ. Any change to any text, their order or their number changes the hash.
    /// </summary>
    public static string Of(IReadOnlyList<string> itemTexts)
    {
        ArgumentNullException.ThrowIfNull(itemTexts);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> num = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(num, itemTexts.Count);
        sha.AppendData(num);
        for (int i = 0; i < itemTexts.Count; i++)
        {
            var text = itemTexts[i] ?? throw new ArgumentException($"Item text {i} is null.", nameof(itemTexts));
            var bytes = Encoding.UTF8.GetBytes(text);
            BinaryPrimitives.WriteInt64LittleEndian(num, bytes.Length);
            sha.AppendData(num);
            sha.AppendData(bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
