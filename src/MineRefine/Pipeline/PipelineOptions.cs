using MineRefine.Data;
using MineRefine.Data.Sample;

namespace MineRefine.Pipeline;

/// <summary>Options of the whole Mine-and-Refine pipeline (<c>minerefine pipeline</c>).</summary>
public sealed class PipelineOptions
{
    /// <summary>Where to read the data; null = generate the built-in sample marketplace into <c>&lt;out&gt;/data</c>.</summary>
    public DataSourceOptions? Data { get; set; }
    /// <summary>Sample generator options when <see cref="Data"/> is null.</summary>
    public SampleOptions Sample { get; set; } = new();
    /// <summary>Output folder (every step writes a sub-folder; <c>model/</c>, <c>index/</c>, <c>report.html</c>).</summary>
    public string OutDir { get; set; } = "runs/pipeline";
    /// <summary>"quick" (CPU-sized budgets) or "full".</summary>
    public string Preset { get; set; } = "quick";
    /// <summary>Start model for the two towers: a pretrained model ("minilm", the default, or "arctic-xs"; see
    /// <see cref="Modeling.PretrainedModels"/>) or "tiny" (a random 2-layer encoder for smoke tests). The zero-shot
    /// baseline is the same pretrained model.</summary>
    public string Model { get; set; } = "minilm";
    /// <summary>Seed for everything: split, sampling, training, augmentation.</summary>
    public int Seed { get; set; } = 13;
    /// <summary>Train/dev fractions of the query split (test = the rest).</summary>
    public double TrainFraction { get; set; } = 0.7;
    /// <summary>Dev fraction of the query split.</summary>
    public double DevFraction { get; set; } = 0.15;
    /// <summary>Run the engagement audit when the data has engagement.</summary>
    public bool Audit { get; set; } = true;
    /// <summary>Add synthetic queries for items without a positive query.</summary>
    public bool Synthetic { get; set; } = true;
    /// <summary>Evaluate the pretrained MiniLM zero-shot as a baseline (skipped by default for the tiny model).</summary>
    public bool? ZeroShotBaseline { get; set; }
    /// <summary>Most test queries to evaluate (null = all; the sample and tests use all).</summary>
    public int? MaxTestQueries { get; set; }
    /// <summary>Most held-out pairs graded when measuring the labeler (null = all).</summary>
    public int? MaxLabelerEvalPairs { get; set; }
    /// <summary>Optional overrides (applied after the preset) for quick experiments and tests.</summary>
    public int? Stage1MaxSteps { get; set; }
    /// <summary>Output size of the fresh query and item projection heads when stage 1 starts from a pretrained model
    /// (<c>train --head-dim</c>); null = <see cref="Training.TrainModelFactory.DefaultHeadDim"/> (256, the paper's low
    /// dimension). 384, the encoder's width, starts training exactly at the pretrained ranking: on Home Depot it was
    /// worth +4 % test NDCG@10 for both starts (bench/results/stage1-homedepot.md). Not for the tiny model.</summary>
    public int? HeadDim { get; set; }
    /// <summary>Stage 1: unjudged items from each training query's BM25 top list added to its instance as assumed
    /// grade 0 (<see cref="Training.InstanceOptions.LexicalNegatives"/>, <c>train --lexical-negatives</c>); null = the
    /// preset's (0). 4 gave +1.6–2.2 % NDCG@10 on Home Depot and a small loss on the sample, where a query's lexical
    /// neighbours are mostly relevant.</summary>
    public int? Stage1LexicalNegatives { get; set; }
    /// <summary>Stage 1: unjudged items from each training query's top 30 under the start model added to its instance as
    /// assumed grade 0 (<see cref="Training.InstanceOptions.DenseNegatives"/>, <c>train --dense-negatives</c>); the
    /// catalog is encoded once with the start model, before the first step, and cached in the stage-1 step folder.
    /// null = the preset's (0). On Home Depot, part of the best stage 1 from MiniLM (a soup of three seeds with 4 of them,
    /// 0.355 test NDCG@10); its own effect there is +0.003 dev NDCG@10, not significant, and a small loss on the
    /// sample's complete truth (bench/results/stage1-homedepot.md).</summary>
    public int? Stage1DenseNegatives { get; set; }
    /// <summary>Stage 1: contrast each instance also against the batch's other instances' items as grade 0
    /// (<see cref="Training.TrainOptions.InBatchNegatives"/>, <c>train --in-batch-negatives</c>); null = off, the paper's
    /// recipe. On Home Depot +0.005 dev NDCG@10 (p 0.009) but only +0.001 on test.</summary>
    public bool? Stage1InBatchNegatives { get; set; }
    /// <summary>Stage 1: topic-aware batches (<see cref="Training.TrainOptions.TopicClusters"/>, <c>train
    /// --topic-batches</c>): the training queries are clustered into this many clusters by their start-model embeddings and
    /// each batch is drawn from one, so the in-batch negatives come from related queries. Needs
    /// <see cref="Stage1InBatchNegatives"/>. null = off.</summary>
    public int? Stage1TopicClusters { get; set; }
    /// <summary>Dev metric that picks the best weights of stage 1 and stage 2 and drives their early stopping
    /// (<see cref="Training.TrainOptions.SelectMetric"/>, <c>train --select-metric</c>); null =
    /// <see cref="DefaultSelectMetric"/>.</summary>
    public string? SelectMetric { get; set; }
    /// <summary>The pipeline's default selection metric: <c>ndcg_judged@10</c> (condensed-list NDCG over the judged dev
    /// products), not <c>train</c>'s <c>ndcg@10</c>. In the README main job, dev NDCG@10 over the small pooled dev catalog
    /// fell while stage 1 improved, so stage 1 kept its untrained start; with this default it keeps its trained weights
    /// (+4.2 % NDCG@10 against the sample's complete truth, p 0.0004), and the Home Depot pipeline keeps exactly the
    /// weights it kept before (bench/results/pipeline-sample.md, homedepot-pipeline.md).</summary>
    public const string DefaultSelectMetric = "ndcg_judged@10";
    /// <summary><see cref="SelectMetric"/>, or <see cref="DefaultSelectMetric"/> when null.</summary>
    public string SelectMetricResolved => SelectMetric ?? DefaultSelectMetric;
    /// <summary>Run the pipeline's inference on ONNX Runtime: the labeler and the stage-1 and stage-2 models are exported
    /// (<see cref="Modeling.Onnx.OnnxExporter"/>; steps <c>onnx-labeler</c>, <c>onnx-stage1</c>, <c>onnx-stage2</c> and, with
    /// the zero-shot baseline, <c>onnx-zero-shot</c>; each parity checked, the step fails when ONNX Runtime does not
    /// reproduce its model) and grading, mining, evaluation and calibration use the exports (about twice TorchSharp's
    /// encoding speed here, the same embeddings to about 1e-7; bench/results/onnx-export.md). The final model is exported
    /// too (step <c>export-onnx</c>) and the served index is built from it, so the service encodes queries on ONNX Runtime:
    /// 3.0–3.8× the queries per second of the same model on TorchSharp (bench/results/load.md). Training always runs on
    /// TorchSharp. On by default; <c>pipeline --no-onnx</c> keeps everything on TorchSharp.</summary>
    public bool Onnx { get; set; } = true;
    /// <summary>Optional stage-2 step cap.</summary>
    public int? Stage2MaxSteps { get; set; }
    /// <summary>Optional labeler step cap.</summary>
    public int? LabelerMaxSteps { get; set; }
    /// <summary>Optional mining query cap.</summary>
    public int? MiningMaxQueries { get; set; }
    /// <summary>Stage 2 grades its assumed negatives with the labeler (<see cref="Training.AssumedNegativeJudge"/>: the
    /// unlabeled fill items, and the top-scoring shared random negatives of every instance, masked when relevant).
    /// Default false. It needs a labeler that recognises irrelevant pairs: on the 1,000-product sample (labeler 84 %
    /// accurate) 74 % of those negatives were relevant and grading them lifted stage 2 above stage 1 at every depth;
    /// on Home Depot (labeler 53 %, almost never grade 0) it masked 95 % of them and stage 2 no longer improved on dev
    /// (bench/results/pipeline-sample.md, homedepot-pipeline.md).</summary>
    public bool JudgeTrainingNegatives { get; set; }

    /// <summary>System name of the zero-shot baseline in reports, e.g. "zero-shot minilm".</summary>
    public string ZeroShotName => $"zero-shot {Model.ToLowerInvariant()}";

    /// <summary>True when the tiny random encoder is used.</summary>
    public bool IsTiny => string.Equals(Model, "tiny", StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public PipelineOptions Validate()
    {
        if (Preset is not ("quick" or "full")) throw new ArgumentException($"Unknown --preset '{Preset}'. Use quick or full.");
        if (!IsTiny && Modeling.PretrainedModels.Find(Model) is null)
            throw new ArgumentException($"--model must be a pretrained model ({Modeling.PretrainedModels.Names}) or tiny (got '{Model}').");
        if (HeadDim is { } hd)
        {
            if (IsTiny) throw new ArgumentException("--head-dim only applies to a pretrained start model (" + Modeling.PretrainedModels.Names + "); the tiny model has fixed 32-d heads.");
            Training.TrainModelFactory.ValidateHeadDim(hd);
        }
        // Checked here as well as by InstanceOptions.Validate (same bound) so the message names the pipeline's flag.
        if (Stage1LexicalNegatives is < 0 or > Training.InstanceOptions.MaxLexicalNegatives)
            throw new ArgumentException($"--lexical-negatives must be in [0, {Training.InstanceOptions.MaxLexicalNegatives}] (got {Stage1LexicalNegatives}); 0 = off, 2–4 are typical.");
        if (Stage1DenseNegatives is < 0 or > Training.InstanceOptions.MaxLexicalNegatives)
            throw new ArgumentException($"--dense-negatives must be in [0, {Training.InstanceOptions.MaxLexicalNegatives}] (got {Stage1DenseNegatives}); 0 = off, 4 is the Home Depot recipe.");
        if (Stage1TopicClusters is < 0)
            throw new ArgumentException($"--topic-batches must be ≥ 0 (got {Stage1TopicClusters}); 0 = off.");
        if (Stage1TopicClusters is > 0 && Stage1InBatchNegatives != true)
            throw new ArgumentException("--topic-batches only changes the in-batch negatives; add --in-batch-negatives.");
        // Checked here as well as by TrainOptions.Validate so a bad value is refused before the labeler step runs.
        if (SelectMetric is not null && !Training.TrainOptions.SelectMetricKeys.Contains(SelectMetric, StringComparer.Ordinal))
            throw new ArgumentException($"--select-metric '{SelectMetric}' is not a dev metric; use one of: {string.Join(", ", Training.TrainOptions.SelectMetricKeys)} (default {DefaultSelectMetric}).");
        if (!(TrainFraction > 0 && DevFraction > 0 && TrainFraction + DevFraction < 1))
            throw new ArgumentException("Train and dev fractions must be positive and leave room for a test split.");
        if (string.IsNullOrWhiteSpace(OutDir)) throw new ArgumentException("--out <DIR> is required.");
        Data?.Validate();
        if (Data is null) Sample.Validate();
        return this;
    }
}
