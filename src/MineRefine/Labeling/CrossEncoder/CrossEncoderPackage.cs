using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MineRefine.Modeling;
using MineRefine.Modeling.Onnx;
using MineRefine.Text.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Labeling.CrossEncoder;

/// <summary>
/// A <see cref="CrossEncoderModel"/> with its tokenizer and config, savable as a labeler folder:
/// <c>model.safetensors</c> (weights), <c>config.json</c> (<see cref="CrossEncoderConfig"/>), the tokenizer file
/// (<c>vocab.txt</c>) and <c>model.json</c> (manifest: format, versions and SHA-256 of every file, checked on load).
/// </summary>
public sealed class CrossEncoderPackage : IDisposable
{
    /// <summary>Weights file name.</summary>
    public const string WeightsFile = "model.safetensors";
    /// <summary>Config file name.</summary>
    public const string ConfigFile = "config.json";
    /// <summary>Manifest file name.</summary>
    public const string ManifestFile = "model.json";

    /// <summary>Bundles a model and a tokenizer (takes ownership of the model).</summary>
    public CrossEncoderPackage(CrossEncoderModel model, ITokenizer tokenizer)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        if (tokenizer.VocabSize != model.Config.Transformer.VocabSize)
            throw new ArgumentException($"Tokenizer vocabulary size {tokenizer.VocabSize} does not match the model's VocabSize {model.Config.Transformer.VocabSize}.");
    }

    /// <summary>The network.</summary>
    public CrossEncoderModel Model { get; }
    /// <summary>The tokenizer.</summary>
    public ITokenizer Tokenizer { get; }
    /// <summary>The configuration.</summary>
    public CrossEncoderConfig Config => Model.Config;

    /// <summary>Cross-encoder initialised from the embedded all-MiniLM-L6-v2 (ONNX import) with a fresh head
    /// (seeded by <paramref name="seed"/>). <paramref name="maxPairLength"/> defaults to 64.</summary>
    public static CrossEncoderPackage CreateMiniLm(long seed, int maxPairLength = 64, PoolingMode pooling = PoolingMode.Mean,
        double headDropout = 0.1, int itemTextLevels = 2)
    {
        torch.manual_seed(seed);
        var bert = MiniLmImporter.LoadMiniLm();
        var tok = WordPieceTokenizer.MiniLm();
        var config = new CrossEncoderConfig
        {
            Transformer = bert.Config, Pooling = pooling, HeadDropout = headDropout, MaxPairLength = maxPairLength,
            ItemTextLevels = itemTextLevels, Tokenizer = ModelFolder.SpecOf(tok), BaseModel = "all-MiniLM-L6-v2",
        };
        return new CrossEncoderPackage(new CrossEncoderModel(bert, config), tok);
    }

    /// <summary>Randomly initialised cross-encoder for <paramref name="tokenizer"/> (VocabSize is taken from it),
    /// e.g. with <see cref="TransformerConfig.Tiny"/> for tests. Seeds torch with <paramref name="seed"/>.</summary>
    public static CrossEncoderPackage CreateRandom(CrossEncoderConfig config, ITokenizer tokenizer, long seed)
    {
        config = config with
        {
            Transformer = config.Transformer with { VocabSize = tokenizer.VocabSize },
            Tokenizer = ModelFolder.SpecOf(tokenizer),
            BaseModel = "random",
        };
        torch.manual_seed(seed);
        return new CrossEncoderPackage(new CrossEncoderModel(config), tokenizer);
    }

    /// <summary>A tiny random cross-encoder over the MiniLM vocabulary (2 layers, hidden 32; for tests and
    /// <c>--tiny</c> smoke runs).</summary>
    public static CrossEncoderPackage CreateTiny(long seed, int maxPairLength = 48)
    {
        var tok = WordPieceTokenizer.MiniLm();
        return CreateRandom(new CrossEncoderConfig
        {
            Transformer = TransformerConfig.Tiny(tok.VocabSize), MaxPairLength = maxPairLength, HeadDropout = 0,
        }, tok, seed);
    }

    /// <summary>Tokenizes pairs as <c>[CLS] q [SEP] item [SEP]</c> truncated to <see cref="CrossEncoderConfig.MaxPairLength"/>.</summary>
    public TokenizedText Encode(string query, string itemText) => Tokenizer.EncodePair(query, itemText, Config.MaxPairLength);

    /// <summary>Class probabilities [n][3] of already tokenized rows, in one forward pass (eval mode, no grad).</summary>
    public float[][] PredictProbabilities(IReadOnlyList<TokenizedText> rows)
    {
        if (rows.Count == 0) return [];
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        bool wasTraining = Model.training;
        if (wasTraining) Model.eval();
        try
        {
            var batch = TokenBatch.Pad(rows, Tokenizer.PadId);
            var (ids, mask, types) = batch.ToTensors();
            var probs = Model.forward(ids, mask, types).softmax(-1).to_type(ScalarType.Float32).contiguous();
            var flat = probs.data<float>().ToArray();
            var result = new float[rows.Count][];
            for (int i = 0; i < rows.Count; i++) result[i] = flat.AsSpan(i * 3, 3).ToArray();
            return result;
        }
        finally
        {
            if (wasTraining) Model.train();
        }
    }

    /// <summary>Writes the labeler folder atomically enough for our use: files go to a temporary sibling folder
    /// which then replaces <paramref name="folder"/>.</summary>
    public void Save(string folder)
    {
        folder = Path.GetFullPath(folder);
        var parent = Path.GetDirectoryName(folder)!;
        Directory.CreateDirectory(parent);
        var tmp = Path.Combine(parent, $".tmp-{Path.GetFileName(folder)}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        try
        {
            WriteFiles(tmp);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            Directory.Move(tmp, folder);
        }
        catch
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            throw;
        }
    }

    private void WriteFiles(string folder)
    {
        var weights = Model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        Safetensors.Write(Path.Combine(folder, WeightsFile), weights, new Dictionary<string, string> { ["format"] = "pt" });
        File.WriteAllText(Path.Combine(folder, ConfigFile), JsonSerializer.Serialize(Config, CrossEncoderConfig.Json));
        var files = new List<string> { WeightsFile, ConfigFile };
        files.AddRange(Tokenizer.Save(folder));
        var manifest = new JsonObject
        {
            ["format"] = "minerefine-labeler",
            ["formatVersion"] = 1,
            ["kind"] = "cross-encoder",
            ["minerefineVersion"] = typeof(CrossEncoderPackage).Assembly.GetName().Version?.ToString() ?? "",
            ["torchSharpVersion"] = typeof(torch).Assembly.GetName().Version?.ToString() ?? "",
            ["files"] = ModelFolder.FileHashes(folder, files),
        };
        File.WriteAllText(Path.Combine(folder, ManifestFile), manifest.ToJsonString(CrossEncoderConfig.Json));
    }

    /// <summary>True when <paramref name="folder"/> is a labeler folder (its manifest's kind is cross-encoder).</summary>
    public static bool IsLabelerFolder(string folder) =>
        ModelFolder.PeekManifestField(folder, ManifestFile, "kind") == "cross-encoder";

    /// <summary>Loads a labeler folder written by <see cref="Save"/> (eval mode). Errors name the missing or
    /// corrupt file, or the weight with expected vs found shape.</summary>
    public static CrossEncoderPackage Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Labeler folder not found: {folder}");
        string Need(string name) => ModelFolder.Need(folder, name, "Labeler");
        var manifest = ModelFolder.ReadVerifiedManifest(folder, ManifestFile, "Labeler");
        if (manifest["kind"]?.GetValue<string>() != "cross-encoder")
            throw new InvalidDataException($"{Path.Combine(folder, ManifestFile)}: field 'kind' must be 'cross-encoder'; is this a labeler folder (written by 'minerefine labeler train')?");
        var config = ModelFolder.ReadConfig<CrossEncoderConfig>(Need(ConfigFile), CrossEncoderConfig.Json);
        config.Validate();
        var tokenizer = ModelFolder.OpenTokenizer(folder, config.Tokenizer, config.Transformer.VocabSize, "Labeler");
        var weightsPath = Need(WeightsFile);
        var model = new CrossEncoderModel(config);
        try
        {
            WeightLoading.Load(model, Safetensors.Read(weightsPath), weightsPath);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return new CrossEncoderPackage(model, tokenizer);
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
