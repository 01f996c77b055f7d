using System.Text.Json;
using System.Text.Json.Serialization;
using MineRefine.Data;

namespace MineRefine.Labeling.Audit;

/// <summary>Why a pair was flagged.</summary>
public enum AuditFlagKind
{
    /// <summary>Engagement in the bucket's top quantile but labeled 0.</summary>
    HighEngagementIrrelevant,
    /// <summary>Engagement in the bucket's bottom quantile but labeled 2.</summary>
    LowEngagementExact,
}

/// <summary>A labeled pair whose grade disagrees with engagement.</summary>
public sealed record AuditFlag(
    string QueryId, string ProductId, string QueryText, string ItemText, int Grade, AuditFlagKind Kind, string Bucket,
    long Impressions, long Events, double SmoothedRate, double Threshold);

/// <summary>A re-judgment of a flagged pair; <see cref="NewGrade"/> null = not decided (left blank by a reviewer).</summary>
public sealed record AuditDecision(string QueryId, string ProductId, int? NewGrade);

/// <summary>Per-bucket audit counts.</summary>
public sealed record AuditBucketReport(
    [property: JsonPropertyName("bucket")] string Bucket,
    [property: JsonPropertyName("queries")] int Queries,
    [property: JsonPropertyName("pairs")] int Pairs,
    [property: JsonPropertyName("sampled")] int Sampled,
    [property: JsonPropertyName("mean_rate")] double MeanRate,
    [property: JsonPropertyName("lower_threshold")] double LowerThreshold,
    [property: JsonPropertyName("upper_threshold")] double UpperThreshold,
    [property: JsonPropertyName("flagged_high")] int FlaggedHigh,
    [property: JsonPropertyName("flagged_low")] int FlaggedLow)
{
    /// <summary>Flagged pairs whose label changed.</summary>
    [JsonPropertyName("changed")] public int Changed { get; set; }
}

/// <summary>Audit quality against a truth set (e.g. injected annotator errors in synthetic data).</summary>
public sealed record AuditTruthReport(
    [property: JsonPropertyName("pairs_with_truth")] int PairsWithTruth,
    [property: JsonPropertyName("errors_before")] int ErrorsBefore,
    [property: JsonPropertyName("errors_after")] int ErrorsAfter,
    [property: JsonPropertyName("error_rate_before")] double ErrorRateBefore,
    [property: JsonPropertyName("error_rate_after")] double ErrorRateAfter,
    [property: JsonPropertyName("flag_precision")] double FlagPrecision,
    [property: JsonPropertyName("errors_corrected_share")] double ErrorsCorrectedShare);

/// <summary>What the audit did (paper §2 reports: 23.4% of flagged pairs judged differently, label errors −5.74%).</summary>
public sealed class AuditReport
{
    /// <summary>Judgments given.</summary>
    [JsonPropertyName("judgments")] public int Judgments { get; init; }
    /// <summary>Judgments with an engagement row having ≥ MinImpressions impressions (candidates).</summary>
    [JsonPropertyName("candidates")] public int Candidates { get; init; }
    /// <summary>Judgments without usable engagement (not auditable).</summary>
    [JsonPropertyName("without_engagement")] public int WithoutEngagement { get; init; }
    /// <summary>Candidates sampled.</summary>
    [JsonPropertyName("sampled")] public int Sampled { get; init; }
    /// <summary>Flagged pairs (high + low).</summary>
    [JsonPropertyName("flagged")] public int Flagged { get; init; }
    /// <summary>Flagged: high engagement, grade 0.</summary>
    [JsonPropertyName("flagged_high")] public int FlaggedHigh { get; init; }
    /// <summary>Flagged: low engagement, grade 2.</summary>
    [JsonPropertyName("flagged_low")] public int FlaggedLow { get; init; }
    /// <summary>Flagged pairs with a decision.</summary>
    [JsonPropertyName("decided")] public int Decided { get; set; }
    /// <summary>Flagged pairs left undecided.</summary>
    [JsonPropertyName("undecided")] public int Undecided { get; set; }
    /// <summary>Labels replaced (source set to Audit).</summary>
    [JsonPropertyName("changed")] public int Changed { get; set; }
    /// <summary>Changed / decided (paper: 23.4%).</summary>
    [JsonPropertyName("changed_share")] public double ChangedShare => Decided == 0 ? 0 : (double)Changed / Decided;
    /// <summary>Judge that re-graded the flags ("human" for re-imported decisions).</summary>
    [JsonPropertyName("judge")] public string? Judge { get; set; }
    /// <summary>Per-bucket counts.</summary>
    [JsonPropertyName("buckets")] public IReadOnlyList<AuditBucketReport> Buckets { get; init; } = Array.Empty<AuditBucketReport>();
    /// <summary>Counts of grades 0, 1, 2 before the audit.</summary>
    [JsonPropertyName("grade_mix_before")] public int[] GradeMixBefore { get; init; } = new int[3];
    /// <summary>Counts of grades 0, 1, 2 after the audit.</summary>
    [JsonPropertyName("grade_mix_after")] public int[] GradeMixAfter { get; set; } = new int[3];
    /// <summary>Quality against the truth set, when one was given.</summary>
    [JsonPropertyName("truth")] public AuditTruthReport? Truth { get; set; }

    /// <summary>Indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });
}

/// <summary>Flags found by <see cref="AuditRunner.Flag(IReadOnlyList{Judgment}, IReadOnlyList{EngagementEvent}, Func{string, string}, Func{string, string}, AuditOptions)"/>,
/// with the partial report (before decisions).</summary>
public sealed record AuditPlan(IReadOnlyList<AuditFlag> Flags, AuditReport Report);

/// <summary>Audit outcome: judgments with corrections applied (source Audit), the report and the flags.</summary>
public sealed record AuditResult(IReadOnlyList<Judgment> Judgments, AuditReport Report, IReadOnlyList<AuditFlag> Flags);
