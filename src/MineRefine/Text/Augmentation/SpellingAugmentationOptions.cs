namespace MineRefine.Text.Augmentation;

/// <summary>Options of <see cref="SpellingAugmenter"/> (paper §3, additive spelling augmentation).</summary>
public sealed class SpellingAugmentationOptions
{
    /// <summary>Fraction of changed variants kept as extra training queries [paper: 30–50%]. Default 0.4. Use 1.0 to
    /// make a misspelled copy of a test set.</summary>
    public double KeepRatio { get; set; } = 0.4;

    /// <summary>Tokens with at most this many letters use <see cref="ShortTokenEditCounts"/>. Default 3.</summary>
    public int ShortMaxLength { get; set; } = 3;
    /// <summary>Tokens with at most this many letters (and more than <see cref="ShortMaxLength"/>) use
    /// <see cref="MediumTokenEditCounts"/>; longer ones use <see cref="LongTokenEditCounts"/>. Default 6.</summary>
    public int MediumMaxLength { get; set; } = 6;

    /// <summary>P(k edits) for k = 0, 1, … on short tokens [paper]: {0: .9, 1: .1}.</summary>
    public double[] ShortTokenEditCounts { get; set; } = { 0.9, 0.1 };
    /// <summary>P(k edits) on 4–6-letter tokens [paper]: {0: .7, 1: .15, 2: .15}.</summary>
    public double[] MediumTokenEditCounts { get; set; } = { 0.7, 0.15, 0.15 };
    /// <summary>P(k edits) on longer tokens [paper]: {0: .2, 1: .25, 2: .35, 3: .15, 4: .05}.</summary>
    public double[] LongTokenEditCounts { get; set; } = { 0.2, 0.25, 0.35, 0.15, 0.05 };

    /// <summary>Weight of a keyboard-adjacent substitution [choice]. Default 0.4.</summary>
    public double SubstitutionWeight { get; set; } = 0.4;
    /// <summary>Weight of a deletion [choice]. Default 0.25.</summary>
    public double DeletionWeight { get; set; } = 0.25;
    /// <summary>Weight of an insertion of a keyboard-adjacent letter [choice]. Default 0.15.</summary>
    public double InsertionWeight { get; set; } = 0.15;
    /// <summary>Weight of a transposition of two neighbouring letters [choice]. Default 0.2.</summary>
    public double TranspositionWeight { get; set; } = 0.2;

    /// <summary>Suffix appended to a query id to name its variant. Default "#spell".</summary>
    public string VariantIdSuffix { get; set; } = "#spell";

    /// <summary>Unit tokens that are never edited (compared lower-case, surrounding punctuation stripped).</summary>
    public ISet<string> UnitTokens { get; set; } = new HashSet<string>(DefaultUnits, StringComparer.OrdinalIgnoreCase);

    /// <summary>The default unit list.</summary>
    public static IReadOnlyList<string> DefaultUnits { get; } = new[]
    {
        "in", "inch", "inches", "ft", "feet", "foot", "yd", "cm", "mm", "m", "km", "oz", "fl", "lb", "lbs", "ml", "l",
        "kg", "g", "mg", "v", "volt", "volts", "w", "watt", "watts", "kw", "kwh", "a", "amp", "amps", "ah", "mah",
        "gal", "qt", "pt", "pk", "ct", "pc", "pcs", "gb", "tb", "mb", "kb", "hz", "khz", "mhz", "ghz", "psi", "btu",
        "cfm", "gpm", "rpm", "mph", "awg", "ohm", "lm", "dpi", "sq", "cu", "x",
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option and how to fix it.</summary>
    public void Validate()
    {
        if (!(KeepRatio >= 0 && KeepRatio <= 1))
            throw new ArgumentException($"Spelling KeepRatio must be in [0, 1] (got {KeepRatio}); the paper keeps 0.3–0.5.");
        if (ShortMaxLength < 0 || MediumMaxLength < ShortMaxLength)
            throw new ArgumentException($"Spelling length buckets need 0 ≤ ShortMaxLength ≤ MediumMaxLength (got {ShortMaxLength}, {MediumMaxLength}).");
        CheckDistribution(nameof(ShortTokenEditCounts), ShortTokenEditCounts);
        CheckDistribution(nameof(MediumTokenEditCounts), MediumTokenEditCounts);
        CheckDistribution(nameof(LongTokenEditCounts), LongTokenEditCounts);
        var w = new[] { SubstitutionWeight, DeletionWeight, InsertionWeight, TranspositionWeight };
        if (w.Any(x => !double.IsFinite(x) || x < 0) || w.Sum() <= 0)
            throw new ArgumentException("Spelling edit-kind weights must be finite, ≥ 0 and not all zero (defaults .4/.25/.15/.2).");
        if (string.IsNullOrEmpty(VariantIdSuffix))
            throw new ArgumentException("Spelling VariantIdSuffix must be non-empty so variant ids differ from the originals.");
        if (UnitTokens is null) throw new ArgumentException("Spelling UnitTokens must not be null (use an empty set to protect none).");
    }

    private static void CheckDistribution(string name, double[] p)
    {
        if (p is null || p.Length == 0 || p.Any(x => !double.IsFinite(x) || x < 0) || Math.Abs(p.Sum() - 1) > 1e-6)
            throw new ArgumentException($"Spelling {name} must be probabilities for 0, 1, 2 … edits that sum to 1 (got [{(p is null ? "null" : string.Join(", ", p))}]).");
    }
}
