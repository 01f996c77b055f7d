using System.Text.Json.Serialization;
using MineRefine.Cli.Retrievers;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Evaluation;
using MineRefine.Retrieval;
using Spectre.Console;

namespace MineRefine.Cli.Eval;

/// <summary>Options of one evaluation run (the <c>eval</c> command without its parsing).</summary>
public sealed class EvalRunOptions
{
    /// <summary>Retriever name and settings.</summary>
    [JsonPropertyName("retriever")] public RetrieverSpec Retriever { get; init; } = new();
    /// <summary>all, train, dev or test.</summary>
    [JsonPropertyName("split")] public string Split { get; init; } = "all";
    /// <summary>Seed of the query split (<see cref="QuerySplitter"/>, the split the trainers use).</summary>
    [JsonPropertyName("split_seed")] public int SplitSeed { get; init; } = 13;
    /// <summary>Train share of the split (default 0.7, as <see cref="QuerySplitter"/>).</summary>
    [JsonPropertyName("train_fraction")] public double TrainFraction { get; init; } = 0.7;
    /// <summary>Dev share of the split (default 0.15; test gets the rest).</summary>
    [JsonPropertyName("dev_fraction")] public double DevFraction { get; init; } = 0.15;
    /// <summary>Run seed (recorded; BM25 itself is deterministic).</summary>
    [JsonPropertyName("seed")] public int Seed { get; init; } = 13;
    /// <summary>When set, evaluate misspelled copies of the queries made with this seed (after the split; see
    /// <see cref="MineRefine.Text.Augmentation.MisspelledQueries"/>).</summary>
    [JsonPropertyName("misspell_seed")] public int? MisspellSeed { get; init; }
    /// <summary>When set, grade against the judgments in this file (JSONL judgments format) for the queries the split
    /// selects, instead of the data set's own judgments (e.g. a complete qrels file).</summary>
    [JsonPropertyName("qrels")] public string? QrelsPath { get; init; }
    /// <summary>What the retriever ranks: "catalog" (every product; unjudged = grade 0) or "judged" (the paper's
    /// §7 evaluation pool: the evaluated queries' judged products plus random products, see
    /// <see cref="EvaluationPool"/>).</summary>
    [JsonPropertyName("pool")] public string Pool { get; init; } = "catalog";
    /// <summary>With <see cref="Pool"/> "judged": random products per judged product (default 2, so ≥ 2/3 of the
    /// pool is unjudged). Drawn with <see cref="Seed"/>.</summary>
    [JsonPropertyName("pool_random_ratio")] public double PoolRandomRatio { get; init; } = EvaluationPool.DefaultRandomRatio;
    /// <summary>Output folder.</summary>
    [JsonPropertyName("out")] public required string OutDir { get; init; }
    /// <summary>How the data was read (recorded in run.json), when it came from files.</summary>
    [JsonPropertyName("data")] public DataSourceOptions? Data { get; init; }
    /// <summary>Input files/folders to hash into run.json.</summary>
    [JsonIgnore] public IReadOnlyList<string> InputFiles { get; init; } = [];
    /// <summary>Command line recorded in run.json.</summary>
    [JsonIgnore] public IReadOnlyList<string>? Arguments { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when an option is wrong.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutDir)) throw new ArgumentException("An output folder (--out) is required.");
        if (Split is not ("all" or "train" or "dev" or "test"))
            throw new ArgumentException($"Unknown --split '{Split}'. Use one of: all, train, dev, test.");
        if (!(TrainFraction >= 0 && DevFraction >= 0 && TrainFraction + DevFraction <= 1))
            throw new ArgumentException($"Split fractions must be ≥ 0 with train + dev ≤ 1; got {TrainFraction}, {DevFraction}.");
        CheckPool(Pool, PoolRandomRatio);
        CheckRunFile(Retriever.Name, Retriever.RunFile, Pool, MisspellSeed, Retriever.Model);
        RetrieverFactory.Check(Retriever.Name);
        Retriever.Bm25.Validate();
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the <c>run</c> retriever lacks its file or is combined with
    /// an option that changes what would be retrieved (a replayed ranking is fixed), or a run file is given to another
    /// retriever.</summary>
    public static void CheckRunFile(string retriever, string? runFile, string pool, int? misspellSeed, string? model)
    {
        if (!string.Equals(retriever, "run", StringComparison.OrdinalIgnoreCase))
        {
            if (runFile is not null)
                throw new ArgumentException($"--run only goes with --retriever run (got --retriever {retriever}).");
            return;
        }
        if (runFile is null) throw new ArgumentException(RetrieverFactory.RunFileMissing);
        if (!File.Exists(runFile)) throw new ArgumentException($"--run: file '{runFile}' does not exist.");
        if (pool != "catalog")
            throw new ArgumentException("--pool judged re-ranks a smaller catalog, but a run file's rankings are fixed; leave out --pool with --retriever run.");
        if (misspellSeed is not null)
            throw new ArgumentException("--misspell changes the query texts, but a run file's rankings are fixed; leave out --misspell with --retriever run.");
        if (model is not null)
            throw new ArgumentException("--model does not apply to --retriever run (the rankings come from the --run file).");
    }

    /// <summary>Throws <see cref="ArgumentException"/> for an unknown pool or a bad random-item ratio.</summary>
    public static void CheckPool(string pool, double randomRatio)
    {
        if (pool is not ("catalog" or "judged"))
            throw new ArgumentException($"Unknown --pool '{pool}'. Use catalog (rank the whole catalog) or judged (the judged products plus random ones).");
        EvaluationPool.CheckRatio(randomRatio);
    }
}

/// <summary>What <see cref="EvalRunner.Run"/> produced.</summary>
/// <param name="Result">The evaluation result.</param>
/// <param name="Outputs">Files written (metrics.json, per_query.csv, run.trec, qrels.trec, run.json).</param>
public sealed record EvalRunOutcome(EvaluationResult Result, IReadOnlyList<string> Outputs);

/// <summary>The core of the <c>eval</c> command, callable on an in-memory <see cref="Dataset"/>: select the split,
/// build the retriever, evaluate with progress on the given console, write the result files and run.json.</summary>
public static class EvalRunner
{
    /// <summary>Runs one evaluation.</summary>
    public static EvalRunOutcome Run(Dataset dataset, EvalRunOptions options, IAnsiConsole console)
    {
        options.Validate();
        var manifest = new RunManifest("eval", options, options.Seed) { Arguments = options.Arguments };
        foreach (var input in options.InputFiles) manifest.AddInput(input);

        IReadOnlyList<Judgment> judgments = dataset.Judgments;
        if (options.Split != "all")
        {
            var split = QuerySplitter.Split(dataset, options.SplitSeed, options.TrainFraction, options.DevFraction);
            judgments = options.Split switch { "train" => split.Train, "dev" => split.Dev, _ => split.Test };
        }
        if (judgments.Count == 0)
            throw new ArgumentException($"No judgments to evaluate (split '{options.Split}' is empty).");
        if (options.QrelsPath is not null)
        {
            var splitQueries = judgments.Select(j => j.QueryId).ToHashSet(StringComparer.Ordinal);
            judgments = SelectQrels(dataset, splitQueries, options.QrelsPath, out int droppedQueries);
            int ungraded = splitQueries.Except(judgments.Select(j => j.QueryId)).Count();
            manifest.Notes["split_queries_without_qrels"] = ungraded;
            if (ungraded > 0)
                console.MarkupLine($"[yellow]{ungraded:N0} of the {splitQueries.Count:N0} {options.Split} queries have no judgment in {Markup.Escape(options.QrelsPath)} and are not evaluated[/]");
            manifest.AddInput(options.QrelsPath);
            manifest.Notes["qrels_judgments"] = judgments.Count;
            manifest.Notes["qrels_queries_outside_split"] = droppedQueries;
            if (judgments.Count == 0)
                throw new ArgumentException($"--qrels {options.QrelsPath} grades none of the {options.Split} queries.");
        }
        if (options.MisspellSeed is int ms)
        {
            (dataset, var summary) = MineRefine.Text.Augmentation.MisspelledQueries.Apply(
                dataset, judgments.Select(j => j.QueryId).Distinct(StringComparer.Ordinal), ms);
            manifest.Notes["misspelled_queries"] = summary.Misspelled;
            manifest.Notes["unchanged_queries"] = summary.Unchanged;
            console.MarkupLine($"misspelled {summary.Misspelled:N0} of {summary.Considered:N0} queries (seed {ms}); {summary.Unchanged:N0} could not change");
        }

        if (options.Pool == "judged")
        {
            var pooled = EvaluationPool.BuildWithRatio(dataset, judgments, options.PoolRandomRatio, options.Seed);
            dataset = pooled.Dataset;
            manifest.Notes["pool_judged_items"] = pooled.JudgedItems;
            manifest.Notes["pool_random_items"] = pooled.RandomItems;
            manifest.Notes["pool_missing_judged_items"] = pooled.MissingJudgedItems;
            console.MarkupLine($"evaluation pool: [bold]{pooled.JudgedItems:N0}[/] judged + [bold]{pooled.RandomItems:N0}[/] random products " +
                               $"(seed {options.Seed})" +
                               (pooled.MissingJudgedItems > 0 ? $", [yellow]{pooled.MissingJudgedItems:N0} judged ids not in the catalog[/]" : ""));
        }

        Directory.CreateDirectory(options.OutDir);
        var spec = options.Retriever.CacheDir is null
            ? options.Retriever with { CacheDir = options.OutDir }
            : options.Retriever;

        IRetriever? retriever = null;
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            console.Status().Start($"building {spec.Name} over {dataset.Products.Count:N0} products…",
                _ => retriever = RetrieverFactory.Create(spec, dataset));
            manifest.Notes["seconds_build_retriever"] = Math.Round(clock.Elapsed.TotalSeconds, 3);
            clock.Restart();
            if (retriever is Bm25Retriever bm25)
            {
                manifest.Notes["bm25_index"] = bm25.IndexFolder;
                manifest.Notes["bm25_index_reused"] = bm25.ReusedIndex;
                manifest.Notes["catalog_hash"] = bm25.CatalogHash;
            }

            EvaluationResult result = null!;
            var evaluator = new RetrievalEvaluator();
            int nQueries = judgments.Select(j => j.QueryId).Distinct(StringComparer.Ordinal).Count();
            console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var tasks = new Dictionary<string, ProgressTask>
                    {
                        ["retrieve"] = ctx.AddTask($"retrieve {nQueries:N0} queries", maxValue: Math.Max(1, nQueries)),
                    };
                    if (retriever is IPairScorer)
                        tasks["score pairs"] = ctx.AddTask($"score {judgments.Count:N0} judged pairs", maxValue: Math.Max(1, judgments.Count));
                    var progress = new SyncProgress<EvaluationProgress>(p =>
                    {
                        if (!tasks.TryGetValue(p.Stage, out var t)) return;
                        t.MaxValue = Math.Max(1, p.Total);
                        t.Value = p.Done;
                    });
                    result = evaluator.Evaluate(spec.Name, retriever!, dataset, judgments, progress: progress);
                    foreach (var t in tasks.Values) t.Value = t.MaxValue;
                });

            manifest.Notes["seconds_evaluate"] = Math.Round(clock.Elapsed.TotalSeconds, 3);
            if (retriever is RunFileRetriever replay)
            {
                manifest.Notes["run_file_queries"] = replay.QueriesInFile;
                manifest.Notes["queries_without_ranking"] = replay.QueriesWithoutRanking;
                if (replay.QueriesWithoutRanking > 0)
                    console.MarkupLine($"[yellow]{replay.QueriesWithoutRanking:N0} of the {nQueries:N0} evaluated queries have no ranking in " +
                                       $"{Markup.Escape(replay.Path)}; they count with an empty list (metrics 0)[/]");
            }
            var outputs = result.WriteTo(options.OutDir).ToList();
            foreach (var o in outputs) manifest.AddOutput(o);
            manifest.Notes["queries"] = result.Queries;
            manifest.Notes["skipped"] = result.Skipped;
            manifest.Notes["judgments"] = judgments.Count;
            manifest.Notes["products"] = dataset.Products.Count;
            outputs.Add(manifest.WriteTo(options.OutDir));
            return new EvalRunOutcome(result, outputs);
        }
        finally
        {
            retriever?.Dispose();
        }
    }

    /// <summary>The judgments of <paramref name="qrelsPath"/> for the <paramref name="splitQueries"/> (the split is
    /// decided by the data set's own judgments, so it is the same split the trainers used).
    /// <paramref name="outsideSplit"/> counts the file's other queries (left out on purpose, and recorded). A query of
    /// the file that the data set does not know is an error.</summary>
    public static IReadOnlyList<Judgment> SelectQrels(Dataset dataset, IReadOnlySet<string> splitQueries, string qrelsPath,
        out int outsideSplit)
    {
        var all = MineRefine.Data.DatasetLoader.ReadJudgments(File.Exists(qrelsPath) ? qrelsPath : qrelsPath + ".gz");
        var outside = new HashSet<string>(StringComparer.Ordinal);
        var selected = new List<Judgment>();
        foreach (var j in all)
        {
            if (dataset.FindQuery(j.QueryId) is null)
                throw new ArgumentException($"--qrels {qrelsPath}: query id '{j.QueryId}' is not in the data set's query list.");
            if (splitQueries.Contains(j.QueryId)) selected.Add(j);
            else outside.Add(j.QueryId);
        }
        outsideSplit = outside.Count;
        return selected;
    }
}
