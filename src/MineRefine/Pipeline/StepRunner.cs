using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MineRefine.Pipeline;

/// <summary>The record a finished step leaves in its folder (<c>.step.json</c>).</summary>
public sealed record StepRecord(string Name, string Fingerprint, DateTimeOffset Finished, double Seconds, bool Skipped);

/// <summary>
/// Runs pipeline steps so that a step whose inputs (content hashes of its input files and folders, plus its
/// configuration) are unchanged since its last successful run is skipped. A step writes into its own folder; the
/// completion record is written last and atomically, so a crash mid-step leaves the step to be redone.
/// </summary>
public sealed class StepRunner
{
    private const string RecordFile = ".step.json";
    private readonly string _root;

    /// <summary>Steps write below <paramref name="root"/>.</summary>
    public StepRunner(string root)
    {
        _root = root;
        Directory.CreateDirectory(root);
    }

    /// <summary>Every step run so far, in order (skipped ones too).</summary>
    public List<StepRecord> Steps { get; } = new();

    /// <summary>The folder of step <paramref name="name"/>.</summary>
    public string StepDir(string name) => Path.Combine(_root, name);

    /// <summary>Runs <paramref name="action"/> unless the step already completed with the same fingerprint.
    /// <paramref name="inputs"/> are files or folders whose contents matter; <paramref name="config"/> is any
    /// JSON-serialisable object of the options that matter; <paramref name="folder"/> overrides the step's folder.
    /// Returns the step folder.</summary>
    public async Task<string> RunAsync(string name, IEnumerable<string> inputs, object? config, Func<string, Task> action,
        string? folder = null)
    {
        string dir = folder ?? StepDir(name);
        string fingerprint = Fingerprint(inputs, config);
        string recordPath = Path.Combine(dir, RecordFile);
        if (File.Exists(recordPath))
        {
            try
            {
                var old = JsonSerializer.Deserialize<StepRecord>(File.ReadAllText(recordPath));
                if (old is not null && old.Fingerprint == fingerprint)
                {
                    Steps.Add(old with { Skipped = true });
                    return dir;
                }
            }
            catch (JsonException) { /* unreadable record: redo the step */ }
        }
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        var sw = Stopwatch.StartNew();
        await action(dir).ConfigureAwait(false);
        var record = new StepRecord(name, fingerprint, DateTimeOffset.UtcNow, sw.Elapsed.TotalSeconds, false);
        string tmp = recordPath + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(record));
        File.Move(tmp, recordPath, overwrite: true);
        Steps.Add(record);
        return dir;
    }

    /// <summary>Synchronous convenience overload.</summary>
    public string Run(string name, IEnumerable<string> inputs, object? config, Action<string> action) =>
        RunAsync(name, inputs, config, d => { action(d); return Task.CompletedTask; }).GetAwaiter().GetResult();

    /// <summary>SHA-256 over the configuration JSON and the contents of every input (folders: every file below
    /// them except step records, in ordinal path order).</summary>
    public static string Fingerprint(IEnumerable<string> inputs, object? config)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(config is null ? "null" : JsonSerializer.Serialize(config, config.GetType())));
        foreach (string input in inputs)
        {
            sha.AppendData(Encoding.UTF8.GetBytes("\n#" + Path.GetFileName(input.TrimEnd('/'))));
            if (Directory.Exists(input))
            {
                foreach (string f in Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                             .Where(f => Path.GetFileName(f) != RecordFile)
                             .Order(StringComparer.Ordinal))
                {
                    sha.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(input, f)));
                    AppendFile(sha, f);
                }
            }
            else if (File.Exists(input))
            {
                AppendFile(sha, input);
            }
            else
            {
                sha.AppendData("<missing>"u8);
            }
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static void AppendFile(IncrementalHash sha, string path)
    {
        using var fs = File.OpenRead(path);
        var buf = new byte[1 << 16];
        int n;
        while ((n = fs.Read(buf, 0, buf.Length)) > 0) sha.AppendData(buf, 0, n);
    }
}
