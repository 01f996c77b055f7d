namespace MineRefine.Retrieval.Dense;

/// <summary>
/// Seeded synthetic embeddings for tests and benchmarks: <c>clusters</c> random unit centres, each with its own random
/// low-rank basis; a sample is <c>normalise(c + spread · B z + noise · g / √d)</c> with z ~ N(0, I_rank / rank) and
/// g ~ N(0, I_d). Isotropic Gaussian data gives meaningless HNSW recall; clustered, low-rank data behaves like real
/// text embeddings.
/// </summary>
internal sealed class ClusteredVectors
{
    private readonly float[][] _centres;
    private readonly float[][][] _bases;
    private readonly double _spread, _noise;

    public ClusteredVectors(int dimension, int clusters, int seed, int rank = 8, double spread = 0.35, double noise = 0.05)
    {
        Dimension = dimension;
        _spread = spread;
        _noise = noise;
        var rng = new Random(seed);
        _centres = new float[clusters][];
        _bases = new float[clusters][][];
        for (int c = 0; c < clusters; c++)
        {
            _centres[c] = Unit(Gaussian(rng, dimension));
            _bases[c] = new float[rank][];
            for (int r = 0; r < rank; r++) _bases[c][r] = Unit(Gaussian(rng, dimension));
        }
    }

    public int Dimension { get; }

    /// <summary><paramref name="count"/> unit vectors; <paramref name="clusterOf"/>[i] is the cluster of row i.</summary>
    public EmbeddingMatrix Sample(int count, int seed, out int[] clusterOf)
    {
        var rng = new Random(seed);
        int d = Dimension;
        var data = new float[count * d];
        clusterOf = new int[count];
        double invSqrtD = 1 / Math.Sqrt(d);
        for (int i = 0; i < count; i++)
        {
            int c = rng.Next(_centres.Length);
            clusterOf[i] = c;
            var row = data.AsSpan(i * d, d);
            _centres[c].CopyTo(row);
            var basis = _bases[c];
            double zs = _spread / Math.Sqrt(basis.Length);
            foreach (var b in basis)
            {
                float z = (float)(NextGaussian(rng) * zs);
                for (int j = 0; j < d; j++) row[j] += z * b[j];
            }
            for (int j = 0; j < d; j++) row[j] += (float)(NextGaussian(rng) * _noise * invSqrtD);
            Normalize(row);
        }
        return new EmbeddingMatrix(count, d, data);
    }

    private static float[] Gaussian(Random rng, int d)
    {
        var v = new float[d];
        for (int i = 0; i < d; i++) v[i] = (float)NextGaussian(rng);
        return v;
    }

    private static float[] Unit(float[] v) { Normalize(v); return v; }

    private static void Normalize(Span<float> v)
    {
        double n = 0;
        foreach (var x in v) n += (double)x * x;
        float inv = (float)(1 / Math.Sqrt(n));
        for (int i = 0; i < v.Length; i++) v[i] *= inv;
    }

    internal static double NextGaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
