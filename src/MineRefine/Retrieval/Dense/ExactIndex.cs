using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Retrieval.Dense;

/// <summary>
/// Exact top-k index: blocked matrix multiplication (queries in blocks of <see cref="VectorIndexOptions.ExactQueryBlock"/>,
/// catalog in blocks of <see cref="VectorIndexOptions.ExactCatalogBlock"/>) with a running top-k merged per catalog
/// block, on TorchSharp (CPU). Score = q·x (inner product); with <see cref="VectorMetric.Cosine"/> both catalog rows and
/// queries are L2-normalised first, so the score is the cosine. Used for evaluation, mining and as the ANN oracle.
/// Results are ordered by score descending, ties by lower id first; which of several rows tied exactly at the k-th
/// place is kept is decided by torch.topk.
/// </summary>
public sealed class ExactIndex : IVectorIndex
{
    private readonly VectorIndexOptions _options;
    private float[] _data = [];
    private Tensor? _catalog;
    private bool _disposed;

    /// <summary>Creates an empty exact index for <paramref name="dimension"/>-d vectors.</summary>
    public ExactIndex(int dimension, VectorIndexOptions? options = null)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Dimension must be positive.");
        _options = (options ?? new VectorIndexOptions()).Clone().Validate();
        Dimension = dimension;
    }

    /// <inheritdoc/>
    public int Count { get; private set; }
    /// <inheritdoc/>
    public int Dimension { get; }
    /// <summary>The stored rows (normalised when the metric is cosine), row-major.</summary>
    public ReadOnlySpan<float> Data => _data.AsSpan(0, Count * Dimension);

    /// <inheritdoc/>
    public void Add(EmbeddingMatrix vectors)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (vectors.Dimension != Dimension)
            throw new ArgumentException($"Vectors have dimension {vectors.Dimension}, the index has {Dimension}.", nameof(vectors));
        AppendRows(_options.Metric == VectorMetric.Cosine ? VectorMath.NormalizedRows(vectors) : vectors.Data, vectors.Count);
    }

    private void AppendRows(float[] rows, int count)
    {
        var grown = new float[(long)(Count + count) * Dimension];
        Array.Copy(_data, grown, (long)Count * Dimension);
        Array.Copy(rows, 0, grown, (long)Count * Dimension, rows.Length);
        _data = grown;
        Count += count;
        _catalog?.Dispose();
        _catalog = null;
    }

    /// <inheritdoc/>
    public (int[] Ids, float[] Scores)[] Search(EmbeddingMatrix queries, int k)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (queries.Dimension != Dimension)
            throw new ArgumentException($"Queries have dimension {queries.Dimension}, the index has {Dimension}.", nameof(queries));
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be positive.");
        var results = new (int[] Ids, float[] Scores)[queries.Count];
        int kk = Math.Min(k, Count);
        if (kk == 0 || queries.Count == 0)
        {
            for (int i = 0; i < results.Length; i++) results[i] = ([], []);
            return results;
        }
        var catalog = CatalogTensor();
        var qdata = _options.Metric == VectorMetric.Cosine ? VectorMath.NormalizedRows(queries) : queries.Data;
        int qb = _options.ExactQueryBlock, cb = _options.ExactCatalogBlock, d = Dimension;
        for (int q0 = 0; q0 < queries.Count; q0 += qb)
        {
            using var scope = torch.NewDisposeScope();
            int nq = Math.Min(qb, queries.Count - q0);
            var block = new float[nq * d];
            Array.Copy(qdata, (long)q0 * d, block, 0, block.Length);
            var q = torch.tensor(block, [nq, d]);
            Tensor? bestV = null, bestI = null;
            for (int c0 = 0; c0 < Count; c0 += cb)
            {
                int nc = Math.Min(cb, Count - c0);
                var scores = q.matmul(catalog.narrow(0, c0, nc).t());
                var (v, i) = scores.topk(Math.Min(kk, nc), dim: 1, largest: true, sorted: false);
                i = i.add(c0);
                if (bestV is null) { bestV = v; bestI = i; continue; }
                var cv = torch.cat([bestV, v], 1);
                var ci = torch.cat([bestI!, i], 1);
                var (mv, mi) = cv.topk(Math.Min(kk, (int)cv.shape[1]), dim: 1, largest: true, sorted: false);
                bestV = mv;
                bestI = ci.gather(1, mi);
            }
            int width = (int)bestV!.shape[1];
            var vals = bestV.contiguous().data<float>().ToArray();
            var ids = bestI!.contiguous().data<long>().ToArray();
            for (int r = 0; r < nq; r++)
            {
                var rid = new int[width];
                var rsc = new float[width];
                for (int j = 0; j < width; j++) { rid[j] = (int)ids[r * width + j]; rsc[j] = vals[r * width + j]; }
                VectorMath.SortHits(rid, rsc);
                results[q0 + r] = (rid, rsc);
            }
        }
        return results;
    }

    /// <summary>Saves the stored rows as an embedding file (see <see cref="EmbeddingCache"/> for the format).</summary>
    public void Save(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EmbeddingFile.Write(path, new EmbeddingMatrix(Count, Dimension, _data.AsSpan(0, Count * Dimension).ToArray()));
    }

    /// <summary>Loads an index saved with <see cref="Save"/>. Rows are read into memory (no memory-mapped view for exact search).</summary>
    /// <exception cref="InvalidDataException">The file is malformed (the message names the file and the problem).</exception>
    public static ExactIndex Load(string path, VectorIndexOptions? options = null)
    {
        var m = EmbeddingFile.TryRead(path, out _, out var problem)
            ?? throw new InvalidDataException($"Exact index file '{path}': {problem}.");
        var index = new ExactIndex(m.Dimension, options);
        // Rows are stored as saved (already normalised under the cosine metric), so results are bit-identical.
        index.AppendRows(m.Data, m.Count);
        return index;
    }

    private Tensor CatalogTensor()
    {
        if (_catalog is null)
        {
            // Long-lived tensor: detached so that a caller's dispose scope cannot free it.
            _catalog = torch.tensor(_data, [Count, Dimension]);
            _catalog.DetachFromDisposeScope();
        }
        return _catalog;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _catalog?.Dispose();
        _catalog = null;
    }
}
