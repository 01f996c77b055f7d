using System.Text.Json;
using System.Text.Json.Nodes;
using MineRefine.Common;
using MineRefine.Text.Tokenization;

namespace MineRefine.Modeling;

/// <summary>
/// Shared mechanics of model folders (the two-tower model and the cross-encoder labeler): required files with errors
/// that name them, a manifest of SHA-256 hashes checked on load, a strictly parsed config, and the tokenizer files.
/// </summary>
public static class ModelFolder
{
    /// <summary>The full path of <paramref name="name"/> in <paramref name="folder"/>; a clear error when missing.</summary>
    public static string Need(string folder, string name, string what = "Model")
    {
        var p = Path.Combine(folder, name);
        if (!File.Exists(p)) throw new FileNotFoundException($"{what} folder '{folder}' is missing '{name}'.", p);
        return p;
    }

    /// <summary>A manifest's <c>files</c> object: file name → SHA-256 of the file in <paramref name="folder"/>.</summary>
    public static JsonObject FileHashes(string folder, IEnumerable<string> files) =>
        new(files.Select(f => KeyValuePair.Create(f, (JsonNode?)FileHashing.Sha256(Path.Combine(folder, f)))));

    /// <summary>Reads the manifest as declared (not verified): a JSON object with a <c>files</c> object of file name →
    /// SHA-256; errors name the file.</summary>
    public static JsonObject ReadManifest(string folder, string manifestFile, string what = "Model")
    {
        var manifestPath = Need(folder, manifestFile, what);
        JsonObject manifest;
        try
        {
            manifest = JsonNode.Parse(File.ReadAllText(manifestPath))?.AsObject()
                       ?? throw new InvalidDataException($"{manifestPath}: not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{manifestPath}: invalid JSON ({e.Message}).", e);
        }
        if (manifest["files"] is not JsonObject)
            throw new InvalidDataException($"{manifestPath}: field 'files' is missing.");
        return manifest;
    }

    /// <summary>A top-level string field of the folder's manifest, or null when the folder has no such manifest, it is
    /// not valid JSON, or the field is absent or not a string: for telling kinds of folders apart, not for loading.</summary>
    public static string? PeekManifestField(string folder, string manifestFile, string field)
    {
        var path = Path.Combine(folder, manifestFile);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?[field]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Reads the manifest and checks every listed file against its SHA-256; errors name the file.</summary>
    public static JsonObject ReadVerifiedManifest(string folder, string manifestFile, string what = "Model")
    {
        var manifest = ReadManifest(folder, manifestFile, what);
        foreach (var (name, hash) in manifest["files"]!.AsObject())
        {
            var actual = FileHashing.Sha256(Need(folder, name, what));
            if (!string.Equals(actual, hash?.GetValue<string>(), StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{Path.Combine(folder, name)}: SHA-256 {actual} does not match the manifest ({hash}); the file was changed or is corrupt.");
        }
        return manifest;
    }

    /// <summary>Deserialises a config file; bad JSON is an error naming the file and line.</summary>
    public static T ReadConfig<T>(string path, JsonSerializerOptions options) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), options)
                   ?? throw new InvalidDataException($"{path}: empty config.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON at line {e.LineNumber}: {e.Message}", e);
        }
    }

    /// <summary>The tokenizer settings to record for <paramref name="t"/>.</summary>
    public static TokenizerSpec SpecOf(ITokenizer t) =>
        new() { Kind = t.Kind, Lowercase = t.Options.Lowercase, Nfkc = t.Options.NormalizeNfkc };

    /// <summary>Opens the folder's tokenizer and checks its vocabulary against the config's.</summary>
    public static ITokenizer OpenTokenizer(string folder, TokenizerSpec spec, int vocabSize, string what = "Model")
    {
        var options = new TokenizerOptions { Lowercase = spec.Lowercase, NormalizeNfkc = spec.Nfkc };
        string file = spec.Kind == "wordpiece" ? WordPieceTokenizer.VocabFileName : O200kCompactTokenizer.FileName;
        ITokenizer tokenizer = spec.Kind == "wordpiece"
            ? WordPieceTokenizer.FromFile(Need(folder, file, what), options)
            : O200kCompactTokenizer.FromFile(Need(folder, file, what));
        if (tokenizer.VocabSize != vocabSize)
            throw new InvalidDataException($"{Path.Combine(folder, file)}: vocabulary has {tokenizer.VocabSize} tokens, but config.json says VocabSize {vocabSize}.");
        return tokenizer;
    }
}
