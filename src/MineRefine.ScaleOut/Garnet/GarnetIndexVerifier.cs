using System.Globalization;
using MineRefine.Retrieval;
using StackExchange.Redis;

namespace MineRefine.ScaleOut.Garnet;

/// <summary>Per-shard verification outcome.</summary>
/// <param name="Shard">Shard number.</param>
/// <param name="Key">Vector-set key.</param>
/// <param name="Expected">Items the catalog assigns to the shard.</param>
/// <param name="Actual">VCARD of the key (−1 if the shard did not answer).</param>
/// <param name="Sampled">Elements fetched with VEMB.</param>
/// <param name="MissingSamples">Sampled elements absent from the set.</param>
/// <param name="MaxAbsError">Largest |stored − expected| over sampled components (0 for NOQUANT; small for Q8).</param>
/// <param name="Error">Error message if the shard failed.</param>
public sealed record ShardVerifyReport(int Shard, string Key, int Expected, long Actual, int Sampled, int MissingSamples, double MaxAbsError, string? Error);

/// <summary>Outcome of <see cref="GarnetIndexVerifier.Verify"/>.</summary>
public sealed record VerifyReport(IReadOnlyList<ShardVerifyReport> Shards, double Tolerance)
{
    /// <summary>True when every shard answered, counts match, no sample is missing and every sample is within tolerance.</summary>
    public bool Ok => Shards.All(s => s.Error is null && s.Actual == s.Expected && s.MissingSamples == 0 && s.MaxAbsError <= Tolerance);
}

/// <summary>
/// Checks a pushed index against the catalog: VCARD of each shard equals the number of items assigned to it, and a
/// seeded sample of elements per shard round-trips through VEMB within <c>tolerance</c> (absolute, per component).
/// </summary>
public sealed class GarnetIndexVerifier(GarnetShardConnection connection)
{
    /// <summary>Verifies counts and up to <paramref name="samplesPerShard"/> embeddings per shard.</summary>
    /// <param name="productIds">The catalog's ids (as pushed).</param>
    /// <param name="vectors">The catalog's embeddings (as pushed).</param>
    /// <param name="samplesPerShard">Elements per shard to compare with VEMB.</param>
    /// <param name="seed">Sampling seed.</param>
    /// <param name="tolerance">Allowed absolute error per component (default 1e-6: NOQUANT; use ~0.02 for Q8).</param>
    public VerifyReport Verify(IReadOnlyList<string> productIds, EmbeddingMatrix vectors, int samplesPerShard = 20, int seed = 17, double tolerance = 1e-6)
    {
        var o = connection.Options;
        var rows = ShardAssignment.Split(productIds, o.Shards);
        var rng = new Random(seed);
        var reports = new List<ShardVerifyReport>();
        for (int s = 0; s < o.Shards; s++)
        {
            string key = o.VectorKey(s);
            try
            {
                var db = connection.Database(s);
                var cardTask = db.ExecuteAsync("VCARD", key);
                var sample = rows[s].OrderBy(_ => rng.Next()).Take(samplesPerShard).ToArray();
                var embTasks = sample.Select(r => db.ExecuteAsync("VEMB", key, productIds[r])).ToArray();
                Task.WaitAll([cardTask, .. embTasks]);
                long card = cardTask.Result.IsNull ? 0 : (long)cardTask.Result;
                int missing = 0;
                double maxErr = 0;
                for (int j = 0; j < sample.Length; j++)
                {
                    var res = embTasks[j].Result;
                    var arr = res.IsNull ? [] : (RedisResult[])res!;
                    if (arr.Length == 0) { missing++; continue; }
                    var expected = vectors.Row(sample[j]);
                    if (arr.Length != expected.Length) { missing++; continue; }
                    for (int c = 0; c < arr.Length; c++)
                        maxErr = Math.Max(maxErr, Math.Abs(double.Parse(arr[c].ToString()!, CultureInfo.InvariantCulture) - expected[c]));
                }
                reports.Add(new ShardVerifyReport(s, key, rows[s].Count, card, sample.Length, missing, maxErr, null));
            }
            catch (Exception e) when (e is RedisException or AggregateException or TimeoutException)
            {
                reports.Add(new ShardVerifyReport(s, key, rows[s].Count, -1, 0, 0, 0, (e is AggregateException a ? a.InnerExceptions[0] : e).Message));
            }
        }
        return new VerifyReport(reports, tolerance);
    }
}
