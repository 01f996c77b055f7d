namespace MineRefine.Retrieval.Dense;

/// <summary>Which nearest-neighbour index backs dense retrieval.</summary>
public enum VectorIndexKind
{
    /// <summary>Exact top-k by blocked matrix multiplication (TorchSharp). The oracle for evaluation and mining.</summary>
    Exact,
    /// <summary>Approximate top-k with a USearch HNSW graph.</summary>
    Hnsw,
}

/// <summary>How USearch stores vectors inside the HNSW index.</summary>
public enum VectorQuantization
{
    /// <summary>Half precision (2 bytes per value); default, halves memory at a negligible recall cost.</summary>
    F16,
    /// <summary>Single precision (4 bytes per value).</summary>
    F32,
}

/// <summary>Similarity used by the index. Scores are always "higher is better".</summary>
public enum VectorMetric
{
    /// <summary>Cosine similarity: vectors are compared after L2 normalisation (score = cos, USearch distance = 1 − cos).</summary>
    Cosine,
    /// <summary>Raw inner product (score = q·x, USearch distance = 1 − q·x). Equals cosine for L2-normalised rows.</summary>
    InnerProduct,
}

/// <summary>Options for building, loading and searching a vector index. Call <see cref="Validate"/> before use.</summary>
public sealed class VectorIndexOptions
{
    /// <summary>Index kind: exact (default) or hnsw.</summary>
    public VectorIndexKind Kind { get; set; } = VectorIndexKind.Exact;
    /// <summary>Similarity metric (default cosine).</summary>
    public VectorMetric Metric { get; set; } = VectorMetric.Cosine;
    /// <summary>HNSW storage precision (default f16). Ignored by the exact index.</summary>
    public VectorQuantization Quantization { get; set; } = VectorQuantization.F16;
    /// <summary>HNSW connectivity M: neighbours per node per layer (default 16; 2–256).</summary>
    public int Connectivity { get; set; } = 16;
    /// <summary>HNSW ef_construction: candidate list size while adding (default 128; 1–4096). Higher = better graph, slower build.</summary>
    public int ExpansionAdd { get; set; } = 128;
    /// <summary>HNSW ef_search: candidate list size while searching (default 64; 1–4096). Higher = better recall, slower queries.
    /// USearch uses max(ef_search, k) internally.</summary>
    public int ExpansionSearch { get; set; } = 64;
    /// <summary>Threads used for HNSW add and batched search (default: processor count; 1–1024).</summary>
    public int Threads { get; set; } = Environment.ProcessorCount;
    /// <summary>When opening a saved HNSW index: memory-map it read-only (true) instead of loading it into RAM (false, default).</summary>
    public bool View { get; set; }
    /// <summary>Exact index: queries per matmul block (default 256).</summary>
    public int ExactQueryBlock { get; set; } = 256;
    /// <summary>Exact index: catalog rows per matmul block (default 65,536).</summary>
    public int ExactCatalogBlock { get; set; } = 65_536;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option and how to fix it.</summary>
    public VectorIndexOptions Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"VectorIndexOptions.Kind {(int)Kind} is not a known index kind; use 'exact' or 'hnsw'.");
        if (!Enum.IsDefined(Metric)) throw new ArgumentException($"VectorIndexOptions.Metric {(int)Metric} is not a known metric; use 'cosine' or 'ip'.");
        if (!Enum.IsDefined(Quantization)) throw new ArgumentException($"VectorIndexOptions.Quantization {(int)Quantization} is not known; use 'f16' or 'f32'.");
        Check(Connectivity, 2, 256, nameof(Connectivity), "HNSW connectivity M; typical values 8–64, default 16");
        Check(ExpansionAdd, 1, 4096, nameof(ExpansionAdd), "HNSW ef_construction; typical values 64–512, default 128");
        Check(ExpansionSearch, 1, 4096, nameof(ExpansionSearch), "HNSW ef_search; typical values 16–512, default 64");
        Check(Threads, 1, 1024, nameof(Threads), "number of threads; use 1 for deterministic builds or the core count");
        Check(ExactQueryBlock, 1, 1 << 20, nameof(ExactQueryBlock), "queries per exact matmul block, default 256");
        Check(ExactCatalogBlock, 1, 1 << 26, nameof(ExactCatalogBlock), "catalog rows per exact matmul block, default 65536");
        return this;
    }

    /// <summary>A copy of these options.</summary>
    public VectorIndexOptions Clone() => (VectorIndexOptions)MemberwiseClone();

    private static void Check(int value, int min, int max, string name, string meaning)
    {
        if (value < min || value > max)
            throw new ArgumentException($"VectorIndexOptions.{name} must be between {min} and {max} (got {value}): {meaning}.", name);
    }

    /// <summary>Parses "exact" or "hnsw" (case-insensitive).</summary>
    public static VectorIndexKind ParseKind(string text) => text.Trim().ToLowerInvariant() switch
    {
        "exact" => VectorIndexKind.Exact,
        "hnsw" or "usearch" or "ann" => VectorIndexKind.Hnsw,
        _ => throw new ArgumentException($"Unknown index kind '{text}'; use 'exact' or 'hnsw'."),
    };

    /// <summary>Parses "f16" or "f32" (case-insensitive).</summary>
    public static VectorQuantization ParseQuantization(string text) => text.Trim().ToLowerInvariant() switch
    {
        "f16" or "half" => VectorQuantization.F16,
        "f32" or "float" => VectorQuantization.F32,
        _ => throw new ArgumentException($"Unknown quantization '{text}'; use 'f16' or 'f32'."),
    };

    /// <summary>Parses "cosine"/"cos" or "ip"/"dot" (case-insensitive).</summary>
    public static VectorMetric ParseMetric(string text) => text.Trim().ToLowerInvariant() switch
    {
        "cosine" or "cos" => VectorMetric.Cosine,
        "ip" or "dot" or "inner" => VectorMetric.InnerProduct,
        _ => throw new ArgumentException($"Unknown metric '{text}'; use 'cosine' or 'ip'."),
    };
}
