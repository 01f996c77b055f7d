namespace MineRefine.ScaleOut.Orleans;

/// <summary>One catalog-encoding shard: item texts <c>[Start, Start + Texts.Length)</c> of job <see cref="JobId"/>.</summary>
[GenerateSerializer, Alias("MineRefine.EncodeShardWork")]
public sealed record EncodeShardWork(
    [property: Id(0)] string JobId,
    [property: Id(1)] int Shard,
    [property: Id(2)] int Start,
    [property: Id(3)] string[] Texts,
    [property: Id(4)] string ResultsFolder,
    [property: Id(5)] bool ItemRole = true);

/// <summary>One query–item pair to grade (a serializable copy of <see cref="Labeling.LabelRequest"/>).</summary>
[GenerateSerializer, Alias("MineRefine.GradePair")]
public sealed record GradePair(
    [property: Id(0)] string QueryId,
    [property: Id(1)] string QueryText,
    [property: Id(2)] string ProductId,
    [property: Id(3)] string ItemText);

/// <summary>One pair-grading shard: pairs <c>[Start, Start + Pairs.Length)</c> of job <see cref="JobId"/>.</summary>
[GenerateSerializer, Alias("MineRefine.GradeShardWork")]
public sealed record GradeShardWork(
    [property: Id(0)] string JobId,
    [property: Id(1)] int Shard,
    [property: Id(2)] int Start,
    [property: Id(3)] GradePair[] Pairs,
    [property: Id(4)] string ResultsFolder);

/// <summary>What a shard grain reports: where its result file is, its SHA-256, and whether it was already there.</summary>
[GenerateSerializer, Alias("MineRefine.ShardOutcome")]
public sealed record ShardOutcome(
    [property: Id(0)] int Shard,
    [property: Id(1)] int Count,
    [property: Id(2)] string Path,
    [property: Id(3)] string Sha256,
    [property: Id(4)] bool FromExistingResult,
    [property: Id(5)] string Silo);

/// <summary>
/// A grain per (job, shard) — key <c>"{jobId}/{shard}"</c> — that computes its shard and stores the result
/// idempotently as an atomic file in the results folder. Calling it again (a retry, a duplicate dispatch, a re-run
/// after a crash) returns the stored result without recomputing.
/// </summary>
[Alias("MineRefine.IShardJobGrain")]
public interface IShardJobGrain : IGrainWithStringKey
{
    /// <summary>Encodes the shard's texts with the silo's <see cref="Modeling.ITextEmbedder"/>.</summary>
    [Alias("Encode")]
    Task<ShardOutcome> EncodeAsync(EncodeShardWork work);

    /// <summary>Grades the shard's pairs with the silo's <see cref="Labeling.ILabeler"/>.</summary>
    [Alias("Grade")]
    Task<ShardOutcome> GradeAsync(GradeShardWork work);
}
