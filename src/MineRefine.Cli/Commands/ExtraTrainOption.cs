using MineRefine.Common;
using MineRefine.Data;
using Spectre.Console;

namespace MineRefine.Cli.Commands;

/// <summary>The <c>--extra-train DIR</c> option of <c>train</c> and <c>mine</c>: folders whose queries and pairs
/// join the training split only (<see cref="ExtraTrainingSet"/>), e.g. the output of <c>synth</c>.</summary>
internal static class ExtraTrainOption
{
    /// <summary>Help text of the option.</summary>
    public const string Help = "Folder with queries.jsonl + judgments.jsonl whose queries and pairs join the training split only, never dev or test (repeatable), " +
                               "e.g. the output of `synth`. Its ids must be new to the data set, and its judgments may only grade its own queries.";

    /// <summary>Throws <see cref="ArgumentException"/> for a folder that does not exist.</summary>
    public static void Validate(IEnumerable<string> folders)
    {
        foreach (var extra in folders)
            if (!Directory.Exists(extra)) throw new ArgumentException($"--extra-train: folder '{extra}' does not exist; give a folder written by `synth --out`.");
    }

    /// <summary>Records the folders' files as inputs of <paramref name="manifest"/>.</summary>
    public static void AddInputs(IEnumerable<string> folders, RunManifest manifest)
    {
        foreach (var extra in folders)
            foreach (var file in ExtraTrainingSet.Files(extra)) manifest.AddInput(file);
    }

    /// <summary>Loads the folders, prints what each adds and records it in <paramref name="manifest"/>; returns the
    /// data set with the extra queries and the training judgments with the extra pairs.</summary>
    public static (Dataset Data, IReadOnlyList<Judgment> Train) Apply(IReadOnlyList<string> folders, Dataset data,
        IReadOnlyList<Judgment> train, IAnsiConsole human, RunManifest manifest)
    {
        if (folders.Count == 0) return (data, train);
        var extras = folders.Select(dir => ExtraTrainingSet.Load(dir, data)).ToList();
        var notes = new List<object>();
        foreach (var e in extras)
        {
            var g = e.GradeCounts();
            human.MarkupLine($"extra training pairs from [bold]{Markup.Escape(e.Folder)}[/]: {e.Queries.Count:N0} queries, " +
                             $"{e.Judgments.Count:N0} judgments (grades 0 / 1 / 2: {g[0]:N0} / {g[1]:N0} / {g[2]:N0}), training split only");
            notes.Add(new { folder = e.Folder, queries = e.Queries.Count, judgments = e.Judgments.Count, grades = g });
        }
        manifest.Notes["extra_train"] = notes;
        return ExtraTrainingSet.AddTo(data, train, extras);
    }
}
