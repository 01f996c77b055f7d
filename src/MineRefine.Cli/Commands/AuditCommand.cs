using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Data.Import;
using MineRefine.Labeling;
using MineRefine.Labeling.Audit;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine audit</c>.</summary>
public sealed class AuditSettings : JudgeSettings
{
    /// <summary>Sample rate.</summary>
    [CommandOption("--sample-rate <R>")]
    [Description("Share of labeled pairs sampled for the audit (paper: 0.3).")]
    [DefaultValue(0.3)]
    public double SampleRate { get; set; } = 0.3;

    /// <summary>Quantiles.</summary>
    [CommandOption("--upper-quantile <Q>")]
    [Description("Per-bucket engagement quantile above which a grade-0 pair is flagged.")]
    [DefaultValue(0.9)]
    public double Upper { get; set; } = 0.9;

    /// <summary>Quantiles.</summary>
    [CommandOption("--lower-quantile <Q>")]
    [Description("Per-bucket engagement quantile below which a grade-2 pair is flagged.")]
    [DefaultValue(0.1)]
    public double Lower { get; set; } = 0.1;

    /// <summary>Signal.</summary>
    [CommandOption("--signal <S>")]
    [Description("Engagement signal: add-to-cart (default), click or order.")]
    [DefaultValue("add-to-cart")]
    public string Signal { get; set; } = "add-to-cart";

    /// <summary>Truth.</summary>
    [CommandOption("--truth <FILE>")]
    [Description("Noise-free grades (a judgments table as .jsonl, .csv or .parquet, e.g. the sample's truth.jsonl) to score the audit: flag precision, errors corrected, error rate before/after.")]
    public string? Truth { get; set; }

    /// <summary>Export.</summary>
    [CommandOption("--export <FILE>")]
    [Description("Instead of judging, write the flagged pairs for human review (.csv or .jsonl; fill new_grade) and stop.")]
    public string? Export { get; set; }

    /// <summary>Import.</summary>
    [CommandOption("--import <FILE>")]
    [Description("Apply reviewed decisions from a file written by --export (blank new_grade = undecided).")]
    public string? Import { get; set; }

    /// <inheritdoc />
    protected override bool RequiresJudge => Export is null && Import is null;

    /// <summary>The audit options.</summary>
    public AuditOptions ToOptions()
    {
        var o = new AuditOptions
        {
            SampleRate = SampleRate, UpperQuantile = Upper, LowerQuantile = Lower, Seed = Seed,
            Signal = Signal.ToLowerInvariant() switch
            {
                "add-to-cart" => EngagementSignal.AddToCart,
                "click" => EngagementSignal.Click,
                "order" => EngagementSignal.Order,
                _ => throw new ArgumentException($"Unknown --signal '{Signal}'. Use add-to-cart, click or order."),
            },
        };
        o.Validate();
        return o;
    }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var b = base.Validate();
        if (!b.Successful) return b;
        if (Export is not null && Import is not null) return ValidationResult.Error("Use either --export or --import, not both.");
        if (Import is not null && !File.Exists(Import)) return ValidationResult.Error($"--import: file '{Import}' does not exist.");
        if (Truth is not null && !File.Exists(Truth)) return ValidationResult.Error($"--truth: file '{Truth}' does not exist.");
        try { ToOptions(); }
        catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine audit</c>: engagement-driven label audit (paper §2). Writes <c>judgments.jsonl</c> (audited,
/// corrections with source <c>audit</c>), <c>audit.json</c> and <c>flags.csv</c>.</summary>
public sealed class AuditCommand(CliEnvironment env) : AsyncCommand<AuditSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, AuditSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var options = settings.ToOptions();
        var manifest = new RunManifest("audit", options, settings.Seed) { Arguments = context.Arguments.ToList() };
        foreach (var p in settings.InputPaths()) manifest.AddInput(p);
        var data = DatasetLoader.Load(settings.ToDataSourceOptions());
        if (data.Engagement.Count == 0)
            throw new ArgumentException("The data set has no engagement rows: the audit needs engagement (engagement.jsonl in the data folder).");
        var truth = settings.Truth is null ? null : DatasetLoader.ReadJudgments(settings.Truth);
        Directory.CreateDirectory(settings.Out!);
        AuditResult result;
        if (settings.Export is not null)
        {
            var plan = AuditRunner.Flag(data, options);
            AuditExport.Write(plan.Flags, settings.Export);
            human.MarkupLine($"flagged [bold]{plan.Flags.Count:N0}[/] pairs; wrote them for review to [bold]{Markup.Escape(settings.Export)}[/] " +
                             "(fill new_grade, then run again with --import)");
            return ExitCodes.Ok;
        }
        if (settings.Import is not null)
        {
            var plan = AuditRunner.Flag(data, options);
            result = AuditRunner.Apply(data.Judgments, plan, AuditExport.ReadDecisions(settings.Import), "review:" + Path.GetFileName(settings.Import), truth);
        }
        else
        {
            using var judge = settings.OpenJudge();
            result = await AuditRunner.RunAsync(data, judge, options, truth, cancellationToken);
        }
        DatasetWriter.WriteJudgments(result.Judgments, Path.Combine(settings.Out!, "judgments.jsonl"));
        Json.WriteFile(Path.Combine(settings.Out!, "audit.json"), result.Report);
        AuditExport.Write(result.Flags, Path.Combine(settings.Out!, "flags.csv"));
        var r = result.Report;
        ReportTables.Write(human, "audit", r, 40);
        manifest.AddOutput(Path.Combine(settings.Out!, "judgments.jsonl"));
        manifest.AddOutput(Path.Combine(settings.Out!, "audit.json"));
        manifest.Complete();
        manifest.WriteTo(settings.Out!);
        if (settings.Json) env.Stdout.WriteLine(Json.Serialize(r));
        return ExitCodes.Ok;
    }
}
