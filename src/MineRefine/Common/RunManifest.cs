using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace MineRefine.Common;

/// <summary>What a command run did, written as <c>run.json</c> next to its outputs so every result can be traced
/// back to its command, options, seed, software versions and exact input files.</summary>
public sealed class RunManifest
{
    /// <summary>The file name written by <see cref="WriteTo"/>.</summary>
    public const string FileName = "run.json";

    private readonly List<string> _outputs = new();
    private readonly SortedDictionary<string, string> _inputs = new(StringComparer.Ordinal);

    /// <summary>Starts a manifest now.</summary>
    /// <param name="command">The command, e.g. "eval" (or the full command line).</param>
    /// <param name="options">Options/config object; serialised as is (use plain data objects).</param>
    /// <param name="seed">The run's seed, when it has one.</param>
    public RunManifest(string command, object? options = null, int? seed = null)
    {
        Command = command;
        Options = options;
        Seed = seed;
        StartedAt = DateTimeOffset.UtcNow;
        Versions = RunVersions.Current();
    }

    /// <summary>The command.</summary>
    [JsonPropertyName("command")] public string Command { get; }
    /// <summary>Command-line arguments as given (optional).</summary>
    [JsonPropertyName("arguments")] public IReadOnlyList<string>? Arguments { get; set; }
    /// <summary>Options/config object.</summary>
    [JsonPropertyName("options")] public object? Options { get; set; }
    /// <summary>Seed.</summary>
    [JsonPropertyName("seed")] public int? Seed { get; set; }
    /// <summary>Software versions.</summary>
    [JsonPropertyName("versions")] public RunVersions Versions { get; }
    /// <summary>Input file → SHA-256 (absolute paths, sorted).</summary>
    [JsonPropertyName("inputs")] public IReadOnlyDictionary<string, string> Inputs => _inputs;
    /// <summary>UTC start time.</summary>
    [JsonPropertyName("started_at")] public DateTimeOffset StartedAt { get; }
    /// <summary>UTC end time (set by <see cref="Complete"/> or <see cref="WriteTo"/>).</summary>
    [JsonPropertyName("ended_at")] public DateTimeOffset? EndedAt { get; private set; }
    /// <summary>Seconds between start and end.</summary>
    [JsonPropertyName("duration_seconds")]
    public double? DurationSeconds => EndedAt is { } e ? Math.Round((e - StartedAt).TotalSeconds, 3) : null;
    /// <summary>Files the run wrote (absolute paths, in order).</summary>
    [JsonPropertyName("outputs")] public IReadOnlyList<string> Outputs => _outputs;
    /// <summary>Free-form notes (e.g. counts); optional.</summary>
    [JsonPropertyName("notes")] public Dictionary<string, object?> Notes { get; } = new(StringComparer.Ordinal);

    /// <summary>Hashes <paramref name="path"/> and records it as an input. Folders are expanded to their files.</summary>
    public void AddInput(string path)
    {
        if (Directory.Exists(path))
        {
            foreach (var f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                _inputs[Path.GetFullPath(f)] = FileHashing.Sha256(f);
            return;
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"Input file '{path}' does not exist.", path);
        _inputs[Path.GetFullPath(path)] = FileHashing.Sha256(path);
    }

    /// <summary>Records an output file (not hashed).</summary>
    public void AddOutput(string path)
    {
        var full = Path.GetFullPath(path);
        if (!_outputs.Contains(full)) _outputs.Add(full);
    }

    /// <summary>Sets the end time to now.</summary>
    public void Complete() => EndedAt = DateTimeOffset.UtcNow;

    /// <summary>Writes <c>run.json</c> into <paramref name="folder"/> (setting the end time if not set yet) and
    /// returns its path.</summary>
    public string WriteTo(string folder)
    {
        EndedAt ??= DateTimeOffset.UtcNow;
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        AddOutput(path);
        Json.WriteFile(path, this);
        return path;
    }
}

/// <summary>Versions of the software a run used.</summary>
/// <param name="MineRefine">MineRefine library informational version.</param>
/// <param name="Dotnet">.NET runtime description.</param>
/// <param name="TorchSharp">TorchSharp assembly version when it is loaded in the process, else null.</param>
/// <param name="Os">Operating system description.</param>
/// <param name="Architecture">Process architecture.</param>
/// <param name="ProcessorCount">Logical processors visible to the process.</param>
public sealed record RunVersions(
    [property: JsonPropertyName("minerefine")] string MineRefine,
    [property: JsonPropertyName("dotnet")] string Dotnet,
    [property: JsonPropertyName("torchsharp")] string? TorchSharp,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("processor_count")] int ProcessorCount)
{
    /// <summary>The versions of the current process. TorchSharp is reported only if already loaded (this never
    /// loads it).</summary>
    public static RunVersions Current()
    {
        var lib = typeof(RunManifest).Assembly;
        string mr = lib.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                    ?? lib.GetName().Version?.ToString() ?? "unknown";
        string? torch = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => a.GetName().Name == "TorchSharp")?.GetName().Version?.ToString();
        return new RunVersions(mr, RuntimeInformation.FrameworkDescription, torch, RuntimeInformation.OSDescription,
            RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), Environment.ProcessorCount);
    }
}
