using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Mining;
using MineRefine.Modeling;
using MineRefine.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine train</c>. Unset numeric options keep the preset's value.</summary>
public sealed class TrainSettings : JudgeSettings
{
    /// <inheritdoc />
    protected override bool RequiresJudge => false;

    /// <summary>Stage.</summary>
    [CommandOption("--stage <N>")]
    [Description("1 = SupCon on the judgments; 2 = circle loss on judgments ∪ mined pairs (needs --init and --mined).")]
    [DefaultValue(1)]
    public int Stage { get; set; } = 1;

    /// <summary>Start model.</summary>
    [CommandOption("--model <MODEL>")]
    [Description("Start model: minilm (pretrained all-MiniLM-L6-v2 + fresh 256-d heads), arctic-xs (snowflake-arctic-embed-xs: same shape, retrieval-tuned, [[CLS]] pooling, query prefix), tiny (random 2-layer test model) or a model folder.")]
    [DefaultValue("minilm")]
    public string Model { get; set; } = "minilm";

    /// <summary>Tiny model shortcut.</summary>
    [CommandOption("--tiny")]
    [Description("Same as --model tiny (tests/CI).")]
    public bool Tiny { get; set; }

    /// <summary>Stage-2 start model.</summary>
    [CommandOption("--init <DIR>")]
    [Description("Stage 2: the stage-1 model folder (<out>/model of stage 1).")]
    public string? Init { get; set; }

    /// <summary>Mined pairs.</summary>
    [CommandOption("--mined <FILE>")]
    [Description("Stage 2: mined.jsonl from `mine`; unioned with the original train judgments.")]
    public string? Mined { get; set; }

    /// <summary>Preset.</summary>
    [CommandOption("--preset <NAME>")]
    [Description("quick (≈20 min stage 1 on Home Depot on 2 cores) or full.")]
    [DefaultValue("full")]
    public string Preset { get; set; } = "full";

    /// <summary>Loss.</summary>
    [CommandOption("--loss <NAME>")]
    [Description("supcon (stage-1 default), circle (stage-2 default), triplet, supcon+circle, infonce (the sentence-transformers baseline: one positive per query, in-batch negatives).")]
    public string? Loss { get; set; }

    /// <summary>Resume.</summary>
    [CommandOption("--resume")]
    [Description("Continue from the latest checkpoint in <out>/checkpoints (same data, seed and options).")]
    public bool Resume { get; set; }

    /// <summary>Max steps.</summary>
    [CommandOption("--max-steps <N>")] [Description("Stop after N optimizer steps (0 = epochs decide).")] public int? MaxSteps { get; set; }
    /// <summary>Epochs.</summary>
    [CommandOption("--epochs <N>")] [Description("Passes over the instances.")] public int? Epochs { get; set; }
    /// <summary>Batch.</summary>
    [CommandOption("--batch-size <N>")] [Description("Instances (queries) per step.")] public int? BatchSize { get; set; }
    /// <summary>Items per instance.</summary>
    [CommandOption("--items <N>")] [Description("Items per instance (default 8).")] public int? Items { get; set; }
    /// <summary>Encoder lr.</summary>
    [CommandOption("--lr <LR>")] [Description("Peak learning rate of the transformer.")] public double? Lr { get; set; }
    /// <summary>Head lr.</summary>
    [CommandOption("--head-lr <LR>")] [Description("Peak learning rate of the projection heads.")] public double? HeadLr { get; set; }
    /// <summary>Attention-pooling lr.</summary>
    [CommandOption("--pooling-lr <LR>")] [Description("Peak learning rate of attention pooling's token weights (--pooling attention; default 1e-3).")] public double? PoolingLr { get; set; }
    /// <summary>Initial τ.</summary>
    [CommandOption("--tau <T>")] [Description("Initial SupCon temperature τ₀ (default 0.05; learned from there, clamped to [[0.01, 1]]).")] public double? Tau { get; set; }
    /// <summary>τ lr.</summary>
    [CommandOption("--tau-lr <LR>")] [Description("Learning rate of the SupCon temperature.")] public double? TauLr { get; set; }
    /// <summary>Weight decay.</summary>
    [CommandOption("--weight-decay <WD>")] [Description("AdamW weight decay (matrices only).")] public double? WeightDecay { get; set; }
    /// <summary>Warm-up.</summary>
    [CommandOption("--warmup <FRACTION>")] [Description("Warm-up share of the steps.")] public double? Warmup { get; set; }
    /// <summary>Decay.</summary>
    [CommandOption("--decay <KIND>")] [Description("linear, cosine or constant.")] public string? Decay { get; set; }
    /// <summary>Clip.</summary>
    [CommandOption("--clip <NORM>")] [Description("Gradient-norm clip (0 = off).")] public double? Clip { get; set; }
    /// <summary>Freeze.</summary>
    [CommandOption("--freeze-encoder")] [Description("Train only the heads (and τ).")] public bool FreezeEncoder { get; set; }
    /// <summary>Query length.</summary>
    [CommandOption("--max-query-len <N>")] [Description("Max query tokens.")] public int? MaxQueryLen { get; set; }
    /// <summary>Item length.</summary>
    [CommandOption("--max-item-len <N>")] [Description("Max item tokens.")] public int? MaxItemLen { get; set; }
    /// <summary>See <see cref="TrainOptions.SharedRandomNegatives"/>.</summary>
    [CommandOption("--random-negatives <N>")] [Description("Random catalog items per step shared by the batch as extra grade-0 items (0 = off).")] public int? RandomNegatives { get; set; }
    /// <summary>See <see cref="TrainOptions.JudgedRandomNegatives"/>.</summary>
    [CommandOption("--judged-random-negatives <N>")]
    [Description("With --judge: random negatives graded per instance and step (highest-scoring first); those graded relevant are masked (default 8, 0 = none).")]
    public int? JudgedRandomNegatives { get; set; }
    /// <summary>See <see cref="TrainOptions.InBatchNegatives"/>.</summary>
    [CommandOption("--in-batch-negatives")]
    [Description("Use the batch's other instances' items as extra grade-0 items of each instance (items judged relevant for its query are masked). On by default with --loss infonce only.")]
    public bool InBatchNegatives { get; set; }
    /// <summary>See <see cref="TrainOptions.InBatchNegatives"/>.</summary>
    [CommandOption("--no-in-batch-negatives")] [Description("No in-batch negatives, also for --loss infonce.")] public bool NoInBatchNegatives { get; set; }
    /// <summary>See <see cref="TrainOptions.TopicClusters"/>.</summary>
    [CommandOption("--topic-batches <K>")]
    [Description("Cluster the training queries into K clusters (start-model embeddings, k-means) and draw each batch from one cluster, " +
                 "so the in-batch negatives are related queries' items (topic-aware sampling). Needs --in-batch-negatives. 0 = off (default).")]
    public int? TopicBatches { get; set; }
    /// <summary>See <see cref="InstanceOptions.LexicalNegatives"/>.</summary>
    [CommandOption("--lexical-negatives <N>")] [Description("Unjudged items from the query's BM25 top list added to each instance as assumed grade 0 (0 = off).")] public int? LexicalNegatives { get; set; }
    /// <summary>Projection head size for a pretrained start.</summary>
    [CommandOption("--head-dim <N>")]
    [Description("Stage 1 from a pretrained model: output size of the query and item projection heads (default 256; 384 keeps the encoder's size, so the start ranks exactly like the pretrained model).")]
    public int? HeadDim { get; set; }
    /// <summary>Pooling of a pretrained start's fresh towers: <c>mean</c>, <c>cls</c> or <c>attention</c> (default: the model's own).</summary>
    [CommandOption("--pooling <MODE>")]
    [Description("Stage 1 from a pretrained model: how token states become one vector: mean, cls, or attention (learned token weights per tower, " +
                 "starting as the mean). Default: the pretrained model's own pooling (mean for minilm, cls for arctic-xs).")]
    public string? Pooling { get; set; }
    /// <summary>The parsed <see cref="Pooling"/>, or null for the pretrained model's own.</summary>
    public PoolingMode? PoolingMode => Pooling is null ? null : TrainModelFactory.ParsePooling(Pooling);
    /// <summary>Seed of the fresh projection heads of a pretrained start (default: the run's seed).</summary>
    [CommandOption("--head-seed <N>")]
    [Description("Stage 1 from a pretrained model: seed of the fresh projection heads (default: --seed). Runs with different --seed and one --head-seed " +
                 "start from identical weights, so their models can be averaged into a model soup with merge.")]
    public int? HeadSeed { get; set; }
    /// <summary>See <see cref="InstanceOptions.LexicalNegativeDepth"/>.</summary>
    [CommandOption("--lexical-depth <N>")] [Description("BM25 ranks the lexical negatives are drawn from (default 30).")] public int? LexicalDepth { get; set; }
    /// <summary>See <see cref="InstanceOptions.DenseNegatives"/>.</summary>
    [CommandOption("--dense-negatives <N>")]
    [Description("Unjudged items from the query's top list under the start model (the model before training) added to each instance as assumed grade 0 (0 = off).")]
    public int? DenseNegatives { get; set; }
    /// <summary>See <see cref="InstanceOptions.DenseNegativeDepth"/>.</summary>
    [CommandOption("--dense-depth <N>")] [Description("Start-model ranks the dense negatives are drawn from (default 30).")] public int? DenseDepth { get; set; }
    /// <summary>No augmentation.</summary>
    [CommandOption("--no-augment")] [Description("Disable additive spelling augmentation.")] public bool NoAugment { get; set; }
    /// <summary>Eval every.</summary>
    [CommandOption("--eval-every <N>")] [Description("Dev evaluation every N steps (0 = only at the end).")] public int? EvalEvery { get; set; }
    /// <summary>Dev catalog.</summary>
    [CommandOption("--dev-catalog <N>")] [Description("Dev catalog size (judged dev products + seeded sample).")] public int? DevCatalog { get; set; }
    /// <summary>Dev queries.</summary>
    [CommandOption("--dev-queries <N>")] [Description("Max dev queries evaluated (0 = all).")] public int? DevQueries { get; set; }
    /// <summary>Patience.</summary>
    [CommandOption("--patience <N>")] [Description("Early stopping after N evaluations without improvement (0 = off).")] public int? Patience { get; set; }
    /// <summary>Model selection.</summary>
    [CommandOption("--select <WHICH>")]
    [Description("Final model: best (weights of the best dev --select-metric, NDCG@10 by default, the start included; default) or last (weights after the final step — " +
                 "for fixed-budget ablations, or when dev judgments are incomplete and would reject the change under test).")]
    public string? Select { get; set; }
    /// <summary>Selection metric.</summary>
    [CommandOption("--select-metric <METRIC>")]
    [Description("Dev metric that picks the best weights and drives early stopping (default ndcg@10; any metric key such as " +
                 "ndcg_judged@10, ndcg@100, recall@100): recall@100 for a candidate generator in front of a re-ranker; ndcg_judged@10 " +
                 "drops unjudged dev products before NDCG@10, for incomplete dev judgments (finding relevant products nobody judged is then neither rewarded nor punished).")]
    public string? SelectMetric { get; set; }
    /// <summary>Save the start.</summary>
    [CommandOption("--save-start")]
    [Description("Also write the untrained start (pretrained weights + fresh heads, or the --init model) to <out>/start/model, " +
                 "for WiSE-FT: merge <out>/start/model <out>/model --weights 1-α,α.")]
    public bool SaveStart { get; set; }
    /// <summary>Checkpoint every.</summary>
    [CommandOption("--checkpoint-every <N>")] [Description("Checkpoint every N steps (0 = off).")] public int? CheckpointEvery { get; set; }
    /// <summary>Threads.</summary>
    [CommandOption("--threads <N>")] [Description("Torch threads (0 = default).")] public int? Threads { get; set; }
    /// <summary>Extra training folders.</summary>
    [CommandOption("--extra-train <DIR>")]
    [Description(ExtraTrainOption.Help)]
    public string[] ExtraTrain { get; set; } = [];
    /// <summary>Split seed.</summary>
    [CommandOption("--split-seed <N>")] [Description("Seed of the train/dev/test query split (same as eval's).")] [DefaultValue(13)] public int SplitSeed { get; set; } = 13;
    /// <summary>Which parts of the query split the model learns from (<c>train</c> or <c>train+dev</c>).</summary>
    [CommandOption("--fit-on <SPLITS>")]
    [Description("Judgments to learn from: train (default; dev selects the weights) or train+dev, the final fit once a recipe is " +
                 "chosen on dev: the dev judgments join training, so the last step's weights are kept (--select last, no early stopping) " +
                 "and the logged dev NDCG is no longer a held-out measure. Test is never trained on.")]
    [DefaultValue("train")]
    public string FitOn { get; set; } = "train";
    /// <summary>True for <c>--fit-on train+dev</c>.</summary>
    public bool FitOnDev => FitOn.Equals("train+dev", StringComparison.OrdinalIgnoreCase);

    /// <summary>The trainer options: preset, then every option given.</summary>
    public TrainOptions ToTrainOptions()
    {
        var o = TrainOptions.Preset(Preset, Stage);
        o.Seed = Seed;
        o.Loss = Loss;
        o.Resume = Resume;
        if (MaxSteps is { } ms) o.MaxSteps = ms;
        if (Epochs is { } ep) o.Epochs = ep;
        if (BatchSize is { } bs) o.BatchSize = bs;
        if (Items is { } it) o.Instances.ItemsPerInstance = it;
        if (Lr is { } lr) o.EncoderLearningRate = lr;
        if (HeadLr is { } hl) o.HeadLearningRate = hl;
        if (PoolingLr is { } pl) o.PoolingLearningRate = pl;
        if (TauLr is { } tl) o.TemperatureLearningRate = tl;
        if (Tau is { } tau) o.LossParameters.SupCon.InitialTemperature = tau;
        if (WeightDecay is { } wd) o.WeightDecay = wd;
        if (Warmup is { } wu) o.WarmupFraction = wu;
        if (Decay is { } d)
            o.Decay = Enum.TryParse<LearningRateDecay>(d, ignoreCase: true, out var k) ? k
                : throw new ArgumentException($"Unknown --decay '{d}'; use linear, cosine or constant.");
        if (Clip is { } c) o.GradientClipNorm = c;
        o.FreezeEncoder = FreezeEncoder;
        if (MaxQueryLen is { } mq) o.MaxQueryLength = mq;
        if (MaxItemLen is { } mi) o.MaxItemLength = mi;
        if (Tiny || Model.Equals("tiny", StringComparison.OrdinalIgnoreCase))
        {
            o.MaxQueryLength = Math.Min(o.MaxQueryLength, 64);
            o.MaxItemLength = Math.Min(o.MaxItemLength, 64);
        }
        o.SpellingAugmentation = !NoAugment;
        if (RandomNegatives is { } rn) o.SharedRandomNegatives = rn;
        if (JudgedRandomNegatives is { } jr) o.JudgedRandomNegatives = jr;
        if (InBatchNegatives && NoInBatchNegatives) throw new ArgumentException("--in-batch-negatives and --no-in-batch-negatives contradict each other; give one.");
        if (InBatchNegatives) o.InBatchNegatives = true;
        if (NoInBatchNegatives) o.InBatchNegatives = false;
        if (TopicBatches is { } tb) o.TopicClusters = tb;
        if (LexicalNegatives is { } ln) o.Instances.LexicalNegatives = ln;
        if (LexicalDepth is { } ld) o.Instances.LexicalNegativeDepth = ld;
        if (DenseNegatives is { } dn) o.Instances.DenseNegatives = dn;
        if (DenseDepth is { } dd) o.Instances.DenseNegativeDepth = dd;
        if (EvalEvery is { } ee) o.EvalEvery = ee;
        if (DevCatalog is { } dc) o.DevCatalogSize = dc;
        if (DevQueries is { } dq) o.MaxDevQueries = dq;
        if (Patience is { } pa) o.Patience = pa;
        if (CheckpointEvery is { } ce) o.CheckpointEvery = ce;
        if (Threads is { } th) o.Threads = th;
        o.SaveStart = SaveStart;
        if (SelectMetric is { } sm) o.SelectMetric = sm;
        if (Select is { } sel)
            o.Selection = sel.ToLowerInvariant() switch
            {
                "best" => ModelSelection.Best,
                "last" => ModelSelection.Last,
                _ => throw new ArgumentException($"Unknown --select '{sel}'. Use best or last."),
            };
        if (!FitOnDev && !FitOn.Equals("train", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Unknown --fit-on '{FitOn}'. Use train (learn from the train split; dev chooses the weights) or train+dev (the final fit of a recipe chosen on dev). The test split is never trained on.");
        if (FitOnDev)
        {
            if (o.Selection == ModelSelection.Best && Select is not null)
                throw new ArgumentException("--fit-on train+dev trains on the dev queries, so dev cannot choose the weights: drop --select best (train+dev keeps the last step's weights).");
            if (Patience is > 0)
                throw new ArgumentException("--fit-on train+dev trains on the dev queries, so dev cannot stop the run early: drop --patience (or give 0) and fix the budget with --max-steps or --epochs, as chosen on dev.");
            o.Selection = ModelSelection.Last;
            o.Patience = 0;
        }
        return o.Validate();
    }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var b = base.Validate();
        if (!b.Successful) return b;
        var judge = ValidateJudgeSpec();
        if (!judge.Successful) return judge;
        if (JudgedRandomNegatives is not null && Judge is null)
            return ValidationResult.Error("--judged-random-negatives needs --judge (e.g. --judge labeler:runs/lab/labeler).");
        try
        {
            ToTrainOptions();
            if (Stage == 2)
            {
                if (Init is null) throw new ArgumentException("--stage 2 needs --init <DIR>: the stage-1 model folder (e.g. runs/s1/model).");
                if (!Directory.Exists(Init)) throw new ArgumentException($"--init: folder '{Init}' does not exist.");
                if (Mined is null) throw new ArgumentException("--stage 2 needs --mined <FILE>: the mined.jsonl written by `mine`.");
                if (!File.Exists(Mined)) throw new ArgumentException($"--mined: file '{Mined}' does not exist.");
            }
            else if (Mined is not null) throw new ArgumentException("--mined is only used with --stage 2.");
            ExtraTrainOption.Validate(ExtraTrain);
            bool freshHeads = Stage == 1 && !Tiny && PretrainedModels.Find(Model) is not null; // a pretrained start gets new heads
            if (HeadDim is { } hd)
            {
                if (!freshHeads)
                    throw new ArgumentException($"--head-dim only applies to stage 1 from a pretrained model ({PretrainedModels.Names}); a model folder keeps its heads.");
                TrainModelFactory.ValidateHeadDim(hd);
            }
            if (Pooling is not null)
            {
                if (!freshHeads)
                    throw new ArgumentException($"--pooling only applies to stage 1 from a pretrained model ({PretrainedModels.Names}); a model folder keeps its pooling.");
                _ = PoolingMode;
            }
            if (HeadSeed is not null && !freshHeads)
                throw new ArgumentException($"--head-seed only applies to stage 1 from a pretrained model ({PretrainedModels.Names}); a model folder keeps its heads, and --tiny draws the whole model from --seed.");
        }
        catch (ArgumentException e)
        {
            return ValidationResult.Error(e.Message);
        }
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine train</c>: stage-1 or stage-2 training of the Siamese model (see <see cref="SiameseTrainer"/>).</summary>
public sealed class TrainCommand(CliEnvironment env) : Command<TrainSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, TrainSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var options = settings.ToTrainOptions();
        var dataOptions = settings.ToDataSourceOptions();
        var manifest = new RunManifest("train", options, settings.Seed) { Arguments = context.Arguments.ToList() };
        foreach (var input in settings.InputPaths().Concat(new[] { settings.Init, settings.Mined }.OfType<string>())) manifest.AddInput(input);
        ExtraTrainOption.AddInputs(settings.ExtraTrain, manifest);

        Dataset dataset = null!;
        human.Status().Start($"loading {dataOptions.Format} data…", _ => dataset = DatasetLoader.Load(dataOptions));
        var split = QuerySplitter.Split(dataset, settings.SplitSeed);
        IReadOnlyList<Judgment> train = split.Train;
        human.MarkupLine($"loaded [bold]{dataset.Products.Count:N0}[/] products; split (seed {settings.SplitSeed}): " +
                         $"train {split.Train.Count:N0}, dev {split.Dev.Count:N0}, test {split.Test.Count:N0} judgments");
        manifest.Notes["fit_on"] = settings.FitOnDev ? "train+dev" : "train";
        if (settings.FitOnDev)
        {
            train = [.. split.Train, .. split.Dev];
            human.MarkupLine($"[yellow]--fit-on train+dev:[/] learning from train + dev ({train.Count:N0} judgments); the dev NDCG below is " +
                             "measured on queries the model trains on (not held out), and the last step's weights are kept");
        }
        (dataset, train) = ExtraTrainOption.Apply(settings.ExtraTrain, dataset, train, human, manifest);
        if (options.Stage == 2)
        {
            var mined = HardSampleMiner.ReadMinedAsJudgments(settings.Mined!);
            var (union, added, dup, other) = SiameseTrainer.UnionMined(train, mined);
            train = union;
            manifest.Notes["mined_pairs"] = mined.Count;
            manifest.Notes["mined_added"] = added;
            manifest.Notes["mined_duplicates_of_originals"] = dup;
            manifest.Notes["mined_not_train_query"] = other;
            human.MarkupLine($"mined pairs: {mined.Count:N0} read, {added:N0} added, {dup:N0} already judged, {other:N0} of non-train queries dropped");
        }

        string modelSpec = options.Stage == 2 ? settings.Init! : settings.Tiny ? "tiny" : settings.Model;
        using var model = TrainModelFactory.Create(modelSpec, settings.HeadSeed ?? settings.Seed, settings.HeadDim ?? TrainModelFactory.DefaultHeadDim, settings.PoolingMode);
        using var labeler = settings.Judge is null ? null : settings.OpenJudge();
        var trainer = new SiameseTrainer(model, options, labeler is null ? null : new AssumedNegativeJudge(labeler));
        var result = trainer.Train(new TrainData(dataset, train, split.Dev), settings.Out!, human, cancellationToken);

        manifest.Notes["result"] = result;
        manifest.Notes["split_seed"] = settings.SplitSeed;
        manifest.Notes["model_start"] = modelSpec;
        if (settings.HeadDim is { } headDim) manifest.Notes["head_dim"] = headDim;
        if (settings.HeadSeed is { } headSeed) manifest.Notes["head_seed"] = headSeed;
        if (result.ModelFolder is not null) manifest.AddOutput(result.ModelFolder);
        manifest.AddOutput(Path.Combine(settings.Out!, "metrics.jsonl"));
        manifest.Complete();
        manifest.WriteTo(settings.Out!);

        var table = new Table().AddColumns("", "value");
        table.AddRow("instances (+ augmented)", $"{result.Instances:N0} (+{result.AugmentedInstances:N0})");
        table.AddRow("unlabeled fill (queries / items)", $"{result.QueriesWithUnlabeledFill:N0} / {result.UnlabeledFillItems:N0}");
        table.AddRow("loss / in-batch negatives", $"{options.LossName} / {(options.UsesInBatchNegatives ? "on" : "off")}");
        if (options.Instances.LexicalNegatives > 0)
            table.AddRow("lexical negatives (queries / items / short)", $"{result.QueriesWithLexicalNegatives:N0} / {result.LexicalNegatives:N0} / {result.QueriesShortOfLexicalNegatives:N0}");
        if (options.Instances.DenseNegatives > 0)
            table.AddRow("dense negatives (queries / items / short)", $"{result.QueriesWithDenseNegatives:N0} / {result.DenseNegatives:N0} / {result.QueriesShortOfDenseNegatives:N0}");
        if (result.TopicClusters > 0)
            table.AddRow("topic-aware batches (clusters; smallest / median / largest)",
                $"{result.TopicClusters:N0}; {string.Join(" / ", result.TopicClusterSizes)} queries");
        if (result.Judge is not null)
        {
            table.AddRow("judge: instance items graded / relevant", $"{result.JudgedInstanceItems:N0} / {result.JudgedInstanceItemsRelevant:N0}");
            table.AddRow("judge: random negatives graded / relevant (masked)", $"{result.JudgedRandomNegatives:N0} / {result.JudgedRandomNegativesRelevant:N0}");
        }
        table.AddRow("skipped queries (no positive / no text)", $"{result.SkippedNoPositive:N0} / {result.SkippedNoText:N0}");
        table.AddRow("steps (done / schedule)", $"{result.StepsDone:N0} / {result.TotalSteps:N0}" + (result.ResumedFromStep > 0 ? $" (resumed at {result.ResumedFromStep})" : ""));
        table.AddRow("dev catalog / queries", $"{result.DevCatalogSize:N0} / {result.DevQueries:N0}");
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        bool byNdcg10 = result.SelectMetric == TrainOptions.DefaultSelectMetric;
        foreach (var e in result.Evaluations)
            table.AddRow($"dev NDCG@10{(byNdcg10 ? "" : $" · {result.SelectMetric}")}{(settings.FitOnDev ? " (trained on)" : "")} @ step {e.Step}",
                e.Ndcg10.ToString("F4", inv) + (byNdcg10 ? "" : " · " + e.Value(result.SelectMetric).ToString("F4", inv)));
        table.AddRow($"best by dev {result.SelectMetric}", byNdcg10 ? $"{result.BestNdcg10.ToString("F4", inv)} @ step {result.BestStep}"
            : $"{result.BestScore.ToString("F4", inv)} @ step {result.BestStep} (NDCG@10 there {result.BestNdcg10.ToString("F4", inv)})");
        if (!result.Interrupted) table.AddRow("saved weights", $"step {result.KeptStep} ({(result.KeptStep == result.BestStep ? "best dev" : "last step")})");
        table.AddRow("seconds", $"{result.Seconds:F1}");
        human.Write(table);
        human.MarkupLine(result.Interrupted ? "[yellow]stopped before the end (checkpoint written); continue with --resume[/]"
            : $"wrote [bold]{Markup.Escape(result.ModelFolder!)}[/]");
        if (settings.Json)
        {
            env.Stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(result));
            env.Stdout.Flush();
        }
        return ExitCodes.Ok;
    }
}
