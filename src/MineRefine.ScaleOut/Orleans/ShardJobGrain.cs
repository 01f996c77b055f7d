using MineRefine.Labeling;
using MineRefine.Modeling;
using Microsoft.Extensions.DependencyInjection;

namespace MineRefine.ScaleOut.Orleans;

/// <summary>
/// Computes one shard of a batch job on whichever silo activates it. The embedder / labeler come from the silo's
/// services (register an <see cref="ITextEmbedder"/> and/or an <see cref="ILabeler"/> singleton). If the shard's
/// result file already exists and is readable it is returned as is (idempotent); otherwise the shard is computed off
/// the grain scheduler and written atomically.
/// </summary>
// Random placement spreads shards over the silos; the default (resource-optimised) placement may keep a whole
// job on one lightly loaded silo, which defeats sharding.
[global::Orleans.Placement.RandomPlacement]
public sealed class ShardJobGrain(IServiceProvider services) : Grain, IShardJobGrain
{
    /// <inheritdoc/>
    public async Task<ShardOutcome> EncodeAsync(EncodeShardWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var path = ShardResultFiles.PathOf(work.ResultsFolder, work.JobId, work.Shard, embeddings: true);
        var existing = ShardResultFiles.TryRead(path);
        if (existing is { } e && e.Count == work.Texts.Length) return new(work.Shard, e.Count, path, e.Sha256, true, RuntimeIdentity);
        var embedder = services.GetService<ITextEmbedder>()
            ?? throw new InvalidOperationException($"Silo {RuntimeIdentity} has no ITextEmbedder service; register one in the silo's services to run encode jobs.");
        var sha = await Task.Run(() =>
        {
            var m = embedder.Encode(work.Texts, work.ItemRole ? EmbeddingRole.Item : EmbeddingRole.Query);
            if (m.Count != work.Texts.Length) throw new InvalidOperationException($"Embedder '{embedder.Name}' returned {m.Count} rows for {work.Texts.Length} texts.");
            return ShardResultFiles.Write(path, 1, m.Count, m.Dimension, m.Data);
        }).ConfigureAwait(true);
        return new ShardOutcome(work.Shard, work.Texts.Length, path, sha, false, RuntimeIdentity);
    }

    /// <inheritdoc/>
    public async Task<ShardOutcome> GradeAsync(GradeShardWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var path = ShardResultFiles.PathOf(work.ResultsFolder, work.JobId, work.Shard, embeddings: false);
        var existing = ShardResultFiles.TryRead(path);
        if (existing is { } e && e.Count == work.Pairs.Length) return new(work.Shard, e.Count, path, e.Sha256, true, RuntimeIdentity);
        var labeler = services.GetService<ILabeler>()
            ?? throw new InvalidOperationException($"Silo {RuntimeIdentity} has no ILabeler service; register one in the silo's services to run grading jobs.");
        var requests = work.Pairs.Select(p => new LabelRequest(p.QueryId, p.QueryText, p.ProductId, p.ItemText)).ToArray();
        var results = await Task.Run(() => labeler.LabelAsync(requests)).ConfigureAwait(true);
        if (results.Count != requests.Length) throw new InvalidOperationException($"Labeler '{labeler.Name}' returned {results.Count} results for {requests.Length} pairs.");
        var sha = ShardResultFiles.Write(path, 2, results.Count, 5, ShardResultFiles.Flatten(results));
        return new ShardOutcome(work.Shard, results.Count, path, sha, false, RuntimeIdentity);
    }
}
