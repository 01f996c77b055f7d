using System.Diagnostics;
using System.Text.Json.Serialization;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Data.Import;
using MineRefine.Modeling;
using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;
using MineRefine.Retrieval.Hybrid;

namespace MineRefine.Serving;

/// <summary>Options of <see cref="SearchIndex.Build"/>.</summary>
public sealed class SearchIndexOptions
{
    /// <summary>ANN settings (default HNSW, f16, M 16, ef_add 128, ef_search 64).</summary>
    public VectorIndexOptions Vectors { get; set; } = new() { Kind = VectorIndexKind.Hnsw };
    /// <summary>BM25 settings (the index folder is set by the builder).</summary>
    public Bm25Options Bm25 { get; set; } = new();
    /// <summary>An embedding cache folder to reuse (e.g. the pipeline's), so a catalog already encoded with the same
    /// model is not encoded again. Optional.</summary>
    public string? SharedEmbeddingCache { get; set; }
}

/// <summary>Options of <see cref="SearchIndex.Open(string, SearchIndexOpenOptions, CancellationToken)"/>.</summary>
public sealed class SearchIndexOpenOptions
{
    /// <summary>
    /// Creates the dense backend that replaces the folder's local ANN index (<c>dense.index</c> is then not opened),
    /// given the folder's manifest (e.g. to check the vector dimension). Null (default): the local index. The engine
    /// owns and disposes the backend. The query tower, BM25, thresholds and fusion settings still come from the folder.
    /// </summary>
    public Func<SearchIndexManifest, IDenseBackend>? DenseBackend { get; set; }

    /// <summary>When a backend is used, refuse to load if none of its shards answers the first probe (default true).</summary>
    public bool RequireReachableBackend { get; set; } = true;
}

/// <summary>The manifest of a search index folder (<c>index.json</c>).</summary>
public sealed record SearchIndexManifest(
    [property: JsonPropertyName("products")] int Products,
    [property: JsonPropertyName("dimension")] int Dimension,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("model_hash")] string ModelHash,
    [property: JsonPropertyName("catalog_hash")] string CatalogHash,
    [property: JsonPropertyName("vector_index")] string VectorIndex,
    [property: JsonPropertyName("has_thresholds")] bool HasThresholds,
    [property: JsonPropertyName("has_fusion")] bool HasFusion,
    [property: JsonPropertyName("built_at")] DateTimeOffset BuiltAt,
    [property: JsonPropertyName("seconds")] double Seconds);

/// <summary>
/// A self-contained search index folder that <c>minerefine serve</c> loads:
/// <c>model/</c> (the two-tower model, with <c>thresholds.json</c> and <c>fusion.json</c> when calibrated),
/// <c>products.jsonl</c> (the catalog), <c>embeddings/</c> (item embeddings), <c>dense.index</c> (the ANN index over
/// them, rows aligned with the catalog), <c>bm25-index/</c> (Lucene) and <c>index.json</c>.
/// </summary>
public static class SearchIndex
{
    /// <summary>File names inside an index folder.</summary>
    public const string ModelDir = "model", ProductsFile = "products.jsonl", EmbeddingsDir = "embeddings",
        VectorFile = "dense.index", Bm25Dir = "bm25-index", ManifestFile = "index.json",
        ThresholdsFile = "thresholds.json", FusionFile = "fusion.json";

    /// <summary>The calibration files the service reads from a model folder (<see cref="ThresholdsFile"/>,
    /// <see cref="FusionFile"/>) that exist in <paramref name="modelDir"/>, as full paths.</summary>
    public static IReadOnlyList<string> CalibrationFiles(string modelDir) =>
        Directory.Exists(modelDir)
            ? new[] { ThresholdsFile, FusionFile }.Select(f => Path.Combine(modelDir, f)).Where(File.Exists).ToList()
            : [];

    /// <summary>Builds an index folder from a model ("minilm" or a model folder) and a catalog.</summary>
    public static SearchIndexManifest Build(string model, IReadOnlyList<Product> products, string outDir,
        SearchIndexOptions? options = null, IProgress<int>? progress = null)
    {
        options ??= new SearchIndexOptions();
        options.Vectors.Validate();
        var sw = Stopwatch.StartNew();
        Directory.CreateDirectory(outDir);
        string modelDir = Path.Combine(outDir, ModelDir);
        using var embedder = EmbedderFactory.Open(model);
        if (Directory.Exists(modelDir)) Directory.Delete(modelDir, true);
        if (Directory.Exists(model)) FolderCopy.Copy(model, modelDir);
        else ((SiameseEmbedder)embedder).Model.Save(modelDir); // a pretrained name always opens a SiameseEmbedder

        using (var w = new JsonlWriter(Path.Combine(outDir, ProductsFile)))
            foreach (var p in products) w.Write(p);

        var ids = products.Select(p => p.Id).ToList();
        var texts = embedder.ItemFormatter.Format(products);
        string catalogHash = CatalogHash.Of(texts);
        var cache = new EmbeddingCache(Path.Combine(outDir, EmbeddingsDir));
        var source = options.SharedEmbeddingCache is { } shared ? new EmbeddingCache(shared) : cache;
        var items = source.GetOrCompute(embedder.ModelHash, catalogHash, texts.Count, embedder.Dimension,
            () => embedder.Encode(texts, EmbeddingRole.Item, progress), out _);
        if (!ReferenceEquals(source, cache)) cache.Store(embedder.ModelHash, catalogHash, items);
        using (var index = VectorIndex.Create(embedder.Dimension, options.Vectors))
        {
            if (items.Count > 0) index.Add(items);
            index.Save(Path.Combine(outDir, VectorFile));
        }
        var bm25Options = CloneBm25(options.Bm25, Path.Combine(outDir, Bm25Dir));
        using (new Bm25Retriever(products, bm25Options)) { }

        var manifest = new SearchIndexManifest(products.Count, embedder.Dimension, embedder.Name, embedder.ModelHash,
            catalogHash, options.Vectors.Kind.ToString().ToLowerInvariant(),
            File.Exists(Path.Combine(modelDir, ThresholdsFile)), File.Exists(Path.Combine(modelDir, FusionFile)),
            DateTimeOffset.UtcNow, sw.Elapsed.TotalSeconds);
        Json.WriteFile(Path.Combine(outDir, ManifestFile), manifest);
        return manifest;
    }

    /// <summary>Opens an index folder as a search engine (model, ANN index memory-mapped when it is HNSW, BM25,
    /// thresholds and fusion settings). Errors name the missing file.</summary>
    public static ISearchEngine Open(string indexDir, CancellationToken ct = default) => Open(indexDir, new SearchIndexOpenOptions(), ct);

    /// <summary>Opens an index folder as a search engine whose dense leg is <paramref name="options"/>.DenseBackend
    /// when given (e.g. a sharded Garnet index pushed from this folder), else the folder's ANN index. Errors name the
    /// missing file; with a backend, a load where no shard answers fails with the probe's errors.</summary>
    public static ISearchEngine Open(string indexDir, SearchIndexOpenOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string manifestPath = Path.Combine(indexDir, ManifestFile);
        if (!File.Exists(manifestPath))
            throw new FileNotFoundException($"'{indexDir}' is not a search index folder: {ManifestFile} is missing " +
                                            "(build one with 'minerefine index build').", manifestPath);
        var manifest = Json.ReadFile<SearchIndexManifest>(manifestPath);
        string modelDir = Path.Combine(indexDir, ModelDir);
        var products = JsonlFormat.ReadProducts(Path.Combine(indexDir, ProductsFile));
        if (products.Count != manifest.Products)
            throw new InvalidDataException($"{ProductsFile} has {products.Count} products but {ManifestFile} says {manifest.Products}; rebuild the index.");
        ct.ThrowIfCancellationRequested();
        var embedder = EmbedderFactory.Open(modelDir); // a model folder, or an ONNX model folder (ONNX Runtime)
        IRetriever? dense = null, bm25 = null;
        try
        {
            var texts = embedder.ItemFormatter.Format(products);
            var cache = new EmbeddingCache(Path.Combine(indexDir, EmbeddingsDir));
            var items = cache.TryLoad(embedder.ModelHash, CatalogHash.Of(texts), texts.Count, embedder.Dimension, out string? problem)
                ?? throw new InvalidDataException($"The index's item embeddings do not match its model or catalog ({problem}); rebuild the index.");
            if (options.DenseBackend is { } factory)
            {
                var backend = factory(manifest) ?? throw new InvalidOperationException("SearchIndexOpenOptions.DenseBackend returned null.");
                BackendDenseRetriever viaBackend;
                try { viaBackend = new BackendDenseRetriever(embedder, backend, products.Select(p => p.Id).ToList(), items); }
                catch { backend.Dispose(); throw; }
                dense = viaBackend;
                var health = viaBackend.CheckBackend();
                if (options.RequireReachableBackend && !health.Ready)
                    throw new InvalidOperationException($"No shard of the {health.Kind} backend ({health.Description}) is reachable: " +
                                                        string.Join("; ", health.Errors) + ". Start the servers or fix the endpoints.");
            }
            else
            {
                var index = VectorIndex.Open(Path.Combine(indexDir, VectorFile), new VectorIndexOptions { View = true });
                dense = new SerializedRetriever(new OwningRetriever(new DenseRetriever(embedder, products.Select(p => p.Id).ToList(), items, index), embedder));
            }
            ct.ThrowIfCancellationRequested();
            bm25 = new Bm25Retriever(products, new Bm25Options { IndexFolder = Path.Combine(indexDir, Bm25Dir) });
            string th = Path.Combine(modelDir, ThresholdsFile), fu = Path.Combine(modelDir, FusionFile);
            return HybridSearchEngine.FromProducts(dense, bm25, products,
                File.Exists(th) ? GradeThresholds.Load(th) : null,
                File.Exists(fu) ? FusionOptions.Load(fu) : null,
                $"{manifest.Model} ({Path.GetFileName(Path.GetFullPath(indexDir).TrimEnd('/'))})");
        }
        catch
        {
            dense?.Dispose();
            bm25?.Dispose();
            if (dense is null) embedder.Dispose();
            throw;
        }
    }

    private static Bm25Options CloneBm25(Bm25Options o, string folder) => new()
    {
        K1 = o.K1, B = o.B, Analyzer = o.Analyzer, Fields = o.Fields, Threads = o.Threads, IndexFolder = folder,
    };
}

/// <summary>Serialises calls into a retriever whose model is not safe to run from several request threads at
/// once (a TorchSharp module); libtorch already uses every core inside one call.</summary>
public sealed class SerializedRetriever(IRetriever inner) : IRetriever, IPairScorer
{
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public string Name => inner.Name;

    /// <inheritdoc />
    public IReadOnlyList<SearchHit>[] SearchBatch(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null)
    {
        lock (_gate) return inner.SearchBatch(queries, k, progress);
    }

    /// <inheritdoc />
    public float[] ScorePairs(IReadOnlyList<(string Query, string ProductId)> pairs, IProgress<int>? progress = null)
    {
        if (inner is not IPairScorer s) throw new NotSupportedException($"{inner.Name} cannot score pairs.");
        lock (_gate) return s.ScorePairs(pairs, progress);
    }

    /// <inheritdoc />
    public void Dispose() => inner.Dispose();
}
