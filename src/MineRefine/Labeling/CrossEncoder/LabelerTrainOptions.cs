using System.Text.Json.Serialization;
using MineRefine.Modeling;

namespace MineRefine.Labeling.CrossEncoder;

/// <summary>Options of <see cref="CrossEncoderTrainer"/>. Use <see cref="Quick"/> or <see cref="Full"/> as a
/// starting point; <see cref="Validate"/> names the wrong field and how to fix it.</summary>
public sealed record LabelerTrainOptions
{
    /// <summary>Preset name this was built from (informational).</summary>
    public string Preset { get; init; } = "custom";
    /// <summary>Initial weights: "minilm" (all-MiniLM-L6-v2 backbone, the default) or "tiny" (random 2-layer,
    /// hidden 32; smoke tests only).</summary>
    public string BaseModel { get; init; } = "minilm";
    /// <summary>Passes over the training pairs.</summary>
    public int Epochs { get; init; } = 2;
    /// <summary>Stop after this many optimizer steps (0 = no limit besides <see cref="Epochs"/>).</summary>
    public int MaxSteps { get; init; }
    /// <summary>Pairs per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Peak AdamW learning rate.</summary>
    public double LearningRate { get; init; } = 3e-5;
    /// <summary>Learning rate of the freshly initialised head (often higher than the backbone's).</summary>
    public double HeadLearningRate { get; init; } = 1e-3;
    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>Warm-up as a fraction of the total steps (linear decay to 0 afterwards).</summary>
    public double WarmupFraction { get; init; } = 0.1;
    /// <summary>Global gradient-norm clip (0 = no clipping).</summary>
    public double GradClipNorm { get; init; } = 1.0;
    /// <summary>Maximum tokens of <c>[CLS] q [SEP] item [SEP]</c>.</summary>
    public int MaxPairLength { get; init; } = 64;
    /// <summary>Class weights of the cross-entropy.</summary>
    public ClassWeighting ClassWeights { get; init; } = ClassWeighting.None;
    /// <summary>Label smoothing ε of the cross-entropy, in [0, 1).</summary>
    public double LabelSmoothing { get; init; }
    /// <summary>Pooling of the pair states (MiniLM has no trained pooler: mean is the default).</summary>
    public PoolingMode Pooling { get; init; } = PoolingMode.Mean;
    /// <summary>Dropout before the head.</summary>
    public double HeadDropout { get; init; } = 0.1;
    /// <summary>Do not train the (large) token-embedding tables: saves ~40% of the step time of MiniLM.</summary>
    public bool FreezeEmbeddings { get; init; }
    /// <summary>Use at most this many training pairs (a seeded random subset; 0 = all).</summary>
    public int MaxTrainPairs { get; init; }
    /// <summary>Score at most this many dev pairs per evaluation (a fixed seeded subset; 0 = all).</summary>
    public int MaxDevPairs { get; init; }
    /// <summary>Fraction of the training queries held out as dev when no dev set is given (split by query).</summary>
    public double DevFraction { get; init; } = 0.15;
    /// <summary>Evaluate on dev every this many steps (0 = at the end of every epoch only).</summary>
    public int EvalEverySteps { get; init; }
    /// <summary>Stop after this many dev evaluations without improvement of dev accuracy (0 = never stop early).</summary>
    public int Patience { get; init; } = 2;
    /// <summary>Save a resumable checkpoint every this many steps (0 = only at evaluations).</summary>
    public int CheckpointEverySteps { get; init; } = 200;
    /// <summary>Continue from the newest checkpoint in <c>&lt;out&gt;/checkpoints</c>.</summary>
    public bool Resume { get; init; }
    /// <summary>Pairs per inference batch on dev.</summary>
    public int EvalBatchSize { get; init; } = 128;
    /// <summary>Seed of everything random (subsets, shuffles, head init, dropout).</summary>
    public int Seed { get; init; } = 13;
    /// <summary>Taxonomy levels in item texts (paper §3: 2).</summary>
    public int ItemTextLevels { get; init; } = 2;
    /// <summary>Random catalog products per query added as grade-0 pairs (<see cref="RandomNegativePairs"/>; the
    /// caller samples them, as only it has the catalog). Without them a labeler trained on a search engine's judged
    /// results calls unrelated products relevant. 0 = human pairs only.</summary>
    public int RandomNegativesPerQuery { get; init; } = 1;

    /// <summary>The quick preset, sized for the Home Depot public judgments (~41k train pairs) on a 2-core CPU
    /// (target ≤ 20 minutes, i.e. ≈14 pairs/s): a 16k-pair subset, 1 epoch, max length 48, frozen embedding tables,
    /// dev subset of 2,000 pairs. Measured on a heavily loaded machine only (see bench/results/labeler.md).</summary>
    public static LabelerTrainOptions Quick() => new()
    {
        Preset = "quick", Epochs = 1, BatchSize = 32, LearningRate = 5e-5, MaxPairLength = 48, MaxTrainPairs = 16_000,
        MaxDevPairs = 2_000, EvalEverySteps = 250, FreezeEmbeddings = true, Patience = 0,
    };

    /// <summary>The full preset: all pairs, 3 epochs, max length 64, dev accuracy early stopping.</summary>
    public static LabelerTrainOptions Full() => new()
    {
        Preset = "full", Epochs = 3, BatchSize = 32, LearningRate = 3e-5, MaxPairLength = 64, EvalEverySteps = 0, Patience = 1,
    };

    /// <summary>"quick" or "full".</summary>
    public static LabelerTrainOptions FromPreset(string name) => name.ToLowerInvariant() switch
    {
        "quick" => Quick(),
        "full" => Full(),
        _ => throw new ArgumentException($"Unknown preset '{name}'. Use quick or full."),
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public LabelerTrainOptions Validate()
    {
        static void Need(bool ok, string message)
        {
            if (!ok) throw new ArgumentException("Invalid labeler training options: " + message);
        }
        Need(BaseModel is "minilm" or "tiny", $"BaseModel must be 'minilm' or 'tiny' (got '{BaseModel}').");
        Need(Epochs >= 1, $"Epochs must be ≥ 1 (got {Epochs}).");
        Need(MaxSteps >= 0, $"MaxSteps must be ≥ 0 (0 = no limit; got {MaxSteps}).");
        Need(BatchSize >= 1, $"BatchSize must be ≥ 1 (got {BatchSize}); 16–64 fits a CPU.");
        Need(LearningRate > 0 && LearningRate < 1, $"LearningRate must be in (0, 1) (got {LearningRate}); 2e-5…5e-5 is typical for fine-tuning.");
        Need(HeadLearningRate > 0 && HeadLearningRate < 1, $"HeadLearningRate must be in (0, 1) (got {HeadLearningRate}).");
        Need(WeightDecay >= 0, $"WeightDecay must be ≥ 0 (got {WeightDecay}).");
        Need(WarmupFraction is >= 0 and <= 1, $"WarmupFraction must be in [0, 1] (got {WarmupFraction}).");
        Need(GradClipNorm >= 0, $"GradClipNorm must be ≥ 0 (0 = off; got {GradClipNorm}).");
        Need(MaxPairLength >= 3, $"MaxPairLength must be ≥ 3 (got {MaxPairLength}).");
        Need(LabelSmoothing is >= 0 and < 1, $"LabelSmoothing must be in [0, 1) (got {LabelSmoothing}).");
        Need(HeadDropout is >= 0 and < 1, $"HeadDropout must be in [0, 1) (got {HeadDropout}).");
        Need(MaxTrainPairs >= 0, $"MaxTrainPairs must be ≥ 0 (0 = all; got {MaxTrainPairs}).");
        Need(MaxDevPairs >= 0, $"MaxDevPairs must be ≥ 0 (0 = all; got {MaxDevPairs}).");
        Need(DevFraction is >= 0 and < 1, $"DevFraction must be in [0, 1) (got {DevFraction}).");
        Need(EvalEverySteps >= 0, $"EvalEverySteps must be ≥ 0 (got {EvalEverySteps}).");
        Need(Patience >= 0, $"Patience must be ≥ 0 (got {Patience}).");
        Need(CheckpointEverySteps >= 0, $"CheckpointEverySteps must be ≥ 0 (got {CheckpointEverySteps}).");
        Need(EvalBatchSize >= 1, $"EvalBatchSize must be ≥ 1 (got {EvalBatchSize}).");
        Need(ItemTextLevels >= 0, $"ItemTextLevels must be ≥ 0 (got {ItemTextLevels}).");
        Need(RandomNegativesPerQuery is >= 0 and <= 100, $"RandomNegativesPerQuery must be in [0, 100] (got {RandomNegativesPerQuery}); 1 is the default, 0 turns random grade-0 pairs off.");
        return this;
    }
}

/// <summary>One human-graded pair for training or evaluating the labeler.</summary>
/// <param name="QueryKey">Key that groups pairs of one query (for the by-query split), e.g. the normalised text.</param>
/// <param name="QueryText">Query text.</param>
/// <param name="ItemText">Item text (<see cref="LabelingText.ItemText"/>).</param>
/// <param name="Grade">Human grade 0, 1 or 2.</param>
/// <param name="RandomNegative">True for a random catalog product assumed irrelevant (<see cref="RandomNegativePairs"/>),
/// not a human judgment: it trains the labeler; on dev it is scored apart from the human pairs.</param>
public sealed record LabeledPair(string QueryKey, string QueryText, string ItemText, int Grade, bool RandomNegative = false)
{
    /// <summary>Pairs of <paramref name="judgments"/> with texts from <paramref name="data"/>. A judgment whose query or
    /// product is missing is an error (nothing is silently dropped).</summary>
    public static IReadOnlyList<LabeledPair> FromJudgments(Data.Dataset data, IEnumerable<Data.Judgment> judgments, int itemTextLevels = 2)
    {
        var list = new List<LabeledPair>();
        foreach (var j in judgments)
        {
            var q = data.FindQuery(j.QueryId) ?? throw new ArgumentException($"Judgment names query '{j.QueryId}' that is not in the data set.");
            var p = data.FindProduct(j.ProductId) ?? throw new ArgumentException($"Judgment names product '{j.ProductId}' that is not in the catalog.");
            list.Add(new LabeledPair(Text.TextNormalizer.NormalizeQuery(q.Text), q.Text, LabelingText.ItemText(p, itemTextLevels), j.Grade));
        }
        return list;
    }
}

/// <summary>Progress of a training run.</summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="TotalSteps">Planned steps.</param>
/// <param name="Loss">Mean training loss over the last reporting window.</param>
/// <param name="PairsPerSecond">Training throughput over the last reporting window.</param>
/// <param name="DevAccuracy">Last dev accuracy, when evaluated.</param>
/// <param name="Message">Optional note (evaluation, checkpoint, early stop).</param>
public sealed record LabelerTrainProgress(long Step, long TotalSteps, double Loss, double PairsPerSecond, double? DevAccuracy, string? Message = null);

/// <summary>Outcome of a training run.</summary>
public sealed record LabelerTrainResult
{
    /// <summary>The labeler folder written (best dev checkpoint, or the last weights without dev).</summary>
    [JsonPropertyName("labeler")] public string LabelerFolder { get; init; } = "";
    /// <summary>Optimizer steps taken (including steps before a resume).</summary>
    [JsonPropertyName("steps")] public long Steps { get; init; }
    /// <summary>Step whose weights were kept.</summary>
    [JsonPropertyName("best_step")] public long BestStep { get; init; }
    /// <summary>Dev metrics of the kept weights (null without dev pairs).</summary>
    [JsonPropertyName("dev")] public LabelerMetricsResult? Dev { get; init; }
    /// <summary>Training pairs used (human and random).</summary>
    [JsonPropertyName("train_pairs")] public int TrainPairs { get; init; }
    /// <summary>Of <see cref="TrainPairs"/>, random catalog pairs assumed grade 0.</summary>
    [JsonPropertyName("train_random_negative_pairs")] public int TrainRandomNegativePairs { get; init; }
    /// <summary>How the kept weights graded the dev queries' random pairs (null without such pairs).</summary>
    [JsonPropertyName("dev_random_pairs")] public RandomPairCheck? DevRandomPairs { get; init; }
    /// <summary>Human dev pairs evaluated.</summary>
    [JsonPropertyName("dev_pairs")] public int DevPairs { get; init; }
    /// <summary>Wall time of this process's training (seconds).</summary>
    [JsonPropertyName("train_seconds")] public double TrainSeconds { get; init; }
    /// <summary>Mean training throughput (pairs per second) of this process.</summary>
    [JsonPropertyName("train_pairs_per_second")] public double TrainPairsPerSecond { get; init; }
    /// <summary>True when early stopping ended the run.</summary>
    [JsonPropertyName("stopped_early")] public bool StoppedEarly { get; init; }
    /// <summary>True when the run continued from a checkpoint.</summary>
    [JsonPropertyName("resumed_from_step")] public long? ResumedFromStep { get; init; }
}
