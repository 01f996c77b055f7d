using System.Text;
using MineRefine.Text;

namespace MineRefine.Data;

/// <summary>Judgments split by query into train, dev and test.</summary>
public sealed record DataSplit(IReadOnlyList<Judgment> Train, IReadOnlyList<Judgment> Dev, IReadOnlyList<Judgment> Test);

/// <summary>
/// Splits judgments by query so that a query never crosses splits. Each query's key (by default the normalised query
/// text, <see cref="TextNormalizer.NormalizeQuery"/>) is hashed together with the seed (64-bit FNV-1a over UTF-8,
/// then a SplitMix64 finaliser) to u ∈ [0, 1): u &lt; trainFrac → train, u &lt; trainFrac + devFrac → dev, else
/// test. The assignment of a query depends only on (seed, key), so adding or removing queries never moves the
/// others; the realised fractions match the requested ones up to sampling noise (±√(f(1−f)/queries)).
/// </summary>
public static class QuerySplitter
{
    /// <summary>Splits <paramref name="judgments"/>; <paramref name="queryKey"/> maps a query id to the key that
    /// decides its bucket (default: the normalised query id, which for Home Depot is the normalised text).</summary>
    public static DataSplit Split(IReadOnlyList<Judgment> judgments, int seed, double trainFrac = 0.7,
        double devFrac = 0.15, Func<string, string>? queryKey = null)
    {
        ArgumentNullException.ThrowIfNull(judgments);
        Validate(trainFrac, devFrac);
        queryKey ??= TextNormalizer.NormalizeQuery;
        var cache = new Dictionary<string, int>(StringComparer.Ordinal);
        var train = new List<Judgment>();
        var dev = new List<Judgment>();
        var test = new List<Judgment>();
        foreach (var j in judgments)
        {
            if (!cache.TryGetValue(j.QueryId, out int bucket))
            {
                bucket = Bucket(queryKey(j.QueryId), seed, trainFrac, devFrac);
                cache[j.QueryId] = bucket;
            }
            (bucket == 0 ? train : bucket == 1 ? dev : test).Add(j);
        }
        return new DataSplit(train, dev, test);
    }

    /// <summary>Splits the data set's judgments, keyed by the normalised text of each query (the query id when the
    /// query is not in the data set), so that case and white-space variants of a query land together.</summary>
    public static DataSplit Split(Dataset data, int seed, double trainFrac = 0.7, double devFrac = 0.15)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Split(data.Judgments, seed, trainFrac, devFrac,
            id => TextNormalizer.NormalizeQuery(data.FindQuery(id)?.Text ?? id));
    }

    /// <summary>Bucket of one key: 0 train, 1 dev, 2 test.</summary>
    public static int Bucket(string key, int seed, double trainFrac = 0.7, double devFrac = 0.15)
    {
        double u = UnitHash(key, seed);
        return u < trainFrac ? 0 : u < trainFrac + devFrac ? 1 : 2;
    }

    /// <summary>A stable hash of (seed, key) mapped to [0, 1); the same on every machine and run.</summary>
    public static double UnitHash(string key, int seed)
    {
        ulong h = 14695981039346656037UL ^ (ulong)(uint)seed * 0x9E3779B97F4A7C15UL;
        foreach (byte b in Encoding.UTF8.GetBytes(key))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        h += 0x9E3779B97F4A7C15UL;
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return (h >> 11) * (1.0 / (1UL << 53));
    }

    private static void Validate(double trainFrac, double devFrac)
    {
        if (!(trainFrac >= 0 && devFrac >= 0 && trainFrac + devFrac <= 1.0 + 1e-12))
            throw new ArgumentException(
                $"Split fractions must be ≥ 0 with train + dev ≤ 1 (got train {trainFrac}, dev {devFrac}); test gets the rest.");
    }
}
