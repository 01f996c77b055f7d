namespace MineRefine.Labeling.Audit;

/// <summary>Which engagement count is the audit signal.</summary>
public enum EngagementSignal
{
    /// <summary>Add-to-cart rate = add-to-carts / impressions (default, paper §2).</summary>
    AddToCart,
    /// <summary>Click rate = clicks / impressions.</summary>
    Click,
    /// <summary>Order rate = orders / impressions.</summary>
    Order,
}

/// <summary>How query breadth splits a frequency bucket.</summary>
public enum BreadthMeasure
{
    /// <summary>No breadth split.</summary>
    None,
    /// <summary>Share of grade-1 (partial) judgments of the query; above the median over queries = broad (default).</summary>
    PartialShare,
    /// <summary>Number of judged products of the query; above the median over queries = broad.</summary>
    JudgedCount,
}

/// <summary>Options of the engagement-driven label audit (paper §2): sample labeled pairs, flag those whose label
/// disagrees with engagement within buckets of similar queries, re-judge them.</summary>
public sealed class AuditOptions
{
    /// <summary>Engagement signal; default add-to-cart rate.</summary>
    public EngagementSignal Signal { get; set; } = EngagementSignal.AddToCart;
    /// <summary>Additive smoothing strength m (pseudo-impressions): rate = (events + m·μ_bucket) / (impressions + m),
    /// so a pair with 1 impression and 1 event stays near the bucket mean μ. Default 20; 0 disables smoothing.</summary>
    public double PriorStrength { get; set; } = 20;
    /// <summary>Query-frequency cut points as quantiles of per-query total impressions (ascending, in (0,1)).
    /// Default {1/3, 2/3} → buckets tail / torso / head.</summary>
    public double[] FrequencyQuantiles { get; set; } = { 1.0 / 3, 2.0 / 3 };
    /// <summary>Breadth split inside each frequency bucket; default <see cref="BreadthMeasure.PartialShare"/>.</summary>
    public BreadthMeasure Breadth { get; set; } = BreadthMeasure.PartialShare;
    /// <summary>A bucket with fewer candidate pairs than this is merged: first the breadth split is dropped, then
    /// the frequency split ("all"). Default 20.</summary>
    public int MinBucketPairs { get; set; } = 20;
    /// <summary>High engagement = smoothed rate ≥ this quantile of its bucket (and above the bucket mean). Default 0.9.</summary>
    public double UpperQuantile { get; set; } = 0.9;
    /// <summary>Low engagement = smoothed rate ≤ this quantile of its bucket (and below the bucket mean). Default 0.1.</summary>
    public double LowerQuantile { get; set; } = 0.1;
    /// <summary>Share of candidate pairs sampled (seeded, before flagging). Paper: 30%.</summary>
    public double SampleRate { get; set; } = 0.3;
    /// <summary>Pairs with fewer impressions are not candidates (no evidence). Default 1.</summary>
    public long MinImpressions { get; set; } = 1;
    /// <summary>Seed of the sampling.</summary>
    public int Seed { get; set; } = 13;

    /// <summary>Throws <see cref="ArgumentException"/> saying which option is wrong and how to fix it.</summary>
    public void Validate()
    {
        if (!(PriorStrength >= 0) || double.IsInfinity(PriorStrength))
            throw new ArgumentException($"AuditOptions.PriorStrength {PriorStrength} must be a finite number ≥ 0 (default 20 pseudo-impressions).");
        ArgumentNullException.ThrowIfNull(FrequencyQuantiles, nameof(FrequencyQuantiles));
        for (int i = 0; i < FrequencyQuantiles.Length; i++)
            if (!(FrequencyQuantiles[i] is > 0 and < 1) || (i > 0 && FrequencyQuantiles[i] <= FrequencyQuantiles[i - 1]))
                throw new ArgumentException("AuditOptions.FrequencyQuantiles must be strictly increasing values in (0, 1), e.g. {0.333, 0.667}.");
        if (MinBucketPairs < 1) throw new ArgumentException($"AuditOptions.MinBucketPairs {MinBucketPairs} must be ≥ 1 (default 20).");
        if (!(UpperQuantile is > 0 and <= 1)) throw new ArgumentException($"AuditOptions.UpperQuantile {UpperQuantile} must be in (0, 1] (default 0.9).");
        if (!(LowerQuantile is >= 0 and < 1)) throw new ArgumentException($"AuditOptions.LowerQuantile {LowerQuantile} must be in [0, 1) (default 0.1).");
        if (LowerQuantile >= UpperQuantile)
            throw new ArgumentException($"AuditOptions.LowerQuantile {LowerQuantile} must be below UpperQuantile {UpperQuantile}.");
        if (!(SampleRate is > 0 and <= 1)) throw new ArgumentException($"AuditOptions.SampleRate {SampleRate} must be in (0, 1] (paper: 0.3).");
        if (MinImpressions < 1) throw new ArgumentException($"AuditOptions.MinImpressions {MinImpressions} must be ≥ 1.");
    }
}
