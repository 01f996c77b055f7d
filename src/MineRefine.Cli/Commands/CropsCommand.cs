using System.ComponentModel;
using System.Globalization;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Data.Import;
using MineRefine.Text.Synthetic;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine crops</c>.</summary>
public sealed class CropsSettings : DataSettings
{
    /// <summary>Products to crop.</summary>
    [CommandOption("--count <N>")]
    [Description("Products drawn at random, one crop query each (all products with a usable title when the catalog has fewer).")]
    [DefaultValue(6000)]
    public int Count { get; set; } = 6000;

    /// <summary>Length weights.</summary>
    [CommandOption("--length-weights <W,W,…>")]
    [Description("Relative weights of crop lengths 1, 2, 3, … words (never longer than the title).")]
    [DefaultValue("10,35,35,20")]
    public string LengthWeights { get; set; } = "10,35,35,20";

    /// <summary>Which queries a crop must not repeat.</summary>
    [CommandOption("--split <SPLIT>")]
    [Description("train (default): when the data set has judgments, no crop repeats the text of a dev or test query of the query split " +
                 "that eval, train and mine use; all: no query is held out.")]
    [DefaultValue("train")]
    public string Split { get; set; } = "train";

    /// <summary>Split seed.</summary>
    [CommandOption("--split-seed <N>")]
    [Description("Seed of the train/dev/test query split (same as eval's and train's).")]
    [DefaultValue(13)]
    public int SplitSeed { get; set; } = 13;

    /// <inheritdoc />
    protected override bool CatalogOnly => true;

    /// <summary>The generator options.</summary>
    public TitleCropOptions ToOptions()
    {
        var weights = new List<double>();
        foreach (var part in LengthWeights.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double w))
                throw new ArgumentException($"--length-weights '{LengthWeights}': '{part}' is not a number; write weights such as 10,35,35,20.");
            weights.Add(w);
        }
        var o = new TitleCropOptions { Count = Count, LengthWeights = weights, Seed = Seed };
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

/// <summary><c>minerefine crops</c>: pseudo-queries cropped from product titles, a data set for pre-training a
/// retriever on a catalog with no judgments (<see cref="TitleCropGenerator"/>). Writes a MineRefine JSONL data set
/// (<c>products.jsonl</c> with the whole catalog, <c>queries.jsonl</c>, <c>judgments.jsonl</c> with source synthetic)
/// for <c>train --format jsonl --data OUT</c>, plus <c>crops.json</c> and <c>run.json</c>.</summary>
public sealed class CropsCommand(CliEnvironment env) : Command<CropsSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, CropsSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var options = settings.ToOptions();
        var manifest = new RunManifest("crops", options, settings.Seed) { Arguments = context.Arguments.ToList() };
        foreach (var p in settings.InputPaths()) manifest.AddInput(p);
        var data = DatasetLoader.Load(settings.ToDataSourceOptions());
        var (_, _, heldOut) = TrainSplitOption.Apply(data, settings.Split, settings.SplitSeed, manifest);
        human.MarkupLine($"cropping titles of {data.Products.Count:N0} products" +
                         (data.Judgments.Count == 0 ? " (a catalog without judgments)" : "") +
                         (heldOut.Count > 0 ? $"; no crop may repeat the text of {heldOut.Count:N0} held-out (dev and test) queries" : ""));
        var result = new TitleCropGenerator(options).Generate(data.Products, heldOut);
        DatasetWriter.Write(new Dataset(data.Products, result.Queries, result.Judgments), settings.Out!);
        Json.WriteFile(Path.Combine(settings.Out!, "crops.json"), result.Report);
        ReportTables.Write(human, "title crops", result.Report);
        if (result.Report.ProductsDrawn < result.Report.Requested)
            human.MarkupLine($"[yellow]only {result.Report.ProductsDrawn:N0} products have a title with a word; all of them were cropped (asked for {result.Report.Requested:N0})[/]");
        foreach (var q in result.Queries.Take(5)) human.MarkupLine($"  e.g. [italic]{Markup.Escape(q.Text)}[/]");
        human.MarkupLine($"next: [bold]minerefine train --stage 1 --format jsonl --data {Markup.Escape(settings.Out!)} --model minilm --head-dim 384 --in-batch-negatives --out RUN[/]");
        manifest.AddOutput(settings.Out!);
        manifest.Complete();
        manifest.WriteTo(settings.Out!);
        if (settings.Json) env.Stdout.WriteLine(Json.Serialize(result.Report));
        return ExitCodes.Ok;
    }
}
