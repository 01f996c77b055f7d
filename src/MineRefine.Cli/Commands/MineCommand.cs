using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Labeling;
using MineRefine.Labeling.CrossEncoder;
using MineRefine.Mining;
using MineRefine.Modeling;
using MineRefine.Retrieval.Dense;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine mine</c>.</summary>
public sealed class MineSettings : JudgeSettings
{
    /// <inheritdoc />
    protected override bool RequiresJudge => false;

    /// <summary>Stage-1 model.</summary>
    [CommandOption("--model <DIR>")]
    [Description("Stage-1 model folder (<train out>/model), or its ONNX export (export's <out>/model: encodes on ONNX Runtime, about 2× faster).")]
    public string? Model { get; set; }

    /// <summary>Labeler.</summary>
    [CommandOption("--labeler <DIR>")]
    [Description("Labeler folder (<labeler train out>/labeler) that grades unjudged retrieved pairs (same as --judge labeler:<dir>; " +
                 "--judge also takes llm, file:<judgments.jsonl> or complete:<judgments.jsonl>, e.g. the sample's noise-free truth-complete.jsonl as an oracle labeler).")]
    public string? Labeler { get; set; }

    /// <summary>Labeler cache.</summary>
    [CommandOption("--labeler-cache <FILE>")]
    [Description("Persistent cache of the cross-encoder labeler's grades (default <out>/labeler-cache.jsonl), written batch by batch: " +
                 "a mining run that was stopped or crashed grades only the pairs it had not graded when run again.")]
    public string? LabelerCache { get; set; }

    /// <inheritdoc />
    protected override string? CrossEncoderCachePath => LabelerCache ?? (Out is null ? null : Path.Combine(Out, "labeler-cache.jsonl"));

    /// <summary>k.</summary>
    [CommandOption("-k|--top-k <K>")]
    [Description("Items retrieved per training query (paper: 100–200).")]
    [DefaultValue(150)]
    public int K { get; set; } = 150;

    /// <summary>Split rank.</summary>
    [CommandOption("--split-rank <R>")]
    [Description("Rank split between hard negatives (at or above) and hard positives (below); default k/2.")]
    public int? SplitRank { get; set; }

    /// <summary>Caps.</summary>
    [CommandOption("--max-negatives <N>")]
    [Description("Most hard negatives per query.")]
    [DefaultValue(10)]
    public int MaxNegatives { get; set; } = 10;

    /// <summary>Caps.</summary>
    [CommandOption("--max-positives <N>")]
    [Description("Most hard positives per query.")]
    [DefaultValue(5)]
    public int MaxPositives { get; set; } = 5;

    /// <summary>Top window.</summary>
    [CommandOption("--exclude-top-negatives")]
    [Description("Drop grade-0 items of the top 10 (the very hardest negatives; kept by default).")]
    public bool ExcludeTopNegatives { get; set; }

    /// <summary>No re-labeling.</summary>
    [CommandOption("--no-relabel")]
    [Description("Ablation: assume unjudged retrieved items are grade 0 instead of grading them.")]
    public bool NoRelabel { get; set; }

    /// <summary>Budget.</summary>
    [CommandOption("--max-labels-per-query <N>")]
    [Description("Grade at most N unjudged pairs per query (the most selectable first).")]
    public int? MaxLabelsPerQuery { get; set; }

    /// <summary>Budget.</summary>
    [CommandOption("--max-queries <N>")]
    [Description("Mine a seeded sample of N training queries.")]
    public int? MaxQueries { get; set; }

    /// <summary>Extra training folders.</summary>
    [CommandOption("--extra-train <DIR>")]
    [Description(ExtraTrainOption.Help + " Their queries are mined like the training queries.")]
    public string[] ExtraTrain { get; set; } = [];

    /// <summary>Split.</summary>
    [CommandOption("--split-seed <N>")]
    [Description("Seed of the train/dev/test query split (only train queries are mined).")]
    [DefaultValue(13)]
    public int SplitSeed { get; set; } = 13;

    /// <summary>The mining options.</summary>
    public MiningOptions ToOptions() => new()
    {
        K = K, SplitRank = SplitRank, MaxNegativesPerQuery = MaxNegatives, MaxPositivesPerQuery = MaxPositives,
        IncludeTopNegatives = !ExcludeTopNegatives, Relabel = !NoRelabel, MaxLabelsPerQuery = MaxLabelsPerQuery,
        MaxQueries = MaxQueries, Seed = Seed,
    };

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var b = base.Validate();
        if (!b.Successful) return b;
        if (Model is null || !Directory.Exists(Model)) return ValidationResult.Error("--model <DIR>: an existing stage-1 model folder is required.");
        if (Labeler is not null && Judge is not null)
            return ValidationResult.Error("Give either --labeler <DIR> or --judge <JUDGE>, not both.");
        if (NoRelabel && (Labeler is not null || Judge is not null))
            return ValidationResult.Error("--no-relabel assumes unjudged pairs are grade 0; drop --labeler/--judge or drop --no-relabel.");
        if (!NoRelabel && Judge is null && (Labeler is null || !Directory.Exists(Labeler)))
            return ValidationResult.Error("--labeler <DIR>: an existing labeler folder is required (or --judge <JUDGE>, or --no-relabel for the ablation).");
        var judge = ValidateJudgeSpec();
        if (!judge.Successful) return judge;
        try { ToOptions().Validate(); ExtraTrainOption.Validate(ExtraTrain); }
        catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine mine</c>: ANN hard-sample mining with re-labeling (paper §6).</summary>
public sealed class MineCommand(CliEnvironment env) : AsyncCommand<MineSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, MineSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var options = settings.ToOptions();
        var manifest = new RunManifest("mine", options, settings.Seed) { Arguments = context.Arguments.ToList() };
        foreach (var p in settings.InputPaths().Append(settings.Model!)) manifest.AddInput(p);
        ExtraTrainOption.AddInputs(settings.ExtraTrain, manifest);
        var data = DatasetLoader.Load(settings.ToDataSourceOptions());
        var split = QuerySplitter.Split(data, settings.SplitSeed);
        IReadOnlyList<Judgment> train = split.Train;
        (data, train) = ExtraTrainOption.Apply(settings.ExtraTrain, data, train, human, manifest);
        human.MarkupLine($"loaded {data.Products.Count:N0} products; mining {train.Count:N0} training judgments " +
                         $"(split seed {settings.SplitSeed})");
        using var embedder = EmbedderFactory.Open(settings.Model!); // a model folder or its ONNX export
        using ILabeler? labeler = settings.NoRelabel ? null
            : settings.OpenJudge(settings.Judge ?? "labeler:" + settings.Labeler);
        if (labeler is not null)
            human.MarkupLine($"labeler: [bold]{Markup.Escape(labeler.Name)}[/]" + (labeler is CrossEncoderLabeler { CachedPairs: > 0 } ce
                ? $" ({ce.CachedPairs:N0} pairs already graded in {Markup.Escape(ce.Options.CachePath!)}, not graded again)" : ""));
        MiningResult result = null!;
        await human.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var encode = ctx.AddTask("encode catalog", maxValue: Math.Max(1, data.Products.Count));
                using var dense = new DenseRetriever(embedder, data.Products.Select(p => p.Id).ToList(),
                    embedder.ItemFormatter.Format(data.Products),
                    new DenseRetrieverOptions { CacheFolder = Path.Combine(settings.Out!, "cache") },
                    new Progress<int>(d => encode.Value = d));
                encode.Value = encode.MaxValue;
                var tasks = new Dictionary<string, ProgressTask>();
                result = await new HardSampleMiner(options).MineAsync(data, train, dense, labeler,
                    p => LabelingText.ItemText(p),
                    new Progress<(string Phase, int Done, int Total)>(x =>
                    {
                        if (!tasks.TryGetValue(x.Phase, out var t)) tasks[x.Phase] = t = ctx.AddTask(x.Phase, maxValue: Math.Max(1, x.Total));
                        t.Value = x.Done;
                    }), cancellationToken);
                foreach (var t in tasks.Values) t.Value = t.MaxValue;
            });
        HardSampleMiner.Write(result, settings.Out!);
        var s = result.Stats;
        var table = new Table().AddColumns("mining", "count");
        table.AddRow("queries mined", $"{s.Queries:N0}");
        table.AddRow("candidates (top k)", $"{s.Candidates:N0}");
        table.AddRow("already judged (label kept)", $"{s.AlreadyJudged:N0}");
        table.AddRow("newly labeled 0 / 1 / 2", string.Join(" / ", s.NewlyLabeledByGrade.Select(x => x.ToString("N0"))));
        table.AddRow("false negatives avoided (labeled relevant in the top part)", $"{s.FalseNegativesAvoided:N0}");
        table.AddRow("assumed negative (no re-labeling)", $"{s.AssumedNegative:N0}");
        table.AddRow("dropped: over labeling budget", $"{s.DroppedUnlabeled:N0}");
        table.AddRow("dropped: easy negatives / easy positives", $"{s.DroppedEasyNegatives:N0} / {s.DroppedEasyPositives:N0}");
        table.AddRow("dropped: top-window negatives", $"{s.DroppedTopWindowNegatives:N0}");
        table.AddRow("dropped: over per-query caps (neg / pos)", $"{s.DroppedNegativesOverCap:N0} / {s.DroppedPositivesOverCap:N0}");
        table.AddRow("[bold]hard negatives / hard positives[/]", $"[bold]{s.HardNegatives:N0} / {s.HardPositives:N0}[/]");
        human.Write(table);
        var dist = new Table().AddColumns("grade", "candidates", "mean", "p10", "p50", "p90");
        foreach (var (g, q) in s.ScoreDistribution)
            dist.AddRow(g, $"{q.Count:N0}", $"{q.Mean:F3}", $"{q.P10:F3}", $"{q.P50:F3}", $"{q.P90:F3}");
        human.Write(dist);
        manifest.AddOutput(Path.Combine(settings.Out!, "mined.jsonl"));
        manifest.AddOutput(Path.Combine(settings.Out!, "mining.json"));
        manifest.Complete();
        manifest.WriteTo(settings.Out!);
        if (settings.Json) env.Stdout.WriteLine(Json.Serialize(s));
        return ExitCodes.Ok;
    }
}
