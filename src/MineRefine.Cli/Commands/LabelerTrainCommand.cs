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

    /// <summary>Random grade-0 pairs per query.</summary>
    [CommandOption("--random-negatives <N>")]
    [Description("Random catalog products per query added as grade-0 training pairs (default 1; 0 = human pairs only). Without them the labeler never sees an unrelated product and calls such pairs relevant.")]
    public int? RandomNegatives { get; set; }

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

    /// <summary>Which judgments to train on.</summary>
    [CommandOption("--split <SPLIT>")]
    [Description("train (default): only the train split of the query split that eval, train and 'labeler eval --split' use, so their dev/test queries stay unseen; all: every judgment.")]
    [DefaultValue("train")]
    public string Split { get; set; } = "train";

    /// <summary>Split seed.</summary>
    [CommandOption("--split-seed <N>")]
    [Description("Seed of the train/dev/test query split (same as eval's).")]
    [DefaultValue(13)]
    public int SplitSeed { get; set; } = 13;

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
            RandomNegativesPerQuery = RandomNegatives ?? o.RandomNegativesPerQuery,
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
            if (Split.ToLowerInvariant() is not ("train" or "all"))
                throw new ArgumentException($"Unknown --split '{Split}'. Use train (the query split's train part) or all.");
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
        var judgments = settings.Split.Equals("all", StringComparison.OrdinalIgnoreCase)
            ? dataset.Judgments
            : QuerySplitter.Split(dataset, settings.SplitSeed).Train;
        if (judgments.Count == 0) throw new ArgumentException($"No judgments to train on (split '{settings.Split}').");
        var pairs = RandomNegativePairs.WithHumanPairs(dataset, judgments, options);
        manifest.Notes["split"] = settings.Split.ToLowerInvariant();
        manifest.Notes["split_seed"] = settings.SplitSeed;
        human.MarkupLine($"loaded [bold]{dataset.Judgments.Count:N0}[/] judgments over [bold]{dataset.Queries.Count:N0}[/] queries; " +
                         $"training on [bold]{judgments.Count:N0}[/] ({settings.Split.ToLowerInvariant()}); " +
                         $"added [bold]{pairs.Count(p => p.RandomNegative):N0}[/] random catalog pairs as grade 0 ({options.RandomNegativesPerQuery} per query)");

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
        manifest.Notes["train_random_negative_pairs"] = result.TrainRandomNegativePairs;
        manifest.Notes["dev_pairs"] = result.DevPairs;
        manifest.Notes["steps"] = result.Steps;
        manifest.Notes["best_step"] = result.BestStep;
        manifest.Notes["train_seconds"] = result.TrainSeconds;
        manifest.Notes["train_pairs_per_second"] = result.TrainPairsPerSecond;
        manifest.WriteTo(settings.Out!);

        if (result.Dev is { } dev)
        {
            human.Write(LabelerEvalCommand.MetricsTable(dev, "dev"));
            if (result.DevRandomPairs is { GradedIrrelevant: { } r0 } rp)
                human.MarkupLine($"dev random catalog pairs graded 0: [bold]{r0:P1}[/] of {rp.Pairs:N0} (graded 1: {rp.PredictedCounts[1]:N0}, 2: {rp.PredictedCounts[2]:N0})");
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
