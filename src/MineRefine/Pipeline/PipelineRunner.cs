using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Data.Import;
using MineRefine.Data.Sample;
using MineRefine.Evaluation;
using MineRefine.Labeling;
using MineRefine.Labeling.Audit;
using MineRefine.Labeling.CrossEncoder;
using MineRefine.Mining;
using MineRefine.Modeling;
using MineRefine.Modeling.Onnx;
using MineRefine.Reporting;
using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;
using MineRefine.Retrieval.Hybrid;
using MineRefine.Serving;
using MineRefine.Text.Synthetic;
using MineRefine.Training;
using Spectre.Console;

namespace MineRefine.Pipeline;

/// <summary>What a pipeline run produced.</summary>
public sealed record PipelineResult(string OutDir, string ModelDir, string IndexDir, string ReportHtml,
    IReadOnlyList<StepRecord> Steps, IReadOnlyList<SystemMetrics> Systems);

/// <summary>
/// The whole Mine-and-Refine pipeline as resumable steps (paper §2–§9): split → labeler training → engagement audit
/// → synthetic queries → stage 1 (SupCon, with additive spelling augmentation) → mining with re-labeling → stage 2
/// (circle loss on original ∪ mined) → evaluation of BM25, zero-shot MiniLM, stage 1, stage 2 → threshold calibration
/// and fusion tuning on dev → hybrid evaluation → index build → report. By default (<see cref="PipelineOptions.Onnx"/>)
/// the labeler and each trained model are exported to ONNX right after training, parity checked, and every later step
/// runs its inference on the export; training stays on TorchSharp. Every step writes its own folder under the
/// output folder and is skipped when its inputs (content hashes) and options are unchanged, so a rerun after a crash or
/// a changed option redoes only what is needed.
/// </summary>
public sealed class PipelineRunner
{
    private readonly PipelineOptions _o;
    private readonly IAnsiConsole _console;
    private readonly StepRunner _steps;
    private readonly string _out;

    /// <summary>Creates a runner; options are validated here.</summary>
    public PipelineRunner(PipelineOptions options, IAnsiConsole console)
    {
        _o = options.Validate();
        _console = console;
        _out = Path.GetFullPath(options.OutDir);
        _steps = new StepRunner(Path.Combine(_out, "steps"));
    }

    private string Step(string name) => _steps.StepDir(name);

    /// <summary>Runs every step (skipping unchanged ones) and writes the report.</summary>
    public async Task<PipelineResult> RunAsync(CancellationToken ct = default)
    {
        var total = Stopwatch.StartNew();
        var manifest = new RunManifest("pipeline", _o, _o.Seed);
        Directory.CreateDirectory(_out);
        bool quick = _o.Preset == "quick";

        // ---- data ----
        List<string> dataInputs;
        DataSourceOptions dataOptions;
        if (_o.Data is null)
        {
            string dataDir = await _steps.RunAsync("data", [], _o.Sample, dir =>
            {
                Info("generating the sample marketplace");
                SampleMarketplaceGenerator.Generate(_o.Sample).WriteTo(dir);
                return Task.CompletedTask;
            });
            dataOptions = new DataSourceOptions { Format = "jsonl", DataDir = dataDir };
            dataInputs = [dataDir];
        }
        else
        {
            dataOptions = _o.Data;
            dataOptions.RejectedPath ??= Path.Combine(_out, "rejected.jsonl");
            dataInputs = new[] { dataOptions.Products, dataOptions.Judgments, dataOptions.DataDir }.OfType<string>().ToList();
        }
        foreach (var i in dataInputs) manifest.AddInput(i);
        var data = DatasetLoader.Load(dataOptions);
        Info($"data: {data.Products.Count:N0} products, {data.Queries.Count:N0} queries, {data.Judgments.Count:N0} judgments, " +
             $"{data.Engagement.Count:N0} engagement rows" + (data.Report.RowsRejected > 0 ? $", {data.Report.RowsRejected:N0} rows rejected" : ""));
        string? truthPath = _o.Data is null ? Path.Combine(Step("data"), JsonlFormat.TruthFile) : null;

        // ---- split by query ----
        string splitDir = await _steps.RunAsync("split", dataInputs, new
        {
            _o.Seed, _o.TrainFraction, _o.DevFraction,
            // how the input files are read is part of what the split is made from (a renamed column reads other values)
            dataOptions.Format, dataOptions.Columns, dataOptions.SkipBadRows, dataOptions.HomeDepotExactCut, dataOptions.HomeDepotPartialCut,
        }, dir =>
        {
            var s = QuerySplitter.Split(data, _o.Seed, _o.TrainFraction, _o.DevFraction);
            DatasetWriter.WriteJudgments(s.Train, Path.Combine(dir, "train.jsonl"));
            DatasetWriter.WriteJudgments(s.Dev, Path.Combine(dir, "dev.jsonl"));
            DatasetWriter.WriteJudgments(s.Test, Path.Combine(dir, "test.jsonl"));
            Json.WriteFile(Path.Combine(dir, "split.json"), new { train = s.Train.Count, dev = s.Dev.Count, test = s.Test.Count });
            return Task.CompletedTask;
        });
        var train = JsonlFormat.ReadJudgments(Path.Combine(splitDir, "train.jsonl"));
        var dev = JsonlFormat.ReadJudgments(Path.Combine(splitDir, "dev.jsonl"));
        var test = CapQueries(JsonlFormat.ReadJudgments(Path.Combine(splitDir, "test.jsonl")), _o.MaxTestQueries);
        Info($"split: train {train.Count:N0}, dev {dev.Count:N0}, test {test.Count:N0} judgments");

        // ---- labeler ----
        var labelerOptions = LabelerTrainOptions.FromPreset(_o.Preset) with
        {
            BaseModel = _o.IsTiny ? "tiny" : "minilm",
            Seed = _o.Seed,
            MaxSteps = _o.LabelerMaxSteps ?? LabelerTrainOptions.FromPreset(_o.Preset).MaxSteps,
        };
        string labelerStep = await _steps.RunAsync("labeler", [Path.Combine(splitDir, "train.jsonl"), Path.Combine(splitDir, "test.jsonl"), .. dataInputs],
            labelerOptions, async dir =>
            {
                Info("training the cross-encoder labeler");
                // Resume on: continues from the checkpoint of a stopped attempt the step runner kept (else starts fresh).
                var result = Progress("labeler", (IProgress<LabelerTrainProgress> p) =>
                    new CrossEncoderTrainer(labelerOptions with { Resume = true }).Train(RandomNegativePairs.WithHumanPairs(data, train, labelerOptions), dir, p, ct),
                    p => (p.Step, Math.Max(1, p.TotalSteps)));
                if (result.ResumedFromStep is long from) Info($"labeler: resumed from its checkpoint at step {from:N0}");
                Json.WriteFile(Path.Combine(dir, "train-result.json"), result);
                // Held-out quality on the test split (paper §2: accuracy and within-1 accuracy).
                using var labeler = CrossEncoderLabeler.FromFolder(result.LabelerFolder);
                var held = CapPairs(test, _o.MaxLabelerEvalPairs ?? (quick ? 3000 : int.MaxValue));
                var requests = held.Select(j => Request(data, j)).ToList();
                var graded = await labeler.LabelAsync(requests, null, ct);
                var metrics = LabelerMetrics.Compute(held.Select(j => j.Grade).ToList(), graded);
                Json.WriteFile(Path.Combine(dir, "test-metrics.json"), metrics);
                // And on one random catalog product per held-out query: should be graded 0 (what mining and the
                // trainer's judge ask about unjudged items).
                var randomPairs = RandomNegativePairs.SampleProducts(data, held, 1, _o.Seed + 1);
                var randomGraded = await labeler.LabelAsync(
                    randomPairs.Select(r => Request(data, new Judgment(r.QueryId, r.ProductId, Grades.Irrelevant, JudgmentSource.Model))).ToList(), null, ct);
                var randomCheck = RandomNegativePairs.Check(randomGraded.Select(r => r.Grade).ToList());
                Json.WriteFile(Path.Combine(dir, "test-random-pairs.json"), randomCheck);
                Info($"labeler: test accuracy {metrics.Accuracy:P1}, within-1 {metrics.Within1:P1}; random catalog pairs graded 0: " +
                     $"{randomCheck.GradedIrrelevant:P1} of {randomCheck.Pairs:N0}");
            }, resumable: true);
        // With ONNX on, every later use of the labeler (audit, synthetic queries, mining, stage 2's judge) grades on
        // ONNX Runtime through its checked export; the labeler step's own held-out figures above are TorchSharp's.
        string labelerDir = await InferenceLabelerAsync(Path.Combine(labelerStep, CrossEncoderTrainer.LabelerFolderName));
        using var labeler = CrossEncoderLabeler.FromFolder(labelerDir);

        // ---- engagement audit ----
        var auditOptions = new AuditOptions { Seed = _o.Seed };
        bool runAudit = _o.Audit && data.Engagement.Count > 0;
        string auditStep = await _steps.RunAsync("audit", [Path.Combine(splitDir, "train.jsonl"), labelerDir, .. dataInputs],
            new { runAudit, auditOptions }, async dir =>
            {
                IReadOnlyList<Judgment> audited = train;
                if (runAudit)
                {
                    Info("auditing training labels against engagement");
                    var truth = truthPath is not null && File.Exists(truthPath) ? JsonlFormat.ReadJudgments(truthPath) : null;
                    Func<string, string> q = id => data.FindQuery(id)?.Text ?? id;
                    Func<string, string> p = id => data.FindProduct(id) is { } pr ? LabelingText.ItemText(pr) : id;
                    var result = await AuditRunner.RunAsync(train, data.Engagement, q, p, labeler, auditOptions, truth, ct);
                    audited = result.Judgments;
                    Json.WriteFile(Path.Combine(dir, "audit.json"), result.Report);
                    AuditExport.Write(result.Flags, Path.Combine(dir, "flags.csv"));
                }
                DatasetWriter.WriteJudgments(audited, Path.Combine(dir, "train.jsonl"));
            });
        train = JsonlFormat.ReadJudgments(Path.Combine(auditStep, "train.jsonl"));

        // ---- synthetic queries ----
        var synthOptions = new SyntheticQueryOptions { Seed = _o.Seed };
        string synthStep = await _steps.RunAsync("synthetic", [Path.Combine(auditStep, "train.jsonl"), labelerDir, .. dataInputs],
            new { _o.Synthetic, synthOptions.MaxShare, synthOptions.OtherItemsPerQuery, synthOptions.Seed }, async dir =>
            {
                var queries = new List<Query>();
                var judgments = new List<Judgment>();
                if (_o.Synthetic)
                {
                    Info("generating synthetic queries for items without a positive query");
                    var (trainQueries, heldOut) = SyntheticQueryGenerator.SplitQueries(data, train); // no synthetic query repeats a dev or test query
                    var result = await new SyntheticQueryGenerator(synthOptions)
                        .GenerateAndLabelAsync(data.Products, trainQueries, train, labeler, null, ct, heldOut);
                    queries.AddRange(result.Queries);
                    judgments.AddRange(result.Judgments);
                    Json.WriteFile(Path.Combine(dir, "synthetic.json"), result.Report);
                }
                using (var w = new JsonlWriter(Path.Combine(dir, "queries.jsonl")))
                    foreach (var q in queries) w.Write(q);
                DatasetWriter.WriteJudgments(judgments, Path.Combine(dir, "judgments.jsonl"));
            });
        // The synthetic queries join the training split only (the same reader as `train --extra-train`).
        var synth = ExtraTrainingSet.Load(synthStep, data);
        var (trainData, withSynth) = ExtraTrainingSet.AddTo(data, train, [synth]);
        var stage1Train = withSynth.ToList();

        // ---- stage 1 ----
        var s1Options = TrainOptions.Preset(_o.Preset, 1);
        s1Options.Seed = _o.Seed;
        if (_o.Stage1MaxSteps is int s1) s1Options.MaxSteps = s1;
        if (_o.Stage1LexicalNegatives is int lex) s1Options.Instances.LexicalNegatives = lex;
        if (_o.Stage1DenseNegatives is int denseNegatives) s1Options.Instances.DenseNegatives = denseNegatives;
        if (_o.Stage1InBatchNegatives is bool inBatch) s1Options.InBatchNegatives = inBatch;
        if (_o.Stage1TopicClusters is int topics) s1Options.TopicClusters = topics;
        s1Options.SelectMetric = _o.SelectMetricResolved;
        if (_o.IsTiny) { s1Options.EncoderLearningRate = 1e-3; }
        // The head size joins the step's fingerprint only when set, so runs made before the option keep their cache.
        object s1Config = _o.HeadDim is int headDim ? new { s1Options, _o.Model, headDim } : new { s1Options, _o.Model };
        string s1Step = await _steps.RunAsync("stage1", [Path.Combine(auditStep, "train.jsonl"), synthStep, Path.Combine(splitDir, "dev.jsonl"), .. dataInputs],
            s1Config, dir =>
            {
                Info("stage 1: label-aware supervised contrastive training" +
                     (_o.HeadDim is int hd ? $", {hd}-d heads" : "") +
                     (s1Options.Instances.LexicalNegatives > 0 ? $", {s1Options.Instances.LexicalNegatives} lexical negatives per instance" : "") +
                     (s1Options.Instances.DenseNegatives > 0 ? $", {s1Options.Instances.DenseNegatives} dense negatives per instance (from the start model's top {s1Options.Instances.DenseNegativeDepth})" : "") +
                     (s1Options.UsesInBatchNegatives ? ", in-batch negatives" : "") +
                     (s1Options.TopicClusters > 0 ? $", topic-aware batches ({s1Options.TopicClusters} query clusters)" : ""));
                using var model = TrainModelFactory.Create(_o.Model, _o.Seed, _o.HeadDim ?? TrainModelFactory.DefaultHeadDim);
                var r = new SiameseTrainer(model, Resuming(s1Options)).Train(new TrainData(trainData, stage1Train, dev), dir, _console, ct);
                Interrupted("stage 1", r);
                return Task.CompletedTask;
            }, resumable: true);
        string s1Model = Path.Combine(s1Step, "model");
        string s1Inference = await InferenceModelAsync("onnx-stage1", s1Model, "the stage-1 model", "for mining and evaluation");

        // ---- mining with re-labeling ----
        var miningOptions = new MiningOptions
        {
            K = quick ? 60 : 150,
            MaxQueries = _o.MiningMaxQueries ?? (quick ? 300 : null),
            MaxLabelsPerQuery = quick ? 24 : null,
            Seed = _o.Seed,
        };
        string mineStep = await _steps.RunAsync("mine", [s1Inference, labelerDir, Path.Combine(auditStep, "train.jsonl"), synthStep, .. dataInputs],
            miningOptions, async dir =>
            {
                // Its own labeler instance with a persistent cache in the step folder, written batch by batch: a stopped
                // or crashed mining step keeps the grades it computed and, run again, grades only the rest.
                using var mineLabeler = CrossEncoderLabeler.FromFolder(labelerDir,
                    new CrossEncoderLabelerOptions { CachePath = Path.Combine(dir, "labeler-cache.jsonl") });
                Info($"mining: top {miningOptions.K} per training query, re-labeling unjudged pairs" +
                     (mineLabeler.CachedPairs > 0 ? $" ({mineLabeler.CachedPairs:N0} pairs graded before the last stop are reused)" : ""));
                using var embedder = EmbedderFactory.Open(s1Inference);
                using var dense = DenseRetrieverFor(embedder, data.Products);
                var miner = new HardSampleMiner(miningOptions);
                var result = await miner.MineAsync(trainData, stage1Train, dense, mineLabeler, p => LabelingText.ItemText(p), null, ct);
                HardSampleMiner.Write(result, dir);
                Info($"mined {result.Stats.HardNegatives:N0} hard negatives, {result.Stats.HardPositives:N0} hard positives; " +
                     $"{result.Stats.NewlyLabeledByGrade.Sum():N0} pairs newly labeled, {result.Stats.FalseNegativesAvoided:N0} false negatives avoided");
            }, resumable: true);

        // ---- stage 2 ----
        var s2Options = TrainOptions.Preset(_o.Preset, 2);
        s2Options.Seed = _o.Seed;
        if (_o.Stage2MaxSteps is int s2) s2Options.MaxSteps = s2;
        s2Options.SelectMetric = _o.SelectMetricResolved;
        if (_o.IsTiny) { s2Options.EncoderLearningRate = 5e-4; }
        string s2Step = await _steps.RunAsync("stage2", [s1Model, mineStep, labelerDir, Path.Combine(splitDir, "dev.jsonl"), .. dataInputs],
            new { s2Options, judgeNegatives = _o.JudgeTrainingNegatives }, dir =>
            {
                Info("stage 2: multi-class circle loss on original ∪ mined pairs" +
                     (_o.JudgeTrainingNegatives ? $", assumed negatives graded by the labeler (fill; top {s2Options.JudgedRandomNegatives} random per instance)" : ""));
                var mined = HardSampleMiner.ReadMinedAsJudgments(Path.Combine(mineStep, "mined.jsonl"));
                var (union, _, _, _) = SiameseTrainer.UnionMined(stage1Train, mined);
                using var model = TrainModelFactory.Create(s1Model, _o.Seed);
                var judge = _o.JudgeTrainingNegatives ? new AssumedNegativeJudge(labeler) : null;
                var r = new SiameseTrainer(model, Resuming(s2Options), judge).Train(new TrainData(trainData, union, dev), dir, _console, ct);
                Interrupted("stage 2", r);
                return Task.CompletedTask;
            }, resumable: true);
        string s2Model = Path.Combine(s2Step, "model");
        string s2Inference = await InferenceModelAsync("onnx-stage2", s2Model, "the stage-2 model", "for evaluation and calibration");

        // ---- evaluation of the single retrievers on the test split ----
        bool zeroShot = _o.ZeroShotBaseline ?? !_o.IsTiny;
        var evalConfig = new { zeroShot, _o.MaxTestQueries };
        string zeroShotModel = zeroShot ? await InferenceModelAsync("onnx-zero-shot", _o.Model, $"the pretrained {_o.Model}", "for the zero-shot baseline") : _o.Model;
        // A pretrained name, or its ONNX export's folder (then its contents are an input).
        string[] zeroShotInput = Directory.Exists(zeroShotModel) ? [zeroShotModel] : [];
        string evalStep = await _steps.RunAsync("evaluate", [s1Inference, s2Inference, .. zeroShotInput, Path.Combine(splitDir, "test.jsonl"), .. dataInputs],
            evalConfig, dir =>
            {
                var evaluator = new RetrievalEvaluator();
                using (var bm25 = Bm25(data))
                    Save(dir, "bm25", evaluator.Evaluate("bm25", bm25, data, test), null);
                if (zeroShot) EvaluateDense(dir, _o.ZeroShotName, zeroShotModel, data, test, evaluator);
                EvaluateDense(dir, "stage 1", s1Inference, data, test, evaluator);
                EvaluateDense(dir, "stage 2", s2Inference, data, test, evaluator);
                return Task.CompletedTask;
            });

        // ---- calibration (thresholds + fusion) on dev, final model folder ----
        string modelDir = Path.Combine(_out, "model");
        string calStep = await _steps.RunAsync("calibrate", [s2Inference, Path.Combine(splitDir, "dev.jsonl"), .. dataInputs], null, dir =>
        {
            Info("calibrating grade thresholds and fusion weights on the dev split");
            using var embedder = EmbedderFactory.Open(s2Inference);
            using var dense = DenseRetrieverFor(embedder, data.Products);
            var devPairs = dev.Where(j => data.FindProduct(j.ProductId) is not null).ToList();
            var scores = dense.ScorePairs(devPairs.Select(j => (data.FindQuery(j.QueryId)!.Text, j.ProductId)).ToList());
            var calibration = ThresholdCalibrator.Calibrate(scores.Select((s, i) => (s, devPairs[i].Grade)).ToList());
            calibration.Thresholds.Save(Path.Combine(dir, SearchIndex.ThresholdsFile));
            Json.WriteFile(Path.Combine(dir, "calibration.json"), calibration);
            using var bm25 = Bm25(data);
            var evaluator = new RetrievalEvaluator();
            var tuning = FusionTuner.Tune(dense, bm25,
                r => evaluator.Evaluate("fusion-trial", r, data, dev).Metrics["ndcg@10"] ?? 0,
                thresholds: calibration.Thresholds);
            tuning.Best.Save(Path.Combine(dir, SearchIndex.FusionFile));
            Json.WriteFile(Path.Combine(dir, "fusion-tuning.json"), tuning);
            return Task.CompletedTask;
        });
        if (Directory.Exists(modelDir)) Directory.Delete(modelDir, true);
        FolderCopy.Copy(s2Model, modelDir);
        File.Copy(Path.Combine(calStep, SearchIndex.ThresholdsFile), Path.Combine(modelDir, SearchIndex.ThresholdsFile), true);
        File.Copy(Path.Combine(calStep, SearchIndex.FusionFile), Path.Combine(modelDir, SearchIndex.FusionFile), true);

        // ---- ONNX export of the final model (default; --no-onnx skips it): the hybrid is evaluated on it and the index
        // serves it, so the service encodes queries on ONNX Runtime ----
        string servedModel = modelDir;
        string? exportStep = null;
        if (_o.Onnx)
        {
            servedModel = await InferenceModelAsync("export-onnx", modelDir, "the final model", "for the hybrid evaluation and the served index",
                SearchIndex.CalibrationFiles(modelDir));
            exportStep = Step("export-onnx");
        }

        // ---- hybrid evaluation with the tuned fusion ----
        string hybridStep = await _steps.RunAsync("evaluate-hybrid", [servedModel, Path.Combine(splitDir, "test.jsonl"), .. dataInputs],
            evalConfig, dir =>
            {
                using var hybrid = OpenHybrid(servedModel, data);
                Save(dir, "hybrid", new RetrievalEvaluator().Evaluate("hybrid (stage 2 + bm25)", hybrid, data, test), null);
                return Task.CompletedTask;
            });

        // ---- sample only: the same systems against the complete truth (no "unjudged = irrelevant" bias) ----
        string? completeTruthPath = _o.Data is null ? Path.Combine(Step("data"), JsonlFormat.CompleteTruthFile) : null;
        string? completeStep = null;
        if (completeTruthPath is not null && File.Exists(completeTruthPath))
        {
            completeStep = await _steps.RunAsync("evaluate-complete", [s1Inference, s2Inference, servedModel, .. zeroShotInput, completeTruthPath, Path.Combine(splitDir, "test.jsonl"), .. dataInputs],
                evalConfig, dir =>
                {
                    var testQueries = test.Select(j => j.QueryId).ToHashSet(StringComparer.Ordinal);
                    var qrels = JsonlFormat.ReadJudgments(completeTruthPath).Where(j => testQueries.Contains(j.QueryId)).ToList();
                    Info($"evaluating against the complete truth: {qrels.Count:N0} graded pairs of {testQueries.Count:N0} test queries");
                    var ranking = new RetrievalEvaluator(new EvaluationOptions { ComputeSeparation = false });
                    using (var bm25 = Bm25(data))
                        Save(dir, "bm25", ranking.Evaluate("bm25", bm25, data, qrels), null);
                    var dense = new List<(string, string)> { ("stage 1", s1Inference), ("stage 2", s2Inference) };
                    if (zeroShot) dense.Insert(0, (_o.ZeroShotName, zeroShotModel));
                    foreach (var (system, model) in dense)
                    {
                        using var embedder = EmbedderFactory.Open(model);
                        using var retriever = DenseRetrieverFor(embedder, data.Products);
                        Save(dir, system, ranking.Evaluate(system, retriever, data, qrels), null);
                    }
                    using (var hybrid = OpenHybrid(servedModel, data))
                        Save(dir, "hybrid", ranking.Evaluate("hybrid (stage 2 + bm25)", hybrid, data, qrels), null);
                    return Task.CompletedTask;
                });
        }

        // ---- index for serving ----
        string indexDir = await _steps.RunAsync("index", [servedModel, .. dataInputs], null, dir =>
        {
            Info("building the search index" + (_o.Onnx ? " from the ONNX export" : ""));
            SearchIndex.Build(servedModel, data.Products, dir, new SearchIndexOptions { SharedEmbeddingCache = EmbeddingCacheDir });
            return Task.CompletedTask;
        }, Path.Combine(_out, "index"));

        // ---- report ----
        var systems = ReadSystems(evalStep).Concat(ReadSystems(hybridStep)).ToList();
        manifest.Notes["steps"] = _steps.Steps;
        manifest.AddOutput(modelDir);
        manifest.AddOutput(indexDir);
        manifest.Complete();
        manifest.WriteTo(_out);
        var complete = completeStep is null ? null : ReadSystems(completeStep).ToList();
        string reportHtml = WriteReport(data, systems, complete, evalStep, labelerStep, auditStep, synthStep, mineStep, calStep, s1Step, s2Step, exportStep);
        Info($"pipeline finished in {total.Elapsed.TotalMinutes:0.0} min; report: {reportHtml}");
        return new PipelineResult(_out, modelDir, indexDir, reportHtml, _steps.Steps, systems);
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>The steps that write an ONNX copy for the pipeline's own inference, in pipeline order.</summary>
    private static readonly string[] InferenceExportSteps = ["onnx-labeler", "onnx-stage1", "onnx-stage2", "onnx-zero-shot"];

    /// <summary>With ONNX on (the default), step <paramref name="step"/> exports <paramref name="model"/> (a model folder
    /// or a pretrained name) with <see cref="OnnxExportCheck.ExportAndCheck"/> to <c>&lt;step&gt;/model</c>, fails when ONNX
    /// Runtime does not reproduce it, and returns that folder: the pipeline's own inference (mining, evaluation,
    /// calibration, the hybrid) then encodes on ONNX Runtime, about twice TorchSharp's speed on this machine
    /// (bench/results/onnx-export.md), with the same embeddings to about 1e-7. With <c>--no-onnx</c> it returns
    /// <paramref name="model"/> itself. <paramref name="companions"/> are copied into the export (calibration files).</summary>
    private async Task<string> InferenceModelAsync(string step, string model, string what, string purpose, IEnumerable<string>? companions = null)
    {
        if (!_o.Onnx) return model;
        var pretrained = PretrainedModels.Find(model);
        string dir = await _steps.RunAsync(step, pretrained is null ? [model] : [], pretrained is null ? null : new { pretrained = pretrained.Name }, d =>
        {
            Info($"ONNX export of {what}, {purpose}");
            using var torch = pretrained is null ? SiameseEmbedder.FromFolder(model) : SiameseEmbedder.Pretrained(pretrained);
            var parity = OnnxExportCheck.ExportAndCheck(torch, Path.Combine(d, "model"), companions);
            RecordParity(d, parity, parity.Passed, parity.Tolerance, what,
                $"{parity.Texts} probe texts: max |Δ| query {parity.QueryMaxAbsDiff:0.##E+0}, item {parity.ItemMaxAbsDiff:0.##E+0}");
            return Task.CompletedTask;
        });
        return Path.Combine(dir, "model");
    }

    /// <summary>The labeler counterpart of <see cref="InferenceModelAsync"/>: step <c>onnx-labeler</c> writes the labeler
    /// folder again with its cross-encoder as <c>model.onnx</c> (<see cref="OnnxExportCheck.ExportLabelerAndCheck"/>,
    /// probabilities checked) and returns it, so <see cref="CrossEncoderLabeler.FromFolder"/> grades on ONNX Runtime.
    /// With <c>--no-onnx</c> it returns <paramref name="labelerDir"/>.</summary>
    private async Task<string> InferenceLabelerAsync(string labelerDir)
    {
        if (!_o.Onnx) return labelerDir;
        string dir = await _steps.RunAsync("onnx-labeler", [labelerDir], null, d =>
        {
            Info("ONNX export of the labeler, for grading");
            using var package = CrossEncoderPackage.Load(labelerDir);
            var parity = OnnxExportCheck.ExportLabelerAndCheck(package, Path.Combine(d, CrossEncoderTrainer.LabelerFolderName));
            RecordParity(d, parity, parity.Passed, parity.Tolerance, "the labeler",
                $"{parity.Pairs} probe pairs: max |Δ| probability {parity.MaxAbsDiff:0.##E+0}");
            return Task.CompletedTask;
        });
        return Path.Combine(dir, CrossEncoderTrainer.LabelerFolderName);
    }

    /// <summary>Writes an export step's parity check to <c>export.json</c> (read by the report), says it, and fails the
    /// step when the export does not reproduce its source within <paramref name="tolerance"/>.</summary>
    private void RecordParity(string stepDir, object parity, bool passed, double tolerance, string what, string measured)
    {
        string path = Path.Combine(stepDir, "export.json");
        Json.WriteFile(path, parity);
        Info($"ONNX parity on {measured}");
        if (!passed)
            throw new InvalidOperationException($"The ONNX export of {what} does not reproduce it within {tolerance:0.##E+0} " +
                                                $"({path}); run with --no-onnx to stay on TorchSharp.");
    }

    /// <summary>The options of a resumable training step with resume on (set here, after the step's fingerprint was
    /// taken, so it does not change the fingerprint): the trainer continues from the checkpoint of an attempt that
    /// stopped or crashed, or starts fresh in an empty folder.</summary>
    private static TrainOptions Resuming(TrainOptions o) { o.Resume = true; return o; }

    /// <summary>Says where a training step resumed and throws when it was stopped (its checkpoint stays for the next
    /// run of the same command).</summary>
    private void Interrupted(string stage, TrainResult r)
    {
        if (r.ResumedFromStep > 0) Info($"{stage}: resumed from its checkpoint at step {r.ResumedFromStep:N0}");
        if (r.Interrupted)
            throw new StepInterruptedException($"{stage} was interrupted at step {r.StepsDone:N0}; its checkpoint is kept: run the same command again to continue.");
    }

    private void Info(string message) => _console.MarkupLine("[grey]pipeline:[/] " + Markup.Escape(message));

    private T Progress<T, TP>(string name, Func<IProgress<TP>, T> work, Func<TP, (long Done, long Total)> read)
    {
        T result = default!;
        _console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(name, maxValue: 1);
                result = work(new SyncProgress<TP>(p =>
                {
                    var (done, total) = read(p);
                    task.MaxValue = Math.Max(1, total);
                    task.Value = Math.Min(done, task.MaxValue);
                }));
                task.Value = task.MaxValue;
            });
        return result;
    }

    private static LabelRequest Request(Dataset data, Judgment j) =>
        new(j.QueryId, data.FindQuery(j.QueryId)?.Text ?? j.QueryId, j.ProductId,
            data.FindProduct(j.ProductId) is { } p ? LabelingText.ItemText(p) : j.ProductId);

    private static List<Judgment> CapPairs(IReadOnlyList<Judgment> judgments, int max) =>
        judgments.Count <= max ? judgments.ToList()
            : judgments.OrderBy(j => QuerySplitter.UnitHash(j.QueryId + "\u0001" + j.ProductId, 7)).Take(max).ToList();

    private IReadOnlyList<Judgment> CapQueries(IReadOnlyList<Judgment> judgments, int? max)
    {
        if (max is not int m) return judgments;
        var keep = judgments.Select(j => j.QueryId).Distinct().OrderBy(q => QuerySplitter.UnitHash(q, _o.Seed)).Take(m).ToHashSet();
        return judgments.Where(j => keep.Contains(j.QueryId)).ToList();
    }

    private string EmbeddingCacheDir => Path.Combine(_out, "cache", "embeddings");

    private DenseRetriever DenseRetrieverFor(ITwoTowerEmbedder embedder, IReadOnlyList<Product> products) =>
        new(embedder, products.Select(p => p.Id).ToList(), embedder.ItemFormatter.Format(products),
            new DenseRetrieverOptions { CacheFolder = EmbeddingCacheDir, Warn = Info });

    private Bm25Retriever Bm25(Dataset data) =>
        new(data.Products, new Bm25Options { IndexFolder = Path.Combine(_out, "cache", "bm25-index") });

    private HybridRetriever OpenHybrid(string modelDir, Dataset data)
    {
        var embedder = EmbedderFactory.Open(modelDir);
        var dense = new OwningRetriever(DenseRetrieverFor(embedder, data.Products), embedder);
        return new HybridRetriever(dense, Bm25(data), FusionOptions.Load(Path.Combine(modelDir, SearchIndex.FusionFile)),
            GradeThresholds.Load(Path.Combine(modelDir, SearchIndex.ThresholdsFile)), ownsInner: true);
    }

    private void EvaluateDense(string dir, string system, string model, Dataset data, IReadOnlyList<Judgment> test,
        RetrievalEvaluator evaluator)
    {
        Info($"evaluating {system}");
        using var embedder = EmbedderFactory.Open(model);
        using var dense = DenseRetrieverFor(embedder, data.Products);
        var result = evaluator.Evaluate(system, dense, data, test);
        // Raw per-grade scores of the judged test pairs, for the distribution plots.
        var judged = test.Where(j => data.FindProduct(j.ProductId) is not null).ToList();
        var scores = dense.ScorePairs(judged.Select(j => (data.FindQuery(j.QueryId)!.Text, j.ProductId)).ToList());
        var byGrade = Enumerable.Range(0, 3).Select(g => judged.Select((j, i) => (j, i)).Where(x => x.j.Grade == g)
            .Select(x => scores[x.i]).ToArray()).ToArray();
        Save(dir, system, result, byGrade);
    }

    private static string Slug(string system) => new(system.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());

    private static void Save(string dir, string system, EvaluationResult result, float[][]? scoresByGrade)
    {
        string sub = Path.Combine(dir, Slug(system));
        result.WriteTo(sub);
        if (scoresByGrade is not null) Json.WriteFile(Path.Combine(sub, "scores-by-grade.json"), scoresByGrade);
    }

    private static IEnumerable<SystemMetrics> ReadSystems(string dir)
    {
        var found = new List<(DateTime, SystemMetrics)>();
        foreach (var sub in Directory.EnumerateDirectories(dir))
        {
            string path = Path.Combine(sub, EvaluationResult.MetricsFile);
            if (!File.Exists(path)) continue;
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            static Dictionary<string, double> Numbers(JsonElement e) => e.ValueKind != JsonValueKind.Object ? new()
                : e.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number)
                    .ToDictionary(p => p.Name, p => p.Value.GetDouble());
            var sep = root.TryGetProperty("separation", out var s) && s.ValueKind == JsonValueKind.Object ? Numbers(s) : null;
            found.Add((File.GetLastWriteTimeUtc(path),
                new SystemMetrics(root.GetProperty("system").GetString()!, Numbers(root.GetProperty("metrics")), sep)));
        }
        return found.OrderBy(f => f.Item1).Select(f => f.Item2);
    }

    private static float[][]? ReadScores(string evalStep, string system)
    {
        string path = Path.Combine(evalStep, Slug(system), "scores-by-grade.json");
        return File.Exists(path) ? Json.ReadFile<float[][]>(path) : null;
    }

    /// <summary>Queries listed each way, and hits shown per system, in the report's comparison of BM25 and stage 2.</summary>
    private const int DifferenceQueries = 5, DifferenceDepth = 5;

    /// <summary>The test queries where <paramref name="systemB"/> differs most from <paramref name="systemA"/> on NDCG@10,
    /// with both systems' top hits and titles, from the evaluation step's folders; null when either is missing.</summary>
    private static QueryDifferences? QueriesThatDiffer(string evalStep, string systemA, string systemB, Dataset data)
    {
        string a = Path.Combine(evalStep, Slug(systemA)), b = Path.Combine(evalStep, Slug(systemB));
        if (!new[] { a, b }.All(d => File.Exists(Path.Combine(d, EvaluationResult.PerQueryFile)) && File.Exists(Path.Combine(d, EvaluationResult.RunFile))))
            return null;
        var d = QueryDifferences.Largest(PerQueryFile.Read(Path.Combine(a, EvaluationResult.PerQueryFile)),
            PerQueryFile.Read(Path.Combine(b, EvaluationResult.PerQueryFile)), "ndcg@10", DifferenceQueries);
        d.AttachHitsFrom(a, b, DifferenceDepth, id => data.FindProduct(id)?.Title);
        return d;
    }

    /// <summary>Rows of the report's judged-only table: judged@10, plain and condensed NDCG per system (cells "–" when a
    /// value is missing); empty when no system has the judged-only metrics.</summary>
    internal static List<string[]> JudgedOnlyRows(IReadOnlyList<SystemMetrics> systems)
    {
        static string Cell(IReadOnlyDictionary<string, double> m, string key) =>
            m.TryGetValue(key, out var v) && !double.IsNaN(v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "–";
        return systems.Where(s => s.Metrics.ContainsKey("judged@10"))
            .Select(s => new[] { s.Name, Cell(s.Metrics, "judged@10"), Cell(s.Metrics, "ndcg@10"), Cell(s.Metrics, "ndcg_judged@10"),
                Cell(s.Metrics, "ndcg_judged@100") })
            .ToList();
    }

    private static JsonElement? ReadJson(string path) =>
        File.Exists(path) ? JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone() : null;

    private string WriteReport(Dataset data, List<SystemMetrics> systems, List<SystemMetrics>? complete, string evalStep, string labelerStep, string auditStep,
        string synthStep, string mineStep, string calStep, string s1Step, string s2Step, string? exportStep)
    {
        var report = new ReportBuilder("MineRefine pipeline report");
        report.AddMetrics("Retrieval on the test split (held-out queries)", systems, systems.FirstOrDefault()?.Name);
        if (complete is { Count: > 0 })
            report.AddMetrics("Same test queries against the complete truth (sample only: every relevant product graded, " +
                              "so retrieving a relevant product nobody judged is no longer counted as a miss)",
                complete, complete[0].Name);
        if (JudgedOnlyRows(systems) is { Count: > 0 } judgedRows)
            report.AddTable("Judged-only view of the test split (how much of each system's top is judged, and NDCG over the judged items alone)",
                ["system", "judged@10", "ndcg@10", "ndcg_judged@10", "ndcg_judged@100"], judgedRows,
                "Plain NDCG counts every retrieved product nobody judged as irrelevant; where judgments are incomplete, a system " +
                "with a lower judged@10 is graded on more guesses. ndcg_judged (condensed-list NDCG, Sakai 2007) drops the " +
                "unjudged products from each ranking first, so it measures how each system orders the judged products only. " +
                "Read the two together: neither alone decides which system is better when judged@10 differs much.");
        string plots = Path.Combine(_out, "plots");
        foreach (var (system, file) in new[] { ("stage 1", "stage1.png"), ("stage 2", "stage2.png"), (_o.ZeroShotName, "zero-shot.png") })
            if (ReadScores(evalStep, system) is { } s)
                report.AddScorePlot($"Score distribution per grade: {system}", s.Select(a => (IReadOnlyList<float>)a).ToArray(),
                    Path.Combine(plots, file));
        if (QueriesThatDiffer(evalStep, "bm25", "stage 2", data) is { } differ)
        {
            var (header, rows) = QueryDifferenceTable.PlainRows(differ, "bm25", "stage 2");
            report.AddTable($"Test queries where stage 2 differs most from BM25 ({differ.Metric}), with both top {DifferenceDepth}", header, rows,
                $"The {DifferenceQueries} largest losses and gains of {differ.Compared} compared queries. Each hit: its judged grade " +
                "(2, 1, 0; · = never judged, which plain NDCG counts as 0), title and id. Every query's values: " +
                "steps/evaluate/*/per_query.csv; the same view for any two eval folders: minerefine compare A B --show N.");
        }
        if (ReadJson(Path.Combine(labelerStep, "test-metrics.json")) is { } lm)
        {
            var randomPairs = ReadJson(Path.Combine(labelerStep, "test-random-pairs.json"));
            report.AddSection("Labeler on held-out judgments", new
            {
                pairs = lm.GetProperty("n").GetInt32(),
                accuracy = lm.GetProperty("accuracy").GetDouble(),
                within1 = lm.GetProperty("within1").GetDouble(),
                macro_f1 = lm.GetProperty("macro_f1").GetDouble(),
                ece = lm.GetProperty("ece").GetDouble(),
                random_catalog_pairs = randomPairs?.GetProperty("pairs").GetInt32(),
                random_catalog_pairs_graded_0 = randomPairs?.GetProperty("graded_irrelevant") is { ValueKind: JsonValueKind.Number } g0 ? g0.GetDouble() : (double?)null,
            });
            var cm = lm.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray();
            report.AddConfusion("Labeler confusion matrix (rows: human grade, columns: labeler grade)", cm);
        }
        report.AddSection("Engagement audit", ReadJson(Path.Combine(auditStep, "audit.json")));
        report.AddSection("Synthetic queries", ReadJson(Path.Combine(synthStep, "synthetic.json")));
        report.AddSection("Mining", ReadJson(Path.Combine(mineStep, "mining.json")));
        report.AddSection("Thresholds (calibrated on dev)", ReadJson(Path.Combine(calStep, SearchIndex.ThresholdsFile)));
        report.AddSection("Fusion (tuned on dev)", ReadJson(Path.Combine(calStep, SearchIndex.FusionFile)));
        report.AddSection("Stage 1 training", ReadJson(Path.Combine(s1Step, "train_summary.json")));
        report.AddSection("Stage 2 training", ReadJson(Path.Combine(s2Step, "train_summary.json")));
        if (exportStep is not null)
        {
            report.AddSection("Served model: ONNX export (TorchSharp vs ONNX Runtime on the probe texts)", ReadJson(Path.Combine(exportStep, "export.json")));
            // The exports the pipeline's own inference ran on (labeler grading, mining, evaluation, calibration).
            var inference = InferenceExportSteps.Select(name => (name, json: ReadJson(Path.Combine(Step(name), "export.json"))))
                .Where(x => x.json is not null).ToDictionary(x => x.name, x => x.json);
            if (inference.Count > 0)
                report.AddSection("Inference on ONNX Runtime: the exports the labeler, mining, evaluation and calibration used, each checked against TorchSharp", inference);
        }
        report.AddSection("Timings (seconds per step; skipped = unchanged since the last run)",
            _steps.Steps.ToDictionary(s => s.Name, s => s.Skipped ? $"{s.Seconds:0.0} (skipped)" : $"{s.Seconds:0.0}"));
        report.AddSection("Run manifest", ReadJson(Path.Combine(_out, RunManifest.FileName)));
        report.WriteTo(_out);
        return Path.Combine(_out, "report.html");
    }
}
