using System.ComponentModel;
using System.Globalization;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Modeling;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine merge</c>.</summary>
public sealed class MergeSettings : CommandSettings
{
    /// <summary>Model folders.</summary>
    [CommandArgument(0, "<MODELS>")]
    [Description("Two or more model folders (train's DIR/model) fine-tuned from one start, with identical config and tokenizer.")]
    public string[] Models { get; set; } = [];

    /// <summary>Weights.</summary>
    [CommandOption("--weights <W>")]
    [Description("Comma-separated weight per model, ≥ 0, summing to 1 (default: uniform, a 'model soup'). WiSE-FT with α = 0.7 " +
                 "between a start and its fine-tune: '0.3,0.7'.")]
    public string? Weights { get; set; }

    /// <summary>Output folder.</summary>
    [CommandOption("--out <DIR>")]
    [Description("Output folder: the merged model goes to DIR/model (usable as --model DIR/model), with merge.json and run.json.")]
    public string? Out { get; set; }

    /// <summary>Machine output.</summary>
    [CommandOption("--json")]
    [Description("Print the summary as JSON on stdout.")]
    public bool Json { get; set; }

    /// <summary>The parsed weights, or null for uniform.</summary>
    public double[]? ParsedWeights() => Weights is null
        ? null
        : Weights.Split(',', StringSplitOptions.TrimEntries).Select(w =>
            double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                ? v
                : throw new ArgumentException($"--weights: '{w}' is not a number; give e.g. --weights 0.3,0.7.")).ToArray();

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (Models.Length < 2) return ValidationResult.Error($"merge needs at least two model folders (got {Models.Length}).");
        if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required: the folder to write the merged model to.");
        foreach (var m in Models)
            if (!Directory.Exists(m)) return ValidationResult.Error($"Model folder not found: '{m}'.");
        try
        {
            if (ParsedWeights() is { } w && w.Length != Models.Length)
                return ValidationResult.Error($"--weights has {w.Length} values for {Models.Length} models; give one per model.");
        }
        catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine merge</c>: weight-space average of model folders (<see cref="ModelMerge"/>): a model soup
/// of training seeds, or WiSE-FT between a start and its fine-tune.</summary>
public sealed class MergeCommand(CliEnvironment env) : Command<MergeSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, MergeSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var manifest = new RunManifest("merge", settings) { Arguments = context.Arguments.ToList() };
        var weights = settings.ParsedWeights() ?? Enumerable.Repeat(1.0 / settings.Models.Length, settings.Models.Length).ToArray();
        foreach (var m in settings.Models) manifest.AddInput(Path.Combine(m, SiameseModel.WeightsFile));
        using var merged = ModelMerge.Merge(settings.Models, weights);
        string outDir = settings.Out!;
        string modelDir = Path.Combine(outDir, "model");
        merged.SaveAtomically(modelDir);
        var summary = new
        {
            models = settings.Models.Select(Path.GetFullPath).ToArray(),
            weights,
            model = Path.GetFullPath(modelDir),
            model_hash = merged.ComputeHash(),
        };
        Json.WriteFile(Path.Combine(outDir, "merge.json"), summary);
        manifest.Notes["summary"] = summary;
        manifest.AddOutput(Path.Combine(modelDir, SiameseModel.WeightsFile));
        manifest.Complete();
        manifest.WriteTo(outDir);
        human.MarkupLine($"merged {settings.Models.Length} models (weights {string.Join(", ", weights.Select(w => w.ToString("0.###", CultureInfo.InvariantCulture)))}) " +
                         $"→ [bold]{Markup.Escape(modelDir)}[/]");
        if (settings.Json) env.Stdout.WriteLine(Json.Serialize(summary));
        return ExitCodes.Ok;
    }
}
