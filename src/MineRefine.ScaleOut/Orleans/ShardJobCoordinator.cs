using MineRefine.Labeling;
using MineRefine.Modeling;
using MineRefine.Retrieval;

namespace MineRefine.ScaleOut.Orleans;

/// <summary>Options of <see cref="ShardJobCoordinator"/>.</summary>
public sealed class ShardJobOptions
{
    /// <summary>Folder for shard result files; must be visible to every silo (same machine or a shared mount).</summary>
    public string ResultsFolder { get; set; } = "";
    /// <summary>Items (texts or pairs) per shard (default 1000).</summary>
    public int ShardSize { get; set; } = 1000;
    /// <summary>Attempts per shard before the job fails (default 4: one try and three retries).</summary>
    public int MaxAttempts { get; set; } = 4;
    /// <summary>Shards in flight at once (default 8).</summary>
    public int MaxConcurrentShards { get; set; } = 8;
    /// <summary>Longest wait for one shard call before it is retried (default 10 min).</summary>
    public TimeSpan ShardTimeout { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>Pause before a retry (default 200 ms; doubled per attempt).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public ShardJobOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(ResultsFolder)) throw new ArgumentException("ShardJobOptions.ResultsFolder is blank; give a folder every silo can write (e.g. --results out/jobs).");
        if (ShardSize < 1) throw new ArgumentException($"ShardJobOptions.ShardSize is {ShardSize}; it must be ≥ 1.");
        if (MaxAttempts < 1) throw new ArgumentException($"ShardJobOptions.MaxAttempts is {MaxAttempts}; it must be ≥ 1.");
        if (MaxConcurrentShards < 1) throw new ArgumentException($"ShardJobOptions.MaxConcurrentShards is {MaxConcurrentShards}; it must be ≥ 1.");
        if (ShardTimeout <= TimeSpan.Zero) throw new ArgumentException($"ShardJobOptions.ShardTimeout is {ShardTimeout}; it must be positive.");
        if (RetryDelay < TimeSpan.Zero) throw new ArgumentException($"ShardJobOptions.RetryDelay is {RetryDelay}; it must be ≥ 0.");
        return this;
    }
}

/// <summary>Per-shard bookkeeping of a finished job.</summary>
public sealed record ShardRun(ShardOutcome Outcome, int Attempts, IReadOnlyList<string> Errors);

/// <summary>An assembled encode job.</summary>
public sealed record EncodeJobResult(EmbeddingMatrix Embeddings, string Checksum, IReadOnlyList<ShardRun> Shards);

/// <summary>An assembled grading job.</summary>
public sealed record GradeJobResult(IReadOnlyList<LabelResult> Labels, string Checksum, IReadOnlyList<ShardRun> Shards);

/// <summary>Thrown when a shard failed on every attempt.</summary>
public sealed class ShardJobFailedException(int shard, IReadOnlyList<string> errors)
    : Exception($"Shard {shard} failed {errors.Count} times; last error: {errors[^1]}")
{
    /// <summary>The failed shard.</summary>
    public int Shard { get; } = shard;
    /// <summary>One message per attempt.</summary>
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>
/// Splits a batch job into contiguous shards of <see cref="ShardJobOptions.ShardSize"/>, dispatches each to a
/// <see cref="IShardJobGrain"/> keyed <c>"{jobId}/{shard}"</c> (Orleans places the activations over the silos),
/// retries a failed or timed-out shard (a silo that died: the grain re-activates elsewhere; a shard that was already
/// written is not recomputed), then reads the shard files in order and assembles the result. The checksum equals
/// <see cref="LocalShardJobs"/>' single-process result for the same inputs and shard size.
/// </summary>
public sealed class ShardJobCoordinator(IGrainFactory grains, ShardJobOptions options)
{
    private readonly ShardJobOptions _options = options.Validate();

    /// <summary>Called with (shard, attempt, error) when a shard attempt fails (default: none).</summary>
    public Action<int, int, string>? OnRetry { get; init; }

    /// <summary>Encodes <paramref name="texts"/> (item role unless <paramref name="itemRole"/> is false).</summary>
    public async Task<EncodeJobResult> EncodeAsync(string jobId, IReadOnlyList<string> texts, bool itemRole = true, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var ranges = Ranges(texts.Count);
        var runs = await RunAllAsync(ranges.Length, s =>
        {
            var (start, len) = ranges[s];
            var work = new EncodeShardWork(jobId, s, start, texts.Skip(start).Take(len).ToArray(), _options.ResultsFolder, itemRole);
            return grains.GetGrain<IShardJobGrain>($"{jobId}/{s}").EncodeAsync(work);
        }, ct).ConfigureAwait(false);
        int dim = -1;
        var data = new List<float>(texts.Count * 8);
        foreach (var run in runs)
        {
            var r = ShardResultFiles.TryRead(run.Outcome.Path) ?? throw new FileNotFoundException($"Shard {run.Outcome.Shard} reported {run.Outcome.Path} but it is missing.", run.Outcome.Path);
            if (r.Kind != 1 || r.Count != ranges[run.Outcome.Shard].Length) throw new InvalidDataException($"Shard file {run.Outcome.Path} holds {r.Count} rows of kind {r.Kind}; expected {ranges[run.Outcome.Shard].Length} embeddings.");
            if (dim >= 0 && r.Width != dim) throw new InvalidDataException($"Shard file {run.Outcome.Path} has dimension {r.Width}, others {dim}.");
            dim = r.Width;
            data.AddRange(r.Values);
        }
        var m = new EmbeddingMatrix(texts.Count, Math.Max(dim, 1), texts.Count == 0 ? [] : data.ToArray());
        return new EncodeJobResult(m, ShardResultFiles.Checksum(m), runs);
    }

    /// <summary>Grades <paramref name="pairs"/>; <paramref name="judge"/> is recorded on the assembled results.</summary>
    public async Task<GradeJobResult> GradeAsync(string jobId, IReadOnlyList<LabelRequest> pairs, string judge, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var ranges = Ranges(pairs.Count);
        var runs = await RunAllAsync(ranges.Length, s =>
        {
            var (start, len) = ranges[s];
            var work = new GradeShardWork(jobId, s, start,
                pairs.Skip(start).Take(len).Select(p => new GradePair(p.QueryId, p.QueryText, p.ProductId, p.ItemText)).ToArray(), _options.ResultsFolder);
            return grains.GetGrain<IShardJobGrain>($"{jobId}/{s}").GradeAsync(work);
        }, ct).ConfigureAwait(false);
        var values = new List<float>(pairs.Count * 5);
        foreach (var run in runs)
        {
            var r = ShardResultFiles.TryRead(run.Outcome.Path) ?? throw new FileNotFoundException($"Shard {run.Outcome.Shard} reported {run.Outcome.Path} but it is missing.", run.Outcome.Path);
            if (r.Kind != 2 || r.Width != 5 || r.Count != ranges[run.Outcome.Shard].Length) throw new InvalidDataException($"Shard file {run.Outcome.Path} is not a grade file of {ranges[run.Outcome.Shard].Length} pairs.");
            values.AddRange(r.Values);
        }
        var flat = values.ToArray();
        return new GradeJobResult(ShardResultFiles.Unflatten(flat, judge), ShardResultFiles.Checksum(flat, 5), runs);
    }

    private (int Start, int Length)[] Ranges(int n)
    {
        int shards = (n + _options.ShardSize - 1) / _options.ShardSize;
        return Enumerable.Range(0, shards).Select(s => (s * _options.ShardSize, Math.Min(_options.ShardSize, n - s * _options.ShardSize))).ToArray();
    }

    private async Task<ShardRun[]> RunAllAsync(int shards, Func<int, Task<ShardOutcome>> call, CancellationToken ct)
    {
        using var gate = new SemaphoreSlim(_options.MaxConcurrentShards);
        var tasks = Enumerable.Range(0, shards).Select(async s =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                var errors = new List<string>();
                for (int attempt = 1; ; attempt++)
                {
                    ct.ThrowIfCancellationRequested();
                    try
                    {
                        var outcome = await call(s).WaitAsync(_options.ShardTimeout, ct).ConfigureAwait(false);
                        return new ShardRun(outcome, attempt, errors);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        errors.Add($"{e.GetType().Name}: {e.Message}");
                        OnRetry?.Invoke(s, attempt, e.Message);
                        if (attempt >= _options.MaxAttempts) throw new ShardJobFailedException(s, errors);
                        await Task.Delay(_options.RetryDelay * (1 << Math.Min(attempt - 1, 6)), ct).ConfigureAwait(false);
                    }
                }
            }
            finally { gate.Release(); }
        }).ToArray();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }
}

/// <summary>
/// The single-process reference path: the same shards, computed in order in this process. Used to check that the
/// distributed result is identical (same checksum).
/// </summary>
public static class LocalShardJobs
{
    /// <summary>Encodes <paramref name="texts"/> shard by shard (<paramref name="shardSize"/> texts per Encode call).</summary>
    public static EncodeJobResult Encode(ITextEmbedder embedder, IReadOnlyList<string> texts, int shardSize, bool itemRole = true)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        var data = new List<float>(texts.Count * embedder.Dimension);
        for (int start = 0; start < texts.Count; start += shardSize)
        {
            var m = embedder.Encode(texts.Skip(start).Take(shardSize).ToArray(), itemRole ? EmbeddingRole.Item : EmbeddingRole.Query);
            data.AddRange(m.Data);
        }
        var all = new EmbeddingMatrix(texts.Count, embedder.Dimension, data.ToArray());
        return new EncodeJobResult(all, ShardResultFiles.Checksum(all), []);
    }

    /// <summary>Grades <paramref name="pairs"/> shard by shard.</summary>
    public static async Task<GradeJobResult> GradeAsync(ILabeler labeler, IReadOnlyList<LabelRequest> pairs, int shardSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(labeler);
        var values = new List<float>(pairs.Count * 5);
        for (int start = 0; start < pairs.Count; start += shardSize)
        {
            var r = await labeler.LabelAsync(pairs.Skip(start).Take(shardSize).ToArray(), null, ct).ConfigureAwait(false);
            values.AddRange(ShardResultFiles.Flatten(r));
        }
        var flat = values.ToArray();
        return new GradeJobResult(ShardResultFiles.Unflatten(flat, labeler.Name), ShardResultFiles.Checksum(flat, 5), []);
    }
}
