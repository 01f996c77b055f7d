using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Labeling;
using MineRefine.Labeling.CrossEncoder;
using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Rendering;

namespace MineRefine.Cli.Commands;

/// <summary>Options shared by commands that use a trained labeler folder.</summary>
public class LabelerUseSettings : DataSettings
{
    /// <summary>Labeler folder.</summary>
    [CommandOption("--labeler <DIR>")]
    [Description("Labeler folder written by 'labeler train' (<out>/labeler).")]
    public string? Labeler { get; set; }

    /// <summary>Inference batch size.</summary>
    [CommandOption("--batch-size <N>")]
    [Description("Pairs per forward pass.")]
    [DefaultValue(64)]
    public int BatchSize { get; set; } = 64;

    /// <summary>Persistent cache.</summary>
    [CommandOption("--cache <FILE>")]
    [Description("Optional JSONL cache of probabilities, reused across runs (keyed by the weights' SHA-256 and the texts).")]
    public string? Cache { get; set; }

    /// <summary>Torch threads.</summary>
    [CommandOption("--threads <N>")]
    [Description("libtorch intra-op threads (0 = libtorch default).")]
    [DefaultValue(0)]
    public int Threads { get; set; }

    /// <summary>Labeler options from the command line.</summary>
    public CrossEncoderLabelerOptions LabelerOptions() => new CrossEncoderLabelerOptions { BatchSize = BatchSize, CachePath = Cache }.Validate();

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var baseResult = base.Validate();
        if (!baseResult.Successful) return baseResult;
        if (string.IsNullOrWhiteSpace(Labeler))
            return ValidationResult.Error("--labeler <DIR> is required: the folder written by 'minerefine labeler train' (<out>/labeler).");
        if (!Directory.Exists(Labeler))
            return ValidationResult.Error($"--labeler: folder '{Labeler}' does not exist.");
        if (BatchSize < 1) return ValidationResult.Error($"--batch-size must be ≥ 1 (got {BatchSize}).");
        if (Threads < 0) return ValidationResult.Error($"--threads must be ≥ 0 (got {Threads}).");
        return ValidationResult.Success();
    }
}

/// <summary>Options of <c>minerefine labeler eval</c>.</summary>
public sealed class LabelerEvalSettings : LabelerUseSettings
{
    /// <summary>Which queries.</summary>
    [CommandOption("--split <SPLIT>")]
    [Description("Judged pairs to grade: all, train, dev or test (QuerySplitter by normalised query text, 70/15/15).")]
    [DefaultValue("all")]
    public string Split { get; set; } = "all";

    /// <summary>Split seed.</summary>
    [CommandOption("--split-seed <N>")]
    [Description("Seed of the query split.")]
    [DefaultValue(13)]
    public int SplitSeed { get; set; } = 13;

    /// <summary>Random pairs per query.</summary>
    [CommandOption("--random-negatives <N>")]
    [Description("Also grade N random catalog products per evaluated query (not judged for it) and report the share graded 0 (random-pairs.json): " +
                 "how the labeler treats unrelated products, which mining and the trainer's judge ask about. 0 = off.")]
    [DefaultValue(0)]
    public int RandomNegatives { get; set; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var r = base.Validate();
        if (!r.Successful) return r;
        if (RandomNegatives is < 0 or > 100) return ValidationResult.Error($"--random-negatives must be in [0, 100] (got {RandomNegatives}).");
        if (Split.ToLowerInvariant() is not ("all" or "train" or "dev" or "test"))
            return ValidationResult.Error($"Unknown --split '{Split}'. Use one of: all, train, dev, test.");
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine labeler eval</c>: grades every judged pair with a labeler and compares with the human
/// grades (paper §2 metrics): writes <c>metrics.json</c>, <c>predictions.jsonl</c> and <c>run.json</c>.</summary>
public sealed class LabelerEvalCommand(CliEnvironment env) : Command<LabelerEvalSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, LabelerEvalSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        if (settings.Threads > 0) TorchSharp.torch.set_num_threads(settings.Threads);
        var dataOptions = settings.ToDataSourceOptions();
        var manifest = new RunManifest("labeler eval", new { settings.Labeler, settings.BatchSize, settings.Split, settings.SplitSeed, settings.Cache, settings.RandomNegatives }, settings.Seed)
        {
            Arguments = context.Arguments.ToList(),
        };
        foreach (var input in settings.InputPaths()) manifest.AddInput(input);
        manifest.AddInput(settings.Labeler!);
        Dataset dataset = null!;
        human.Status().Start($"loading {dataOptions.Format} data…", _ => dataset = DatasetLoader.Load(dataOptions));
        var judgments = settings.Split.ToLowerInvariant() switch
        {
            "all" => dataset.Judgments,
            var s => QuerySplitter.Split(dataset, settings.SplitSeed) is var sp ? (s == "train" ? sp.Train : s == "dev" ? sp.Dev : sp.Test) : null!,
        };
        if (judgments.Count == 0) throw new ArgumentException($"No judged pairs to grade (split '{settings.Split}').");

        using var labeler = CrossEncoderLabeler.FromFolder(settings.Labeler!, settings.LabelerOptions());
        var requests = LabelCommand.Requests(dataset, judgments.Select(j => (j.QueryId, j.ProductId)), labeler);
        var results = LabelCommand.RunWithProgress(human, labeler, requests, cancellationToken);
        var truth = judgments.Select(j => j.Grade).ToList();
        var metrics = LabelerMetrics.Compute(truth, results);

        Directory.CreateDirectory(settings.Out!);
        var metricsPath = Path.Combine(settings.Out!, "metrics.json");
        File.WriteAllText(metricsPath, metrics.ToJson());
        var predPath = Path.Combine(settings.Out!, "predictions.jsonl");
        LabelCommand.WritePredictions(predPath, requests, results, truth);
        manifest.AddOutput(metricsPath);
        manifest.AddOutput(predPath);
        RandomPairCheck? randomCheck = null;
        if (settings.RandomNegatives > 0)
        {
            var randomPairs = RandomNegativePairs.SampleProducts(dataset, judgments, settings.RandomNegatives, settings.Seed);
            var randomRequests = LabelCommand.Requests(dataset, randomPairs, labeler);
            var randomResults = LabelCommand.RunWithProgress(human, labeler, randomRequests, cancellationToken);
            randomCheck = RandomNegativePairs.Check(randomResults.Select(x => x.Grade).ToList());
            var randomPath = Path.Combine(settings.Out!, "random-pairs.json");
            Json.WriteFile(randomPath, randomCheck);
            manifest.AddOutput(randomPath);
        }
        manifest.Notes["judge"] = labeler.Name;
        manifest.Notes["pairs"] = requests.Count;
        manifest.Notes["pairs_per_second"] = Math.Round(labeler.LastPairsPerSecond, 1);
        manifest.WriteTo(settings.Out!);

        human.Write(MetricsTable(metrics, $"{labeler.Name} on {judgments.Count:N0} judged pairs"));
        if (randomCheck is { GradedIrrelevant: { } r0 })
            human.MarkupLine($"random catalog pairs graded 0: [bold]{r0:P1}[/] of {randomCheck.Pairs:N0} " +
                             $"(graded 1: {randomCheck.PredictedCounts[1]:N0}, 2: {randomCheck.PredictedCounts[2]:N0})");
        human.MarkupLine($"{Math.Round(labeler.LastPairsPerSecond):N0} pairs/s; wrote [bold]{Markup.Escape(Path.GetFullPath(settings.Out!))}[/]: metrics.json, predictions.jsonl, run.json");
        if (settings.Json)
        {
            env.Stdout.WriteLine(metrics.ToJson());
            env.Stdout.Flush();
        }
        return ExitCodes.Ok;
    }

    /// <summary>Readable table: accuracy, within-1, macro-F1, ECE, per-grade P/R/F1 and the confusion matrix.</summary>
    public static IRenderable MetricsTable(LabelerMetricsResult m, string title)
    {
        var t = new Table().Title(Markup.Escape(title)).AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        string P(double v) => v.ToString("P2", CultureInfo.InvariantCulture);
        t.AddRow("pairs", m.Count.ToString("N0", CultureInfo.InvariantCulture));
        t.AddRow("accuracy (3-class)", P(m.Accuracy));
        t.AddRow("within-1", P(m.Within1));
        t.AddRow("macro-F1", m.MacroF1.ToString("F3", CultureInfo.InvariantCulture));
        t.AddRow("ECE", m.Ece is { } e ? e.ToString("F3", CultureInfo.InvariantCulture) : "–");
        foreach (var c in m.PerClass)
            t.AddRow($"grade {c.Grade} P/R/F1 (n={c.Support})", $"{c.Precision:F3} / {c.Recall:F3} / {c.F1:F3}");
        var cm = new Table().AddColumn("truth \\ predicted").AddColumn("0").AddColumn("1").AddColumn("2");
        for (int g = 0; g < 3; g++) cm.AddRow(g.ToString(CultureInfo.InvariantCulture), m.Confusion[g][0].ToString(CultureInfo.InvariantCulture),
            m.Confusion[g][1].ToString(CultureInfo.InvariantCulture), m.Confusion[g][2].ToString(CultureInfo.InvariantCulture));
        return new Rows(t, cm);
    }
}
