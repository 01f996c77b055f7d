using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MineRefine.Modeling.Onnx;
using MineRefine.Retrieval;
using MineRefine.Text.Tokenization;

namespace MineRefine.Modeling;

/// <summary>
/// <see cref="ITwoTowerEmbedder"/> on ONNX Runtime over an ONNX model folder written by <see cref="OnnxExporter"/>:
/// the folder's tokenizer, maximum lengths and query prefix, the same length-bucketed batching as
/// <see cref="SiameseEmbedder"/>, and the graph's <c>query_embedding</c> or <c>item_embedding</c> output per role.
/// Its <see cref="ModelHash"/> is the manifest-checked SHA-256 of <c>model.onnx</c> and <c>config.json</c>, so
/// embedding caches never mix its vectors with the TorchSharp model's.
/// </summary>
public sealed class OnnxSiameseEmbedder : ITwoTowerEmbedder
{
    private readonly InferenceSession _session;

    private OnnxSiameseEmbedder(InferenceSession session, ITokenizer tokenizer, SiameseConfig config, string name, string hash,
        EmbedderOptions options, int dimension)
    {
        _session = session;
        Tokenizer = tokenizer;
        Config = config;
        Name = name;
        ModelHash = hash;
        Options = options;
        Dimension = dimension;
    }

    /// <summary>Opens an ONNX model folder; <paramref name="threads"/> intra-op threads (default: one per core).
    /// Errors name the folder and the missing, corrupt or inconsistent file.</summary>
    public static OnnxSiameseEmbedder FromFolder(string folder, EmbedderOptions? options = null, int? threads = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"ONNX model folder not found: {folder}");
        if (threads is < 1) throw new ArgumentOutOfRangeException(nameof(threads), "threads must be >= 1.");
        var manifest = ModelFolder.ReadVerifiedManifest(folder, SiameseModel.ManifestFile, "ONNX model");
        if (manifest["format"]?.GetValue<string>() != OnnxExporter.Format)
            throw new InvalidDataException($"{Path.Combine(folder, SiameseModel.ManifestFile)}: format is not '{OnnxExporter.Format}'; " +
                                           "this is not an ONNX model folder (write one with 'minerefine export').");
        var config = ModelFolder.ReadConfig<SiameseConfig>(ModelFolder.Need(folder, SiameseModel.ConfigFile, "ONNX model"), SiameseConfig.Json).Validate();
        var tokenizer = ModelFolder.OpenTokenizer(folder, config.Tokenizer, config.Transformer.VocabSize, "ONNX model");
        string modelPath = ModelFolder.Need(folder, OnnxExporter.ModelFile, "ONNX model");
        // The manifest's hashes were just checked against the files, so they identify graph and config.
        var files = manifest["files"]!.AsObject();
        foreach (var f in new[] { OnnxExporter.ModelFile, SiameseModel.ConfigFile })
            if (!files.ContainsKey(f))
                throw new InvalidDataException($"{Path.Combine(folder, SiameseModel.ManifestFile)}: 'files' does not list '{f}'; re-export the model.");
        string hash = (files[OnnxExporter.ModelFile]?.GetValue<string>() ?? "") + ":" + (files[SiameseModel.ConfigFile]?.GetValue<string>() ?? "");
        using var so = new SessionOptions { IntraOpNumThreads = threads ?? Environment.ProcessorCount, InterOpNumThreads = 1 };
        InferenceSession session;
        try
        {
            session = new InferenceSession(modelPath, so);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{modelPath}: ONNX Runtime cannot load the graph ({e.Message}).", e);
        }
        try
        {
            foreach (var name in new[] { OnnxExporter.QueryOutput, OnnxExporter.ItemOutput })
                if (!session.OutputMetadata.ContainsKey(name))
                    throw new InvalidDataException($"{modelPath}: the graph has no output '{name}'.");
            var dims = session.OutputMetadata[OnnxExporter.QueryOutput].Dimensions;
            int dim = dims.Length == 2 && dims[1] > 0 ? dims[1]
                : throw new InvalidDataException($"{modelPath}: output '{OnnxExporter.QueryOutput}' has no fixed embedding dimension.");
            return new OnnxSiameseEmbedder(session, tokenizer, config, new DirectoryInfo(folder).Name, Convert.ToHexStringLower(
                System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(hash))), (options ?? new EmbedderOptions()).Validate(), dim);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The tokenizer (for its counters).</summary>
    public ITokenizer Tokenizer { get; }
    /// <summary>Batching options.</summary>
    public EmbedderOptions Options { get; }
    /// <inheritdoc />
    public SiameseConfig Config { get; }
    /// <inheritdoc />
    public ItemTextFormatter ItemFormatter => new(Config.ItemTemplate);
    /// <inheritdoc />
    public string Name { get; }
    /// <inheritdoc />
    public int Dimension { get; }
    /// <inheritdoc />
    public string ModelHash { get; }

    /// <inheritdoc />
    public EmbeddingMatrix Encode(IReadOnlyList<string> texts, EmbeddingRole role, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        int dim = Dimension;
        var data = new float[(long)texts.Count * dim];
        if (texts.Count == 0) return new EmbeddingMatrix(0, dim, data);
        int maxLen = role == EmbeddingRole.Query ? Config.MaxQueryLength : Config.MaxItemLength;
        if (role == EmbeddingRole.Query && Config.QueryPrefix is { Length: > 0 } prefix)
            texts = texts.Select(t => prefix + t).ToList();
        string output = role == EmbeddingRole.Query ? OnnxExporter.QueryOutput : OnnxExporter.ItemOutput;
        int done = 0;
        foreach (var (idx, batch) in BatchPlanner.Plan(texts, Tokenizer, maxLen, Options))
        {
            int[] shape = [batch.Count, batch.Length];
            var inputs = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor(OnnxExporter.InputIds, new DenseTensor<long>(batch.InputIds, shape)),
                NamedOnnxValue.CreateFromTensor(OnnxExporter.AttentionMask, new DenseTensor<long>(batch.AttentionMask, shape)),
            };
            using var results = _session.Run(inputs, [output]);
            var values = results[0].AsTensor<float>().ToArray(); // [B, D]
            for (int r = 0; r < idx.Length; r++)
                Array.Copy(values, (long)r * dim, data, (long)idx[r] * dim, dim);
            done += idx.Length;
            progress?.Report(done);
        }
        return new EmbeddingMatrix(texts.Count, dim, data);
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
