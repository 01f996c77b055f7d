using MineRefine.Losses;

namespace MineRefine.Training;

/// <summary>
/// Options of <see cref="SiameseTrainer"/> (paper §3, §5, §6). Defaults are the <c>full</c> preset of stage 1;
/// <see cref="Preset"/> gives the named presets:
/// <list type="bullet">
/// <item><c>quick</c>: stage-1 run sized for a 2-core CPU in ≤ 20 minutes on the Home Depot public judgments —
/// batch 16 instances × 8 items, query/item lengths 24/40, at most 150 steps (2,400 instances, ≈ ¼ epoch of ≈ 9k
/// instances: a MiniLM fwd+bwd step over 16 queries + 128 items measured 11–20 s on the loaded shared machine, est. 3–5 s
/// unloaded), 64 shared random catalog negatives per step, encoder lr 5e-5, head lr 1e-4 (1e-4 / 1e-3 with the
/// negatives: 0.598 / 0.607 dev NDCG@10 at steps 20/40 vs 0.624 / 0.634 for 5e-5 / 1e-4), warm-up 10%, linear decay, dev evaluation at steps 0, 75 and 150 over a 2,000-product dev catalog
/// capped at 400 dev queries, checkpoints every 25 steps.</item>
/// <item><c>full</c>: 2 epochs, batch 32 × 8 items, lengths 32/64, dev evaluation every 200 steps over 5,000
/// products (all dev queries), patience 3, checkpoints every 100 steps.</item>
/// </list>
/// Stage 2 uses the same options with loss "circle" and (by default) a lower encoder learning rate.
/// </summary>
public sealed class TrainOptions
{
    /// <summary>1 (SupCon on the judgments) or 2 (circle loss on judgments ∪ mined pairs).</summary>
    public int Stage { get; set; } = 1;
    /// <summary>Loss name (<see cref="LossFactory.Names"/>); null = "supcon" for stage 1, "circle" for stage 2.</summary>
    public string? Loss { get; set; }
    /// <summary>Loss parameters (the <see cref="LossOptions.Name"/> inside is overwritten by <see cref="LossName"/>).</summary>
    public LossOptions LossParameters { get; set; } = new();
    /// <summary>Peak learning rate of the transformer. Default 5e-5.</summary>
    public double EncoderLearningRate { get; set; } = 5e-5;
    /// <summary>Peak learning rate of the projection heads. Default 1e-3.</summary>
    public double HeadLearningRate { get; set; } = 1e-3;
    /// <summary>Peak learning rate of attention pooling's token-weight vectors (<see cref="Modeling.PoolingMode.Attention"/>);
    /// null = <see cref="DefaultPoolingLearningRate"/>. They start at 0 (the mean) and, at the heads' rate, barely move in a
    /// short run (measured on Home Depot: ‖w‖ 0.017 after 150 quick steps at 1e-4), so they get their own. Left out of
    /// the JSON when null, so manifests and step fingerprints of runs without it read as before.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? PoolingLearningRate { get; set; }
    /// <summary>Default of <see cref="PoolingLearningRate"/>: 1e-3.</summary>
    public const double DefaultPoolingLearningRate = 1e-3;
    /// <summary>Peak learning rate of the loss's own parameters (the SupCon log(1/τ)). Default 1e-3.</summary>
    public double TemperatureLearningRate { get; set; } = 1e-3;
    /// <summary>AdamW decoupled weight decay on weight matrices (biases, LayerNorm and τ get none). Default 0.01.</summary>
    public double WeightDecay { get; set; } = 0.01;
    /// <summary>AdamW β1. Default 0.9.</summary>
    public double Beta1 { get; set; } = 0.9;
    /// <summary>AdamW β2. Default 0.999.</summary>
    public double Beta2 { get; set; } = 0.999;
    /// <summary>AdamW ε. Default 1e-8.</summary>
    public double Epsilon { get; set; } = 1e-8;
    /// <summary>Warm-up share of the total steps (linear ramp). Default 0.1.</summary>
    public double WarmupFraction { get; set; } = 0.1;
    /// <summary>Decay after warm-up: Linear (default) or Cosine (or Constant).</summary>
    public LearningRateDecay Decay { get; set; } = LearningRateDecay.Linear;
    /// <summary>Clip the global gradient L2 norm to this value; 0 disables. Default 1.</summary>
    public double GradientClipNorm { get; set; } = 1.0;
    /// <summary>Instances (queries) per optimizer step. Default 32.</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Passes over the instances (used when <see cref="MaxSteps"/> is 0). Default 2.</summary>
    public int Epochs { get; set; } = 2;
    /// <summary>Stop after this many optimizer steps (0 = <see cref="Epochs"/> decide). The schedule spans
    /// min(MaxSteps, Epochs × steps per epoch) when both are set.</summary>
    public int MaxSteps { get; set; }
    /// <summary>Freeze the transformer (only heads and τ learn).</summary>
    public bool FreezeEncoder { get; set; }
    /// <summary>Maximum query tokens including [CLS]/[SEP]. Default 32.</summary>
    public int MaxQueryLength { get; set; } = 32;
    /// <summary>Maximum item tokens including [CLS]/[SEP]. Default 64.</summary>
    public int MaxItemLength { get; set; } = 64;
    /// <summary>Instance construction (items per instance default 8).</summary>
    public InstanceOptions Instances { get; set; } = new();
    /// <summary>Random catalog items drawn per step and shared by every instance of the batch as extra grade-0 items
    /// (denominator-only for SupCon, negatives for the circle/triplet losses) [choice]. They stand in for the paper's
    /// "random catalog items" (§3): without some global negatives a within-instance loss only orders the judged items
    /// and lets the rest of the catalog drift toward the query. They are <b>not</b> in-batch negatives: no other
    /// query's judged item is used, and an item judged relevant for the instance's own query (through its
    /// <see cref="TrainingInstance.SourceQueryId"/>) is masked out. Each costs one item encoding per step. 0 = off.
    /// Default 64. Measured on Home Depot (quick preset, 60 steps, dev NDCG@10 from 0.593): without them 0.558 →
    /// 0.589 (never above the start); with 64 0.624 / 0.634 / 0.629 at steps 20/40/60; 192 gave 0.627 / 0.633 at
    /// steps 20/40 for 2× the step time (bench/results/stage1-homedepot.md).</summary>
    public int SharedRandomNegatives { get; set; } = 64;
    /// <summary>In-batch negatives [choice, off by default for the paper's losses]: every item of the batch's other
    /// instances joins each instance's loss as an extra grade-0 item — the sentence-transformers recipe (other queries'
    /// items as negatives), which the paper does not use (§3). An item in the instance's own list or judged relevant for
    /// its query (through <see cref="TrainingInstance.SourceQueryId"/>) is masked out, as for the shared random
    /// negatives; unlike those, they are not graded by a judge (<c>--judge</c>). Costs no extra encoding (the items are
    /// encoded anyway). null (default) = on for the "infonce" loss,
    /// off for the others; see <see cref="UsesInBatchNegatives"/>.</summary>
    public bool? InBatchNegatives { get; set; }
    /// <summary>Whether the trainer adds in-batch negatives (<see cref="InBatchNegatives"/>, else on for "infonce").</summary>
    public bool UsesInBatchNegatives => InBatchNegatives ?? LossName == "infonce";
    /// <summary>Topic-aware batches (<see cref="TopicBatching"/>) [choice, not in the paper]: cluster the training
    /// queries into this many clusters by their start-model embeddings and draw each batch from one cluster, so the
    /// in-batch negatives come from related queries. Needs in-batch negatives and a batch of ≥ 2. Pick it so a cluster
    /// holds a few batches (training queries ÷ (2–4 × batch size)); more clusters than training queries are capped at
    /// the number of queries. 0 (default) = random batches; left out of the JSON then, so the run manifests and the
    /// pipeline's step fingerprints of runs without it read as before.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int TopicClusters { get; set; }
    /// <summary>When the trainer has a judge (<see cref="AssumedNegativeJudge"/>, e.g. <c>train --judge labeler:DIR</c>):
    /// the shared random negatives graded per instance and step, highest-scoring first; those graded relevant are masked
    /// out of that instance's loss. 0 = grade none (only the instances' unlabeled items are graded). Default 8.</summary>
    public int JudgedRandomNegatives { get; set; } = 8;
    /// <summary>Additive spelling augmentation (paper §3). Default on.</summary>
    public bool SpellingAugmentation { get; set; } = true;
    /// <summary>Share of changed spelling variants kept. Default 0.4 (paper: 30–50%).</summary>
    public double SpellingKeepRatio { get; set; } = 0.4;
    /// <summary>Dev evaluation every this many steps (and always at the end); 0 = only at the end. Default 200.</summary>
    public int EvalEvery { get; set; } = 200;
    /// <summary>Products in the dev catalog: every product judged for a dev query plus a seeded sample of others up
    /// to this size. Default 5,000.</summary>
    public int DevCatalogSize { get; set; } = 5000;
    /// <summary>Evaluate at most this many dev queries (seeded sample); 0 = all. Default 0.</summary>
    public int MaxDevQueries { get; set; }
    /// <summary>Stop after this many dev evaluations without improvement of <see cref="SelectMetric"/> (default NDCG@10);
    /// 0 disables. Default 3.</summary>
    public int Patience { get; set; } = 3;
    /// <summary>Checkpoint every this many steps; 0 disables. Default 100.</summary>
    public int CheckpointEvery { get; set; } = 100;
    /// <summary>Checkpoints kept on disk. Default 2.</summary>
    public int KeepCheckpoints { get; set; } = 2;
    /// <summary>Continue from the latest checkpoint in &lt;out&gt;/checkpoints when there is one.</summary>
    public bool Resume { get; set; }
    /// <summary>Testing aid: end the process's run right after this step (and its checkpoint) as if interrupted,
    /// without writing the final model. 0 = off.</summary>
    public int StopAfterStep { get; set; }
    /// <summary>Which weights become <c>&lt;out&gt;/model</c>: <see cref="ModelSelection.Best"/> (default) — those of the dev
    /// evaluation with the highest <see cref="SelectMetric"/> (default NDCG@10), the starting weights included — or <see cref="ModelSelection.Last"/> — the
    /// weights after the final step. Use Last for fixed-budget ablations, or when the dev judgments are known to be
    /// incomplete: dev NDCG then counts relevant-but-unjudged products as misses and can reject exactly the change
    /// under test (e.g. training on re-labeled mined positives).</summary>
    public ModelSelection Selection { get; set; } = ModelSelection.Best;
    /// <summary>The dev metric that picks the best weights (<see cref="ModelSelection.Best"/>) and drives early stopping
    /// (<see cref="Patience"/>): any key of <see cref="Evaluation.EvaluationOptions.MetricKeys"/> on the trainer's dev
    /// catalog; larger is better for each. Default <c>ndcg@10</c> (unjudged dev-catalog products count as grade 0).
    /// Pick the metric the model is used for: <c>recall@100</c> for a candidate generator in front of a re-ranker;
    /// <c>ndcg_judged@10</c> (condensed-list NDCG: unjudged products dropped before NDCG@10) to select on how the judged
    /// dev products are ordered when the dev judgments are incomplete, so that ranking relevant products nobody judged
    /// is neither rewarded nor punished. Null means the default (<c>ndcg@10</c>) and is left out of the JSON, so
    /// the run manifests of runs with the default read as before; <c>pipeline</c> always sets it (its own default is
    /// <see cref="Pipeline.PipelineOptions.DefaultSelectMetric"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? SelectMetric { get; set; }
    /// <summary><see cref="SelectMetric"/>, or its default when null.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string SelectMetricResolved => SelectMetric ?? DefaultSelectMetric;
    /// <summary>Default of <see cref="SelectMetric"/>.</summary>
    public const string DefaultSelectMetric = "ndcg@10";
    /// <summary>The keys <see cref="SelectMetric"/> accepts: every ranking metric the dev evaluation computes.</summary>
    public static IReadOnlyList<string> SelectMetricKeys { get; } = new Evaluation.EvaluationOptions().MetricKeys();
    /// <summary>Also save the untrained starting model (pretrained weights with the freshly initialised heads, or the
    /// stage-1 model of a stage-2 run) as <c>&lt;out&gt;/start/model</c>, with the same config as the final model, so
    /// that <see cref="Modeling.ModelMerge"/> can interpolate between them (WiSE-FT: <c>merge start/model model
    /// --weights 1-α,α</c>). Off by default (one more model folder on disk).</summary>
    public bool SaveStart { get; set; }
    /// <summary>Seed of everything random (instances, augmentation, shuffles, dropout, dev sample).</summary>
    public int Seed { get; set; } = 13;
    /// <summary>Torch intra-op threads; 0 keeps libtorch's default.</summary>
    public int Threads { get; set; }

    /// <summary>The loss actually used.</summary>
    public string LossName => Loss ?? (Stage == 2 ? "circle" : "supcon");

    /// <summary>Options of a named preset ("quick" or "full") for <paramref name="stage"/>.</summary>
    public static TrainOptions Preset(string name, int stage = 1)
    {
        var o = name.ToLowerInvariant() switch
        {
            "quick" => new TrainOptions
            {
                BatchSize = 16, Epochs = 1, MaxSteps = 150, MaxQueryLength = 24, MaxItemLength = 40, EvalEvery = 75, HeadLearningRate = 1e-4,
                DevCatalogSize = 2000, MaxDevQueries = 400, Patience = 0, CheckpointEvery = 25,
            },
            "full" => new TrainOptions(),
            _ => throw new ArgumentException($"Unknown preset '{name}'; use quick or full."),
        };
        o.Stage = stage;
        if (stage == 2) o.EncoderLearningRate = 2e-5;
        return o;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option and how to fix it.</summary>
    public TrainOptions Validate()
    {
        static void Need(bool ok, string msg) { if (!ok) throw new ArgumentException(msg); }
        Need(Stage is 1 or 2, $"Stage must be 1 or 2 (got {Stage}).");
        Need(LossFactory.Names.Contains(LossName), $"Unknown loss '{LossName}'; use one of: {string.Join(", ", LossFactory.Names)}.");
        Need(EncoderLearningRate >= 0 && double.IsFinite(EncoderLearningRate), $"EncoderLearningRate must be ≥ 0 (got {EncoderLearningRate}); typical 2e-5…1e-4.");
        Need(HeadLearningRate >= 0 && double.IsFinite(HeadLearningRate), $"HeadLearningRate must be ≥ 0 (got {HeadLearningRate}); typical 1e-3.");
        Need(PoolingLearningRate is null || (PoolingLearningRate >= 0 && double.IsFinite(PoolingLearningRate.Value)),
            $"PoolingLearningRate (--pooling-lr) must be ≥ 0 (got {PoolingLearningRate}); default {DefaultPoolingLearningRate}.");
        Need(TemperatureLearningRate >= 0 && double.IsFinite(TemperatureLearningRate), $"TemperatureLearningRate must be ≥ 0 (got {TemperatureLearningRate}).");
        Need(WeightDecay >= 0 && WeightDecay < 1, $"WeightDecay must be in [0, 1) (got {WeightDecay}); typical 0.01.");
        Need(Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, $"Beta1/Beta2 must be in [0, 1) (got {Beta1}, {Beta2}).");
        Need(Epsilon > 0, $"Epsilon must be > 0 (got {Epsilon}).");
        Need(WarmupFraction is >= 0 and <= 1, $"WarmupFraction must be in [0, 1] (got {WarmupFraction}); typical 0.05–0.1.");
        Need(GradientClipNorm >= 0, $"GradientClipNorm must be ≥ 0 (got {GradientClipNorm}); 0 disables clipping.");
        Need(BatchSize >= 1, $"BatchSize must be ≥ 1 instance (got {BatchSize}).");
        Need(Epochs >= 1, $"Epochs must be ≥ 1 (got {Epochs}).");
        Need(MaxSteps >= 0, $"MaxSteps must be ≥ 0 (got {MaxSteps}); 0 means 'use Epochs'.");
        Need(MaxQueryLength >= 3, $"MaxQueryLength must be ≥ 3 tokens (got {MaxQueryLength}); default 32.");
        Need(MaxItemLength >= 3, $"MaxItemLength must be ≥ 3 tokens (got {MaxItemLength}); default 64.");
        Need(SpellingKeepRatio is >= 0 and <= 1, $"SpellingKeepRatio must be in [0, 1] (got {SpellingKeepRatio}); the paper keeps 0.3–0.5.");
        Need(EvalEvery >= 0, $"EvalEvery must be ≥ 0 (got {EvalEvery}).");
        Need(DevCatalogSize >= 1, $"DevCatalogSize must be ≥ 1 (got {DevCatalogSize}).");
        Need(MaxDevQueries >= 0, $"MaxDevQueries must be ≥ 0 (got {MaxDevQueries}); 0 = all.");
        Need(Patience >= 0, $"Patience must be ≥ 0 (got {Patience}); 0 disables early stopping.");
        Need(SelectMetric is null || SelectMetricKeys.Contains(SelectMetric, StringComparer.Ordinal),
            $"Unknown selection metric '{SelectMetric}'; use one of: {string.Join(", ", SelectMetricKeys)} (default {DefaultSelectMetric}; ndcg_judged@10 when dev judgments are incomplete).");
        Need(CheckpointEvery >= 0, $"CheckpointEvery must be ≥ 0 (got {CheckpointEvery}); 0 disables checkpoints.");
        Need(KeepCheckpoints >= 1, $"KeepCheckpoints must be ≥ 1 (got {KeepCheckpoints}).");
        Need(StopAfterStep >= 0, $"StopAfterStep must be ≥ 0 (got {StopAfterStep}).");
        Need(SharedRandomNegatives >= 0, $"SharedRandomNegatives must be ≥ 0 (got {SharedRandomNegatives}); 0 disables them.");
        Need(JudgedRandomNegatives >= 0, $"JudgedRandomNegatives must be ≥ 0 (got {JudgedRandomNegatives}); 0 grades none.");
        Need(Threads >= 0, $"Threads must be ≥ 0 (got {Threads}).");
        Need(TopicClusters >= 0, $"TopicClusters must be ≥ 0 (got {TopicClusters}); 0 = random batches.");
        Need(TopicClusters == 0 || UsesInBatchNegatives,
            "Topic-aware batches (TopicClusters / --topic-batches) only change the in-batch negatives; turn them on with --in-batch-negatives (or use --loss infonce).");
        Need(TopicClusters == 0 || BatchSize >= 2, $"Topic-aware batches need a batch of ≥ 2 instances (got {BatchSize}).");
        Instances.Validate();
        LossOptionsResolved().Validate();
        return this;
    }

    /// <summary>The loss options with <see cref="LossName"/>.</summary>
    public LossOptions LossOptionsResolved()
    {
        LossParameters.Name = LossName;
        return LossParameters;
    }
}

/// <summary>How <see cref="SiameseTrainer"/> picks the weights it saves as the final model.</summary>
public enum ModelSelection
{
    /// <summary>The dev evaluation with the highest <see cref="TrainOptions.SelectMetric"/> (the step-0 weights included).</summary>
    Best,
    /// <summary>The weights after the final step.</summary>
    Last,
}
