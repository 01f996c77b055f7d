using System.Globalization;
using System.Text;

namespace MineRefine.Text.Tokenization;

/// <summary>Shared special-token handling, truncation and counters; subclasses supply <see cref="Tokenize"/>.</summary>
public abstract class TokenizerBase : ITokenizer
{
    private long _truncated, _empty;

    /// <inheritdoc />
    public abstract string Kind { get; }
    /// <inheritdoc />
    public abstract int VocabSize { get; }
    /// <inheritdoc />
    public abstract int PadId { get; }
    /// <inheritdoc />
    public abstract int ClsId { get; }
    /// <inheritdoc />
    public abstract int SepId { get; }
    /// <inheritdoc />
    public abstract int UnkId { get; }
    /// <inheritdoc />
    public TokenizerOptions Options { get; }
    /// <inheritdoc />
    public long TruncatedCount => Interlocked.Read(ref _truncated);
    /// <inheritdoc />
    public long EmptyCount => Interlocked.Read(ref _empty);

    /// <summary>Stores the options.</summary>
    protected TokenizerBase(TokenizerOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if ((options.NormalizeNfkc || options.Lowercase) && !UnicodeNormalizationWorks)
            throw new InvalidOperationException(
                "Unicode normalisation is a no-op in this process (InvariantGlobalization=true or ICU missing), so NFKC and " +
                "accent stripping would be silently skipped. Set <InvariantGlobalization>false</InvariantGlobalization> and install libicu.");
    }

    /// <summary>True when <see cref="string.Normalize(NormalizationForm)"/> actually normalises non-ASCII text
    /// (false under InvariantGlobalization, where it silently returns the input).</summary>
    public static bool UnicodeNormalizationWorks { get; } = "\uFF44".Normalize(NormalizationForm.FormKC) == "d";

    /// <summary>Ids of <paramref name="normalized"/> without special tokens.</summary>
    protected abstract IReadOnlyList<int> Tokenize(string normalized);

    /// <inheritdoc />
    public abstract IReadOnlyList<string> Save(string folder);

    /// <summary>Applies <see cref="Options"/> (NFKC, then lower case).</summary>
    public string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Options.NormalizeNfkc) text = text.Normalize(NormalizationForm.FormKC);
        if (Options.Lowercase) text = text.ToLower(CultureInfo.InvariantCulture);
        return text;
    }

    /// <inheritdoc />
    public TokenizedText Encode(string text, int maxLength)
    {
        if (maxLength < 2) throw new ArgumentOutOfRangeException(nameof(maxLength), $"maxLength must be >= 2 (got {maxLength}).");
        bool empty = string.IsNullOrWhiteSpace(text);
        if (empty) Interlocked.Increment(ref _empty);
        var ids = empty ? Array.Empty<int>() : Tokenize(Normalize(text));
        int keep = Math.Min(ids.Count, maxLength - 2);
        bool truncated = keep < ids.Count;
        if (truncated) Interlocked.Increment(ref _truncated);
        var outIds = new int[keep + 2];
        outIds[0] = ClsId;
        for (int i = 0; i < keep; i++) outIds[i + 1] = ids[i];
        outIds[keep + 1] = SepId;
        return new TokenizedText(outIds, new int[outIds.Length], truncated, empty);
    }

    /// <inheritdoc />
    public TokenizedText EncodePair(string a, string b, int maxLength)
    {
        if (maxLength < 3) throw new ArgumentOutOfRangeException(nameof(maxLength), $"maxLength must be >= 3 (got {maxLength}).");
        bool emptyA = string.IsNullOrWhiteSpace(a), emptyB = string.IsNullOrWhiteSpace(b);
        if (emptyA || emptyB) Interlocked.Increment(ref _empty);
        var ia = emptyA ? Array.Empty<int>() : Tokenize(Normalize(a));
        var ib = emptyB ? Array.Empty<int>() : Tokenize(Normalize(b));
        int na = ia.Count, nb = ib.Count, budget = maxLength - 3;
        while (na + nb > budget)
        {
            if (na >= nb) na--; else nb--;
        }
        bool truncated = na < ia.Count || nb < ib.Count;
        if (truncated) Interlocked.Increment(ref _truncated);
        var ids = new int[na + nb + 3];
        var types = new int[ids.Length];
        int p = 0;
        ids[p++] = ClsId;
        for (int i = 0; i < na; i++) ids[p++] = ia[i];
        ids[p++] = SepId;
        for (int i = 0; i < nb; i++) { types[p] = 1; ids[p++] = ib[i]; }
        types[p] = 1;
        ids[p] = SepId;
        return new TokenizedText(ids, types, truncated, emptyA || emptyB);
    }
}
