using System.Diagnostics;
using System.Text.Json;
using MineRefine.Data;
using MineRefine.Modeling;
using MineRefine.Text.Tokenization;
using MineRefine.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MineRefine.Labeling.CrossEncoder;

/// <summary>
/// Fine-tunes a <see cref="CrossEncoderModel"/> on human-graded pairs (paper §2): class-weighted, label-smoothed
/// cross-entropy (<see cref="GradeCrossEntropy"/>), AdamW (backbone and head learning rates), linear warm-up then
/// linear decay, gradient-norm clipping. Batches are shuffled with <see cref="SerializableRandom"/> and grouped by
/// length inside windows of 50 batches (less padding); torch is re-seeded every step
/// (<see cref="TorchSeeding.ForStep"/>), every step runs in a dispose scope. Dev accuracy (by-query split; over the
/// human dev pairs and the dev queries' random grade-0 pairs together, see <see cref="RandomNegativePairs"/>) picks
/// the best weights and drives early stopping. Output folder: <c>labeler/</c> (best weights), <c>checkpoints/</c>
/// (model + optimizer + step + RNG; <see cref="LabelerTrainOptions.Resume"/>), <c>metrics.jsonl</c>,
/// <c>dev-metrics.json</c>.
/// </summary>
public sealed class CrossEncoderTrainer
{
    /// <summary>Name of the labeler folder inside the output folder.</summary>
    public const string LabelerFolderName = "labeler";
    private const int BucketWindowBatches = 50;

    /// <summary>Creates a trainer (options are validated).</summary>
    public CrossEncoderTrainer(LabelerTrainOptions options) => Options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();

    /// <summary>The options.</summary>
    public LabelerTrainOptions Options { get; }

    /// <summary>Holds out <see cref="LabelerTrainOptions.DevFraction"/> of the queries of <paramref name="pairs"/> as
    /// dev (<see cref="SplitDev"/>, seed = <see cref="LabelerTrainOptions.Seed"/>) and trains on the rest.</summary>
    public LabelerTrainResult Train(IReadOnlyList<LabeledPair> pairs, string outDir,
        IProgress<LabelerTrainProgress>? progress = null, CancellationToken ct = default)
    {
        var (train, dev) = SplitDev(pairs, Options.DevFraction, Options.Seed);
        return Train(train, dev, outDir, progress, ct);
    }

    /// <summary>Splits pairs by query key into (train, dev): a query is dev when
    /// <see cref="QuerySplitter.UnitHash"/>("labeler-dev" + key, seed) &lt; <paramref name="devFraction"/>. The key is
    /// salted because the pairs are usually the train part of a <see cref="QuerySplitter"/> split made with the same
    /// seed: the unsalted hash of every such query lies below the train fraction, so a dev bucket cut from the same
    /// hash would be empty.</summary>
    public static (IReadOnlyList<LabeledPair> Train, IReadOnlyList<LabeledPair> Dev) SplitDev(IReadOnlyList<LabeledPair> pairs, double devFraction, int seed)
    {
        if (devFraction <= 0) return (pairs, Array.Empty<LabeledPair>());
        var train = new List<LabeledPair>();
        var dev = new List<LabeledPair>();
        foreach (var p in pairs)
            (QuerySplitter.UnitHash("labeler-dev\u0001" + p.QueryKey, seed) < devFraction ? dev : train).Add(p);
        return (train, dev);
    }

    /// <summary>Trains on <paramref name="train"/>, evaluating on <paramref name="dev"/> (may be empty: then the last
    /// weights are kept). The model starts from <paramref name="initial"/> when given (the trainer takes ownership),
    /// else from <see cref="LabelerTrainOptions.BaseModel"/>.</summary>
    public LabelerTrainResult Train(IReadOnlyList<LabeledPair> train, IReadOnlyList<LabeledPair> dev, string outDir,
        IProgress<LabelerTrainProgress>? progress = null, CancellationToken ct = default, CrossEncoderPackage? initial = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(dev);
        ArgumentException.ThrowIfNullOrEmpty(outDir);
        var o = Options;
        foreach (var p in train.Concat(dev))
            if (!Grades.IsValid(p.Grade)) throw new ArgumentException($"Pair ('{p.QueryText}', '{p.ItemText}') has grade {p.Grade}; grades are 0, 1, 2.");
        // Random grade-0 pairs (RandomNegativePairs) train like any pair; on dev they are scored apart, so the reported
        // dev accuracy stays a figure on human judgments (selection uses both, see Evaluate).
        var devRandom = Subset(dev.Where(p => p.RandomNegative).ToList(), o.MaxDevPairs > 0 ? Math.Max(1, o.MaxDevPairs / 4) : 0, o.Seed, "dev-random-subset");
        dev = dev.Where(p => !p.RandomNegative).ToList();
        train = Subset(train, o.MaxTrainPairs, o.Seed, "train-subset");
        dev = Subset(dev, o.MaxDevPairs, o.Seed, "dev-subset");
        if (train.Count == 0) throw new ArgumentException("No training pairs: the judgments file is empty or every query went to dev.");
        Directory.CreateDirectory(outDir);

        using var package = initial ?? (o.BaseModel == "tiny"
            ? CrossEncoderPackage.CreateTiny(o.Seed, Math.Min(o.MaxPairLength, TransformerConfig.Tiny(1).MaxSequenceLength))
            : CrossEncoderPackage.CreateMiniLm(o.Seed, o.MaxPairLength, o.Pooling, o.HeadDropout, o.ItemTextLevels));
        var model = package.Model;
        var trainRows = train.Select(p => package.Encode(p.QueryText, p.ItemText)).ToArray();
        var devRows = dev.Select(p => package.Encode(p.QueryText, p.ItemText)).ToArray();
        var devRandomRows = devRandom.Select(p => package.Encode(p.QueryText, p.ItemText)).ToArray();
        var trainTargets = train.Select(p => p.Grade).ToArray();

        // ---- parameters and optimizer
        if (o.FreezeEmbeddings)
            foreach (var (name, p) in model.named_parameters())
                if (name.StartsWith("bert.embeddings.", StringComparison.Ordinal) && name.EndsWith("_embeddings.weight", StringComparison.Ordinal))
                    p.requires_grad = false;
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        var backbone = trainable.Where(p => !p.name.StartsWith("classifier.", StringComparison.Ordinal)).Select(p => p.parameter).ToList();
        var head = trainable.Where(p => p.name.StartsWith("classifier.", StringComparison.Ordinal)).Select(p => p.parameter).ToList();
        var groups = new List<AdamW.ParamGroup>
        {
            new(backbone, lr: o.LearningRate, weight_decay: o.WeightDecay),
            new(head, lr: o.HeadLearningRate, weight_decay: o.WeightDecay),
        };
        using var optimizer = new ScalarSafeAdamW(groups, lr: o.LearningRate, weightDecay: o.WeightDecay); // TorchSharp's AdamW, race-free scalars
        var baseLrs = new[] { o.LearningRate, o.HeadLearningRate };

        int batchesPerEpoch = (trainRows.Length + o.BatchSize - 1) / o.BatchSize;
        long totalSteps = (long)batchesPerEpoch * o.Epochs;
        if (o.MaxSteps > 0) totalSteps = Math.Min(totalSteps, o.MaxSteps);
        var schedule = new LearningRateSchedule((int)Math.Round(o.WarmupFraction * totalSteps), (int)totalSteps);
        using var weights = tensor(GradeCrossEntropy.Weights(trainTargets, CrossEncoderConfig.NumClasses, o.ClassWeights));

        // ---- state (resumable)
        var rng = new SerializableRandom(o.Seed, "shuffle");
        long step = 0;
        int epoch = 0;
        double bestAcc = double.NegativeInfinity;
        long bestStep = -1;
        int evalsWithoutImprovement = 0;
        LabelerMetricsResult? bestDev = null;
        RandomPairCheck? bestDevRandom = null;
        long? resumedFrom = null;
        string fingerprint = Fingerprint(o, train.Count, dev.Count, devRandom.Count);
        var store = new CheckpointStore(Path.Combine(outDir, "checkpoints"), keepLast: 2);
        string metricsPath = Path.Combine(outDir, "metrics.jsonl");
        string labelerDir = Path.Combine(outDir, LabelerFolderName);
        string rngAtEpochStart = rng.SaveState();
        if (o.Resume && store.TryLoadLatest() is { } ck)
        {
            var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(Path.Combine(ck.Directory, "trainer.json")))
                        ?? throw new InvalidDataException($"{ck.Directory}/trainer.json: empty.");
            if (state.Fingerprint != fingerprint)
                throw new ArgumentException($"Cannot resume from {ck.Directory}: it was made with different options or data ({state.Fingerprint} vs {fingerprint}). Use a new --out folder or the same options.");
            var ckWeights = Path.Combine(ck.Directory, CrossEncoderPackage.WeightsFile);
            WeightLoading.Load(model, Safetensors.Read(ckWeights), ckWeights);
            optimizer.load_state_dict(Path.Combine(ck.Directory, "optimizer.bin"));
            step = state.Step; epoch = state.Epoch; rngAtEpochStart = state.RngAtEpochStart;
            bestAcc = state.BestDevAccuracy ?? double.NegativeInfinity; bestStep = state.BestStep;
            evalsWithoutImprovement = state.EvalsWithoutImprovement;
            bestDev = state.BestDev;
            bestDevRandom = state.BestDevRandom;
            resumedFrom = step;
            MetricsLog.TruncateAfterStep(metricsPath, step);
        }
        else if (File.Exists(metricsPath)) File.Delete(metricsPath);
        using var metrics = new MetricsLog(metricsPath);

        void SaveCheckpoint()
        {
            store.Save(step, dir =>
            {
                var w = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
                Safetensors.Write(Path.Combine(dir, CrossEncoderPackage.WeightsFile), w);
                optimizer.save_state_dict(Path.Combine(dir, "optimizer.bin"));
                File.WriteAllText(Path.Combine(dir, "trainer.json"), JsonSerializer.Serialize(new TrainerState
                {
                    Step = step, Epoch = epoch, RngAtEpochStart = rngAtEpochStart, Fingerprint = fingerprint,
                    BestDevAccuracy = double.IsFinite(bestAcc) ? bestAcc : null, BestStep = bestStep,
                    EvalsWithoutImprovement = evalsWithoutImprovement, BestDev = bestDev, BestDevRandom = bestDevRandom,
                }));
            });
        }

        long lastEvalStep = -1;
        bool Evaluate()
        {
            // returns true when training should stop early
            lastEvalStep = step;
            if (devRows.Length == 0) return false;
            var probs = PredictBucketed(package, devRows, o.EvalBatchSize, ct);
            var truth = dev.Select(p => p.Grade).ToList();
            var pred = probs.Select(p => LabelResult.FromProbabilities(p, JudgmentSource.Model, "dev").Grade).ToList();
            var m = LabelerMetrics.Compute(truth, pred, probs);
            RandomPairCheck? randomCheck = devRandomRows.Length == 0 ? null : RandomNegativePairs.Check(
                PredictBucketed(package, devRandomRows, o.EvalBatchSize, ct)
                    .Select(p => LabelResult.FromProbabilities(p, JudgmentSource.Model, "dev").Grade).ToList());
            var values = new Dictionary<string, double>
            {
                ["dev/accuracy"] = m.Accuracy, ["dev/within1"] = m.Within1, ["dev/macro_f1"] = m.MacroF1, ["dev/ece"] = m.Ece ?? double.NaN,
            };
            // Selection: accuracy over every dev pair, random ones included (the training distribution). On human
            // pairs alone, weights that never say 0 win whenever the human pairs hold few grade-0 pairs.
            double selection = m.Accuracy;
            if (randomCheck is { Pairs: > 0 } rc)
            {
                selection = (m.Accuracy * m.Count + rc.PredictedCounts[0]) / (m.Count + rc.Pairs);
                values["dev/random_pairs_graded_0"] = rc.GradedIrrelevant!.Value;
                values["dev/selection_accuracy"] = selection;
            }
            metrics.Write(step, values);
            bool improved = selection > bestAcc;
            if (improved)
            {
                bestAcc = selection; bestStep = step; bestDev = m; bestDevRandom = randomCheck; evalsWithoutImprovement = 0;
                package.Save(labelerDir);
            }
            else evalsWithoutImprovement++;
            progress?.Report(new LabelerTrainProgress(step, totalSteps, double.NaN, double.NaN, m.Accuracy,
                $"dev accuracy {m.Accuracy:P1}" + (randomCheck?.GradedIrrelevant is { } r0 ? $", random pairs graded 0 {r0:P0}, both {selection:P1}" : "") +
                $" (best {bestAcc:P1} at step {bestStep})"));
            SaveCheckpoint();
            return o.Patience > 0 && evalsWithoutImprovement >= o.Patience;
        }

        // ---- loop
        var total = Stopwatch.StartNew();
        var window = Stopwatch.StartNew();
        long pairsThisRun = 0, windowPairs = 0;
        double windowLoss = 0;
        int windowSteps = 0;
        bool stoppedEarly = false;
        model.train();
        while (step < totalSteps && !stoppedEarly)
        {
            rng = SerializableRandom.FromState(rngAtEpochStart);
            var plan = PlanEpoch(trainRows, o.BatchSize, rng);
            long epochStartStep = (long)epoch * batchesPerEpoch;
            for (int b = (int)(step - epochStartStep); b < plan.Count && step < totalSteps; b++)
            {
                ct.ThrowIfCancellationRequested();
                var batch = plan[b];
                double lossValue;
                using (var scope = torch.NewDisposeScope())
                {
                    TorchSeeding.ForStep(o.Seed, step);
                    for (int g = 0; g < optimizer.ParamGroups.Count(); g++)
                        optimizer.ParamGroups.ElementAt(g).LearningRate = baseLrs[g] * schedule.Factor(step);
                    optimizer.zero_grad();
                    var tb = TokenBatch.Pad(batch.Select(i => trainRows[i]).ToList(), package.Tokenizer.PadId);
                    var (ids, mask, types) = tb.ToTensors();
                    var targets = tensor(batch.Select(i => (long)trainTargets[i]).ToArray());
                    var logits = model.forward(ids, mask, types);
                    var loss = GradeCrossEntropy.Compute(logits, targets, o.ClassWeights == ClassWeighting.None ? null : weights, o.LabelSmoothing);
                    loss.backward();
                    if (o.GradClipNorm > 0) torch.nn.utils.clip_grad_norm_(trainable.Select(p => p.parameter), o.GradClipNorm);
                    optimizer.step();
                    lossValue = loss.item<float>();
                }
                step++;
                pairsThisRun += batch.Length;
                windowPairs += batch.Length;
                windowLoss += lossValue;
                windowSteps++;
                if (windowSteps >= 10 || step == totalSteps)
                {
                    double pps = windowPairs / Math.Max(1e-9, window.Elapsed.TotalSeconds);
                    double meanLoss = windowLoss / windowSteps;
                    metrics.Write(step, new Dictionary<string, double>
                    {
                        ["train/loss"] = meanLoss, ["train/lr"] = o.LearningRate * schedule.Factor(step - 1), ["train/pairs_per_s"] = pps,
                    });
                    progress?.Report(new LabelerTrainProgress(step, totalSteps, meanLoss, pps, double.IsFinite(bestAcc) ? bestAcc : null));
                    window.Restart(); windowPairs = 0; windowLoss = 0; windowSteps = 0;
                }
                bool evalNow = o.EvalEverySteps > 0 && step % o.EvalEverySteps == 0 && step < totalSteps;
                if (evalNow)
                {
                    stoppedEarly = Evaluate();
                    model.train();
                    window.Restart(); windowPairs = 0;
                    if (stoppedEarly) break;
                }
                else if (o.CheckpointEverySteps > 0 && step % o.CheckpointEverySteps == 0) SaveCheckpoint();
            }
            if (stoppedEarly) break;
            if (step - epochStartStep >= plan.Count)
            {
                epoch++;
                rngAtEpochStart = rng.SaveState();
                if (lastEvalStep != step && devRows.Length > 0)
                {
                    stoppedEarly = Evaluate();
                    model.train();
                    window.Restart(); windowPairs = 0;
                }
            }
        }
        // final evaluation when the last step was not evaluated yet
        if (!stoppedEarly && lastEvalStep != step) Evaluate();
        if (devRows.Length == 0) { package.Save(labelerDir); bestStep = step; }
        model.eval();
        double seconds = total.Elapsed.TotalSeconds;
        var result = new LabelerTrainResult
        {
            LabelerFolder = Path.GetFullPath(labelerDir), Steps = step, BestStep = bestStep, Dev = bestDev,
            TrainPairs = train.Count, TrainRandomNegativePairs = train.Count(p => p.RandomNegative), DevRandomPairs = bestDevRandom,
            DevPairs = dev.Count, TrainSeconds = Math.Round(seconds, 2),
            TrainPairsPerSecond = Math.Round(pairsThisRun / Math.Max(1e-9, seconds), 2), StoppedEarly = stoppedEarly,
            ResumedFromStep = resumedFrom,
        };
        Common.Json.WriteFile(Path.Combine(outDir, "dev-metrics.json"), result);
        return result;
    }

    /// <summary>Probabilities of <paramref name="rows"/> in their order, computed in length-sorted batches;
    /// <paramref name="batchDone"/> receives each batch's row indices and probabilities as soon as it is computed.</summary>
    public static float[][] PredictBucketed(CrossEncoderPackage package, IReadOnlyList<TokenizedText> rows, int batchSize, CancellationToken ct = default,
        Action<int[], float[][]>? batchDone = null) =>
        PredictBucketed(package.PredictProbabilities, rows, batchSize, ct, batchDone);

    /// <summary>The same, with any forward pass (<paramref name="predict"/>: rows → probabilities [n][3]), e.g. the
    /// ONNX Runtime one of an exported labeler.</summary>
    public static float[][] PredictBucketed(Func<IReadOnlyList<TokenizedText>, float[][]> predict, IReadOnlyList<TokenizedText> rows, int batchSize,
        CancellationToken ct = default, Action<int[], float[][]>? batchDone = null)
    {
        var order = Enumerable.Range(0, rows.Count).OrderBy(i => rows[i].Length).ThenBy(i => i).ToArray();
        var result = new float[rows.Count][];
        for (int s = 0; s < order.Length; s += batchSize)
        {
            ct.ThrowIfCancellationRequested();
            var idx = order.AsSpan(s, Math.Min(batchSize, order.Length - s)).ToArray();
            var probs = predict(idx.Select(i => rows[i]).ToList());
            for (int k = 0; k < idx.Length; k++) result[idx[k]] = probs[k];
            batchDone?.Invoke(idx, probs);
        }
        return result;
    }

    /// <summary>One epoch's batches: a seeded shuffle, then length-sorted windows of 50 batches cut into batches,
    /// then the batch order shuffled.</summary>
    internal static List<int[]> PlanEpoch(IReadOnlyList<TokenizedText> rows, int batchSize, SerializableRandom rng)
    {
        var idx = Enumerable.Range(0, rows.Count).ToArray();
        rng.Shuffle(idx);
        var batches = new List<int[]>();
        int window = batchSize * BucketWindowBatches;
        for (int s = 0; s < idx.Length; s += window)
        {
            var chunk = idx.AsSpan(s, Math.Min(window, idx.Length - s)).ToArray();
            var sorted = chunk.OrderBy(i => rows[i].Length).ToArray(); // stable: ties keep the shuffled order
            for (int b = 0; b < sorted.Length; b += batchSize)
                batches.Add(sorted.AsSpan(b, Math.Min(batchSize, sorted.Length - b)).ToArray());
        }
        rng.Shuffle(batches);
        return batches;
    }

    private static IReadOnlyList<LabeledPair> Subset(IReadOnlyList<LabeledPair> pairs, int max, int seed, string key)
    {
        if (max <= 0 || pairs.Count <= max) return pairs;
        var idx = Enumerable.Range(0, pairs.Count).ToArray();
        new SerializableRandom(seed, key).Shuffle(idx);
        return idx.Take(max).Order().Select(i => pairs[i]).ToList();
    }

    private static string Fingerprint(LabelerTrainOptions o, int trainCount, int devCount, int devRandomCount) =>
        Common.FileHashing.Sha256Text(JsonSerializer.Serialize(o with { Resume = false }) + $"|{trainCount}|{devCount}|{devRandomCount}")[..16];

    private sealed class TrainerState
    {
        public long Step { get; set; }
        public int Epoch { get; set; }
        public string RngAtEpochStart { get; set; } = "";
        public string Fingerprint { get; set; } = "";
        public double? BestDevAccuracy { get; set; }
        public long BestStep { get; set; }
        public int EvalsWithoutImprovement { get; set; }
        public LabelerMetricsResult? BestDev { get; set; }
        public RandomPairCheck? BestDevRandom { get; set; }
    }
}
