namespace MineRefine.Data.Import;

/// <summary>Writes a <see cref="Dataset"/> in the MineRefine layout: JSONL (<see cref="Write(Dataset, string)"/>), or
/// any <see cref="DatasetFileFormat"/> (<see cref="Write(Dataset, string, DatasetFileFormat, bool)"/>).</summary>
public static class DatasetWriter
{
    /// <summary>Writes products.jsonl, queries.jsonl, judgments.jsonl and (when there is engagement)
    /// engagement.jsonl into <paramref name="folder"/>.</summary>
    public static void Write(Dataset data, string folder)
    {
        Directory.CreateDirectory(folder);
        using (var w = new JsonlWriter(Path.Combine(folder, JsonlFormat.ProductsFile)))
            foreach (var p in data.Products) w.Write(p);
        using (var w = new JsonlWriter(Path.Combine(folder, JsonlFormat.QueriesFile)))
            foreach (var q in data.Queries) w.Write(q);
        WriteJudgments(data.Judgments, Path.Combine(folder, JsonlFormat.JudgmentsFile));
        if (data.Engagement.Count > 0)
            using (var w = new JsonlWriter(Path.Combine(folder, JsonlFormat.EngagementFile)))
                foreach (var e in data.Engagement) w.Write(e);
    }

    /// <summary>Writes the data set's four tables in <paramref name="format"/> into <paramref name="folder"/> (created
    /// when needed) and returns the files written. Without engagement no engagement file is written, and one of this
    /// format left in the folder by an earlier write (<c>engagement.csv</c>, <c>engagement.csv.gz</c> …) is deleted, so
    /// the folder loads back as exactly this data set (a stale <c>products.csv.gz</c> next to the new <c>products.csv</c>
    /// does no harm: the loader prefers the plain file).</summary>
    /// <param name="data">The data set.</param>
    /// <param name="folder">The output folder.</param>
    /// <param name="format">The format.</param>
    /// <param name="gzip">CSV only: write gzip-compressed <c>name.csv.gz</c> files (see
    /// <see cref="TabularWriter.WriteCsv"/>).</param>
    /// <exception cref="ArgumentException">CSV/Parquet only: a category level or attribute name cannot be written in
    /// the tabular layout (see <see cref="TabularWriter"/>); nothing is written then. Also: <paramref name="gzip"/> with
    /// another format than CSV.</exception>
    public static IReadOnlyList<string> Write(Dataset data, string folder, DatasetFileFormat format, bool gzip = false)
    {
        if (gzip && format != DatasetFileFormat.Csv)
            throw new ArgumentException($"gzip output is for CSV only (got {format.Name()}); Parquet compresses itself, and JSONL folders are read uncompressed.");
        IReadOnlyList<string> files;
        switch (format)
        {
            case DatasetFileFormat.Jsonl:
                Write(data, folder);
                files = new[] { JsonlFormat.ProductsFile, JsonlFormat.QueriesFile, JsonlFormat.JudgmentsFile }
                    .Concat(data.Engagement.Count > 0 ? [JsonlFormat.EngagementFile] : [])
                    .Select(f => Path.Combine(folder, f)).ToList();
                break;
            case DatasetFileFormat.Csv:
                files = TabularWriter.WriteCsv(data, folder, gzip);
                break;
            case DatasetFileFormat.Parquet:
                files = TabularWriter.WriteParquet(data, folder);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format));
        }
        if (data.Engagement.Count == 0)
        {
            string stale = Path.Combine(folder, format.FileName("engagement"));
            foreach (var f in new[] { stale, stale + ".gz" })
                if (File.Exists(f)) File.Delete(f);
        }
        return files;
    }

    /// <summary>Writes judgments (e.g. truth.jsonl) to <paramref name="path"/>.</summary>
    public static void WriteJudgments(IEnumerable<Judgment> judgments, string path)
    {
        using var w = new JsonlWriter(path);
        foreach (var j in judgments) w.Write(j);
    }
}
