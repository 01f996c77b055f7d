using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace MineRefine.Text.Tokenization;

/// <summary>
/// Multilingual tokenizer: o200k_base byte-level BPE (GPT-4o) with its ids remapped to a compact vocabulary built
/// from a corpus, so the embedding table holds only ids that occur. Compact ids 0–4 are [PAD], [UNK], [CLS], [SEP],
/// [MASK]; then every o200k id seen in the corpus (at least <c>minCount</c> times), in ascending o200k order.
/// Unseen ids map to [UNK]. File format (<see cref="FileName"/>): a header line
/// <c>#o200k-compact v1 lowercase=&lt;bool&gt; nfkc=&lt;bool&gt;</c>, then one o200k id per line in compact order
/// (starting at compact id 5).
/// </summary>
public sealed class O200kCompactTokenizer : TokenizerBase
{
    /// <summary>File name used in model folders.</summary>
    public const string FileName = "o200k-compact.txt";
    private const int Specials = 5;
    private static readonly Lazy<TiktokenTokenizer> Base = new(() => TiktokenTokenizer.CreateForModel("gpt-4o"));
    private readonly Dictionary<int, int> _toCompact;
    private readonly int[] _fromCompact;

    private O200kCompactTokenizer(int[] originalIds, TokenizerOptions options) : base(options)
    {
        _fromCompact = originalIds;
        _toCompact = new Dictionary<int, int>(originalIds.Length);
        for (int i = 0; i < originalIds.Length; i++) _toCompact[originalIds[i]] = i + Specials;
    }

    /// <summary>Default options: NFKC on, case kept.</summary>
    public static TokenizerOptions DefaultOptions { get; } = new() { Lowercase = false, NormalizeNfkc = true };

    /// <summary>Builds the compact vocabulary from <paramref name="corpus"/> (texts normalised with
    /// <paramref name="options"/>); ids seen fewer than <paramref name="minCount"/> times become [UNK].</summary>
    public static O200kCompactTokenizer Build(IEnumerable<string> corpus, TokenizerOptions? options = null, int minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        if (minCount < 1) throw new ArgumentOutOfRangeException(nameof(minCount), "minCount must be >= 1.");
        options ??= DefaultOptions;
        var probe = new O200kCompactTokenizer([], options);
        var counts = new Dictionary<int, int>();
        foreach (var text in corpus)
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            foreach (int id in Base.Value.EncodeToIds(probe.Normalize(text)))
                counts[id] = counts.GetValueOrDefault(id) + 1;
        }
        var ids = counts.Where(kv => kv.Value >= minCount).Select(kv => kv.Key).OrderBy(i => i).ToArray();
        return new O200kCompactTokenizer(ids, options);
    }

    /// <summary>Loads a file written by <see cref="Save"/>.</summary>
    public static O200kCompactTokenizer FromFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"o200k compact vocabulary not found: {path}", path);
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !lines[0].StartsWith("#o200k-compact v1", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}:1: expected header '#o200k-compact v1 lowercase=… nfkc=…'.");
        bool lower = HeaderFlag(lines[0], "lowercase", path), nfkc = HeaderFlag(lines[0], "nfkc", path);
        var ids = new int[lines.Length - 1];
        for (int i = 1; i < lines.Length; i++)
        {
            if (!int.TryParse(lines[i], NumberStyles.None, CultureInfo.InvariantCulture, out ids[i - 1]))
                throw new InvalidDataException($"{path}:{i + 1}: expected an o200k token id, found '{lines[i]}'.");
        }
        return new O200kCompactTokenizer(ids, new TokenizerOptions { Lowercase = lower, NormalizeNfkc = nfkc });
    }

    private static bool HeaderFlag(string header, string name, string path)
    {
        foreach (var part in header.Split(' '))
        {
            if (part.StartsWith(name + "=", StringComparison.Ordinal)) return bool.Parse(part[(name.Length + 1)..]);
        }
        throw new InvalidDataException($"{path}:1: header lacks '{name}=true|false'.");
    }

    /// <inheritdoc />
    public override string Kind => "o200k-compact";
    /// <inheritdoc />
    public override int VocabSize => _fromCompact.Length + Specials;
    /// <inheritdoc />
    public override int PadId => 0;
    /// <inheritdoc />
    public override int UnkId => 1;
    /// <inheritdoc />
    public override int ClsId => 2;
    /// <inheritdoc />
    public override int SepId => 3;
    /// <summary>[MASK] id.</summary>
    public int MaskId => 4;

    /// <inheritdoc />
    protected override IReadOnlyList<int> Tokenize(string normalized)
    {
        var raw = Base.Value.EncodeToIds(normalized);
        var ids = new int[raw.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = _toCompact.TryGetValue(raw[i], out int c) ? c : UnkId;
        return ids;
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Save(string folder)
    {
        Directory.CreateDirectory(folder);
        using var w = new StreamWriter(Path.Combine(folder, FileName));
        w.NewLine = "\n";
        w.WriteLine($"#o200k-compact v1 lowercase={(Options.Lowercase ? "true" : "false")} nfkc={(Options.NormalizeNfkc ? "true" : "false")}");
        foreach (int id in _fromCompact) w.WriteLine(id.ToString(CultureInfo.InvariantCulture));
        return [FileName];
    }
}
