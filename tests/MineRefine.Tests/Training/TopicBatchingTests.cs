using MineRefine.Retrieval;
using MineRefine.Training;
using Xunit;

namespace MineRefine.Tests.Training;

public sealed class TopicBatchingTests
{
    /// <summary>Unit vectors in <paramref name="groups"/> tight groups around orthogonal axes, rows interleaved
    /// (row i belongs to group i % groups).</summary>
    private static EmbeddingMatrix Groups(int groups, int perGroup, int dim, int seed, double noise = 0.05)
    {
        var rng = new Random(seed);
        int n = groups * perGroup;
        var data = new float[n * dim];
        for (int i = 0; i < n; i++)
        {
            var row = data.AsSpan(i * dim, dim);
            for (int j = 0; j < dim; j++) row[j] = (float)((rng.NextDouble() - 0.5) * 2 * noise);
            row[i % groups] += 1f;
            double norm = 0;
            foreach (var v in row) norm += v * (double)v;
            for (int j = 0; j < dim; j++) row[j] = (float)(row[j] / Math.Sqrt(norm));
        }
        return new EmbeddingMatrix(n, dim, data);
    }

    [Fact]
    public void KMeansRecoversSeparatedGroups()
    {
        var m = Groups(groups: 4, perGroup: 25, dim: 8, seed: 1);
        var a = TopicBatching.KMeans(m, 4, seed: 13);
        Assert.Equal(100, a.Length);
        // every group lands in one cluster, and the four groups in four different clusters
        var clusterOfGroup = Enumerable.Range(0, 4).Select(g => Enumerable.Range(0, 100).Where(i => i % 4 == g).Select(i => a[i]).Distinct().Single()).ToList();
        Assert.Equal(4, clusterOfGroup.Distinct().Count());
        Assert.All(a, c => Assert.InRange(c, 0, 3));
    }

    [Fact]
    public void KMeansIsDeterministicPerSeedAndChecksK()
    {
        var m = Groups(groups: 6, perGroup: 10, dim: 8, seed: 2, noise: 0.6); // overlapping groups: the seeding matters
        Assert.Equal(TopicBatching.KMeans(m, 5, 7), TopicBatching.KMeans(m, 5, 7));
        Assert.Contains("must not exceed the number of vectors", Assert.Throws<ArgumentException>(() => TopicBatching.KMeans(m, 61, 7)).Message);
        Assert.Throws<ArgumentException>(() => TopicBatching.KMeans(m, 0, 7));
        // k = n: every distinct row is its own cluster
        var own = TopicBatching.KMeans(m, 60, 7);
        Assert.Equal(60, own.Distinct().Count());
        // k = 1: one cluster
        Assert.All(TopicBatching.KMeans(m, 1, 7), c => Assert.Equal(0, c));
    }

    [Fact]
    public void BuildOrderIsAPermutationOfSingleClusterBatches()
    {
        // clusters of 10, 7, 3 and 1 instances, batch 4: 2 + 1 + 0 + 0 full single-cluster batches; the remainders
        // (2 + 3 + 3 + 1 = 9) make two pooled batches of 4 and a last one of 1
        var clusters = Enumerable.Repeat(0, 10).Concat(Enumerable.Repeat(1, 7)).Concat(Enumerable.Repeat(2, 3)).Concat(new[] { 3 }).ToArray();
        var order = TopicBatching.BuildOrder(clusters, 4, new SerializableRandom(5));
        Assert.Equal(Enumerable.Range(0, clusters.Length), order.OrderBy(i => i));
        var batches = order.Chunk(4).ToList();
        Assert.Equal(6, batches.Count);
        Assert.All(batches.Take(5), b => Assert.Equal(4, b.Length));
        Assert.Single(batches[^1]);
        int single = batches.Count(b => b.Length == 4 && b.Select(i => clusters[i]).Distinct().Count() == 1);
        Assert.True(single >= 3, $"{single} single-cluster batches");
        // the three full single-cluster chunks: two of cluster 0, one of cluster 1
        Assert.Equal(2, batches.Count(b => b.Length == 4 && b.All(i => clusters[i] == 0)));
        Assert.True(batches.Count(b => b.Length == 4 && b.All(i => clusters[i] == 1)) >= 1);

        // same state → same order; another seed → another order
        Assert.Equal(order, TopicBatching.BuildOrder(clusters, 4, new SerializableRandom(5)));
        Assert.NotEqual(order, TopicBatching.BuildOrder(clusters, 4, new SerializableRandom(6)));
    }

    [Fact]
    public void BuildOrderChecksItsInputs()
    {
        Assert.Throws<ArgumentException>(() => TopicBatching.BuildOrder(new[] { 0, 1 }, 0, new SerializableRandom(1)));
        Assert.Contains("negative cluster", Assert.Throws<ArgumentException>(() => TopicBatching.BuildOrder(new[] { 0, -1 }, 2, new SerializableRandom(1))).Message);
        Assert.Empty(TopicBatching.BuildOrder(Array.Empty<int>(), 2, new SerializableRandom(1)));
        Assert.Equal((3, 1, 2, 5), TopicBatching.SizeSummary(new[] { 0, 0, 0, 0, 0, 1, 2, 2 }));
    }
}
