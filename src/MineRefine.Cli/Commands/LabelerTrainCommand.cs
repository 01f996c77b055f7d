using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Labeling.CrossEncoder;
using MineRefine.Modeling;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine labeler train</c>.</summary>
public sealed class LabelerTrainSettings : DataSettings
{
    /// <summary>Preset.</summary>
    [CommandOption("--preset <NAME>")]
    [Description("quick (16k-pair subset, 1 epoch, max length 48, frozen embeddings) or full (all pairs, 3 epochs, length 64).")]
    [DefaultValue("quick")]
    public string Preset { get; set; } = "quick";

    /// <summary>Tiny random model.</summary>
    [CommandOption("--tiny")]
    [Description("Train a tiny random 2-layer model instead of MiniLM (smoke tests; fast, not useful as a judge).")]
    public bool Tiny { get; set; }

    /// <summary>Resume.</summary>
    [CommandOption("--resume")]
    [Description("Continue from the newest checkpoint in <out>/checkpoints (same options and data required).")]
    public bool Resume { get; set; }

    /// <summary>Epochs override.</summary>
    [CommandOption("--epochs <N>")]
    [Description("Override the preset's number of epochs.")]
    public int? Epochs { get; set; }

    /// <summary>Max steps override.</summary>
    [CommandOption("--max-steps <N>")]
    [Description("Stop after N optimizer steps (0 = no limit).")]
    public int? MaxSteps { get; set; }

    /// <summary>Batch size override.</summary>
    [CommandOption("--batch-size <N>")]
    [Description("Pairs per step.")]
    public int? BatchSize { get; set; }

    /// <summary>Learning rate override.</summary>
    [CommandOption("--lr <LR>")]
    [Description("Peak backbone learning rate (AdamW, warm-up then linear decay).")]
    public double? LearningRate { get; set; }

    /// <summary>Max pair length override.</summary>
    [CommandOption("--max-length <N>")]
    [Description("Maximum tokens of [[CLS]] query [[SEP]] item [[SEP]].")]
    public int? MaxLength { get; set; }

    /// <summary>Max training pairs override.</summary>
    [CommandOption("--max-train-pairs <N>")]
    [Description("Use a seeded random subset of at most N training pairs (0 = all).")]
    public int? MaxTrainPairs { get; set; }

    /// <summary>Class weights.</summary>
    [CommandOption("--class-weights <MODE>")]
    [Description("none or inverse-frequency.")]
    [DefaultValue("none")]
    public string ClassWeights { get; set; } = "none";

    /// <summary>Label smoothing.</summary>
    [CommandOption("--label-smoothing <EPS>")]
    [Description("Label smoothing ε in [[0, 1).")]
    [DefaultValue(0.0)]
    public double LabelSmoothing { get; set; }

    /// <summary>Pooling.</summary>
    [CommandOption("--pooling <MODE>")]
    [Description("mean (default; MiniLM has no trained pooler) or cls.")]
    [DefaultValue("mean")]
    public string Pooling { get; set; } = "mean";

    /// <summary>Dev fraction.</summary>
    [CommandOption("--dev-fraction <F>")]
    [Description("Fraction of queries held out as dev for early stopping / best weights (split by query).")]
    [DefaultValue(0.15)]
    public double DevFraction { get; set; } = 0.15;

    /// <summary>Torch threads.</summary>
    [CommandOption("--threads <N>")]
    [Description("libtorch intra-op threads (0 = libtorch default).")]
    [DefaultValue(0)]
    public int Threads { get; set; }

    /// <summary>The training options from the command line, validated.</summary>
    public LabelerTrainOptions ToOptions()
    {
        var o = LabelerTrainOptions.FromPreset(Preset);
        o = o with
        {
            BaseModel = Tiny ? "tiny" : "minilm",
            Seed = Seed,
            Resume = Resume,
            Epochs = Epochs ?? o.Epochs,
            MaxSteps = MaxSteps ?? o.MaxSteps,
            BatchSize = BatchSize ?? o.BatchSize,
            LearningRate = LearningRate ?? (Tiny ? 1e-3 : o.LearningRate),
            MaxPairLength = MaxLength ?? o.MaxPairLength,
            MaxTrainPairs = MaxTrainPairs ?? o.MaxTrainPairs,
            ClassWeights = ClassWeights.ToLowerInvariant() switch
            {
                "none" => ClassWeighting.None,
                "inverse-frequency" => ClassWeighting.InverseFrequency,
                _ => throw new ArgumentException($"Unknown --class-weights '{ClassWeights}'. Use none or inverse-frequency."),
            },
            LabelSmoothing = LabelSmoothing,
            Pooling = Pooling.ToLowerInvariant() switch
            {
                "mean" => PoolingMode.Mean,
                "cls" => PoolingMode.Cls,
                _ => throw new ArgumentException($"Unknown --pooling '{Pooling}'. Use mean or cls."),
            },
            DevFraction = DevFraction,
        };
        return o.Validate();
    }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var baseResult = base.Validate();
        if (!baseResult.Successful) return baseResult;
        try
        {
            ToOptions();
            if (Threads < 0) throw new ArgumentException($"--threads must be ≥ 0 (got {Threads}).");
        }
        catch (ArgumentException e)
        {
            return ValidationResult.Error(e.Message);
        }
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine labeler train</c>: fine-tune the cross-encoder labeler on human judgments and write
/// <c>&lt;out&gt;/labeler</c>, <c>metrics.jsonl</c>, <c>dev-metrics.json</c>, <c>run.json</c>.</summary>
public sealed class LabelerTrainCommand(CliEnvironment env) : Command<LabelerTrainSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, LabelerTrainSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var options = settings.ToOptions();
        if (settings.Threads > 0) TorchSharp.torch.set_num_threads(settings.Threads);
        var dataOptions = settings.ToDataSourceOptions();
        var manifest = new RunManifest("labeler train", options, options.Seed) { Arguments = context.Arguments.ToList() };
        foreach (var input in settings.InputPaths()) manifest.AddInput(input);
        Dataset dataset = null!;
        human.Status().Start($"loading {dataOptions.Format} data…", _ => dataset = DatasetLoader.Load(dataOptions));
        var pairs = LabeledPair.FromJudgments(dataset, dataset.Judgments, options.ItemTextLevels);
        human.MarkupLine($"loaded [bold]{dataset.Judgments.Count:N0}[/] judgments over [bold]{dataset.Queries.Count:N0}[/] queries");

        var trainer = new CrossEncoderTrainer(options);
        LabelerTrainResult result = null!;
        human.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: 1);
                var progress = new Evaluation.SyncProgress<LabelerTrainProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.TotalSteps);
                    task.Value = p.Step;
                    task.Description = p.Message is not null
                        ? Markup.Escape($"step {p.Step}: {p.Message}")
                        : Markup.Escape($"step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} {p.PairsPerSecond:F1} pairs/s" +
                                        (p.DevAccuracy is { } a ? $" best dev {a:P1}" : ""));
                });
                result = trainer.Train(pairs, settings.Out!, progress, cancellationToken);
                task.Value = task.MaxValue;
            });
        foreach (var f in new[] { Path.Combine(settings.Out!, "metrics.jsonl"), Path.Combine(settings.Out!, "dev-metrics.json") })
            manifest.AddOutput(f);
        manifest.AddOutput(result.LabelerFolder);
        manifest.Notes["train_pairs"] = result.TrainPairs;
        manifest.Notes["dev_pairs"] = result.DevPairs;
        manifest.Notes["steps"] = result.Steps;
        manifest.Notes["best_step"] = result.BestStep;
        manifest.Notes["train_seconds"] = result.TrainSeconds;
        manifest.Notes["train_pairs_per_second"] = result.TrainPairsPerSecond;
        manifest.WriteTo(settings.Out!);

        if (result.Dev is { } dev)
        {
            human.Write(LabelerEvalCommand.MetricsTable(dev, "dev"));
        }
        human.MarkupLine($"trained {result.Steps} steps in {result.TrainSeconds:F0} s ({result.TrainPairsPerSecond:F1} pairs/s); " +
                         $"wrote [bold]{Markup.Escape(result.LabelerFolder)}[/] (best step {result.BestStep})");
        if (settings.Json)
        {
            env.Stdout.WriteLine(Json.Serialize(result));
            env.Stdout.Flush();
        }
        return ExitCodes.Ok;
    }
}
