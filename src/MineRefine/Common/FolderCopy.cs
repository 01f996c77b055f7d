namespace MineRefine.Common;

/// <summary>Copies a folder tree (files overwritten, sub-folders created).</summary>
public static class FolderCopy
{
    /// <summary>Copies every file below <paramref name="from"/> to the same relative path below <paramref name="to"/>.</summary>
    public static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest, overwrite: true);
        }
    }
}
