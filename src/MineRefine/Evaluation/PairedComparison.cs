using System.Text.Json.Serialization;

namespace MineRefine.Evaluation;

/// <summary>Options of <see cref="PairedComparison"/>, validated by <see cref="Validate"/>.</summary>
public sealed class PairedComparisonOptions
{
    /// <summary>Number R of bootstrap resamples and of random sign flips (each). More resamples → a steadier CI and a
    /// finer p-value (the smallest possible p is 1/(R+1)). Default 10,000.</summary>
    public int Resamples { get; init; } = 10_000;

    /// <summary>Seed of the two <see cref="System.Random"/> generators (the bootstrap and the sign-flip test each start
    /// their own from this seed, so each is reproducible on its own). Default 13.</summary>
    public int Seed { get; init; } = 13;

    /// <summary>Coverage 1 − α of the bootstrap interval, in (0, 1). Default 0.95.</summary>
    public double ConfidenceLevel { get; init; } = 0.95;

    /// <summary>Throws <see cref="ArgumentException"/> saying what is wrong and how to fix it.</summary>
    public void Validate()
    {
        if (Resamples < 100)
            throw new ArgumentException(
                $"Resamples must be at least 100 (got {Resamples}); use 10000 for a stable interval and p-value.");
        if (Resamples > 10_000_000)
            throw new ArgumentException($"Resamples must be at most 10,000,000 (got {Resamples}); 10000 is usually enough.");
        if (!(ConfidenceLevel > 0 && ConfidenceLevel < 1))
            throw new ArgumentException(
                $"ConfidenceLevel must be strictly between 0 and 1 (got {ConfidenceLevel}); e.g. 0.95 for a 95 % interval.");
    }
}

/// <summary>The outcome of <see cref="PairedComparison.Compare"/> for one metric (B compared with A).</summary>
public sealed class PairedComparisonResult
{
    /// <summary>Number n of paired queries.</summary>
    [JsonPropertyName("n")] public required int N { get; init; }
    /// <summary>Mean of A over the n queries.</summary>
    [JsonPropertyName("mean_a")] public required double MeanA { get; init; }
    /// <summary>Mean of B over the n queries.</summary>
    [JsonPropertyName("mean_b")] public required double MeanB { get; init; }
    /// <summary>Mean of d_i = b_i − a_i (= mean B − mean A).</summary>
    [JsonPropertyName("mean_difference")] public required double MeanDifference { get; init; }
    /// <summary>(mean B − mean A) / |mean A|, so its sign is the sign of the difference also for a metric that can be
    /// negative (a worst-case margin); null when mean A is 0.</summary>
    [JsonPropertyName("relative_change")] public required double? RelativeChange { get; init; }
    /// <summary>Queries with d_i &gt; 1e-12 (B better).</summary>
    [JsonPropertyName("wins")] public required int Wins { get; init; }
    /// <summary>Queries with d_i &lt; −1e-12 (B worse).</summary>
    [JsonPropertyName("losses")] public required int Losses { get; init; }
    /// <summary>Queries with |d_i| ≤ 1e-12.</summary>
    [JsonPropertyName("ties")] public required int Ties { get; init; }
    /// <summary>Lower end of the paired-bootstrap percentile interval of the mean difference.</summary>
    [JsonPropertyName("ci_low")] public required double CiLow { get; init; }
    /// <summary>Upper end of the paired-bootstrap percentile interval of the mean difference.</summary>
    [JsonPropertyName("ci_high")] public required double CiHigh { get; init; }
    /// <summary>Two-sided p-value of the paired randomisation (sign-flip) test.</summary>
    [JsonPropertyName("p_value")] public required double PValue { get; init; }
}

/// <summary>
/// Paired significance comparison of two systems A and B evaluated on the same queries (per-query metric values
/// a_i, b_i, i = 1…n, aligned by query). Used to decide whether B really beats A on the evaluation of paper §7; the
/// tests follow Smucker, Allan &amp; Carterette (CIKM 2007) and Efron &amp; Tibshirani (1993).
/// </summary>
/// <remarks>
/// <para>d_i = b_i − a_i; observed mean difference d̄ = (1/n)·Σ d_i = mean B − mean A; relative change d̄ / |mean A|
/// (null when mean A = 0). Wins: d_i &gt; ε, losses: d_i &lt; −ε, ties: |d_i| ≤ ε, with ε = 1e-12.</para>
/// <para><b>Paired bootstrap CI</b> (percentile): for r = 1…R draw n query indices uniformly with replacement
/// (System.Random(seed)), d̄*_r = mean of d over the drawn indices; with α = 1 − confidence level the interval is
/// [Q(α/2), Q(1 − α/2)] of the sorted d̄*_1…d̄*_R, Q = <see cref="Quantiles.OfSorted"/> (type 7, linear
/// interpolation). Resampling whole queries keeps each query's A and B values together (the pairing).</para>
/// <para><b>Paired randomisation (sign-flip) test</b>, H0: A and B are exchangeable per query, so each d_i is equally
/// likely to have either sign. For r = 1…R draw independent fair signs s_ri ∈ {−1, +1} (System.Random(seed), one
/// random bit each), m_r = (1/n)·Σ s_ri·d_i; two-sided p = (1 + #{r : |m_r| ≥ |d̄| − ε}) / (R + 1). The +1 counts the
/// observed assignment, so p is never 0 (smallest 1/(R+1)); identical systems give p = 1.</para>
/// </remarks>
public static class PairedComparison
{
    /// <summary>Tolerance ε under which a per-query difference is a tie (and for the test's ≥ comparison).</summary>
    public const double TieEpsilon = 1e-12;

    /// <summary>Compares B with A over aligned per-query values (same length, same query order, finite).</summary>
    public static PairedComparisonResult Compare(IReadOnlyList<double> a, IReadOnlyList<double> b,
        PairedComparisonOptions? options = null)
    {
        options ??= new PairedComparisonOptions();
        options.Validate();
        if (a.Count != b.Count)
            throw new ArgumentException($"A and B must hold one value per query in the same order (A has {a.Count}, B has {b.Count}).");
        if (a.Count == 0) throw new ArgumentException("No paired queries to compare.");
        int n = a.Count;
        var d = new double[n];
        double sumA = 0, sumB = 0;
        int wins = 0, losses = 0, ties = 0;
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(a[i]) || !double.IsFinite(b[i]))
                throw new ArgumentException($"Per-query values must be finite (query {i}: A = {a[i]}, B = {b[i]}).");
            sumA += a[i];
            sumB += b[i];
            d[i] = b[i] - a[i];
            if (d[i] > TieEpsilon) wins++;
            else if (d[i] < -TieEpsilon) losses++;
            else ties++;
        }
        double meanA = sumA / n, meanB = sumB / n, meanDiff = Mean(d);
        var (lo, hi) = BootstrapInterval(d, options.Resamples, options.Seed, options.ConfidenceLevel);
        return new PairedComparisonResult
        {
            N = n,
            MeanA = meanA,
            MeanB = meanB,
            MeanDifference = meanDiff,
            RelativeChange = meanA == 0 ? null : (meanB - meanA) / Math.Abs(meanA),
            Wins = wins,
            Losses = losses,
            Ties = ties,
            CiLow = lo,
            CiHigh = hi,
            PValue = SignFlipPValue(d, options.Resamples, options.Seed),
        };
    }

    /// <summary>Paired bootstrap percentile interval of the mean of <paramref name="differences"/> (see remarks).</summary>
    public static (double Low, double High) BootstrapInterval(IReadOnlyList<double> differences, int resamples, int seed,
        double confidenceLevel)
    {
        if (differences.Count == 0) throw new ArgumentException("No differences.", nameof(differences));
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "resamples must be ≥ 1.");
        if (!(confidenceLevel > 0 && confidenceLevel < 1))
            throw new ArgumentOutOfRangeException(nameof(confidenceLevel), confidenceLevel, "confidence level must be in (0, 1).");
        int n = differences.Count;
        var rng = new Random(seed);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += differences[rng.Next(n)];
            means[r] = sum / n;
        }
        Array.Sort(means);
        double alpha = 1 - confidenceLevel;
        return (Quantiles.OfSorted(means, alpha / 2), Quantiles.OfSorted(means, 1 - alpha / 2));
    }

    /// <summary>Two-sided p-value of the paired sign-flip randomisation test on <paramref name="differences"/>
    /// (see remarks).</summary>
    public static double SignFlipPValue(IReadOnlyList<double> differences, int resamples, int seed)
    {
        if (differences.Count == 0) throw new ArgumentException("No differences.", nameof(differences));
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "resamples must be ≥ 1.");
        int n = differences.Count;
        double observed = Math.Abs(Mean(differences));
        var rng = new Random(seed);
        var bits = new byte[(n + 7) / 8];
        int extreme = 0;
        for (int r = 0; r < resamples; r++)
        {
            rng.NextBytes(bits);
            double sum = 0;
            for (int i = 0; i < n; i++)
                sum += (bits[i >> 3] & (1 << (i & 7))) != 0 ? differences[i] : -differences[i];
            if (Math.Abs(sum / n) >= observed - TieEpsilon) extreme++;
        }
        return (1.0 + extreme) / (resamples + 1.0);
    }

    private static double Mean(IReadOnlyList<double> v)
    {
        double s = 0;
        for (int i = 0; i < v.Count; i++) s += v[i];
        return s / v.Count;
    }
}
