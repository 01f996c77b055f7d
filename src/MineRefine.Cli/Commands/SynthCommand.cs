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
        using var judge = settings.OpenJudge();
        var result = await new SyntheticQueryGenerator(options)
            .GenerateAndLabelAsync(data.Products, data.Queries, data.Judgments, judge, null, cancellationToken);
        Directory.CreateDirectory(settings.Out!);
        using (var w = new JsonlWriter(Path.Combine(settings.Out!, "queries.jsonl")))
            foreach (var q in result.Queries) w.Write(q);
        DatasetWriter.WriteJudgments(result.Judgments, Path.Combine(settings.Out!, "judgments.jsonl"));
        Json.WriteFile(Path.Combine(settings.Out!, "synthetic.json"), result.Report);
        var table = new Table().AddColumns("synthetic queries", "value");
        foreach (var kv in MineRefine.Reporting.ReportBuilder.Flatten(result.Report)) table.AddRow(Markup.Escape(kv.Key), Markup.Escape(kv.Value));
        human.Write(table);
        foreach (var q in result.Queries.Take(5)) human.MarkupLine($"  e.g. [italic]{Markup.Escape(q.Text)}[/]");
        manifest.AddOutput(settings.Out!);
        manifest.Complete();
        manifest.WriteTo(settings.Out!);
        if (settings.Json) env.Stdout.WriteLine(Json.Serialize(result.Report));
        return ExitCodes.Ok;
    }
}
