namespace MineRefine.Retrieval;

/// <summary>Row-major dense float matrix of embeddings: <see cref="Count"/> rows of <see cref="Dimension"/>.</summary>
public sealed class EmbeddingMatrix
{
    /// <summary>Wraps <paramref name="data"/> (length must be count × dimension).</summary>
    public EmbeddingMatrix(int count, int dimension, float[] data)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension));
        if (data.Length != (long)count * dimension)
            throw new ArgumentException($"data has {data.Length} floats, expected {count}×{dimension}.");
        Count = count;
        Dimension = dimension;
        Data = data;
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; }
    /// <summary>Vector dimension.</summary>
    public int Dimension { get; }
    /// <summary>The values, row-major.</summary>
    public float[] Data { get; }
    /// <summary>Row <paramref name="i"/>.</summary>
    public Span<float> Row(int i) => Data.AsSpan(i * Dimension, Dimension);
}
