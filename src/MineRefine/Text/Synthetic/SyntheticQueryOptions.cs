namespace MineRefine.Text.Synthetic;

/// <summary>Options of <see cref="SyntheticQueryGenerator"/> (paper §3: targeted synthetic queries, only for items
/// with no positive query, at a low ratio — over-use makes the model lexical).</summary>
public sealed class SyntheticQueryOptions
{
    /// <summary>Seed of item order, template choice and pairing.</summary>
    public int Seed { get; set; } = 7;
    /// <summary>Other items paired with each synthetic query besides its source item: half (rounded up) from the
    /// same category, the rest random from the catalog. Default 3.</summary>
    public int OtherItemsPerQuery { get; set; } = 3;
    /// <summary>Cap on the synthetic share of queries: synthetic ≤ MaxShare · (real + synthetic), i.e.
    /// ≤ ⌊MaxShare/(1−MaxShare) · real⌋. In (0, 1); default 0.10.</summary>
    public double MaxShare { get; set; } = 0.10;
    /// <summary>Optional absolute cap on synthetic queries (the smaller cap wins).</summary>
    public int? MaxQueries { get; set; }
    /// <summary>Minimum query length in tokens. Default 2.</summary>
    public int MinTokens { get; set; } = 2;
    /// <summary>Maximum query length in tokens. Default 4.</summary>
    public int MaxTokens { get; set; } = 4;
    /// <summary>Query templates over the slots {brand}, {colour}, {material}, {size}, {leaf} (taxonomy leaf, or the
    /// last title word when the item has no category) and {title} (first title word not in the leaf). A template
    /// applies to an item when all its slots are filled; one applicable template is drawn per item.</summary>
    public IReadOnlyList<string> Templates { get; set; } = new[]
    {
        "{colour} {leaf}", "{brand} {leaf}", "{material} {leaf} {size}", "{material} {leaf}", "{brand} {colour} {leaf}", "{title} {leaf}",
    };
    /// <summary>Attribute keys (case-insensitive) read for each slot.</summary>
    public IReadOnlyDictionary<string, string[]> AttributeKeys { get; set; } = new Dictionary<string, string[]>
    {
        ["brand"] = new[] { "brand", "brand name", "manufacturer", "mfg brand name" },
        ["colour"] = new[] { "color", "colour", "color family", "color/finish" },
        ["material"] = new[] { "material" },
        ["size"] = new[] { "size" },
    };
    /// <summary>Drop a synthetic query when the labeler gives none of its pairs grade ≥ 1 (it would not give its
    /// item a positive). Default true.</summary>
    public bool DropQueriesWithoutPositive { get; set; } = true;
    /// <summary>Taxonomy levels in the item text shown to the labeler (paper §3: 2).</summary>
    public int ItemTextLevels { get; set; } = 2;

    /// <summary>Throws <see cref="ArgumentException"/> saying which option is wrong and how to fix it.</summary>
    public void Validate()
    {
        if (OtherItemsPerQuery is < 0 or > 100) throw new ArgumentException($"SyntheticQueryOptions.OtherItemsPerQuery {OtherItemsPerQuery} must be in 0..100 (default 3).");
        if (!(MaxShare is > 0 and < 1)) throw new ArgumentException($"SyntheticQueryOptions.MaxShare {MaxShare} must be in (0, 1) (default 0.10).");
        if (MaxQueries is < 0) throw new ArgumentException("SyntheticQueryOptions.MaxQueries must be ≥ 0 or null.");
        if (MinTokens < 1 || MaxTokens < MinTokens) throw new ArgumentException($"SyntheticQueryOptions token range {MinTokens}..{MaxTokens} is invalid; need 1 ≤ MinTokens ≤ MaxTokens (default 2..4).");
        if (Templates is null || Templates.Count == 0) throw new ArgumentException("SyntheticQueryOptions.Templates is empty; give at least one template such as \"{colour} {leaf}\".");
        var known = new HashSet<string> { "brand", "colour", "material", "size", "leaf", "title" };
        foreach (var t in Templates)
        {
            var slots = SyntheticQueryGenerator.Slots(t);
            if (slots.Count == 0) throw new ArgumentException($"SyntheticQueryOptions template '{t}' has no {{slot}}.");
            foreach (var s in slots)
                if (!known.Contains(s)) throw new ArgumentException($"SyntheticQueryOptions template '{t}' uses unknown slot '{{{s}}}'; known: {string.Join(", ", known)}.");
        }
        ArgumentNullException.ThrowIfNull(AttributeKeys, nameof(AttributeKeys));
        if (ItemTextLevels < 0) throw new ArgumentException("SyntheticQueryOptions.ItemTextLevels must be ≥ 0.");
    }
}
