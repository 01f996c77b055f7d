using System.ComponentModel;
using System.Text.Json;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Data.Sample;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine sample</c>.</summary>
public sealed class SampleSettings : CommandSettings
{
    /// <summary>Output folder.</summary>
    [CommandOption("--out <DIR>")]
    [Description("Folder to write the sample marketplace to (JSONL format).")]
    public string? Out { get; set; }

    /// <summary>Seed.</summary>
    [CommandOption("--seed <N>")]
    [Description("Generator seed (same seed → identical files).")]
    [DefaultValue(42)]
    public int Seed { get; set; } = 42;

    /// <summary>Product count.</summary>
    [CommandOption("--products <N>")]
    [Description("Number of products.")]
    [DefaultValue(3000)]
    public int Products { get; set; } = 3000;

    /// <summary>Query count.</summary>
    [CommandOption("--queries <N>")]
    [Description("Number of queries.")]
    [DefaultValue(600)]
    public int Queries { get; set; } = 600;

    /// <summary>Annotator noise.</summary>
    [CommandOption("--noise <RATE>")]
    [Description("Share of 'human' judgments that differ from the truth (annotator noise), in [[0, 1]].")]
    [DefaultValue(0.10)]
    public double Noise { get; set; } = 0.10;

    /// <summary>Skip engagement.</summary>
    [CommandOption("--no-engagement")]
    [Description("Do not generate engagement logs.")]
    public bool NoEngagement { get; set; }

    /// <summary>Machine output.</summary>
    [CommandOption("--json")]
    [Description("Print the statistics as JSON on stdout.")]
    public bool Json { get; set; }

    /// <summary>The generator options.</summary>
    public SampleOptions ToOptions() => new()
    {
        Seed = Seed, Products = Products, Queries = Queries, NoiseRate = Noise, Engagement = !NoEngagement,
    };

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out <DIR> is required: the folder to write the sample to.");
        try { ToOptions().Validate(); }
        catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine sample</c>: generate the built-in sample marketplace (catalog, queries, noisy "human"
/// judgments, noise-free truth, engagement logs).</summary>
public sealed class SampleCommand(CliEnvironment env) : Command<SampleSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, SampleSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var manifest = new RunManifest("sample", settings.ToOptions(), settings.Seed) { Arguments = context.Arguments.ToList() };
        var market = SampleMarketplaceGenerator.Generate(settings.ToOptions());
        market.WriteTo(settings.Out!);
        var s = market.Statistics;
        var table = new Table().AddColumns("statistic", "value");
        table.AddRow("products", $"{s.Products:N0} in {s.Categories} categories");
        table.AddRow("queries", $"{s.Queries:N0} ({s.HeadQueries} head, {s.TailQueries} tail, {s.MisspelledQueries} misspelled)");
        table.AddRow("languages", string.Join(", ", s.QueriesByLocale.Select(kv => $"{kv.Key} {kv.Value}")));
        table.AddRow("judgments", $"{s.Judgments:N0}");
        table.AddRow("true grades 0/1/2", string.Join(" / ", s.TruthGradeCounts));
        table.AddRow("human grades 0/1/2", string.Join(" / ", s.HumanGradeCounts));
        table.AddRow("annotator noise", $"{s.NoiseFlips:N0} flips ({s.ObservedNoiseRate:P1})");
        table.AddRow("engagement rows", $"{s.EngagementRows:N0}");
        human.Write(table);
        manifest.AddOutput(settings.Out!);
        manifest.Complete();
        manifest.WriteTo(settings.Out!);
        human.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(settings.Out!))}[/]");
        if (settings.Json) env.Stdout.WriteLine(JsonSerializer.Serialize(s, MineRefine.Common.Json.Options));
        return ExitCodes.Ok;
    }
}
