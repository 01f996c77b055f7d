using System.ComponentModel;
using MineRefine.Cli.Eval;
using MineRefine.Cli.Infrastructure;
using MineRefine.Cli.Retrievers;
using MineRefine.Data;
using MineRefine.Evaluation;
using MineRefine.Retrieval;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine eval</c>.</summary>
public sealed class EvalSettings : DataSettings
{
    /// <summary>Retriever name.</summary>
    [CommandOption("--retriever <NAME>")]
    [Description("Retriever: bm25, dense (with --model minilm, arctic-xs or a model folder), hybrid (dense + BM25 fused; uses the model folder's fusion.json and thresholds.json) or run (replay another system's rankings from a TREC run file, --run).")]
    [DefaultValue("bm25")]
    public string Retriever { get; set; } = "bm25";

    /// <summary>TREC run file for <c>--retriever run</c>.</summary>
    [CommandOption("--run <FILE>")]
    [Description("With --retriever run: a TREC run file (qid Q0 docid rank score run_name, e.g. your production search's results or an eval folder's run.trec) whose query ids are the data set's; a judged query it does not rank counts with an empty list.")]
    public string? Run { get; set; }

    /// <summary>Dense model.</summary>
    [CommandOption("--model <MODEL>")]
    [Description("Dense retriever model: minilm or arctic-xs (pretrained, zero-shot), a model folder written by train, or its ONNX export from 'export' (runs on ONNX Runtime, same metrics).")]
    public string? Model { get; set; }

    /// <summary>BM25 k1.</summary>
    [CommandOption("--k1 <K1>")]
    [Description("BM25 term-frequency saturation k1 (≥ 0).")]
    [DefaultValue(1.2f)]
    public float K1 { get; set; } = 1.2f;

    /// <summary>BM25 b.</summary>
    [CommandOption("-b|--bm25-b <B>")]
    [Description("BM25 length normalisation b in [[0, 1]].")]
    [DefaultValue(0.75f)]
    public float B { get; set; } = 0.75f;

    /// <summary>BM25 analyzer.</summary>
    [CommandOption("--analyzer <NAME>")]
    [Description("BM25 analyzer: english (stemming) or standard.")]
    [DefaultValue("english")]
    public string Analyzer { get; set; } = "english";

    /// <summary>BM25 index folder.</summary>
    [CommandOption("--index <DIR>")]
    [Description("BM25 index folder, reused when it matches the catalog (default: <out>/bm25-index).")]
    public string? Index { get; set; }

    /// <summary>Which queries to evaluate.</summary>
    [CommandOption("--split <SPLIT>")]
    [Description("Queries to evaluate: all, train, dev or test (QuerySplitter: by normalised query text, 70/15/15).")]
    [DefaultValue("all")]
    public string Split { get; set; } = "all";

    /// <summary>Seed of the split.</summary>
    [CommandOption("--split-seed <N>")]
    [Description("Seed of the query split.")]
    [DefaultValue(13)]
    public int SplitSeed { get; set; } = 13;

    /// <summary>Misspelled-query evaluation seed.</summary>
    [CommandOption("--misspell <SEED>")]
    [Description("Evaluate misspelled copies of the queries (the augmentation's edit model, this seed; pick one different from training's)")]
    public int? Misspell { get; set; }

    /// <summary>Separate qrels file.</summary>
    [CommandOption("--qrels <FILE>")]
    [Description("Grade the retrieved lists against this judgments file (judgments table as .jsonl, .csv or .parquet) instead of the data set's own judgments, " +
                 "for the queries --split selects (e.g. the sample's truth-complete.jsonl, which removes the 'unjudged = irrelevant' bias).")]
    public string? Qrels { get; set; }

    /// <summary>What the retriever ranks.</summary>
    [CommandOption("--pool <POOL>")]
    [Description("What the retriever ranks: catalog (every product; an unjudged product counts as grade 0) or judged " +
                 "(paper §7: the evaluated queries' judged products plus --pool-random-ratio × as many random products, drawn with --seed).")]
    [DefaultValue("catalog")]
    public string Pool { get; set; } = "catalog";

    /// <summary>Random products per judged product in the judged pool.</summary>
    [CommandOption("--pool-random-ratio <R>")]
    [Description("With --pool judged: random products added per judged product (≥ 0; 2 makes ≥ 2/3 of the pool unjudged, the paper's ≥ 65 % grade 0).")]
    [DefaultValue(EvaluationPool.DefaultRandomRatio)]
    public double PoolRandomRatio { get; set; } = EvaluationPool.DefaultRandomRatio;

    /// <summary>The BM25 options from the command line.</summary>
    public Bm25Options Bm25Options() => new()
    {
        K1 = K1,
        B = B,
        Analyzer = Analyzer.ToLowerInvariant() switch
        {
            "english" => Bm25Analyzer.English,
            "standard" => Bm25Analyzer.Standard,
            _ => throw new ArgumentException($"Unknown --analyzer '{Analyzer}'. Use english or standard."),
        },
        IndexFolder = Index,
    };

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var baseResult = base.Validate();
        if (!baseResult.Successful) return baseResult;
        try
        {
            RetrieverFactory.Check(Retriever);
            Bm25Options().Validate();
            if (Split.ToLowerInvariant() is not ("all" or "train" or "dev" or "test"))
                throw new ArgumentException($"Unknown --split '{Split}'. Use one of: all, train, dev, test.");
            EvalRunOptions.CheckPool(Pool.ToLowerInvariant(), PoolRandomRatio);
            EvalRunOptions.CheckRunFile(Retriever.ToLowerInvariant(), Run, Pool.ToLowerInvariant(), Misspell, Model);
            if (Qrels is not null && !File.Exists(Qrels) && !File.Exists(Qrels + ".gz"))
                throw new ArgumentException($"--qrels: file '{Qrels}' does not exist.");
        }
        catch (ArgumentException e)
        {
            return ValidationResult.Error(e.Message);
        }
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine eval</c>: load a data set and evaluate a retriever on it (see <see cref="EvalRunner"/>).</summary>
public sealed class EvalCommand(CliEnvironment env) : Command<EvalSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, EvalSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var dataOptions = settings.ToDataSourceOptions();
        Dataset dataset = null!;
        human.Status().Start($"loading {dataOptions.Format} data…", _ => dataset = DatasetLoader.Load(dataOptions));
        human.MarkupLine($"loaded [bold]{dataset.Products.Count:N0}[/] products, [bold]{dataset.Queries.Count:N0}[/] queries, " +
                         $"[bold]{dataset.Judgments.Count:N0}[/] judgments" +
                         (dataset.Report.RowsRejected > 0 ? $", [yellow]{dataset.Report.RowsRejected:N0} rows rejected[/] ({Markup.Escape(dataset.Report.RejectedPath ?? "")})" : ""));

        var options = new EvalRunOptions
        {
            Retriever = new RetrieverSpec { Name = settings.Retriever.ToLowerInvariant(), Bm25 = settings.Bm25Options(), Model = settings.Model, RunFile = settings.Run },
            Split = settings.Split.ToLowerInvariant(),
            SplitSeed = settings.SplitSeed,
            Seed = settings.Seed,
            MisspellSeed = settings.Misspell,
            QrelsPath = settings.Qrels,
            Pool = settings.Pool.ToLowerInvariant(),
            PoolRandomRatio = settings.PoolRandomRatio,
            OutDir = settings.Out!,
            Data = dataOptions,
            InputFiles = settings.Run is null ? settings.InputPaths() : [.. settings.InputPaths(), settings.Run],
            Arguments = context.Arguments.ToList(),
        };
        var outcome = EvalRunner.Run(dataset, options, human);
        if (settings.Qrels is not null)
            human.MarkupLine($"graded against [bold]{Markup.Escape(settings.Qrels)}[/] ({outcome.Result.Queries:N0} queries)");
        human.Write(EvaluationTable.Render(outcome.Result));
        human.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(settings.Out!))}[/]: " +
                         string.Join(", ", outcome.Outputs.Select(Path.GetFileName)));
        if (settings.Json)
        {
            env.Stdout.WriteLine(outcome.Result.ToJson());
            env.Stdout.Flush();
        }
        return ExitCodes.Ok;
    }
}
