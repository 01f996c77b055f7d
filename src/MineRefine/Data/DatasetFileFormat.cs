namespace MineRefine.Data;

/// <summary>The file formats of the MineRefine data layout: the same four tables (products, queries, judgments,
/// optional engagement) with the same field names, as JSON lines, CSV or Parquet.</summary>
public enum DatasetFileFormat
{
    /// <summary>JSON lines (<c>products.jsonl</c> …; see <see cref="Import.JsonlFormat"/>).</summary>
    Jsonl,
    /// <summary>CSV with a header row (<c>products.csv</c> …; see <see cref="Import.TabularFormat"/>).</summary>
    Csv,
    /// <summary>Flat Parquet files (<c>products.parquet</c> …; see <see cref="Import.TabularFormat"/>).</summary>
    Parquet,
}

/// <summary>Names and file extensions of the <see cref="DatasetFileFormat"/>s.</summary>
public static class DatasetFileFormats
{
    /// <summary>The format names accepted by <see cref="Parse"/>, in order.</summary>
    public const string Names = "jsonl, csv, parquet";

    /// <summary>Parses a format name (case-insensitive).</summary>
    /// <param name="name">jsonl, csv or parquet.</param>
    /// <param name="option">The option the name came from, for the error message (e.g. <c>--to</c>).</param>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static DatasetFileFormat Parse(string? name, string option = "--to") => name?.Trim().ToLowerInvariant() switch
    {
        "jsonl" => DatasetFileFormat.Jsonl,
        "csv" => DatasetFileFormat.Csv,
        "parquet" => DatasetFileFormat.Parquet,
        _ => throw new ArgumentException($"Unknown {option} '{name}'. Use one of: {Names}."),
    };

    /// <summary>The format's name as <c>--format</c> takes it (jsonl, csv, parquet).</summary>
    public static string Name(this DatasetFileFormat format) => format switch
    {
        DatasetFileFormat.Jsonl => "jsonl",
        DatasetFileFormat.Csv => "csv",
        DatasetFileFormat.Parquet => "parquet",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>The file extension, with its dot (.jsonl, .csv, .parquet).</summary>
    public static string Extension(this DatasetFileFormat format) => "." + format.Name();

    /// <summary>The standard file name of a table (<c>products</c>, <c>queries</c>, <c>judgments</c> or
    /// <c>engagement</c>) in this format, e.g. <c>judgments.csv</c>.</summary>
    public static string FileName(this DatasetFileFormat format, string table) => table + format.Extension();

    /// <summary>The format of a single table file, from its name: <c>.csv</c> or <c>.csv.gz</c> → CSV, <c>.parquet</c> →
    /// Parquet, anything else (<c>.jsonl</c>, <c>.jsonl.gz</c>, …) → JSONL.</summary>
    public static DatasetFileFormat FromFileName(string path)
    {
        string name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return DatasetFileFormat.Csv;
        if (name.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)) return DatasetFileFormat.Parquet;
        return DatasetFileFormat.Jsonl;
    }
}
