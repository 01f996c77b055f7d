using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Pipeline;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine pipeline</c>.</summary>
public sealed class PipelineSettings : DataSettings
{
    /// <summary>Preset.</summary>
    [CommandOption("--preset <NAME>")]
    [Description("quick (CPU-sized budgets: minutes on the sample) or full.")]
    [DefaultValue("quick")]
    public string Preset { get; set; } = "quick";

    /// <summary>Model.</summary>
    [CommandOption("--model <MODEL>")]
    [Description("Start model: minilm (pretrained all-MiniLM-L6-v2), arctic-xs (snowflake-arctic-embed-xs) or tiny (random 2-layer encoder, smoke tests).")]
    [DefaultValue("minilm")]
    public string Model { get; set; } = "minilm";

    /// <summary>Sample size.</summary>
    [CommandOption("--sample-products <N>")]
    [Description("Products of the generated sample marketplace (when no --data/--products is given).")]
    [DefaultValue(3000)]
    public int SampleProducts { get; set; } = 3000;

    /// <summary>Sample size.</summary>
    [CommandOption("--sample-queries <N>")]
    [Description("Queries of the generated sample marketplace.")]
    [DefaultValue(600)]
    public int SampleQueries { get; set; } = 600;

    /// <summary>No audit.</summary>
    [CommandOption("--no-audit")]
    [Description("Skip the engagement audit.")]
    public bool NoAudit { get; set; }

    /// <summary>No synthetic queries.</summary>
    [CommandOption("--no-synthetic")]
    [Description("Skip synthetic queries.")]
    public bool NoSynthetic { get; set; }

    /// <summary>No zero-shot baseline.</summary>
    [CommandOption("--no-zero-shot")]
    [Description("Skip the zero-shot MiniLM baseline in the evaluation.")]
    public bool NoZeroShot { get; set; }

    /// <summary>Test query cap.</summary>
    [CommandOption("--max-test-queries <N>")]
    [Description("Evaluate at most N test queries (default: all).")]
    public int? MaxTestQueries { get; set; }

    /// <summary>Step caps.</summary>
    [CommandOption("--stage1-steps <N>")]
    [Description("Cap on stage-1 training steps (overrides the preset).")]
    public int? Stage1Steps { get; set; }

    /// <summary>Step caps.</summary>
    [CommandOption("--stage2-steps <N>")]
    [Description("Cap on stage-2 training steps (overrides the preset).")]
    public int? Stage2Steps { get; set; }

    /// <summary>Step caps.</summary>
    [CommandOption("--labeler-steps <N>")]
    [Description("Cap on labeler training steps (overrides the preset).")]
    public int? LabelerSteps { get; set; }

    /// <summary>Mining cap.</summary>
    [CommandOption("--mine-queries <N>")]
    [Description("Mine at most N training queries (overrides the preset).")]
    public int? MineQueries { get; set; }

    /// <summary>Projection head size for a pretrained start.</summary>
    [CommandOption("--head-dim <N>")]
    [Description("Output size of the query and item projection heads of a pretrained start (default 256; 384 keeps the encoder's size, so stage 1 starts exactly at the pretrained ranking).")]
    public int? HeadDim { get; set; }

    /// <summary>Stage-1 lexical hard negatives.</summary>
    [CommandOption("--lexical-negatives <N>")]
    [Description("Stage 1: unjudged items from each training query's BM25 top 30 added to its instance as assumed grade 0 (default 0 = off).")]
    public int? LexicalNegatives { get; set; }

    /// <summary>Stage-1 dense hard negatives.</summary>
    [CommandOption("--dense-negatives <N>")]
    [Description("Stage 1: unjudged items from each training query's top 30 under the start model added to its instance as assumed grade 0 (default 0 = off; the catalog is encoded once before stage 1 and cached in its step folder).")]
    public int? DenseNegatives { get; set; }

    /// <summary>Stage-1 in-batch negatives.</summary>
    [CommandOption("--in-batch-negatives")]
    [Description("Stage 1: each instance also contrasts against the batch's other instances' items as grade 0 (off by default, as in the paper).")]
    public bool InBatchNegatives { get; set; }

    /// <summary>Stage-1 topic-aware batches.</summary>
    [CommandOption("--topic-batches <K>")]
    [Description("Stage 1: cluster the training queries into K clusters (start-model embeddings) and draw each batch from one, so the in-batch negatives are related queries' items. Needs --in-batch-negatives (default 0 = off).")]
    public int? TopicBatches { get; set; }

    /// <summary>Selection metric of both stages.</summary>
    [CommandOption("--select-metric <METRIC>")]
    [Description("Dev metric that picks stage 1's and stage 2's best weights and drives early stopping. Default ndcg_judged@10 " +
                 "(NDCG over the judged dev products, unjudged ones ignored; train's default is ndcg@10); recall@100 for a candidate generator in front of a re-ranker.")]
    public string? SelectMetric { get; set; }

    /// <summary>Run inference and serve on TorchSharp instead of ONNX exports.</summary>
    [CommandOption("--no-onnx")]
    [Description("Stay on TorchSharp for inference and serving. By default the labeler and the stage-1 / stage-2 models are exported to ONNX " +
                 "(steps onnx-labeler, onnx-stage1, onnx-stage2, parity checked) for grading, mining, evaluation and calibration, and the final model " +
                 "(step export-onnx) for the served index, so the service encodes queries on ONNX Runtime (3–3.8× the queries per second).")]
    public bool NoOnnx { get; set; }

    /// <summary>Stage 2 with the labeler grading its assumed negatives.</summary>
    [CommandOption("--judge-negatives")]
    [Description("Stage 2 has the labeler grade the items it would assume are grade 0 (unlabeled fill; the top-scoring random negatives, masked when relevant). " +
                 "Needs a labeler that recognises irrelevant pairs: a large gain on the dense sample, no gain with the weak Home Depot labeler.")]
    public bool JudgeNegatives { get; set; }

    private bool UsesSample => Products is null && Judgments is null && Data is null;

    /// <summary>The pipeline options.</summary>
    public PipelineOptions ToOptions() => new()
    {
        Data = UsesSample ? null : ToDataSourceOptions(),
        Sample = new Data.Sample.SampleOptions { Seed = Seed, Products = SampleProducts, Queries = SampleQueries },
        OutDir = Out!,
        Preset = Preset.ToLowerInvariant(),
        Model = Model.ToLowerInvariant(),
        Seed = Seed,
        Audit = !NoAudit,
        Synthetic = !NoSynthetic,
        ZeroShotBaseline = NoZeroShot ? false : null,
        MaxTestQueries = MaxTestQueries,
        Stage1MaxSteps = Stage1Steps,
        Stage2MaxSteps = Stage2Steps,
        LabelerMaxSteps = LabelerSteps,
        MiningMaxQueries = MineQueries,
        JudgeTrainingNegatives = JudgeNegatives,
        HeadDim = HeadDim,
        Stage1LexicalNegatives = LexicalNegatives,
        Stage1DenseNegatives = DenseNegatives,
        Stage1TopicClusters = TopicBatches,
        Stage1InBatchNegatives = InBatchNegatives ? true : null,
        SelectMetric = SelectMetric,
        Onnx = !NoOnnx,
    };

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (!UsesSample)
        {
            var b = base.Validate();
            if (!b.Successful) return b;
        }
        else if (string.IsNullOrWhiteSpace(Out))
        {
            return ValidationResult.Error("--out <DIR> is required: the folder where the pipeline writes its steps, model, index and report.");
        }
        try { ToOptions().Validate(); }
        catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine pipeline</c>: the whole Mine-and-Refine pipeline, step by step (see <see cref="PipelineRunner"/>).</summary>
public sealed class PipelineCommand(CliEnvironment env) : AsyncCommand<PipelineSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, PipelineSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var result = await new PipelineRunner(settings.ToOptions(), human).RunAsync(cancellationToken);
        var steps = new Table().AddColumns("step", "seconds", "");
        foreach (var s in result.Steps)
            steps.AddRow(s.Name, s.Seconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), s.Skipped ? "skipped (unchanged)" : s.Resumed ? "resumed from its checkpoint" : "");
        human.Write(steps);
        var table = new Table().AddColumns("system", "ndcg@10", "ndcg@50", "ndcg@100", "recall@100", "precision@10", "judged@10", "ndcg_judged@10", "avg margin");
        foreach (var s in result.Systems)
        {
            string F(IReadOnlyDictionary<string, double>? d, string k) =>
                d is not null && d.TryGetValue(k, out var v) ? v.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture) : "–";
            table.AddRow(Markup.Escape(s.Name), F(s.Metrics, "ndcg@10"), F(s.Metrics, "ndcg@50"), F(s.Metrics, "ndcg@100"),
                F(s.Metrics, "recall@100"), F(s.Metrics, "precision@10"), F(s.Metrics, "judged@10"), F(s.Metrics, "ndcg_judged@10"),
                F(s.Separation, "average_margin"));
        }
        human.Write(table);
        human.MarkupLine($"model: [bold]{Markup.Escape(result.ModelDir)}[/]  index: [bold]{Markup.Escape(result.IndexDir)}[/]  " +
                         $"report: [bold]{Markup.Escape(result.ReportHtml)}[/]");
        human.MarkupLine($"serve it: [bold]minerefine serve --index {Markup.Escape(result.IndexDir)}[/]");
        if (settings.Json) env.Stdout.WriteLine(Json.Serialize(result));
        return ExitCodes.Ok;
    }
}
