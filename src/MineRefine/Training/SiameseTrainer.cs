using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MineRefine.Data;
using MineRefine.Evaluation;
using MineRefine.Losses;
using MineRefine.Modeling;
using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;
using MineRefine.Text.Augmentation;
using MineRefine.Text.Tokenization;
using Spectre.Console;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MineRefine.Training;

/// <summary>What the trainer learns from: the data set (catalog and query texts), the train and dev judgments, and
/// for stage 2 the mined pairs (already unioned into <see cref="Train"/> by <see cref="SiameseTrainer.UnionMined"/>).</summary>
/// <param name="Dataset">Catalog and queries.</param>
/// <param name="Train">Training judgments.</param>
/// <param name="Dev">Dev judgments (held-out queries) for model selection.</param>
public sealed record TrainData(Dataset Dataset, IReadOnlyList<Judgment> Train, IReadOnlyList<Judgment> Dev);

/// <summary>One dev evaluation.</summary>
/// <param name="Step">Optimizer steps done when it ran (0 = untrained model).</param>
/// <param name="Ndcg10">Graded NDCG@10 on the dev catalog.</param>
/// <param name="Metrics">All metrics of the evaluation.</param>
public sealed record DevEvaluation(long Step, double Ndcg10, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>The value of <paramref name="metric"/> in this evaluation; NaN when it was undefined (e.g. no dev query
    /// has a grade-2 item for <c>recall2@10</c>).</summary>
    public double Value(string metric) => Metrics.TryGetValue(metric, out var v) ? v : double.NaN;
}

/// <summary>What a <see cref="SiameseTrainer.Train"/> call did.</summary>
public sealed class TrainResult
{
    /// <summary>Instances built from the judgments (without augmentation).</summary>
    public int Instances { get; set; }
    /// <summary>Additive spelling-augmentation instances.</summary>
    public int AugmentedInstances { get; set; }
    /// <summary>Queries that received unlabeled catalog fill items, and the number of such items.</summary>
    public int QueriesWithUnlabeledFill { get; set; }
    /// <summary>Unlabeled fill items over all instances.</summary>
    public int UnlabeledFillItems { get; set; }
    /// <summary>Lexical hard negatives added (<see cref="InstanceOptions.LexicalNegatives"/>) over all instances.</summary>
    public int LexicalNegatives { get; set; }
    /// <summary>Queries that received lexical hard negatives.</summary>
    public int QueriesWithLexicalNegatives { get; set; }
    /// <summary>Queries whose lexical top list had fewer unjudged items than asked for.</summary>
    public int QueriesShortOfLexicalNegatives { get; set; }
    /// <summary>Dense hard negatives added (<see cref="InstanceOptions.DenseNegatives"/>) over all instances.</summary>
    public int DenseNegatives { get; set; }
    /// <summary>Queries that received dense hard negatives.</summary>
    public int QueriesWithDenseNegatives { get; set; }
    /// <summary>Queries whose start-model top list had fewer unjudged items than asked for.</summary>
    public int QueriesShortOfDenseNegatives { get; set; }
    /// <summary>True when the dense negatives' catalog embeddings came from <c>outDir/cache</c> (e.g. on a resume).</summary>
    public bool DenseCatalogFromCache { get; set; }
    /// <summary>Topic-aware batches (<see cref="TrainOptions.TopicClusters"/>): clusters of training queries used (0 = off).</summary>
    public int TopicClusters { get; set; }
    /// <summary>Topic-aware batches: smallest, median and largest cluster, in training queries.</summary>
    public int[] TopicClusterSizes { get; set; } = Array.Empty<int>();
    /// <summary>Attention pooling (<see cref="PoolingMode.Attention"/>): the final model's heaviest tokens for a few dev
    /// queries and an exact item of each (empty for other poolings).</summary>
    public List<PoolingExample> PoolingExamples { get; set; } = new();
    /// <summary>Queries skipped: no positive item.</summary>
    public int SkippedNoPositive { get; set; }
    /// <summary>Queries skipped: no text.</summary>
    public int SkippedNoText { get; set; }
    /// <summary>Training judgments dropped because their product is not in the catalog.</summary>
    public int JudgmentsUnknownProduct { get; set; }
    /// <summary>Optimizer steps per epoch and in the schedule.</summary>
    public int StepsPerEpoch { get; set; }
    /// <summary>Steps of the LR schedule.</summary>
    public int TotalSteps { get; set; }
    /// <summary>Steps done when the call returned.</summary>
    public long StepsDone { get; set; }
    /// <summary>Step the run resumed from (0 = fresh).</summary>
    public long ResumedFromStep { get; set; }
    /// <summary>Dev catalog size and dev queries evaluated.</summary>
    public int DevCatalogSize { get; set; }
    /// <summary>Dev queries evaluated.</summary>
    public int DevQueries { get; set; }
    /// <summary>Every dev evaluation in order (including the step-0 one).</summary>
    public List<DevEvaluation> Evaluations { get; set; } = new();
    /// <summary>Step of the best dev evaluation by <see cref="SelectMetric"/>.</summary>
    public long BestStep { get; set; }
    /// <summary>Dev NDCG@10 of the evaluation at <see cref="BestStep"/> (the best dev NDCG@10 when
    /// <see cref="SelectMetric"/> is <c>ndcg@10</c>).</summary>
    public double BestNdcg10 { get; set; } = double.NaN;
    /// <summary>The dev metric that chose <see cref="BestStep"/> (<see cref="TrainOptions.SelectMetric"/>).</summary>
    public string SelectMetric { get; set; } = TrainOptions.DefaultSelectMetric;
    /// <summary>Its value at <see cref="BestStep"/>.</summary>
    public double BestScore { get; set; } = double.NaN;
    /// <summary>True when early stopping ended the run.</summary>
    public bool StoppedEarly { get; set; }
    /// <summary>True when <see cref="TrainOptions.StopAfterStep"/> interrupted the run (no final model).</summary>
    public bool Interrupted { get; set; }
    /// <summary>Training wall time of this call, seconds.</summary>
    public double Seconds { get; set; }
    /// <summary>Step whose weights were saved as the final model (<see cref="BestStep"/> or the last step, per
    /// <see cref="TrainOptions.Selection"/>).</summary>
    public long KeptStep { get; set; }
    /// <summary>Judge of the assumed negatives (<see cref="AssumedNegativeJudge"/>), or null when none was given.</summary>
    public string? Judge { get; set; }
    /// <summary>Unlabeled instance items (catalog fill, lexical negatives) graded by the judge, and how many of them it
    /// found relevant (they became positives instead of assumed negatives).</summary>
    public int JudgedInstanceItems { get; set; }
    /// <summary>See <see cref="JudgedInstanceItems"/>.</summary>
    public int JudgedInstanceItemsRelevant { get; set; }
    /// <summary>Shared random negatives graded by the judge in this call, and how many it found relevant (masked out
    /// instead of trained on as negatives).</summary>
    public long JudgedRandomNegatives { get; set; }
    /// <summary>See <see cref="JudgedRandomNegatives"/>.</summary>
    public long JudgedRandomNegativesRelevant { get; set; }
    /// <summary>Final model folder, or null when interrupted.</summary>
    public string? ModelFolder { get; set; }
    /// <summary>SHA-256 of the final model weights (<see cref="SiameseModel.ComputeHash"/>).</summary>
    public string? ModelHash { get; set; }
}

/// <summary>A dev query and one of its exact items, each with its heaviest tokens ("token weight · …").</summary>
public sealed record PoolingExample(string Query, string QueryTokens, string Item, string ItemTokens);

/// <summary>
/// Trains a <see cref="SiameseModel"/> on graded instances (paper §3, §5, §6): each instance is one query with up to N
/// graded items; scores are cosine(query, item) of the query and item towers, s [B, N]; the loss (SupCon for stage 1,
/// multi-class circle for stage 2, or triplet / supcon+circle) is computed per instance and summed — there are no
/// in-batch negatives. AdamW with separate learning rates for the transformer, the heads and τ, linear warm-up then
/// linear/cosine decay, gradient clipping. Dev NDCG@10 (exact dense retrieval over a dev catalog) selects the best
/// weights; early stopping by patience. Checkpoints (weights, AdamW moments, step, data order and RNG state, best
/// weights) are written atomically and a resumed run ends bit-identical to an uninterrupted one: torch is re-seeded
/// per step (<see cref="TorchSeeding.ForStep"/>) and shuffles use <see cref="SerializableRandom"/>.
/// Output in <c>outDir</c>: <c>model/</c> (best weights, <see cref="SiameseModel.Save"/>), <c>metrics.jsonl</c>,
/// <c>checkpoints/</c>, <c>train_summary.json</c>.
/// </summary>
public sealed class SiameseTrainer
{
    private readonly TrainOptions _o;
    private readonly SiameseModel _model;
    private readonly AssumedNegativeJudge? _judge;

    /// <summary>Creates a trainer for <paramref name="model"/> (not owned). The model's max query/item lengths are
    /// set from the options (they are saved with the model). With a <paramref name="judge"/>, items otherwise assumed
    /// to be grade 0 are graded first (<see cref="AssumedNegativeJudge"/>).</summary>
    public SiameseTrainer(SiameseModel model, TrainOptions options, AssumedNegativeJudge? judge = null)
    {
        _judge = judge;
        ArgumentNullException.ThrowIfNull(model);
        _o = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        int maxLen = model.Config.Transformer.MaxSequenceLength;
        if (_o.MaxQueryLength > maxLen || _o.MaxItemLength > maxLen)
            throw new ArgumentException($"MaxQueryLength ({_o.MaxQueryLength}) and MaxItemLength ({_o.MaxItemLength}) must be ≤ the model's {maxLen} positions.");
        // MaxQueryLength counts the query's own tokens; a model's query prefix (arctic-xs) comes on top.
        int queryLength = Math.Min(maxLen, _o.MaxQueryLength + model.QueryPrefixTokens);
        _model = new SiameseModel(model.Encoder, model.Tokenizer,
            model.Config with { MaxQueryLength = queryLength, MaxItemLength = _o.MaxItemLength });
    }

    /// <summary>The model being trained (same encoder as the one passed in, with the trained lengths).</summary>
    public SiameseModel Model => _model;

    /// <summary>Stage-2 training judgments: <paramref name="train"/> ∪ <paramref name="mined"/>, where mined pairs that
    /// repeat an original (query, product) pair are dropped (the original label wins) and mined pairs of queries
    /// outside <paramref name="train"/> are dropped too (they would leak dev/test queries); both counts returned.</summary>
    public static (List<Judgment> Union, int Added, int Duplicates, int NotTrainQuery) UnionMined(
        IReadOnlyList<Judgment> train, IReadOnlyList<Judgment> mined)
    {
        var seen = new HashSet<(string, string)>();
        var queries = new HashSet<string>(StringComparer.Ordinal);
        foreach (var j in train) { seen.Add((j.QueryId, j.ProductId)); queries.Add(j.QueryId); }
        var union = new List<Judgment>(train);
        int added = 0, dup = 0, other = 0;
        foreach (var j in mined)
        {
            if (!queries.Contains(j.QueryId)) { other++; continue; }
            if (!seen.Add((j.QueryId, j.ProductId))) { dup++; continue; }
            union.Add(j);
            added++;
        }
        return (union, added, dup, other);
    }

    /// <summary>BM25 top <see cref="InstanceOptions.LexicalNegativeDepth"/> product ids of every training
    /// query over the whole catalog (a temporary index, deleted afterwards), for the lexical hard negatives.</summary>
    private Dictionary<string, IReadOnlyList<string>> LexicalCandidates(Dataset dataset, IReadOnlyList<Judgment> train,
        IReadOnlyDictionary<string, string> queryText, IAnsiConsole? console)
    {
        var ids = QueriesWithText(train, queryText);
        int k = _o.Instances.LexicalNegativeDepth;
        var clock = Stopwatch.StartNew();
        using var bm25 = new Bm25Retriever(dataset.Products, new Bm25Options { Threads = _o.Threads > 0 ? _o.Threads : Environment.ProcessorCount });
        var hits = bm25.SearchBatch(ids.Select(q => queryText[q]).ToList(), k);
        var map = new Dictionary<string, IReadOnlyList<string>>(ids.Count, StringComparer.Ordinal);
        for (int i = 0; i < ids.Count; i++) map[ids[i]] = hits[i].Select(h => h.ProductId).ToArray();
        console?.MarkupLine($"lexical hard negatives: BM25 top {k} of {ids.Count:N0} training queries over {dataset.Products.Count:N0} products in {clock.Elapsed.TotalSeconds:F1} s");
        return map;
    }

    /// <summary>The distinct training query ids that have a text (the ones instances can be built for).</summary>
    private static List<string> QueriesWithText(IReadOnlyList<Judgment> train, IReadOnlyDictionary<string, string> queryText) =>
        train.Select(j => j.QueryId).Distinct(StringComparer.Ordinal)
            .Where(q => queryText.TryGetValue(q, out var t) && !string.IsNullOrWhiteSpace(t)).ToList();

    /// <summary>The start model's top <see cref="InstanceOptions.DenseNegativeDepth"/> product ids of every training
    /// query over the whole catalog (exact search), for the dense hard negatives. Called before any step or checkpoint
    /// is loaded, so a resumed run draws from the same start model; the catalog embeddings are cached in
    /// <c>outDir/cache</c> (keyed by model and catalog hash), so a resume does not encode the catalog again.</summary>
    private Dictionary<string, IReadOnlyList<string>> DenseCandidates(Dataset dataset, IReadOnlyList<Judgment> train,
        IReadOnlyDictionary<string, string> queryText, string outDir, TrainResult result, IAnsiConsole? console)
    {
        var ids = QueriesWithText(train, queryText);
        int k = _o.Instances.DenseNegativeDepth;
        var clock = Stopwatch.StartNew();
        var productIds = dataset.Products.Select(p => p.Id).ToList();
        var texts = _model.ItemFormatter.Format(dataset.Products);
        using var embedder = new SiameseEmbedder(_model, "start", ownsModel: false);
        DenseRetriever Open(IProgress<int>? progress) => new(embedder, productIds, texts,
            new DenseRetrieverOptions { CacheFolder = Path.Combine(outDir, "cache") }, progress);
        DenseRetriever? dense = null;
        if (console is null) dense = Open(null);
        else
            console.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("dense negatives: encoding the catalog with the start model", maxValue: productIds.Count);
                    dense = Open(new SyncProgress<int>(done => task.Value = done));
                    task.Value = productIds.Count;
                });
        using var retriever = dense!;
        result.DenseCatalogFromCache = retriever.LoadedFromCache;
        var hits = retriever.SearchBatch(ids.Select(q => queryText[q]).ToList(), k);
        var map = new Dictionary<string, IReadOnlyList<string>>(ids.Count, StringComparer.Ordinal);
        for (int i = 0; i < ids.Count; i++) map[ids[i]] = hits[i].Select(h => h.ProductId).ToArray();
        console?.MarkupLine($"dense hard negatives: start-model top {k} of {ids.Count:N0} training queries over {dataset.Products.Count:N0} products " +
                            $"in {clock.Elapsed.TotalSeconds:F1} s{(retriever.LoadedFromCache ? " (catalog embeddings from the cache)" : "")}");
        return map;
    }

    /// <summary>Runs (or resumes) training and writes the outputs into <paramref name="outDir"/>.</summary>
    /// <param name="data">Catalog, train and dev judgments.</param>
    /// <param name="outDir">Output folder.</param>
    /// <param name="console">Progress bar target; null = no progress output.</param>
    /// <param name="cancellationToken">Stops after the current step (a checkpoint is written first).</param>
    public TrainResult Train(TrainData data, string outDir, IAnsiConsole? console = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(outDir);
        if (data.Dev.Count == 0) throw new ArgumentException("The dev split is empty; the trainer needs dev judgments to select the best model (lower the train fraction or add queries).");
        if (_o.Threads > 0) torch.set_num_threads(_o.Threads);
        Directory.CreateDirectory(outDir);
        var result = new TrainResult();
        var clock = Stopwatch.StartNew();

        // ---------- data ----------
        var itemFormatter = _model.ItemFormatter;
        var train = new List<Judgment>(data.Train.Count);
        foreach (var j in data.Train)
            if (data.Dataset.FindProduct(j.ProductId) is null) result.JudgmentsUnknownProduct++;
            else train.Add(j);
        var queryText = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var q in data.Dataset.Queries) queryText[q.Id] = q.Text;
        var catalogIds = data.Dataset.Products.Select(p => p.Id).ToList();
        var lexical = _o.Instances.LexicalNegatives > 0 ? LexicalCandidates(data.Dataset, train, queryText, console) : null;
        var dense = _o.Instances.DenseNegatives > 0 ? DenseCandidates(data.Dataset, train, queryText, outDir, result, console) : null;
        var (originals, summary) = InstanceBuilder.Build(train, queryText, catalogIds, _o.Seed, _o.Instances,
            lexical is null ? null : qid => lexical.TryGetValue(qid, out var l) ? l : Array.Empty<string>(),
            dense is null ? null : qid => dense.TryGetValue(qid, out var l) ? l : Array.Empty<string>());
        var positives = new HashSet<(string, string)>();
        foreach (var j in train) if (j.Grade > 0) positives.Add((j.QueryId, j.ProductId));
        if (_judge is not null)
        {
            result.Judge = _judge.Name;
            var judgeClock = Stopwatch.StartNew();
            (originals, result.JudgedInstanceItems, result.JudgedInstanceItemsRelevant) =
                AssumedNegativeJudge.JudgeInstances(originals, pairs => _judge.Grade(data.Dataset, pairs, cancellationToken));
            console?.MarkupLine($"judge {Markup.Escape(_judge.Name)}: {result.JudgedInstanceItems:N0} unlabeled instance items graded, " +
                                $"{result.JudgedInstanceItemsRelevant:N0} relevant (kept as positives, not assumed negatives), {judgeClock.Elapsed.TotalSeconds:F1} s");
        }
        var instances = new List<TrainingInstance>(originals);
        if (_o.SpellingAugmentation && _o.SpellingKeepRatio > 0)
        {
            var augmenter = new SpellingAugmenter(new SpellingAugmentationOptions { KeepRatio = _o.SpellingKeepRatio });
            var qs = originals.Select(i => i.QueryId).Distinct(StringComparer.Ordinal).Select(id => (id, queryText[id])).ToList();
            var aug = augmenter.Augment(qs, _o.Seed);
            instances.AddRange(InstanceBuilder.SpellingVariantInstances(originals, aug));
        }
        result.Instances = originals.Count;
        result.AugmentedInstances = instances.Count - originals.Count;
        result.QueriesWithUnlabeledFill = summary.QueriesWithUnlabeledFill;
        result.UnlabeledFillItems = summary.UnlabeledItemsAdded;
        result.LexicalNegatives = summary.LexicalNegativesAdded;
        result.QueriesWithLexicalNegatives = summary.QueriesWithLexicalNegatives;
        result.QueriesShortOfLexicalNegatives = summary.QueriesShortOfLexicalNegatives;
        result.DenseNegatives = summary.DenseNegativesAdded;
        result.QueriesWithDenseNegatives = summary.QueriesWithDenseNegatives;
        result.QueriesShortOfDenseNegatives = summary.QueriesShortOfDenseNegatives;
        result.SkippedNoPositive = summary.SkippedNoPositive;
        result.SkippedNoText = summary.SkippedNoText;
        if (instances.Count == 0) throw new ArgumentException($"No training instances could be built ({summary}); the training judgments need queries with at least one grade-1/2 item and a query text.");

        _instanceClusters = _o.TopicClusters > 0 ? TopicClusters(instances, queryText, console) : null;

        int stepsPerEpoch = (instances.Count + _o.BatchSize - 1) / _o.BatchSize;
        int total = stepsPerEpoch * _o.Epochs;
        if (_o.MaxSteps > 0) total = Math.Min(total, _o.MaxSteps);
        result.StepsPerEpoch = stepsPerEpoch;
        result.TotalSteps = total;
        var schedule = new LearningRateSchedule((int)Math.Round(_o.WarmupFraction * total), total, _o.Decay);

        var (devData, devJudgments) = BuildDev(data, result);
        var itemTokens = new Dictionary<string, TokenizedText>(StringComparer.Ordinal);
        TokenizedText ItemTok(string pid)
        {
            if (!itemTokens.TryGetValue(pid, out var t))
                itemTokens[pid] = t = _model.Tokenizer.Encode(itemFormatter.Format(data.Dataset.FindProduct(pid)!), _o.MaxItemLength);
            return t;
        }

        // ---------- model, loss, optimizer ----------
        var enc = _model.Encoder;
        using var loss = LossFactory.Create(_o.LossOptionsResolved());
        var bertParams = enc.Bert.named_parameters().Select(p => p.parameter).ToList();
        var bertSet = new HashSet<Parameter>(bertParams, ReferenceEqualityComparer.Instance);
        var poolParams = enc.named_parameters().Where(p => p.name.EndsWith("_pool.weight", StringComparison.Ordinal)).Select(p => p.parameter).ToList();
        var headParams = enc.parameters().Where(p => !bertSet.Contains(p) && !poolParams.Contains(p, ReferenceEqualityComparer.Instance)).ToList();
        foreach (var p in bertParams) p.requires_grad = !_o.FreezeEncoder;
        var groups = new List<(AdamW.ParamGroup Group, double BaseLr)>();
        void AddGroup(IEnumerable<Parameter> ps, double lr, double wd)
        {
            var list = ps.ToList();
            if (list.Count > 0) groups.Add((new AdamW.ParamGroup(list, lr, _o.Beta1, _o.Beta2, _o.Epsilon, wd), lr));
        }
        if (!_o.FreezeEncoder)
        {
            AddGroup(bertParams.Where(p => p.dim() >= 2), _o.EncoderLearningRate, _o.WeightDecay);
            AddGroup(bertParams.Where(p => p.dim() < 2), _o.EncoderLearningRate, 0);
        }
        AddGroup(headParams.Where(p => p.dim() >= 2), _o.HeadLearningRate, _o.WeightDecay);
        AddGroup(headParams.Where(p => p.dim() < 2), _o.HeadLearningRate, 0);
        AddGroup(poolParams, _o.PoolingLearningRate ?? TrainOptions.DefaultPoolingLearningRate, 0); // attention pooling only
        AddGroup(loss.TrainableParameters, _o.TemperatureLearningRate, 0);
        if (groups.Count == 0) throw new ArgumentException("Nothing to train: the encoder is frozen and the model has no projection heads (OutputDim 0) and the loss has no parameters.");
        using var optimizer = new ScalarSafeAdamW(groups.Select(g => g.Group), _o.EncoderLearningRate, _o.Beta1, _o.Beta2, _o.Epsilon, _o.WeightDecay); // TorchSharp's AdamW, race-free scalars
        var allParams = groups.SelectMany(g => g.Group.Parameters).ToList();

        // ---------- state ----------
        var st = new TrainState { Rng = new SerializableRandom(_o.Seed, "train-order").SaveState(), Clusters = _instanceClusters };
        Dictionary<string, Tensor>? best = null;
        var store = _o.CheckpointEvery > 0 || _o.Resume ? new CheckpointStore(Path.Combine(outDir, "checkpoints"), _o.KeepCheckpoints) : null;
        string metricsPath = Path.Combine(outDir, "metrics.jsonl");
        if (_o.SaveStart) SaveStartModel(outDir); // before a checkpoint is loaded: the model passed in is the start
        var latest = _o.Resume ? store!.TryLoadLatest() : null;
        if (latest is not null)
        {
            st = LoadCheckpoint(latest.Directory, enc, loss, optimizer, out best);
            if (st.SelectMetric is null) { st.SelectMetric = TrainOptions.DefaultSelectMetric; st.BestScore = st.BestNdcg10; } // checkpoint of an older version
            if (!string.Equals(st.SelectMetric, _o.SelectMetricResolved, StringComparison.Ordinal))
                throw new InvalidDataException($"{latest.Directory}: the checkpoint chose its best weights by dev {st.SelectMetric}; resume with --select-metric {st.SelectMetric} (or start a new --out).");
            result.ResumedFromStep = st.Step;
            if ((st.Clusters is null) != (_instanceClusters is null) || (st.Clusters is not null && st.Clusters.Length != instances.Count))
                throw new InvalidDataException($"{latest.Directory}: the checkpoint was made {(st.Clusters is null ? "without" : "with")} topic-aware batches" +
                    $"{(st.Clusters is null ? "" : $" over {st.Clusters.Length} instances")}; resume with the same --topic-batches, data and options (or start a new --out).");
            _instanceClusters = st.Clusters; // the clusters the run started with, whatever model was passed in
            MetricsLog.TruncateAfterStep(metricsPath, st.Step);
        }
        else if (File.Exists(metricsPath)) File.Delete(metricsPath);
        if (_instanceClusters is not null) DescribeTopicClusters(instances, queryText, outDir, result, console);
        var rng = SerializableRandom.FromState(st.Rng);
        if (st.Order is null) st.Order = EpochOrder(null, instances.Count, rng);
        if (st.Order.Length != instances.Count)
            throw new InvalidDataException($"The checkpoint was made with {st.Order.Length} instances but the data now gives {instances.Count}; resume with the same data, seed and options.");

        using var metrics = new MetricsLog(metricsPath, includeTimestamp: true);
        var evaluator = new RetrievalEvaluator(new EvaluationOptions { ComputeSeparation = false });

        DevEvaluation Evaluate(long step)
        {
            using var embedder = new SiameseEmbedder(_model, "train", ownsModel: false);
            using var retriever = new DenseRetriever(embedder, devData.Products.Select(p => p.Id).ToList(),
                itemFormatter.Format(devData.Products));
            var r = evaluator.Evaluate("dev", retriever, devData, devJudgments);
            var m = r.Metrics.Where(kv => kv.Value.HasValue).ToDictionary(kv => kv.Key, kv => kv.Value!.Value, StringComparer.Ordinal);
            var ev = new DevEvaluation(step, m.GetValueOrDefault("ndcg@10", double.NaN), m);
            metrics.Write(step, m.Select(kv => KeyValuePair.Create("dev/" + kv.Key, kv.Value)));
            return ev;
        }

        st.SelectMetric ??= _o.SelectMetricResolved;
        void ConsiderBest(DevEvaluation ev)
        {
            bool first = st.Evaluations.Count == 0;
            st.Evaluations.Add(ev);
            double score = ev.Value(_o.SelectMetricResolved);
            // the first evaluation is the reference even when its value is undefined; after that only a defined,
            // strictly larger value counts as an improvement
            if (first || (!double.IsNaN(score) && (double.IsNaN(st.BestScore) || score > st.BestScore)))
            {
                st.BestScore = score; st.BestNdcg10 = ev.Ndcg10; st.BestStep = ev.Step; st.EvalsWithoutImprovement = 0;
                if (best is not null) foreach (var t in best.Values) t.Dispose();
                best = Snapshot(enc);
            }
            else st.EvalsWithoutImprovement++;
        }

        if (st.Step == 0 && st.Evaluations.Count == 0) ConsiderBest(Evaluate(0));

        // ---------- loop ----------
        double tauNow = Temperature(loss);
        void Loop(Action<long, string>? report)
        {
            var sw = Stopwatch.StartNew();
            long seqs = 0;
            enc.train();
            while (st.Step < total && !st.Stopped)
            {
                long step = st.Step;
                var batch = NextBatch(instances, st, rng, out int batchClusters);
                LossBreakdown bd;
                int negMasked = 0, judgedNow = 0, judgedRelevantNow = 0, inBatchColumns = 0, inBatchMasked = 0;
                using (var scope = NewDisposeScope())
                {
                    TorchSeeding.ForStep(_o.Seed, step);
                    var qTok = batch.Select(b => _model.Tokenizer.Encode(_model.FormatQuery(b.QueryText), _model.Config.MaxQueryLength)).ToList();
                    var (qIds, qMask, _) = TokenBatch.Pad(qTok, _model.Tokenizer.PadId).ToTensors();
                    int n = batch.Max(b => b.Count);
                    var flat = new List<TokenizedText>();
                    var flatIds = new List<string>();
                    var index = new long[batch.Count * n];
                    for (int b = 0; b < batch.Count; b++)
                        for (int i = 0; i < n; i++)
                        {
                            if (i < batch[b].Count)
                            {
                                index[b * n + i] = flat.Count;
                                flat.Add(ItemTok(batch[b].ProductIds[i]));
                                flatIds.Add(batch[b].ProductIds[i]);
                            }
                            else index[b * n + i] = 0; // padding slot, grade −1 masks it
                        }
                    var (iIds, iMask, _) = TokenBatch.Pad(flat, _model.Tokenizer.PadId).ToTensors();
                    var q = enc.EncodeQueries(qIds, qMask);                      // [B, D]
                    var items = enc.EncodeItems(iIds, iMask);                    // [M, D]
                    var gathered = items.index_select(0, tensor(index)).view(batch.Count, n, -1); // [B, N, D]
                    var scores = (gathered * q.unsqueeze(1)).sum(-1);            // [B, N] cosine
                    var grades = InstanceBuilder.GradeTensor(batch, n);
                    if (_o.SharedRandomNegatives > 0)
                    {
                        var (negIds, negGrades) = SharedNegatives(batch, catalogIds, positives, rng);
                        negMasked = negGrades.Count(g => g < 0);
                        var (nIds, nMask, _) = TokenBatch.Pad(negIds.Select(ItemTok).ToList(), _model.Tokenizer.PadId).ToTensors();
                        var negs = enc.EncodeItems(nIds, nMask);                 // [R, D]
                        var negScores = q.matmul(negs.t());                      // [B, R]
                        if (_judge is not null && _o.JudgedRandomNegatives > 0)
                        {
                            var flatScores = negScores.detach().cpu().data<float>().ToArray();
                            (judgedNow, judgedRelevantNow) = AssumedNegativeJudge.MaskRelevantRandomNegatives(flatScores, negGrades,
                                batch.Count, negIds.Count, _o.JudgedRandomNegatives,
                                picks => _judge.Grade(data.Dataset, picks.Select(p => (batch[p.Row].SourceQueryId,
                                    queryText.GetValueOrDefault(batch[p.Row].SourceQueryId, batch[p.Row].QueryText), negIds[p.Column])).ToList(), cancellationToken));
                            result.JudgedRandomNegatives += judgedNow;
                            result.JudgedRandomNegativesRelevant += judgedRelevantNow;
                        }
                        scores = cat(new[] { scores, negScores }, 1);           // [B, N + R]
                        grades = cat(new[] { grades, tensor(negGrades, new long[] { batch.Count, negIds.Count }, ScalarType.Int64) }, 1);
                        seqs += negIds.Count;
                    }
                    if (_o.UsesInBatchNegatives && batch.Count > 1)
                    {
                        var ibGrades = NegativeGrades(batch, flatIds, positives);
                        inBatchColumns = flatIds.Count;
                        inBatchMasked = ibGrades.Count(g => g < 0);
                        scores = cat(new[] { scores, q.matmul(items.t()) }, 1);  // [B, … + M]
                        grades = cat(new[] { grades, tensor(ibGrades, new long[] { batch.Count, flatIds.Count }, ScalarType.Int64) }, 1);
                    }
                    (var l, bd) = loss.Compute(scores, grades);
                    optimizer.zero_grad();
                    l.backward();
                    double gradNorm = _o.GradientClipNorm > 0
                        ? nn.utils.clip_grad_norm_(allParams, _o.GradientClipNorm)
                        : double.NaN;
                    double factor = schedule.Factor(step);
                    var pgs = optimizer.ParamGroups.ToList();
                    for (int g = 0; g < pgs.Count; g++) pgs[g].LearningRate = groups[g].BaseLr * factor;
                    optimizer.step();
                    seqs += qTok.Count + flat.Count;
                    st.Step = step + 1;
                    tauNow = Temperature(loss);
                    var m = bd.ToMetrics().ToList();
                    m.Add(new("lr/encoder", _o.EncoderLearningRate * factor));
                    m.Add(new("lr/head", _o.HeadLearningRate * factor));
                    if (!double.IsNaN(tauNow)) m.Add(new("tau", tauNow)); // losses without a temperature (triplet, circle) log none
                    m.Add(new("grad_norm", gradNorm));
                    m.Add(new("instances", batch.Count));
                    if (_instanceClusters is not null) m.Add(new("batch_clusters", batchClusters));
                    if (poolParams.Count > 0)
                    {
                        m.Add(new("lr/pooling", (_o.PoolingLearningRate ?? TrainOptions.DefaultPoolingLearningRate) * factor));
                        using (no_grad()) m.Add(new("pooling/weight_norm", poolParams.Max(p => p.norm().item<float>()))); // 0 = still the mean
                    }
                    if (_o.SharedRandomNegatives > 0)
                    {
                        m.Add(new("random_negatives", Math.Min(_o.SharedRandomNegatives, catalogIds.Count)));
                        m.Add(new("random_negatives/masked", negMasked));
                        if (_judge is not null)
                        {
                            m.Add(new("random_negatives/judged", judgedNow));
                            m.Add(new("random_negatives/judged_relevant", judgedRelevantNow));
                        }
                    }
                    if (_o.UsesInBatchNegatives)
                    {
                        // per instance: the other instances' items that took part as grade 0
                        m.Add(new("in_batch_negatives", batch.Count == 0 ? 0 : (double)(inBatchColumns * batch.Count - inBatchMasked) / batch.Count));
                        m.Add(new("in_batch_negatives/masked", inBatchMasked));
                    }
                    m.Add(new("seconds", sw.Elapsed.TotalSeconds));
                    metrics.Write(st.Step, m);
                }
                report?.Invoke(st.Step, $"loss {bd.Total:F3}{(double.IsNaN(tauNow) ? "" : $" τ {tauNow:F3}")} {seqs / Math.Max(1e-9, sw.Elapsed.TotalSeconds):F0} seq/s");

                bool last = st.Step >= total;
                if ((_o.EvalEvery > 0 && st.Step % _o.EvalEvery == 0) || last)
                {
                    ConsiderBest(Evaluate(st.Step));
                    enc.train();
                    if (_o.Patience > 0 && st.EvalsWithoutImprovement >= _o.Patience) { st.Stopped = true; result.StoppedEarly = true; }
                }
                bool interrupt = (_o.StopAfterStep > 0 && st.Step == _o.StopAfterStep) || cancellationToken.IsCancellationRequested;
                if (store is not null && ((_o.CheckpointEvery > 0 && st.Step % _o.CheckpointEvery == 0) || interrupt))
                {
                    st.Rng = rng.SaveState();
                    SaveCheckpoint(store, st, enc, loss, optimizer, best);
                }
                if (interrupt && !last) { result.Interrupted = true; return; }
            }
        }

        if (console is null) Loop(null);
        else
        {
            console.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"stage {_o.Stage} {loss.Name}", maxValue: total);
                    task.Value = st.Step;
                    Loop((s, text) => { task.Value = s; task.Description = Markup.Escape($"stage {_o.Stage} {loss.Name} {text}"); });
                });
        }

        result.StepsDone = st.Step;
        result.Evaluations = st.Evaluations.ToList();
        result.BestNdcg10 = st.BestNdcg10;
        result.SelectMetric = _o.SelectMetricResolved;
        result.BestScore = st.BestScore;
        result.BestStep = st.BestStep;
        result.StoppedEarly |= st.Stopped;
        result.Seconds = clock.Elapsed.TotalSeconds;
        if (result.Interrupted) { DisposeAll(best); return result; }

        // ---------- final model ----------
        bool keepBest = _o.Selection == ModelSelection.Best && best is not null;
        if (keepBest) RestoreWeights(enc, best!);
        result.KeptStep = keepBest ? st.BestStep : st.Step;
        DisposeAll(best);
        enc.eval();
        string modelDir = Path.Combine(outDir, "model");
        _model.SaveAtomically(modelDir);
        result.ModelFolder = modelDir;
        result.ModelHash = _model.ComputeHash();
        if (enc.Head.Pooling == PoolingMode.Attention) DescribePooling(data.Dataset, devJudgments, result, console);
        AtomicFile.WriteAllText(Path.Combine(outDir, "train_summary.json"), JsonSerializer.Serialize(result, StateJson));
        return result;
    }

    // ---------- helpers ----------

    /// <summary>Folder of the starting model written by <see cref="TrainOptions.SaveStart"/>, under the output folder.</summary>
    public static string StartModelFolder(string outDir) => Path.Combine(outDir, "start", "model");

    private void SaveStartModel(string outDir)
    {
        string dir = StartModelFolder(outDir);
        if (!Directory.Exists(dir)) _model.SaveAtomically(dir); // exists on resume: written by the first attempt from the same start
    }

    private (Dataset Data, List<Judgment> Judgments) BuildDev(TrainData data, TrainResult result)
    {
        var devQueries = data.Dev.Select(j => j.QueryId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (_o.MaxDevQueries > 0 && devQueries.Count > _o.MaxDevQueries)
        {
            var r = new SerializableRandom(_o.Seed, "dev-queries");
            r.Shuffle(devQueries);
            devQueries = devQueries.Take(_o.MaxDevQueries).ToList();
        }
        var keep = new HashSet<string>(devQueries, StringComparer.Ordinal);
        var judgments = data.Dev.Where(j => keep.Contains(j.QueryId)).ToList();
        var pool = EvaluationPool.Build(data.Dataset, judgments, judged => Math.Max(0, _o.DevCatalogSize - judged),
            new SerializableRandom(_o.Seed, "dev-catalog"));
        result.DevCatalogSize = pool.Dataset.Products.Count;
        result.DevQueries = devQueries.Count;
        return (pool.Dataset, judgments);
    }

    /// <summary>Draws <see cref="TrainOptions.SharedRandomNegatives"/> distinct catalog items for a step; the grade
    /// matrix [B, R] is 0, or −1 (ignored) where the item is in the instance or judged relevant for its query.</summary>
    private (List<string> Ids, long[] Grades) SharedNegatives(List<TrainingInstance> batch, List<string> catalog,
        HashSet<(string, string)> positives, SerializableRandom rng)
    {
        int r = Math.Min(_o.SharedRandomNegatives, catalog.Count);
        var picked = new HashSet<int>();
        var ids = new List<string>(r);
        while (ids.Count < r)
        {
            int k = rng.Next(catalog.Count);
            if (picked.Add(k)) ids.Add(catalog[k]);
        }
        return (ids, NegativeGrades(batch, ids, positives));
    }

    /// <summary>Grades [B, M] of M extra items as negatives of each instance of the batch (the shared random negatives,
    /// or the batch's own flattened items as in-batch negatives): 0, or −1 (ignored) for the instance's own items (they
    /// are in the loss already, with their grades) and for items judged relevant for its query.</summary>
    internal static long[] NegativeGrades(IReadOnlyList<TrainingInstance> batch, IReadOnlyList<string> ids,
        HashSet<(string, string)> positives)
    {
        var grades = new long[batch.Count * ids.Count];
        for (int b = 0; b < batch.Count; b++)
        {
            var own = new HashSet<string>(batch[b].ProductIds, StringComparer.Ordinal);
            for (int j = 0; j < ids.Count; j++)
                grades[b * ids.Count + j] = own.Contains(ids[j]) || positives.Contains((batch[b].SourceQueryId, ids[j])) ? -1 : 0;
        }
        return grades;
    }

    /// <summary>Attention pooling: the final model's heaviest tokens for up to <see cref="PoolingExampleCount"/> dev queries
    /// (the first by id with an exact match) and their first exact item, into the summary and on the console.</summary>
    private void DescribePooling(Dataset dataset, List<Judgment> devJudgments, TrainResult result, IAnsiConsole? console)
    {
        var examples = devJudgments.Where(j => j.Grade == 2).GroupBy(j => j.QueryId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Query: dataset.FindQuery(g.Key)?.Text, Item: dataset.FindProduct(g.OrderBy(j => j.ProductId, StringComparer.Ordinal).First().ProductId)))
            .Where(x => !string.IsNullOrWhiteSpace(x.Query) && x.Item is not null)
            .Take(PoolingExampleCount).ToList();
        foreach (var (query, item) in examples)
        {
            string itemText = _model.ItemFormatter.Format(item!);
            result.PoolingExamples.Add(new PoolingExample(query!, TokenWeightReport.Summarize(TokenWeightReport.Explain(_model, query!, EmbeddingRole.Query)),
                itemText, TokenWeightReport.Summarize(TokenWeightReport.Explain(_model, itemText, EmbeddingRole.Item))));
        }
        if (console is null || result.PoolingExamples.Count == 0) return;
        console.MarkupLine("attention pooling, heaviest tokens of dev queries and an exact item:");
        foreach (var e in result.PoolingExamples)
            console.MarkupLine($"  {Markup.Escape(e.Query)}: {Markup.Escape(e.QueryTokens)}  |  item: {Markup.Escape(e.ItemTokens)}");
    }

    /// <summary>Dev queries <see cref="DescribePooling"/> explains.</summary>
    public const int PoolingExampleCount = 3;

    /// <summary>File in the output folder listing the topic-aware batches' clusters (one JSON line per cluster).</summary>
    public const string TopicClustersFileName = "topic_clusters.jsonl";

    /// <summary>Each instance's query cluster when batches are topic-aware (<see cref="TrainOptions.TopicClusters"/>),
    /// else null.</summary>
    private int[]? _instanceClusters;

    /// <summary>One epoch's instance order: topic-aware batches (<see cref="TopicBatching.BuildOrder"/>), or a shuffle of
    /// the previous epoch's order in place (of 0 … count − 1 for the first epoch), as the trainer always did, so runs
    /// without topic batches keep their order in every epoch.</summary>
    private int[] EpochOrder(int[]? previous, int count, SerializableRandom rng)
    {
        if (_instanceClusters is not null) return TopicBatching.BuildOrder(_instanceClusters, _o.BatchSize, rng);
        var order = previous ?? Enumerable.Range(0, count).ToArray();
        rng.Shuffle(order);
        return order;
    }

    /// <summary>Clusters the instances' source queries by their start-model embeddings (<see cref="TopicBatching.KMeans"/>)
    /// and returns each instance's cluster; a spelling variant shares its original's. Called before any checkpoint is
    /// loaded; a resumed run then takes the clusters stored in its checkpoint instead.</summary>
    private int[] TopicClusters(List<TrainingInstance> instances, IReadOnlyDictionary<string, string> queryText, IAnsiConsole? console)
    {
        var clock = Stopwatch.StartNew();
        var (sources, texts) = SourceQueries(instances, queryText);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < sources.Count; i++) index[sources[i]] = i;
        int k = Math.Min(_o.TopicClusters, sources.Count);
        EmbeddingMatrix vectors;
        using (var embedder = new SiameseEmbedder(_model, "start", ownsModel: false))
            vectors = embedder.Encode(texts, EmbeddingRole.Query);
        var clusterOfQuery = TopicBatching.KMeans(vectors, k, _o.Seed);
        console?.MarkupLine($"topic-aware batches: {sources.Count:N0} training queries clustered into {k:N0} clusters" +
                            $"{(k < _o.TopicClusters ? $" ({_o.TopicClusters:N0} asked, capped at the number of queries)" : "")} in {clock.Elapsed.TotalSeconds:F1} s");
        return instances.Select(i => clusterOfQuery[index[i.SourceQueryId]]).ToArray();
    }

    /// <summary>The distinct source queries of the instances, in first-seen order, with their texts.</summary>
    private static (List<string> Ids, List<string> Texts) SourceQueries(List<TrainingInstance> instances, IReadOnlyDictionary<string, string> queryText)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ids = new List<string>();
        var texts = new List<string>();
        foreach (var inst in instances)
            if (seen.Add(inst.SourceQueryId))
            {
                ids.Add(inst.SourceQueryId);
                texts.Add(queryText.GetValueOrDefault(inst.SourceQueryId, inst.QueryText)); // the embedder adds the query prefix
            }
        return (ids, texts);
    }

    /// <summary>Reports the clusters the run actually uses (<see cref="_instanceClusters"/>, fresh or from the
    /// checkpoint): sizes into <paramref name="result"/> and the console, and <see cref="TopicClustersFileName"/> (one
    /// line per cluster with its queries, to see what a batch looks like).</summary>
    private void DescribeTopicClusters(List<TrainingInstance> instances, IReadOnlyDictionary<string, string> queryText,
        string outDir, TrainResult result, IAnsiConsole? console)
    {
        var (sources, texts) = SourceQueries(instances, queryText);
        var clusterOfSource = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < instances.Count; i++) clusterOfSource.TryAdd(instances[i].SourceQueryId, _instanceClusters![i]);
        var clusterOfQuery = sources.Select(id => clusterOfSource[id]).ToArray();
        var sizes = TopicBatching.SizeSummary(clusterOfQuery);
        result.TopicClusters = sizes.Clusters;
        result.TopicClusterSizes = new[] { sizes.Min, sizes.Median, sizes.Max };
        var members = Enumerable.Range(0, sources.Count).GroupBy(i => clusterOfQuery[i]).OrderBy(g => g.Key).ToList();
        AtomicFile.WriteAllText(Path.Combine(outDir, TopicClustersFileName), string.Concat(members.Select(g =>
            JsonSerializer.Serialize(new { cluster = g.Key, size = g.Count(), queries = g.Select(i => texts[i]).ToArray() }) + "\n")));
        if (console is null) return;
        console.MarkupLine($"topic-aware batches: {sizes.Clusters:N0} clusters of {sizes.Min} / {sizes.Median} / {sizes.Max} queries (smallest / median / largest)");
        foreach (var g in members.Where(g => g.Count() >= 4).Take(2))
            console.MarkupLine($"  e.g. cluster {g.Key}: {Markup.Escape(string.Join(" · ", g.Take(6).Select(i => texts[i])))}{(g.Count() > 6 ? " …" : "")}");
    }

    private List<TrainingInstance> NextBatch(List<TrainingInstance> instances, TrainState st, SerializableRandom rng, out int clusters)
    {
        if (st.Position >= instances.Count)
        {
            st.Epoch++;
            st.Position = 0;
            st.Order = EpochOrder(st.Order, instances.Count, rng);
        }
        int take = Math.Min(_o.BatchSize, instances.Count - st.Position);
        var batch = new List<TrainingInstance>(take);
        for (int i = 0; i < take; i++) batch.Add(instances[st.Order![st.Position + i]]);
        clusters = _instanceClusters is null ? 0 : Enumerable.Range(st.Position, take).Select(i => _instanceClusters[st.Order![i]]).Distinct().Count();
        st.Position += take;
        return batch;
    }

    private static double Temperature(ILoss loss) => loss switch
    {
        LabelAwareSupConLoss s => s.Temperature,
        CombinedLoss c => c.Parts.Select(p => p.Loss).OfType<LabelAwareSupConLoss>().Select(s => s.Temperature).DefaultIfEmpty(double.NaN).First(),
        _ => double.NaN,
    };

    private static Dictionary<string, Tensor> Snapshot(nn.Module module)
    {
        using var _ = no_grad();
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in module.named_parameters())
        {
            var c = p.detach().clone();
            c.DetachFromDisposeScope();
            d[name] = c;
        }
        return d;
    }

    private static void RestoreWeights(nn.Module module, Dictionary<string, Tensor> weights)
    {
        using var _ = no_grad();
        foreach (var (name, p) in module.named_parameters()) p.copy_(weights[name]);
    }

    private static void DisposeAll(Dictionary<string, Tensor>? d)
    {
        if (d is null) return;
        foreach (var t in d.Values) t.Dispose();
    }

    private const string WeightsFile = "model.safetensors", BestFile = "best.safetensors", OptimizerFile = "optimizer.bin", StateFile = "state.json";

    private static void SaveCheckpoint(CheckpointStore store, TrainState st, SiameseEncoder enc, ILoss loss, AdamW optimizer, Dictionary<string, Tensor>? best)
    {
        st.LossParameters = loss.TrainableParameters.Select(p => p.detach().cpu().data<float>().ToArray()).ToList();
        store.Save(st.Step, dir =>
        {
            Safetensors.Write(Path.Combine(dir, WeightsFile), enc.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter));
            if (best is not null) Safetensors.Write(Path.Combine(dir, BestFile), best);
            optimizer.save_state_dict(Path.Combine(dir, OptimizerFile));
            File.WriteAllText(Path.Combine(dir, StateFile), JsonSerializer.Serialize(st, StateJson));
        });
    }

    private static TrainState LoadCheckpoint(string dir, SiameseEncoder enc, ILoss loss, AdamW optimizer, out Dictionary<string, Tensor>? best)
    {
        string statePath = Path.Combine(dir, StateFile);
        var st = JsonSerializer.Deserialize<TrainState>(File.ReadAllText(statePath), StateJson)
                 ?? throw new InvalidDataException($"{statePath}: empty checkpoint state.");
        string w = Path.Combine(dir, WeightsFile);
        WeightLoading.Load(enc, Safetensors.Read(w), w);
        var lp = loss.TrainableParameters;
        if (st.LossParameters.Count != lp.Count)
            throw new InvalidDataException($"{statePath}: {st.LossParameters.Count} loss parameters saved, the loss '{loss.Name}' has {lp.Count}; resume with the same --loss.");
        using (no_grad())
            for (int i = 0; i < lp.Count; i++)
            {
                using var t = tensor(st.LossParameters[i], lp[i].shape);
                lp[i].copy_(t);
            }
        optimizer.load_state_dict(Path.Combine(dir, OptimizerFile));
        best = null;
        string b = Path.Combine(dir, BestFile);
        if (File.Exists(b))
        {
            best = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (name, t) in Safetensors.Read(b))
            {
                var x = t.ToTorch();
                x.DetachFromDisposeScope();
                best[name] = x;
            }
        }
        return st;
    }

    private static readonly JsonSerializerOptions StateJson = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Resumable loop state (state.json of a checkpoint).</summary>
    private sealed class TrainState
    {
        public long Step { get; set; }
        public int Epoch { get; set; }
        public int Position { get; set; }
        public int[]? Order { get; set; }
        public string Rng { get; set; } = "";
        public double BestNdcg10 { get; set; } = double.NaN;
        /// <summary>Null in checkpoints written before the selection metric became an option (then ndcg@10).</summary>
        public string? SelectMetric { get; set; }
        public double BestScore { get; set; } = double.NaN;
        public long BestStep { get; set; }
        public int EvalsWithoutImprovement { get; set; }
        public bool Stopped { get; set; }
        public List<DevEvaluation> Evaluations { get; set; } = new();
        public List<float[]> LossParameters { get; set; } = new();
        /// <summary>Topic-aware batches: each instance's cluster, fixed at the start of the run (null = random batches).</summary>
        public int[]? Clusters { get; set; }
    }
}
