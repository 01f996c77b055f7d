using MineRefine.Modeling;
using MineRefine.Retrieval;

namespace MineRefine.ScaleOut.Silo;

/// <summary>
/// Deterministic stand-in embedder for exercising the job machinery (not a model): each text's unit vector is drawn
/// from <c>Random(FNV-1a(text) xor role)</c>, so any silo produces bit-identical rows. An optional sleep per call
/// makes a job last long enough to kill a silo in the middle.
/// </summary>
public sealed class HashingEmbedder(int dimension = 64, int delayMsPerCall = 0) : ITextEmbedder
{
    /// <inheritdoc/>
    public string Name => "hashing";
    /// <inheritdoc/>
    public int Dimension => dimension;
    /// <inheritdoc/>
    public string ModelHash => $"hashing-{dimension}";

    /// <inheritdoc/>
    public EmbeddingMatrix Encode(IReadOnlyList<string> texts, EmbeddingRole role, IProgress<int>? progress = null)
    {
        if (delayMsPerCall > 0) Thread.Sleep(delayMsPerCall);
        var data = new float[texts.Count * dimension];
        for (int i = 0; i < texts.Count; i++)
        {
            uint h = 2166136261;
            foreach (char c in texts[i]) { h ^= c; h *= 16777619; }
            var rng = new Random((int)h ^ (int)role);
            double norm = 0;
            var row = data.AsSpan(i * dimension, dimension);
            for (int j = 0; j < dimension; j++) { row[j] = (float)(rng.NextDouble() - 0.5); norm += row[j] * row[j]; }
            float inv = (float)(1 / Math.Sqrt(norm));
            for (int j = 0; j < dimension; j++) row[j] *= inv;
        }
        progress?.Report(texts.Count);
        return new EmbeddingMatrix(texts.Count, dimension, data);
    }

    /// <inheritdoc/>
    public void Dispose() { }
}
