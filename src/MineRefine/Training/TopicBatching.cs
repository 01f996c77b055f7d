using MineRefine.Retrieval;

namespace MineRefine.Training;

/// <summary>
/// Topic-aware batches [choice, off by default; not in the paper]: the training queries are clustered by their
/// start-model embeddings (spherical k-means), and each batch is drawn from one cluster, so that the in-batch negatives
/// (<see cref="TrainOptions.InBatchNegatives"/>) are the items of <i>related</i> queries — "kohler whitehaven" next to
/// "kohler bellwether" — instead of random ones. This is topic-aware sampling (TAS, Hofstätter et al. 2021, "Efficiently
/// Teaching an Effective Dense Retriever with Balanced Topic Aware Sampling", §3), without the balanced-margin part.
/// Items judged relevant for an instance's own query are still masked, as for any in-batch negative.
/// <para>Order of an epoch (<see cref="BuildOrder"/>): the instances of each cluster are shuffled and cut into
/// batch-size chunks; the remainders of all clusters are pooled, shuffled and cut too; then the chunks are shuffled.
/// So every instance is used once per epoch, and every chunk but the pooled ones is one cluster.</para>
/// </summary>
public static class TopicBatching
{
    /// <summary>Spherical k-means (cosine) of the rows of <paramref name="vectors"/> (unit length expected): k-means++
    /// seeding from <paramref name="seed"/>, then at most <paramref name="iterations"/> assignment/update rounds (stops
    /// early when no row changes cluster). An empty cluster is re-seeded with the row farthest from its centroid.
    /// Returns each row's cluster in [0, k). Deterministic for the same inputs and seed.</summary>
    /// <param name="vectors">Row vectors (count × dimension).</param>
    /// <param name="k">Clusters; at most the number of rows.</param>
    /// <param name="seed">Seed of the k-means++ draws.</param>
    /// <param name="iterations">Maximum rounds. Default 25.</param>
    public static int[] KMeans(EmbeddingMatrix vectors, int k, long seed, int iterations = 25)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        int n = vectors.Count, d = vectors.Dimension;
        if (k < 1) throw new ArgumentException($"k must be ≥ 1 (got {k}).", nameof(k));
        if (k > n) throw new ArgumentException($"k ({k}) must not exceed the number of vectors ({n}).", nameof(k));
        if (iterations < 1) throw new ArgumentException($"iterations must be ≥ 1 (got {iterations}).", nameof(iterations));
        var rng = new SerializableRandom(seed, "topic-kmeans");
        var centroids = new float[k * d];
        var best = new double[n]; // similarity to the nearest chosen centroid
        Array.Fill(best, double.NegativeInfinity);
        int first = rng.Next(n);
        vectors.Row(first).CopyTo(centroids.AsSpan(0, d));
        for (int c = 1; c < k; c++)
        {
            // k-means++ on the cosine distance 1 − s: draw a row with probability ∝ distance²
            var prev = centroids.AsSpan((c - 1) * d, d);
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                double s = Dot(vectors.Row(i), prev);
                if (s > best[i]) best[i] = s;
                double dist = Math.Max(0, 1 - best[i]);
                total += dist * dist;
            }
            int pick;
            if (total <= 0) pick = rng.Next(n); // every row sits on a centroid already
            else
            {
                double r = rng.NextDouble() * total, acc = 0;
                pick = n - 1;
                for (int i = 0; i < n; i++)
                {
                    double dist = Math.Max(0, 1 - best[i]);
                    acc += dist * dist;
                    if (acc >= r) { pick = i; break; }
                }
            }
            vectors.Row(pick).CopyTo(centroids.AsSpan(c * d, d));
        }

        var assign = new int[n];
        Array.Fill(assign, -1);
        var sims = new double[n];
        for (int it = 0; it < iterations; it++)
        {
            int changed = 0;
            for (int i = 0; i < n; i++)
            {
                var row = vectors.Row(i);
                int arg = 0;
                double top = double.NegativeInfinity;
                for (int c = 0; c < k; c++)
                {
                    double s = Dot(row, centroids.AsSpan(c * d, d));
                    if (s > top) { top = s; arg = c; }
                }
                sims[i] = top;
                if (assign[i] != arg) { assign[i] = arg; changed++; }
            }
            if (changed == 0 && it > 0) break;
            // update: the normalised mean of each cluster's rows; an empty cluster takes the worst-fitting row
            Array.Clear(centroids);
            var counts = new int[k];
            for (int i = 0; i < n; i++)
            {
                counts[assign[i]]++;
                var row = vectors.Row(i);
                var cen = centroids.AsSpan(assign[i] * d, d);
                for (int j = 0; j < d; j++) cen[j] += row[j];
            }
            for (int c = 0; c < k; c++)
            {
                var cen = centroids.AsSpan(c * d, d);
                if (counts[c] == 0)
                {
                    int worst = 0;
                    for (int i = 1; i < n; i++) if (sims[i] < sims[worst]) worst = i;
                    vectors.Row(worst).CopyTo(cen);
                    sims[worst] = double.PositiveInfinity; // not taken twice in one round
                    continue;
                }
                double norm = 0;
                for (int j = 0; j < d; j++) norm += cen[j] * (double)cen[j];
                norm = Math.Sqrt(norm);
                if (norm > 0) for (int j = 0; j < d; j++) cen[j] = (float)(cen[j] / norm);
            }
        }
        return assign;
    }

    /// <summary>One epoch's instance order for topic-aware batches (see the class summary): the result is a permutation
    /// of 0 … clusterOfInstance.Length − 1 whose consecutive <paramref name="batchSize"/>-chunks are single-cluster
    /// batches, except the chunks made of the clusters' remainders.</summary>
    /// <param name="clusterOfInstance">Cluster of each instance (any non-negative ints).</param>
    /// <param name="batchSize">Instances per batch (≥ 1).</param>
    /// <param name="rng">Draws the shuffles (advanced).</param>
    public static int[] BuildOrder(IReadOnlyList<int> clusterOfInstance, int batchSize, SerializableRandom rng)
    {
        ArgumentNullException.ThrowIfNull(clusterOfInstance);
        ArgumentNullException.ThrowIfNull(rng);
        if (batchSize < 1) throw new ArgumentException($"batchSize must be ≥ 1 (got {batchSize}).", nameof(batchSize));
        var byCluster = new SortedDictionary<int, List<int>>();
        for (int i = 0; i < clusterOfInstance.Count; i++)
        {
            int c = clusterOfInstance[i];
            if (c < 0) throw new ArgumentException($"Instance {i} has a negative cluster ({c}).", nameof(clusterOfInstance));
            if (!byCluster.TryGetValue(c, out var list)) byCluster[c] = list = new List<int>();
            list.Add(i);
        }
        var chunks = new List<int[]>();
        var rest = new List<int>();
        foreach (var members in byCluster.Values)
        {
            rng.Shuffle(members);
            int full = members.Count / batchSize * batchSize;
            for (int s = 0; s < full; s += batchSize) chunks.Add(members.GetRange(s, batchSize).ToArray());
            rest.AddRange(members.Skip(full));
        }
        rng.Shuffle(rest);
        for (int s = 0; s < rest.Count; s += batchSize) chunks.Add(rest.GetRange(s, Math.Min(batchSize, rest.Count - s)).ToArray());
        // a short chunk must stay last: the trainer reads the order in fixed batch-size windows
        var tail = chunks.Count > 0 && chunks[^1].Length < batchSize ? chunks[^1] : null;
        if (tail is not null) chunks.RemoveAt(chunks.Count - 1);
        rng.Shuffle(chunks);
        if (tail is not null) chunks.Add(tail);
        return chunks.SelectMany(c => c).ToArray();
    }

    /// <summary>Cluster-size summary for logs: (clusters, smallest, median, largest).</summary>
    public static (int Clusters, int Min, int Median, int Max) SizeSummary(IReadOnlyList<int> assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var sizes = assignment.GroupBy(c => c).Select(g => g.Count()).OrderBy(s => s).ToArray();
        return sizes.Length == 0 ? (0, 0, 0, 0) : (sizes.Length, sizes[0], sizes[sizes.Length / 2], sizes[^1]);
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int j = 0; j < a.Length; j++) s += a[j] * (double)b[j];
        return s;
    }
}
