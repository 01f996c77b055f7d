using System.Globalization;
using System.Text;

namespace MineRefine.Text;

/// <summary>Query normalisation used for de-duplication and splitting: Unicode NFKC, lower case (invariant),
/// trimmed, runs of white space collapsed to one space.</summary>
public static class TextNormalizer
{
    /// <summary>Normalises <paramref name="text"/> as described on the class.</summary>
    public static string NormalizeQuery(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Normalize(NormalizationForm.FormKC).ToLower(CultureInfo.InvariantCulture);
        var sb = new StringBuilder(s.Length);
        bool space = false;
        foreach (char c in s)
        {
            if (char.IsWhiteSpace(c)) { space = sb.Length > 0; continue; }
            if (space) { sb.Append(' '); space = false; }
            sb.Append(c);
        }
        return sb.ToString();
    }
}
