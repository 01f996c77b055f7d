namespace MineRefine.Text.Tokenization;

/// <summary>Token ids of one text (or text pair) with [CLS]/[SEP] already added, not padded.</summary>
/// <param name="Ids">Token ids.</param>
/// <param name="TokenTypeIds">Segment ids (0 for the first text, 1 for the second of a pair).</param>
/// <param name="Truncated">True when tokens were dropped to fit the maximum length.</param>
/// <param name="Empty">True when the input was empty or white space only (encoded as [CLS][SEP]).</param>
public sealed record TokenizedText(int[] Ids, int[] TokenTypeIds, bool Truncated, bool Empty)
{
    /// <summary>Number of tokens.</summary>
    public int Length => Ids.Length;
    /// <summary>Attention mask (all ones: the sequence is unpadded).</summary>
    public int[] AttentionMask => Enumerable.Repeat(1, Ids.Length).ToArray();
}

/// <summary>Text normalisation applied before tokenization.</summary>
public sealed record TokenizerOptions
{
    /// <summary>Lower-case (invariant) before tokenizing. Required for uncased BERT vocabularies.</summary>
    public bool Lowercase { get; init; }
    /// <summary>Apply Unicode NFKC (folds full-width forms, ligatures, ½ → 1⁄2 …) before tokenizing.</summary>
    public bool NormalizeNfkc { get; init; }
}

/// <summary>A subword tokenizer producing BERT-style inputs. Implementations are thread-safe for encoding; the
/// counters are updated atomically.</summary>
public interface ITokenizer
{
    /// <summary>Short type name stored in model folders: "wordpiece" or "o200k-compact".</summary>
    string Kind { get; }
    /// <summary>Vocabulary size (embedding rows needed).</summary>
    int VocabSize { get; }
    /// <summary>Padding id.</summary>
    int PadId { get; }
    /// <summary>[CLS] id.</summary>
    int ClsId { get; }
    /// <summary>[SEP] id.</summary>
    int SepId { get; }
    /// <summary>Unknown-token id.</summary>
    int UnkId { get; }
    /// <summary>Normalisation options.</summary>
    TokenizerOptions Options { get; }
    /// <summary>Number of encodings so far that were truncated.</summary>
    long TruncatedCount { get; }
    /// <summary>Number of encodings so far whose text was empty or white space only.</summary>
    long EmptyCount { get; }

    /// <summary><c>[CLS] text [SEP]</c>, at most <paramref name="maxLength"/> tokens (≥ 2) including the specials.
    /// Empty/white-space text gives <c>[CLS][SEP]</c> and increments <see cref="EmptyCount"/>.</summary>
    TokenizedText Encode(string text, int maxLength);

    /// <summary><c>[CLS] a [SEP] b [SEP]</c> with token types 0…0 1…1, at most <paramref name="maxLength"/> (≥ 3)
    /// tokens; truncation removes tokens from the longer side first (longest-first).</summary>
    TokenizedText EncodePair(string a, string b, int maxLength);

    /// <summary>Writes the tokenizer's files into <paramref name="folder"/>; returns the file names written.</summary>
    IReadOnlyList<string> Save(string folder);
}
