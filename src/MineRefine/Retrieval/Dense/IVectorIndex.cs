namespace MineRefine.Retrieval.Dense;

/// <summary>
/// A nearest-neighbour index over embedding rows. Keys are row numbers in insertion order: the first
/// <see cref="Add"/> assigns 0..n−1, the next continues at n. Scores are similarities (cosine or inner product),
/// higher is better, returned in descending order.
/// </summary>
public interface IVectorIndex : IDisposable
{
    /// <summary>Number of indexed vectors.</summary>
    int Count { get; }
    /// <summary>Vector dimension.</summary>
    int Dimension { get; }
    /// <summary>Appends <paramref name="vectors"/>; their keys are <c>Count .. Count + vectors.Count − 1</c>.</summary>
    void Add(EmbeddingMatrix vectors);
    /// <summary>Top-<paramref name="k"/> rows for each query (fewer if the index holds fewer), scores descending.</summary>
    (int[] Ids, float[] Scores)[] Search(EmbeddingMatrix queries, int k);
    /// <summary>Persists the index to <paramref name="path"/> (reopen with <see cref="VectorIndex.Open"/>).</summary>
    void Save(string path);
}

/// <summary>Factory for <see cref="IVectorIndex"/> implementations.</summary>
public static class VectorIndex
{
    /// <summary>Creates an empty index of <paramref name="options"/>.Kind for <paramref name="dimension"/>-d vectors.</summary>
    public static IVectorIndex Create(int dimension, VectorIndexOptions? options = null)
    {
        options = (options ?? new VectorIndexOptions()).Validate();
        return options.Kind switch
        {
            VectorIndexKind.Exact => new ExactIndex(dimension, options),
            _ => new UsearchIndex(dimension, options),
        };
    }

    /// <summary>
    /// Opens an index saved with <see cref="IVectorIndex.Save"/>. The format is detected from the file: an exact-index
    /// file is loaded into memory; a USearch file is loaded, or memory-mapped when <see cref="VectorIndexOptions.View"/>.
    /// Search parameters (expansion, threads, metric for query normalisation) come from <paramref name="options"/>.
    /// </summary>
    public static IVectorIndex Open(string path, VectorIndexOptions? options = null)
    {
        options = (options ?? new VectorIndexOptions()).Validate();
        if (!File.Exists(path)) throw new FileNotFoundException($"Vector index file '{path}' does not exist.", path);
        if (EmbeddingFile.HasMagic(path)) return ExactIndex.Load(path, options);
        return options.View ? UsearchIndex.View(path, options) : UsearchIndex.Load(path, options);
    }
}
