using System.Text;
using MineRefine.Training;

namespace MineRefine.Text.Augmentation;

/// <summary>Kind of a single spelling edit.</summary>
public enum SpellingEditKind
{
    /// <summary>A letter replaced by a QWERTY-adjacent letter.</summary>
    Substitution,
    /// <summary>A letter removed.</summary>
    Deletion,
    /// <summary>A QWERTY-adjacent letter inserted next to a letter.</summary>
    Insertion,
    /// <summary>Two neighbouring different letters swapped.</summary>
    Transposition,
}

/// <summary>What happened to one token of a query.</summary>
/// <param name="Original">The token as in the query.</param>
/// <param name="Edited">The token after the edits (same as <paramref name="Original"/> when untouched).</param>
/// <param name="LetterCount">Number of letters in the original token (selects the edit-count row).</param>
/// <param name="PlannedEdits">Edit count drawn from the length table (0 for protected tokens).</param>
/// <param name="Protected">True for tokens never edited: with a digit, a unit, or no ASCII letter.</param>
/// <param name="Kinds">The edit kinds applied, in order.</param>
public sealed record TokenEditRecord(string Original, string Edited, int LetterCount, int PlannedEdits, bool Protected,
    IReadOnlyList<SpellingEditKind> Kinds);

/// <summary>A misspelled variant of one query with its per-token record.</summary>
/// <param name="Text">The variant (equal to the query when nothing changed or it was skipped).</param>
/// <param name="SkippedNonLatin">True when the query has a letter outside the Latin script (no variant made).</param>
/// <param name="Tokens">Per-token records (empty when skipped).</param>
public sealed record SpellingVariantDetail(string Text, bool SkippedNonLatin, IReadOnlyList<TokenEditRecord> Tokens);

/// <summary>A kept variant.</summary>
/// <param name="QueryId">Id of the original query.</param>
/// <param name="VariantQueryId">Suggested id of the variant: QueryId + <see cref="SpellingAugmentationOptions.VariantIdSuffix"/>.</param>
/// <param name="Original">Original text.</param>
/// <param name="Variant">Misspelled text.</param>
/// <param name="EditDistance">Optimal-string-alignment distance between the two (≥ 1).</param>
public sealed record SpellingVariant(string QueryId, string VariantQueryId, string Original, string Variant, int EditDistance);

/// <summary>Result of <see cref="SpellingAugmenter.Augment"/>: the kept variants and what happened to every query.</summary>
public sealed class AugmentationResult
{
    /// <summary>Kept variants, in input order.</summary>
    public required IReadOnlyList<SpellingVariant> Variants { get; init; }
    /// <summary>Queries looked at.</summary>
    public int Considered { get; init; }
    /// <summary>Queries whose variant differs from the original.</summary>
    public int Changed { get; init; }
    /// <summary>Changed variants kept (≈ KeepRatio · Changed).</summary>
    public int Kept { get; init; }
    /// <summary>Changed variants dropped by the keep ratio.</summary>
    public int NotKept { get; init; }
    /// <summary>Queries skipped because they contain a non-Latin letter.</summary>
    public int SkippedNonLatin { get; init; }
    /// <summary>Queries whose variant came out identical to the original (no edit drawn, all tokens protected, …).</summary>
    public int SkippedNoChange { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"considered {Considered}, changed {Changed}, kept {Kept}, not kept {NotKept}, skipped non-Latin {SkippedNonLatin}, skipped no change {SkippedNoChange}";
}

/// <summary>
/// Additive spelling augmentation (paper §3): one misspelled variant per training query; a fraction
/// (<see cref="SpellingAugmentationOptions.KeepRatio"/>) of the changed variants is kept and added as extra instances
/// with the same items and labels while the originals stay.
/// Per token (maximal run of non-white-space), the number of edits is drawn from the length table (letters counted):
/// ≤3 {0: .9, 1: .1}; 4–6 {0: .7, 1: .15, 2: .15}; &gt;6 {0: .2, 1: .25, 2: .35, 3: .15, 4: .05}. Each edit is a
/// QWERTY-adjacent substitution (.4), a deletion (.25), an insertion of a letter adjacent to its neighbour (.15) or a
/// transposition of two different neighbouring letters (.2); edits touch ASCII letters only and keep their case.
/// Never edited: tokens containing a digit, unit tokens (in, ft, oz, lbs, mah, …), tokens without ASCII letters.
/// A query with any letter outside the Latin script gets no variant. A deletion that would empty a token and a
/// transposition without a candidate pair fall back to a substitution.
/// <see cref="Augment"/> is deterministic per (seed, query text): each query uses its own generator seeded from both,
/// so the result does not depend on the order or the other queries.
/// </summary>
public sealed class SpellingAugmenter
{
    private static readonly string[] Adjacent = BuildAdjacency();
    private readonly double[] _kindCdf;

    /// <summary>Creates the augmenter (options validated).</summary>
    public SpellingAugmenter(SpellingAugmentationOptions? options = null)
    {
        Options = options ?? new SpellingAugmentationOptions();
        Options.Validate();
        var w = new[] { Options.SubstitutionWeight, Options.DeletionWeight, Options.InsertionWeight, Options.TranspositionWeight };
        double sum = w.Sum(), acc = 0;
        _kindCdf = w.Select(x => acc += x / sum).ToArray();
    }

    /// <summary>The options.</summary>
    public SpellingAugmentationOptions Options { get; }

    /// <summary>The QWERTY neighbours of a lower-case ASCII letter (empty string for other characters).</summary>
    public static string NeighboursOf(char c) => c is >= 'a' and <= 'z' ? Adjacent[c - 'a'] : "";

    /// <summary>One misspelled variant, or null when the query is skipped (non-Latin) or came out unchanged.</summary>
    public string? MakeVariant(string query, Random rng)
    {
        var d = MakeVariantDetailed(query, rng);
        return d.SkippedNonLatin || d.Text == query ? null : d.Text;
    }

    /// <summary>One variant with the per-token record of what was drawn and done.</summary>
    public SpellingVariantDetail MakeVariantDetailed(string query, Random rng)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(rng);
        if (!IsLatinScript(query)) return new SpellingVariantDetail(query, true, Array.Empty<TokenEditRecord>());
        var sb = new StringBuilder(query.Length + 8);
        var records = new List<TokenEditRecord>();
        int i = 0;
        while (i < query.Length)
        {
            if (char.IsWhiteSpace(query[i])) { sb.Append(query[i++]); continue; }
            int start = i;
            while (i < query.Length && !char.IsWhiteSpace(query[i])) i++;
            var rec = EditToken(query[start..i], rng);
            records.Add(rec);
            sb.Append(rec.Edited);
        }
        return new SpellingVariantDetail(sb.ToString(), false, records);
    }

    /// <summary>Makes, filters and keeps variants of <paramref name="queries"/> (see the class summary).</summary>
    public AugmentationResult Augment(IReadOnlyList<(string QueryId, string Text)> queries, int seed)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var kept = new List<SpellingVariant>();
        int considered = 0, changed = 0, nonLatin = 0, noChange = 0, notKept = 0;
        foreach (var (id, text) in queries)
        {
            considered++;
            if (text is null) throw new ArgumentException($"Query '{id}' has null text.", nameof(queries));
            var rng = new SerializableRandom(SerializableRandom.DeriveSeed((ulong)(uint)seed, "spell\u0001" + text));
            var d = MakeVariantDetailed(text, rng);
            if (d.SkippedNonLatin) { nonLatin++; continue; }
            if (d.Text == text) { noChange++; continue; }
            changed++;
            // The keep decision uses its own stream so the kept fraction does not depend on the edits drawn.
            double u = new SerializableRandom(SerializableRandom.DeriveSeed((ulong)(uint)seed, "keep\u0001" + text)).NextDouble();
            if (u < Options.KeepRatio)
                kept.Add(new SpellingVariant(id, id + Options.VariantIdSuffix, text, d.Text, EditDistance(text, d.Text)));
            else notKept++;
        }
        return new AugmentationResult
        {
            Variants = kept, Considered = considered, Changed = changed, Kept = kept.Count, NotKept = notKept,
            SkippedNonLatin = nonLatin, SkippedNoChange = noChange,
        };
    }

    /// <summary>True when every letter of <paramref name="text"/> belongs to the Latin script (digits, punctuation
    /// and symbols are ignored).</summary>
    public static bool IsLatinScript(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var r in text.EnumerateRunes())
            if (Rune.IsLetter(r) && !IsLatinLetter(r.Value)) return false;
        return true;
    }

    private static bool IsLatinLetter(int cp) =>
        cp is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or 0xAA or 0xBA
            or (>= 0xC0 and <= 0x24F)      // Latin-1 letters, Latin Extended-A/B (× ÷ are not letters)
            or (>= 0x250 and <= 0x2AF)     // IPA extensions
            or (>= 0x1D00 and <= 0x1DBF)   // phonetic extensions
            or (>= 0x1E00 and <= 0x1EFF)   // Latin Extended Additional (Vietnamese …)
            or (>= 0x2C60 and <= 0x2C7F) or (>= 0xA720 and <= 0xA7FF) or (>= 0xAB30 and <= 0xAB6F)
            or (>= 0xFB00 and <= 0xFB06)   // ligatures ﬀ ﬁ …
            or (>= 0xFF21 and <= 0xFF3A) or (>= 0xFF41 and <= 0xFF5A); // full-width Latin

    /// <summary>Optimal-string-alignment distance (Levenshtein plus adjacent transposition).</summary>
    public static int EditDistance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int v = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = Math.Min(v, d[i - 2, j - 2] + 1);
                d[i, j] = v;
            }
        return d[a.Length, b.Length];
    }

    /// <summary>True when the token is never edited: it contains a digit, is a unit, or has no ASCII letter.</summary>
    public bool IsProtected(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Any(char.IsDigit)) return true;
        string core = token.Trim().Trim(PunctuationToTrim());
        if (core.Length == 0 || Options.UnitTokens.Contains(core) || Options.UnitTokens.Contains(core.ToLowerInvariant())) return true;
        return !token.Any(IsAsciiLetter);
    }

    private static char[] PunctuationToTrim() => ".,;:!?\"'()[]{}/\\-_*#&+".ToCharArray();

    /// <summary>Edit-count row for a token with <paramref name="letters"/> letters.</summary>
    public double[] EditCountDistribution(int letters) =>
        letters <= Options.ShortMaxLength ? Options.ShortTokenEditCounts
        : letters <= Options.MediumMaxLength ? Options.MediumTokenEditCounts
        : Options.LongTokenEditCounts;

    private TokenEditRecord EditToken(string token, Random rng)
    {
        int letters = token.Count(char.IsLetter);
        if (IsProtected(token)) return new TokenEditRecord(token, token, letters, 0, true, Array.Empty<SpellingEditKind>());
        int k = Draw(EditCountDistribution(letters), rng.NextDouble());
        var chars = new List<char>(token);
        var kinds = new List<SpellingEditKind>(k);
        for (int e = 0; e < k; e++) kinds.Add(ApplyOne(chars, rng));
        return new TokenEditRecord(token, new string(chars.ToArray()), letters, k, false, kinds);
    }

    private SpellingEditKind ApplyOne(List<char> c, Random rng)
    {
        var kind = (SpellingEditKind)Draw(_kindCdf, rng.NextDouble(), cumulative: true);
        var letterPos = new List<int>();
        for (int i = 0; i < c.Count; i++) if (IsAsciiLetter(c[i])) letterPos.Add(i);
        if (kind == SpellingEditKind.Deletion && letterPos.Count <= 1) kind = SpellingEditKind.Substitution;
        if (kind == SpellingEditKind.Transposition)
        {
            var pairs = new List<int>();
            for (int i = 0; i + 1 < c.Count; i++)
                if (IsAsciiLetter(c[i]) && IsAsciiLetter(c[i + 1]) && char.ToLowerInvariant(c[i]) != char.ToLowerInvariant(c[i + 1]))
                    pairs.Add(i);
            if (pairs.Count == 0) kind = SpellingEditKind.Substitution;
            else
            {
                int p = pairs[rng.Next(pairs.Count)];
                (c[p], c[p + 1]) = (c[p + 1], c[p]);
                return kind;
            }
        }
        int pos = letterPos[rng.Next(letterPos.Count)];
        switch (kind)
        {
            case SpellingEditKind.Substitution:
                c[pos] = MatchCase(RandomNeighbour(c[pos], rng), c[pos]);
                break;
            case SpellingEditKind.Deletion:
                c.RemoveAt(pos);
                break;
            case SpellingEditKind.Insertion:
                char ins = MatchCase(RandomNeighbour(c[pos], rng), c[pos]);
                c.Insert(rng.Next(2) == 0 ? pos : pos + 1, ins);
                break;
        }
        return kind;
    }

    private static char RandomNeighbour(char c, Random rng)
    {
        string n = NeighboursOf(char.ToLowerInvariant(c));
        return n[rng.Next(n.Length)];
    }

    private static char MatchCase(char c, char like) => char.IsUpper(like) ? char.ToUpperInvariant(c) : c;

    private static bool IsAsciiLetter(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');

    private static int Draw(double[] p, double u, bool cumulative = false)
    {
        double acc = 0;
        for (int i = 0; i < p.Length; i++)
        {
            acc = cumulative ? p[i] : acc + p[i];
            if (u < acc) return i;
        }
        return p.Length - 1;
    }

    private static string[] BuildAdjacency()
    {
        var map = new Dictionary<char, string>
        {
            ['q'] = "wa", ['w'] = "qase", ['e'] = "wsdr", ['r'] = "edft", ['t'] = "rfgy", ['y'] = "tghu",
            ['u'] = "yhji", ['i'] = "ujko", ['o'] = "iklp", ['p'] = "ol",
            ['a'] = "qwsz", ['s'] = "awedxz", ['d'] = "serfcx", ['f'] = "drtgvc", ['g'] = "ftyhbv",
            ['h'] = "gyujnb", ['j'] = "huikmn", ['k'] = "jiolm", ['l'] = "kop",
            ['z'] = "asx", ['x'] = "zsdc", ['c'] = "xdfv", ['v'] = "cfgb", ['b'] = "vghn", ['n'] = "bhjm", ['m'] = "njk",
        };
        return Enumerable.Range(0, 26).Select(i => map[(char)('a' + i)]).ToArray();
    }
}
