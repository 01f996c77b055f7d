using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Data.Import;
using MineRefine.Text.Synthetic;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine synth</c>.</summary>
public sealed class SynthSettings : JudgeSettings
{
    /// <summary>Share cap.</summary>
    [CommandOption("--max-share <R>")]
    [Description("Cap on synthetic queries as a share of real queries (over-use makes the model lexical).")]
    [DefaultValue(0.10)]
    public double MaxShare { get; set; } = 0.10;

    /// <summary>Other items.</summary>
    [CommandOption("--other-items <N>")]
    [Description("Other items paired with each synthetic query (same category and random), all graded by the judge.")]
    [DefaultValue(3)]
    public int OtherItems { get; set; } = 3;

    /// <summary>Which judgments the generator learns from.</summary>
    [CommandOption("--split <SPLIT>")]
    [Description("train (default): only the train part of the query split that eval, train and mine use: items are \"without a positive\" by the training judgments, " +
                 "and no synthetic query repeats a dev or test query's text; all: every judgment (the data set has no held-out queries).")]
    [DefaultValue("train")]
    public string Split { get; set; } = "train";

    /// <summary>Split seed.</summary>
    [CommandOption("--split-seed <N>")]
    [Description("Seed of the train/dev/test query split (same as eval's and train's).")]
    [DefaultValue(13)]
    public int SplitSeed { get; set; } = 13;

    /// <summary>The generator options.</summary>
    public SyntheticQueryOptions ToOptions()
    {
        var o = new SyntheticQueryOptions { Seed = Seed, MaxShare = MaxShare, OtherItemsPerQuery = OtherItems };
        o.Validate();
        return o;
    }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var b = base.Validate();
        if (!b.Successful) return b;
        var split = TrainSplitOption.Validate(Split);
        if (!split.Successful) return split;
        try { ToOptions(); }
        catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine synth</c>: targeted synthetic queries for items without a positive query (paper §3), every
/// pair graded by the judge. Writes <c>queries.jsonl</c>, <c>judgments.jsonl</c> (source synthetic) and
/// <c>synthetic.json</c>.</summary>
public sealed class SynthCommand(CliEnvironment env) : AsyncCommand<SynthSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, SynthSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var options = settings.ToOptions();
        var manifest = new RunManifest("synth", options, settings.Seed) { Arguments = context.Arguments.ToList() };
        foreach (var p in settings.InputPaths()) manifest.AddInput(p);
        var data = DatasetLoader.Load(settings.ToDataSourceOptions());
        // As in the pipeline: learn from the training judgments only, and keep away from the dev and test queries' texts.
        var (judgments, queries, heldOut) = TrainSplitOption.Apply(data, settings.Split, settings.SplitSeed, manifest);
        human.MarkupLine($"learning from {judgments.Count:N0} judgments of {queries.Count:N0} queries ({settings.Split.ToLowerInvariant()})" +
                         (heldOut.Count > 0 ? $"; {heldOut.Count:N0} held-out queries whose texts a synthetic query must not repeat" : ""));
        using var judge = settings.OpenJudge();
        var result = await new SyntheticQueryGenerator(options)
            .GenerateAndLabelAsync(data.Products, queries, judgments, judge, null, cancellationToken, heldOut);
        Directory.CreateDirectory(settings.Out!);
        using (var w = new JsonlWriter(Path.Combine(settings.Out!, "queries.jsonl")))
            foreach (var q in result.Queries) w.Write(q);
        DatasetWriter.WriteJudgments(result.Judgments, Path.Combine(settings.Out!, "judgments.jsonl"));
        Json.WriteFile(Path.Combine(settings.Out!, "synthetic.json"), result.Report);
        ReportTables.Write(human, "synthetic queries", result.Report);
        foreach (var q in result.Queries.Take(5)) human.MarkupLine($"  e.g. [italic]{Markup.Escape(q.Text)}[/]");
        manifest.AddOutput(settings.Out!);
        manifest.Complete();
        manifest.WriteTo(settings.Out!);
        if (settings.Json) env.Stdout.WriteLine(Json.Serialize(result.Report));
        return ExitCodes.Ok;
    }
}
