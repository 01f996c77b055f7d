using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Text.Synthetic;
using Spectre.Console;

namespace MineRefine.Cli.Commands;

/// <summary>The <c>--split train|all</c> and <c>--split-seed</c> options of the commands that write training queries
/// (<c>synth</c>, <c>crops</c>): with <c>train</c> they learn from the train part of the query split that <c>eval</c>,
/// <c>train</c> and <c>mine</c> use, and no query they write may repeat a dev or test query's text.</summary>
internal static class TrainSplitOption
{
    /// <summary>An error for any value but train or all (case-insensitive).</summary>
    public static ValidationResult Validate(string split) =>
        split.ToLowerInvariant() is "train" or "all"
            ? ValidationResult.Success()
            : ValidationResult.Error($"Unknown --split '{split}'. Use train (the query split's train part; dev and test query texts are held out) or all.");

    /// <summary>The judgments and queries to learn from, and the held-out queries whose texts must not be repeated.
    /// With <c>all</c>, or a data set without judgments, everything is learned from and nothing is held out. Records the
    /// choice in the run manifest's notes (<c>split</c>, <c>split_seed</c>).</summary>
    public static (IReadOnlyList<Judgment> Judgments, IReadOnlyList<Query> Queries, IReadOnlyList<Query> HeldOut) Apply(
        Dataset data, string split, int splitSeed, RunManifest manifest)
    {
        manifest.Notes["split"] = split.ToLowerInvariant();
        manifest.Notes["split_seed"] = splitSeed;
        if (!split.Equals("train", StringComparison.OrdinalIgnoreCase) || data.Judgments.Count == 0)
            return (data.Judgments, data.Queries, []);
        var train = QuerySplitter.Split(data, splitSeed).Train;
        var (queries, heldOut) = SyntheticQueryGenerator.SplitQueries(data, train);
        return (train, queries, heldOut);
    }
}
