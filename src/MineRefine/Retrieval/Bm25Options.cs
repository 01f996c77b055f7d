namespace MineRefine.Retrieval;

/// <summary>Analyzer used by <see cref="Bm25Retriever"/> for both the catalog and the queries.</summary>
public enum Bm25Analyzer
{
    /// <summary>Lucene EnglishAnalyzer: standard tokenizer, possessive filter, lower case, English stop words,
    /// Porter stemming (default).</summary>
    English,
    /// <summary>Lucene StandardAnalyzer: standard tokenizer, lower case, English stop words, no stemming.</summary>
    Standard,
}

/// <summary>Product fields indexed by <see cref="Bm25Retriever"/> (all go into one text field).</summary>
[Flags]
public enum Bm25Fields
{
    /// <summary>Product title.</summary>
    Title = 1,
    /// <summary>Category path, e.g. "Electronics &gt; Headphones".</summary>
    Category = 2,
    /// <summary>Description.</summary>
    Description = 4,
    /// <summary>Attribute values ("key value" pairs).</summary>
    Attributes = 8,
}

/// <summary>Options of the BM25 baseline (paper §7 "lexical (BM25-style)" baseline).</summary>
public sealed class Bm25Options
{
    /// <summary>BM25 term-frequency saturation k1 (default 1.2; typical 0.5–2.0).</summary>
    public float K1 { get; set; } = 1.2f;
    /// <summary>BM25 length normalisation b in [0, 1] (default 0.75; 0 = none, 1 = full).</summary>
    public float B { get; set; } = 0.75f;
    /// <summary>Analyzer (default English, with stemming).</summary>
    public Bm25Analyzer Analyzer { get; set; } = Bm25Analyzer.English;
    /// <summary>Indexed fields (default title + category + description).</summary>
    public Bm25Fields Fields { get; set; } = Bm25Fields.Title | Bm25Fields.Category | Bm25Fields.Description;
    /// <summary>Folder of the persisted index; reused when its marker matches the catalog hash. Null: a temporary
    /// folder deleted on dispose.</summary>
    public string? IndexFolder { get; set; }
    /// <summary>Threads for batch search and pair scoring (default 2).</summary>
    public int Threads { get; set; } = 2;

    /// <summary>Throws <see cref="ArgumentException"/> with a fix-it message when an option is out of range.</summary>
    public void Validate()
    {
        if (!(K1 >= 0 && float.IsFinite(K1))) throw new ArgumentException($"BM25 k1 must be a finite number ≥ 0 (typical 1.2); got {K1}.");
        if (!(B >= 0 && B <= 1)) throw new ArgumentException($"BM25 b must be in [0, 1] (typical 0.75); got {B}.");
        if (Fields == 0 || (Fields & ~(Bm25Fields.Title | Bm25Fields.Category | Bm25Fields.Description | Bm25Fields.Attributes)) != 0)
            throw new ArgumentException("BM25 needs at least one indexed field among title, category, description, attributes.");
        if (!Enum.IsDefined(Analyzer)) throw new ArgumentException($"Unknown BM25 analyzer '{Analyzer}'. Use english or standard.");
        if (Threads < 1) throw new ArgumentException($"BM25 threads must be ≥ 1; got {Threads}.");
    }
}
