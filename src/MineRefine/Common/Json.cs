using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MineRefine.Common;

/// <summary>Shared JSON settings for every file MineRefine writes: snake_case property names, indented,
/// culture-invariant numbers (System.Text.Json never uses the current culture), enums as snake_case strings,
/// nulls written (so keys stay stable), non-ASCII text written as is.</summary>
public static class Json
{
    /// <summary>The shared, read-only serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: true);

    /// <summary>Same as <see cref="Options"/> but on one line (for JSONL).</summary>
    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    private static JsonSerializerOptions Create(bool indented)
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            WriteIndented = indented,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.Strict,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    /// <summary>Serialises <paramref name="value"/> with <see cref="Options"/>.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Writes <paramref name="value"/> to <paramref name="path"/> (UTF-8, no BOM, trailing newline),
    /// creating the folder if needed.</summary>
    public static void WriteFile<T>(string path, T value)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllText(path, Serialize(value) + "\n", new System.Text.UTF8Encoding(false));
    }

    /// <summary>Reads a <typeparamref name="T"/> from <paramref name="path"/>; throws
    /// <see cref="Data.DataFormatException"/> naming the file when the JSON is malformed or null.</summary>
    public static T ReadFile<T>(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<T>(stream, Options)
                ?? throw new Data.DataFormatException(path, 1, null, "the file holds JSON null.");
        }
        catch (JsonException e)
        {
            throw new Data.DataFormatException(path, (e.LineNumber ?? -1) + 1, e.Path, e.Message);
        }
    }
}
