using System.Globalization;
using System.Text.Json;

namespace MineRefine.Training;

/// <summary>A complete checkpoint on disk.</summary>
/// <param name="Step">Training step it was saved at.</param>
/// <param name="Directory">Its folder (pass to the loader of each part).</param>
/// <param name="SavedAt">When it was saved (UTC).</param>
/// <param name="Files">Relative paths of the files written by the caller, with their sizes.</param>
public sealed record CheckpointInfo(long Step, string Directory, DateTimeOffset SavedAt, IReadOnlyDictionary<string, long> Files);

/// <summary>
/// Keeps the latest N checkpoints in a folder. <see cref="Save"/> lets the caller write any files (model state,
/// optimizer state, RNG state JSON …) into a temporary folder, fsyncs them, writes a manifest
/// (<c>checkpoint.json</c>: step, time, every file with its size) and renames the folder to <c>step-000000001234</c>
/// — a checkpoint exists completely or not at all. <see cref="TryLoadLatest"/> returns the newest checkpoint whose
/// manifest is present and whose files all exist with the recorded sizes, skipping (and reporting in
/// <see cref="Problems"/>) damaged ones.
/// </summary>
public sealed class CheckpointStore
{
    /// <summary>Manifest file name inside each checkpoint folder.</summary>
    public const string ManifestName = "checkpoint.json";
    private const string Prefix = "step-";

    /// <summary>Creates the store (the folder is created if needed).</summary>
    public CheckpointStore(string root, int keepLast = 3)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (keepLast < 1) throw new ArgumentOutOfRangeException(nameof(keepLast), keepLast, "keepLast must be ≥ 1.");
        Root = Path.GetFullPath(root);
        KeepLast = keepLast;
        Directory.CreateDirectory(Root);
    }

    /// <summary>The folder holding the checkpoints.</summary>
    public string Root { get; }
    /// <summary>How many complete checkpoints are kept.</summary>
    public int KeepLast { get; }
    /// <summary>Damaged or incomplete checkpoints met by the last <see cref="List"/> / <see cref="TryLoadLatest"/>.</summary>
    public IReadOnlyList<string> Problems { get; private set; } = Array.Empty<string>();

    /// <summary>Folder name of the checkpoint of <paramref name="step"/>.</summary>
    public static string FolderName(long step) => Prefix + step.ToString("D12", CultureInfo.InvariantCulture);

    /// <summary>Saves a checkpoint: <paramref name="writeParts"/> receives the (temporary) folder to write into.
    /// Replaces an existing checkpoint of the same step, then deletes all but the newest <see cref="KeepLast"/>.</summary>
    public CheckpointInfo Save(long step, Action<string> writeParts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentNullException.ThrowIfNull(writeParts);
        CleanTemporaryFolders();
        string tmp = Path.Combine(Root, $".tmp-{FolderName(step)}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        CheckpointInfo info;
        try
        {
            writeParts(tmp);
            var files = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var f in Directory.EnumerateFiles(tmp, "*", SearchOption.AllDirectories))
            {
                string rel = Path.GetRelativePath(tmp, f).Replace('\\', '/');
                if (rel == ManifestName) throw new InvalidOperationException($"Checkpoint parts must not write '{ManifestName}'; it is the store's manifest.");
                AtomicFile.FsyncFile(f);
                files[rel] = new FileInfo(f).Length;
            }
            foreach (var d in Directory.EnumerateDirectories(tmp, "*", SearchOption.AllDirectories)) AtomicFile.FsyncDirectory(d);
            var savedAt = DateTimeOffset.UtcNow;
            var manifest = new Manifest { Step = step, SavedAt = savedAt, Files = new Dictionary<string, long>(files) };
            AtomicFile.WriteAllText(Path.Combine(tmp, ManifestName), JsonSerializer.Serialize(manifest, JsonOptions));
            string final = Path.Combine(Root, FolderName(step));
            if (Directory.Exists(final))
            {
                string old = Path.Combine(Root, $".old-{FolderName(step)}-{Guid.NewGuid():N}");
                Directory.Move(final, old);
                Directory.Move(tmp, final);
                Directory.Delete(old, recursive: true);
            }
            else Directory.Move(tmp, final);
            AtomicFile.FsyncDirectory(Root);
            info = new CheckpointInfo(step, final, savedAt, manifest.Files);
        }
        catch
        {
            try { if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true); } catch (IOException) { }
            throw;
        }
        Prune();
        return info;
    }

    /// <summary>The newest complete checkpoint, or null when there is none.</summary>
    public CheckpointInfo? TryLoadLatest() => List().LastOrDefault();

    /// <summary>Complete checkpoints, oldest first; damaged ones are listed in <see cref="Problems"/>.</summary>
    public IReadOnlyList<CheckpointInfo> List()
    {
        var problems = new List<string>();
        var list = new List<CheckpointInfo>();
        foreach (var dir in Directory.EnumerateDirectories(Root, Prefix + "*"))
        {
            string name = Path.GetFileName(dir);
            if (!long.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long step)) continue;
            string manifestPath = Path.Combine(dir, ManifestName);
            if (!File.Exists(manifestPath)) { problems.Add($"{dir}: no {ManifestName}"); continue; }
            Manifest? m;
            try { m = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifestPath), JsonOptions); }
            catch (JsonException e) { problems.Add($"{manifestPath}: unreadable ({e.Message})"); continue; }
            if (m is null || m.Step != step || m.Files is null) { problems.Add($"{manifestPath}: step or file list does not match the folder"); continue; }
            string? bad = null;
            foreach (var (rel, size) in m.Files)
            {
                var fi = new FileInfo(Path.Combine(dir, rel));
                if (!fi.Exists) { bad = $"{fi.FullName}: missing"; break; }
                if (fi.Length != size) { bad = $"{fi.FullName}: size {fi.Length}, manifest says {size}"; break; }
            }
            if (bad is not null) { problems.Add(bad); continue; }
            list.Add(new CheckpointInfo(step, dir, m.SavedAt, m.Files));
        }
        Problems = problems;
        return list.OrderBy(c => c.Step).ToList();
    }

    private void Prune()
    {
        var all = List();
        foreach (var c in all.Take(Math.Max(0, all.Count - KeepLast)))
            Directory.Delete(c.Directory, recursive: true);
    }

    private void CleanTemporaryFolders()
    {
        foreach (var d in Directory.EnumerateDirectories(Root, ".tmp-*").Concat(Directory.EnumerateDirectories(Root, ".old-*")))
        {
            try { Directory.Delete(d, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private sealed class Manifest
    {
        public long Step { get; set; }
        public DateTimeOffset SavedAt { get; set; }
        public Dictionary<string, long>? Files { get; set; }
    }
}
