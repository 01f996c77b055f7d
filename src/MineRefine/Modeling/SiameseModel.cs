using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MineRefine.Modeling.Onnx;
using MineRefine.Text.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Modeling;

/// <summary>Tokenizer description stored in <c>config.json</c>.</summary>
public sealed record TokenizerSpec
{
    /// <summary>"wordpiece" (file vocab.txt) or "o200k-compact" (file o200k-compact.txt).</summary>
    public string Kind { get; init; } = "wordpiece";
    /// <summary>Lower-case before tokenizing.</summary>
    public bool Lowercase { get; init; } = true;
    /// <summary>Unicode NFKC before tokenizing.</summary>
    public bool Nfkc { get; init; }
}

/// <summary>Everything in a model folder's <c>config.json</c>.</summary>
public sealed record SiameseConfig
{
    /// <summary>Format tag.</summary>
    public string Format { get; init; } = "minerefine-siamese";
    /// <summary>Format version.</summary>
    public int FormatVersion { get; init; } = 1;
    /// <summary>Backbone.</summary>
    public TransformerConfig Transformer { get; init; } = new();
    /// <summary>Heads and pooling.</summary>
    public HeadConfig Head { get; init; } = new();
    /// <summary>Maximum query tokens including [CLS]/[SEP].</summary>
    public int MaxQueryLength { get; init; } = 32;
    /// <summary>Maximum item tokens including [CLS]/[SEP].</summary>
    public int MaxItemLength { get; init; } = 64;
    /// <summary>Item text template (see <see cref="ItemTextFormatter"/>).</summary>
    public string ItemTemplate { get; init; } = ItemTextFormatter.DefaultTemplate;
    /// <summary>Tokenizer.</summary>
    public TokenizerSpec Tokenizer { get; init; } = new();
    /// <summary>Text prepended to every query before tokenizing (never to items), or null for none — e.g. the
    /// instruction an asymmetric retrieval model such as arctic-embed was trained with. Its tokens count towards
    /// <see cref="MaxQueryLength"/>. Omitted from config.json when null, so older folders load unchanged.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? QueryPrefix { get; init; }

    /// <summary>Validates every part with messages naming the field.</summary>
    public SiameseConfig Validate()
    {
        Transformer.Validate();
        Head.Validate();
        if (MaxQueryLength < 2 || MaxQueryLength > Transformer.MaxSequenceLength)
            throw new ArgumentException($"Invalid SiameseConfig: MaxQueryLength must be in [2, {Transformer.MaxSequenceLength}] (got {MaxQueryLength}).");
        if (MaxItemLength < 2 || MaxItemLength > Transformer.MaxSequenceLength)
            throw new ArgumentException($"Invalid SiameseConfig: MaxItemLength must be in [2, {Transformer.MaxSequenceLength}] (got {MaxItemLength}).");
        _ = new ItemTextFormatter(ItemTemplate);
        if (Tokenizer.Kind is not ("wordpiece" or "o200k-compact"))
            throw new ArgumentException($"Invalid SiameseConfig: Tokenizer.Kind must be 'wordpiece' or 'o200k-compact' (got '{Tokenizer.Kind}').");
        return this;
    }

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}

/// <summary>
/// A two-tower model bundled with its tokenizer and config, savable as a model folder:
/// <c>model.safetensors</c> (weights), <c>config.json</c> (<see cref="SiameseConfig"/>), tokenizer file
/// (<c>vocab.txt</c> or <c>o200k-compact.txt</c>) and <c>model.json</c> (manifest: versions and SHA-256 of each file).
/// </summary>
public sealed class SiameseModel : IDisposable
{
    /// <summary>Weights file name.</summary>
    public const string WeightsFile = "model.safetensors";
    /// <summary>Config file name.</summary>
    public const string ConfigFile = "config.json";
    /// <summary>Manifest file name.</summary>
    public const string ManifestFile = "model.json";

    /// <summary>Bundles <paramref name="encoder"/> and <paramref name="tokenizer"/> (takes ownership of the encoder).
    /// Throws when the tokenizer's vocabulary size differs from the embedding table.</summary>
    public SiameseModel(SiameseEncoder encoder, ITokenizer tokenizer, SiameseConfig config)
    {
        Encoder = encoder;
        Tokenizer = tokenizer;
        Config = config.Validate();
        if (tokenizer.VocabSize != encoder.Config.VocabSize)
            throw new ArgumentException($"Tokenizer vocabulary size {tokenizer.VocabSize} does not match the model's VocabSize {encoder.Config.VocabSize}.");
        if (config.Transformer != encoder.Config)
            throw new ArgumentException("SiameseConfig.Transformer differs from the encoder's configuration.");
    }

    /// <summary>The network.</summary>
    public SiameseEncoder Encoder { get; }
    /// <summary>The tokenizer.</summary>
    public ITokenizer Tokenizer { get; }
    /// <summary>The configuration.</summary>
    public SiameseConfig Config { get; }
    /// <summary>Item text formatter from <see cref="SiameseConfig.ItemTemplate"/>.</summary>
    public ItemTextFormatter ItemFormatter => new(Config.ItemTemplate);

    /// <summary>The text the query tower reads for <paramref name="query"/>: <see cref="SiameseConfig.QueryPrefix"/>
    /// + query.</summary>
    public string FormatQuery(string query) => Config.QueryPrefix is { Length: > 0 } p ? p + query : query;

    /// <summary>Number of tokens <see cref="SiameseConfig.QueryPrefix"/> adds to a query (0 without a prefix).</summary>
    public int QueryPrefixTokens =>
        Config.QueryPrefix is { Length: > 0 } p ? Tokenizer.Encode(p, Config.Transformer.MaxSequenceLength).Ids.Length - 2 : 0;

    /// <summary>Random-initialised model for <paramref name="tokenizer"/>; the transformer's VocabSize is set from the
    /// tokenizer. Seeds torch with <paramref name="seed"/>.</summary>
    public static SiameseModel CreateRandom(SiameseConfig config, ITokenizer tokenizer, long seed)
    {
        config = config with
        {
            Transformer = config.Transformer with { VocabSize = tokenizer.VocabSize },
            Tokenizer = ModelFolder.SpecOf(tokenizer),
        };
        torch.manual_seed(seed);
        return new SiameseModel(new SiameseEncoder(config.Transformer, config.Head), tokenizer, config);
    }

    /// <summary>all-MiniLM-L6-v2 from the embedded ONNX file. With the default <paramref name="head"/> this is the
    /// zero-shot "minilm" mode: masked mean pooling, identity projection, L2 (384-d). Pass a head with
    /// <c>OutputDim &gt; 0</c> to add freshly initialised projection heads for fine-tuning (seeded).</summary>
    public static SiameseModel CreateMiniLm(HeadConfig? head = null, int maxQueryLength = 256, int maxItemLength = 256, long seed = 0, bool fusedAttention = false) =>
        CreatePretrained(PretrainedModels.MiniLm, head, maxQueryLength, maxItemLength, seed, fusedAttention);

    /// <summary><paramref name="pretrained"/> from its embedded ONNX file, with the query prefix it was trained with.
    /// With the default <paramref name="head"/> this is the zero-shot mode: the model's own pooling, identity
    /// projection, L2. Pass a head with <c>OutputDim &gt; 0</c> to add freshly initialised projection heads for
    /// fine-tuning (seeded).</summary>
    public static SiameseModel CreatePretrained(PretrainedModel pretrained, HeadConfig? head = null, int maxQueryLength = 256,
        int maxItemLength = 256, long seed = 0, bool fusedAttention = false)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        head ??= new HeadConfig { OutputDim = 0, Shared = true, Pooling = pretrained.Pooling };
        torch.manual_seed(seed);
        var bert = MiniLmImporter.LoadPretrained(pretrained, fusedAttention);
        var tok = WordPieceTokenizer.FromPretrained(pretrained);
        var config = new SiameseConfig
        {
            Transformer = bert.Config, Head = head, MaxQueryLength = maxQueryLength, MaxItemLength = maxItemLength,
            Tokenizer = ModelFolder.SpecOf(tok), QueryPrefix = pretrained.QueryPrefix,
        };
        var enc = new SiameseEncoder(bert, head);
        enc.eval();
        return new SiameseModel(enc, tok, config);
    }

    /// <summary>Writes the model folder (created if needed; existing files are overwritten).</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var weights = Encoder.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        Safetensors.Write(Path.Combine(folder, WeightsFile), weights, new Dictionary<string, string> { ["format"] = "pt" });
        File.WriteAllText(Path.Combine(folder, ConfigFile), JsonSerializer.Serialize(Config, SiameseConfig.Json));
        var files = new List<string> { WeightsFile, ConfigFile };
        files.AddRange(Tokenizer.Save(folder));
        var manifest = new JsonObject
        {
            ["format"] = "minerefine-model",
            ["formatVersion"] = 1,
            ["minerefineVersion"] = typeof(SiameseModel).Assembly.GetName().Version?.ToString() ?? "",
            ["torchSharpVersion"] = typeof(torch).Assembly.GetName().Version?.ToString() ?? "",
            ["files"] = ModelFolder.FileHashes(folder, files),
        };
        File.WriteAllText(Path.Combine(folder, ManifestFile), manifest.ToJsonString(SiameseConfig.Json));
    }

    /// <summary><see cref="Save"/> into a temporary sibling folder, then rename it to <paramref name="folder"/>
    /// (replacing an existing one): the folder exists complete or not at all.</summary>
    public void SaveAtomically(string folder)
    {
        string full = Path.GetFullPath(folder);
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string tmp = Path.Combine(parent, "." + Path.GetFileName(full) + "-tmp");
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Save(tmp);
        if (Directory.Exists(full)) Directory.Delete(full, true);
        Directory.Move(tmp, full);
    }

    /// <summary>Loads a model folder written by <see cref="Save"/>. Errors name the missing or corrupt file, or the
    /// weight with expected vs found shape.</summary>
    public static SiameseModel Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Model folder not found: {folder}");
        string Need(string name) => ModelFolder.Need(folder, name);
        if (OnnxExporter.IsOnnxFolder(folder))
            throw new InvalidDataException($"'{folder}' is an ONNX model folder (inference only: eval, encode, index build, serve); " +
                                           "training, mining and merging need the model folder it was exported from.");
        ModelFolder.ReadVerifiedManifest(folder, ManifestFile);
        var config = ModelFolder.ReadConfig<SiameseConfig>(Need(ConfigFile), SiameseConfig.Json);
        config.Validate();
        var tokenizer = ModelFolder.OpenTokenizer(folder, config.Tokenizer, config.Transformer.VocabSize);
        var weightsPath = Need(WeightsFile);
        var encoder = new SiameseEncoder(config.Transformer, config.Head);
        try
        {
            WeightLoading.Load(encoder, Safetensors.Read(weightsPath), weightsPath);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
        encoder.eval();
        return new SiameseModel(encoder, tokenizer, config);
    }

    /// <summary>SHA-256 over config.json text, tokenizer settings and all parameter bytes (hex, lower case).</summary>
    public string ComputeHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(Config, SiameseConfig.Json)));
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{Tokenizer.Kind}|{Tokenizer.VocabSize}"));
        foreach (var (name, p) in Encoder.named_parameters())
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            using var c = p.detach().cpu().contiguous();
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(c.data<float>().ToArray().AsSpan()));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <inheritdoc />
    public void Dispose() => Encoder.Dispose();
}
