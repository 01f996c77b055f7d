using System.Diagnostics;
using MineRefine.Data;
using MineRefine.Modeling;
using MineRefine.Modeling.Onnx;
using MineRefine.Text.Tokenization;

namespace MineRefine.Labeling.CrossEncoder;

/// <summary>Inference options of <see cref="CrossEncoderLabeler"/>.</summary>
public sealed record CrossEncoderLabelerOptions
{
    /// <summary>Pairs per forward pass.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Sort pairs by token length before batching (less padding; results are returned in request order).</summary>
    public bool LengthBucketing { get; init; } = true;
    /// <summary>Optional persistent cache file (<see cref="ProbabilityCache"/>); null = in-memory cache only. Written
    /// batch by batch, so a long grading job that is stopped or crashes keeps what it computed, and a rerun with the
    /// same cache computes only the rest.</summary>
    public string? CachePath { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> on invalid values.</summary>
    public CrossEncoderLabelerOptions Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"Invalid labeler options: BatchSize must be ≥ 1 (got {BatchSize}).");
        return this;
    }
}

/// <summary>
/// The cross-encoder relevance judge (paper §2): grades (query, item text) pairs with a fine-tuned
/// <see cref="CrossEncoderModel"/>, returning softmax probabilities of grades 0/1/2 as
/// <see cref="LabelResult.FromProbabilities"/> with <see cref="JudgmentSource.Model"/>. Inference runs in
/// length-bucketed batches under <c>no_grad</c> and a dispose scope. Results are cached in memory by
/// (query text, item text) and optionally in a persistent <see cref="ProbabilityCache"/>; duplicate pairs in a
/// request are computed once. Not thread-safe for concurrent <see cref="LabelAsync"/> calls.
/// </summary>
public sealed class CrossEncoderLabeler : ILabeler
{
    private readonly CrossEncoderPackage _package;
    private readonly bool _ownsPackage;
    private readonly Dictionary<(string Query, string Item), float[]> _memory = new();
    private readonly ProbabilityCache? _disk;
    private readonly string _modelHash;
    private readonly OnnxPairClassifier? _onnx;

    /// <summary>Wraps a loaded package under <paramref name="name"/> (use "cross-encoder:&lt;folder name&gt;"). With
    /// <paramref name="onnx"/> (the package's exported graph; the labeler disposes it) pairs are scored on ONNX
    /// Runtime instead of TorchSharp.</summary>
    public CrossEncoderLabeler(CrossEncoderPackage package, string name, CrossEncoderLabelerOptions? options = null, bool ownsPackage = true,
        string? modelHash = null, OnnxPairClassifier? onnx = null)
    {
        _onnx = onnx;
        _package = package ?? throw new ArgumentNullException(nameof(package));
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Options = (options ?? new CrossEncoderLabelerOptions()).Validate();
        _ownsPackage = ownsPackage;
        _package.Model.eval();
        _modelHash = modelHash ?? name;
        if (Options.CachePath is not null) _disk = new ProbabilityCache(Options.CachePath);
    }

    /// <summary>Loads a labeler folder written by <c>labeler train</c> (<see cref="CrossEncoderPackage.Save"/>); the
    /// name is "cross-encoder:&lt;folder name&gt;", the persistent-cache key includes the weights' SHA-256.</summary>
    public static CrossEncoderLabeler FromFolder(string folder, CrossEncoderLabelerOptions? options = null)
    {
        var full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        var package = CrossEncoderPackage.Load(full);
        OnnxPairClassifier? onnx = null;
        try
        {
            var hash = MineRefine.Common.FileHashing.Sha256(Path.Combine(full, CrossEncoderPackage.WeightsFile));
            // A folder written by 'export' also carries the graph (listed, so already hash-checked by Load).
            var manifest = ModelFolder.ReadManifest(full, CrossEncoderPackage.ManifestFile, "Labeler");
            if (manifest[OnnxExporter.LabelerOnnxField]?["file"]?.GetValue<string>() is { } graph)
            {
                onnx = new OnnxPairClassifier(ModelFolder.Need(full, graph, "Labeler"), package.Tokenizer.PadId);
                hash += ":onnx"; // its probabilities differ from TorchSharp's in the 7th digit: keep their caches apart
            }
            return new CrossEncoderLabeler(package, "cross-encoder:" + Path.GetFileName(full), options, ownsPackage: true, modelHash: hash, onnx: onnx);
        }
        catch
        {
            onnx?.Dispose();
            package.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Name { get; }
    /// <summary>The options.</summary>
    public CrossEncoderLabelerOptions Options { get; }
    /// <summary>The model and tokenizer.</summary>
    public CrossEncoderPackage Package => _package;
    /// <summary>Pairs sent through the model so far (cache hits and in-request duplicates excluded).</summary>
    public long ComputedPairs { get; private set; }
    /// <summary>Pairs answered from a cache so far.</summary>
    public long CacheHits { get; private set; }
    /// <summary>Model throughput of the last call that computed pairs (pairs per second, tokenization included).</summary>
    public double LastPairsPerSecond { get; private set; }

    /// <summary>The labeler's item text for a product (<see cref="LabelingText.ItemText"/> with the configured levels).</summary>
    public string ItemText(Product product) => LabelingText.ItemText(product, _package.Config.ItemTextLevels);

    /// <inheritdoc />
    public Task<IReadOnlyList<LabelResult>> LabelAsync(IReadOnlyList<LabelRequest> pairs, IProgress<int>? progress = null,
        CancellationToken ct = default) => Task.FromResult(Label(pairs, progress, ct));

    /// <summary>Synchronous <see cref="LabelAsync"/>.</summary>
    public IReadOnlyList<LabelResult> Label(IReadOnlyList<LabelRequest> pairs, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var probs = new float[pairs.Count][];
        var todo = new Dictionary<(string, string), List<int>>();
        int done = 0;
        for (int i = 0; i < pairs.Count; i++)
        {
            var r = pairs[i] ?? throw new ArgumentException($"pairs[{i}] is null.");
            var key = (r.QueryText, r.ItemText);
            if (_memory.TryGetValue(key, out var p)) { probs[i] = p; CacheHits++; done++; continue; }
            if (_disk is not null && _disk.TryGet(ProbabilityCache.Key(_modelHash, r.QueryText, r.ItemText), out p))
            {
                _memory[key] = p; probs[i] = p; CacheHits++; done++; continue;
            }
            if (!todo.TryGetValue(key, out var list)) todo[key] = list = new List<int>();
            else { CacheHits++; }
            list.Add(i);
        }
        if (done > 0) progress?.Report(done);
        if (todo.Count > 0)
        {
            var keys = todo.Keys.ToList();
            var rows = keys.Select(k => _package.Encode(k.Item1, k.Item2)).ToList();
            // Each batch goes to the persistent cache as soon as it is computed, not at the end of the call.
            void Persist(int[] keyIndices, float[][] batch) =>
                _disk?.AddRange(keyIndices.Select((k, j) => (ProbabilityCache.Key(_modelHash, keys[k].Item1, keys[k].Item2), batch[j])));
            var sw = Stopwatch.StartNew();
            float[][] computed;
            if (Options.LengthBucketing)
            {
                computed = CrossEncoderTrainer.PredictBucketed(Predict, rows, Options.BatchSize, ct, (idx, p) =>
                {
                    Persist(idx, p);
                    Advance(idx.Length);
                });
            }
            else
            {
                computed = new float[rows.Count][];
                for (int s = 0; s < rows.Count; s += Options.BatchSize)
                {
                    ct.ThrowIfCancellationRequested();
                    var chunk = rows.GetRange(s, Math.Min(Options.BatchSize, rows.Count - s));
                    var p = Predict(chunk);
                    for (int k = 0; k < p.Length; k++) computed[s + k] = p[k];
                    Persist(Enumerable.Range(s, chunk.Count).ToArray(), p);
                    Advance(chunk.Count);
                }
            }
            LastPairsPerSecond = rows.Count / Math.Max(1e-9, sw.Elapsed.TotalSeconds);
            ComputedPairs += rows.Count;
            for (int k = 0; k < keys.Count; k++)
            {
                _memory[keys[k]] = computed[k];
                foreach (var i in todo[keys[k]]) probs[i] = computed[k];
            }
            if (done != pairs.Count) progress?.Report(pairs.Count); // in-request duplicates finish with their first copy
        }
        return probs.Select(p => LabelResult.FromProbabilities((float[])p.Clone(), JudgmentSource.Model, Name)).ToList();

        void Advance(int computedInBatch)
        {
            // count each computed key's duplicates as done too
            done += computedInBatch;
            progress?.Report(Math.Min(done, pairs.Count));
        }
    }

    /// <summary>True when pairs are scored on ONNX Runtime (a labeler folder written by <c>minerefine export</c>).</summary>
    public bool UsesOnnxRuntime => _onnx is not null;

    private float[][] Predict(IReadOnlyList<TokenizedText> rows) =>
        _onnx is not null ? _onnx.PredictProbabilities(rows) : _package.PredictProbabilities(rows);

    /// <summary>Tokenized rows of pairs (as the model sees them).</summary>
    public TokenizedText Encode(string query, string itemText) => _package.Encode(query, itemText);

    /// <summary>Pairs held by the persistent cache (0 without one): graded by an earlier run, not computed again.</summary>
    public int CachedPairs => _disk?.Count ?? 0;

    /// <summary>Clears the in-memory cache.</summary>
    public void ClearMemoryCache() => _memory.Clear();

    /// <inheritdoc />
    public void Dispose()
    {
        _disk?.Dispose();
        _onnx?.Dispose();
        if (_ownsPackage) _package.Dispose();
    }
}
