using MineRefine.Data.Import;

namespace MineRefine.Data;

/// <summary>Entry point that reads any supported format into a <see cref="Dataset"/>.</summary>
public static class DatasetLoader
{
    /// <summary>Loads the data set described by <paramref name="options"/> (validated first). Formats:
    /// homedepot (<see cref="HomeDepotImporter"/>), wands (<see cref="WandsImporter"/>), esci
    /// (<see cref="EsciImporter"/>), jsonl and sample (<see cref="JsonlFormat"/>), csv and parquet
    /// (<see cref="TabularFormat"/>: the same tables and fields as jsonl).</summary>
    /// <exception cref="ArgumentException">The options do not fit the format.</exception>
    /// <exception cref="DataFormatException">A malformed row (without skip-bad-rows) or header.</exception>
    public static Dataset Load(DataSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Format switch
        {
            "homedepot" => HomeDepotImporter.Load(options.Products!, options.Judgments!, options),
            "esci" => EsciImporter.Load(options.Products!, options.Judgments!, options),
            "wands" => WandsImporter.Load(options.DataDir!, options),
            "jsonl" or "sample" => JsonlFormat.Load(options.DataDir, options.Products, options.Judgments, options),
            "csv" => TabularFormat.LoadCsv(options.DataDir, options.Products, options.Judgments, options),
            "parquet" => TabularFormat.LoadParquet(options.DataDir, options.Products, options.Judgments, options),
            _ => throw new ArgumentException($"Unknown --format '{options.Format}'."),
        };
    }

    /// <summary>Reads a judgments table on its own in the format its name says (<c>.csv[.gz]</c>, <c>.parquet</c>, else
    /// JSONL; <see cref="DatasetFileFormats.FromFileName"/>): complete qrels, an audit's truth, a judge's file. Any bad
    /// row is an error naming the file, line (row) and field.</summary>
    public static IReadOnlyList<Judgment> ReadJudgments(string path) => DatasetFileFormats.FromFileName(path) switch
    {
        DatasetFileFormat.Jsonl => JsonlFormat.ReadJudgments(path),
        var format => TabularFormat.ReadJudgments(path, format),
    };
}
