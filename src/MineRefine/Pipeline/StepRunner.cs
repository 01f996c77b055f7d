using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MineRefine.Pipeline;

/// <summary>The record a finished step leaves in its folder (<c>.step.json</c>). <paramref name="Resumed"/>: the step
/// continued from the work a stopped or crashed attempt left in its folder (<see cref="StepRunner.RunAsync"/>'s
/// <c>resumable</c>); the seconds count this attempt only.</summary>
public sealed record StepRecord(string Name, string Fingerprint, DateTimeOffset Finished, double Seconds, bool Skipped, bool Resumed = false);

/// <summary>A resumable step stopped (Ctrl+C) after writing a checkpoint; the message says how to continue.</summary>
public sealed class StepInterruptedException(string message) : OperationCanceledException(message);

/// <summary>
/// Runs pipeline steps so that a step whose inputs (content hashes of its input files and folders, plus its
/// configuration) are unchanged since its last successful run is skipped. A step writes into its own folder; the
/// completion record is written last and atomically, so a crash mid-step leaves the step to be redone. Every attempt
/// first records its fingerprint in <c>.step-started.json</c>: a <b>resumable</b> step (a trainer that checkpoints)
/// whose unfinished attempt had the same fingerprint keeps its folder, so the trainer continues from its last
/// checkpoint instead of starting over; any other unfinished or outdated folder is cleared first.
/// </summary>
public sealed class StepRunner
{
    private const string RecordFile = ".step.json";
    private const string StartedFile = ".step-started.json";
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
    /// <paramref name="resumable"/>: when an earlier attempt with the same fingerprint stopped before completing, keep
    /// what it wrote (the action must then continue from it, e.g. a trainer with resume on) and report
    /// <see cref="StepRecord.Resumed"/>. Returns the step folder.</summary>
    public async Task<string> RunAsync(string name, IEnumerable<string> inputs, object? config, Func<string, Task> action,
        string? folder = null, bool resumable = false)
    {
        string dir = folder ?? StepDir(name);
        string fingerprint = Fingerprint(inputs, config);
        string recordPath = Path.Combine(dir, RecordFile);
        if (ReadRecord(recordPath) is { } old && old.Fingerprint == fingerprint)
        {
            Steps.Add(old with { Skipped = true });
            return dir;
        }
        bool resumed = resumable && !File.Exists(recordPath) && ReadRecord(Path.Combine(dir, StartedFile)) is { } started
                       && started.Fingerprint == fingerprint;
        if (!resumed && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        WriteRecord(Path.Combine(dir, StartedFile), new StepRecord(name, fingerprint, DateTimeOffset.UtcNow, 0, false, resumed));
        var sw = Stopwatch.StartNew();
        await action(dir).ConfigureAwait(false);
        var record = new StepRecord(name, fingerprint, DateTimeOffset.UtcNow, sw.Elapsed.TotalSeconds, false, resumed);
        WriteRecord(recordPath, record);
        Steps.Add(record);
        return dir;
    }

    private static StepRecord? ReadRecord(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<StepRecord>(File.ReadAllText(path)); }
        catch (JsonException) { return null; } // unreadable record: as if there were none
    }

    private static void WriteRecord(string path, StepRecord record)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(record));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Synchronous convenience overload.</summary>
    public string Run(string name, IEnumerable<string> inputs, object? config, Action<string> action, bool resumable = false) =>
        RunAsync(name, inputs, config, d => { action(d); return Task.CompletedTask; }, resumable: resumable).GetAwaiter().GetResult();

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
                             .Where(f => Path.GetFileName(f) is not (RecordFile or StartedFile))
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
