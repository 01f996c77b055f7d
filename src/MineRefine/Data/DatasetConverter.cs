using MineRefine.Data.Import;

namespace MineRefine.Data;

/// <summary>What <see cref="DatasetConverter.Convert"/> did.</summary>
/// <param name="Format">The format written.</param>
/// <param name="OutFolder">The output folder (absolute).</param>
/// <param name="Files">The data files written (absolute paths).</param>
/// <param name="Products">Products written.</param>
/// <param name="Queries">Queries written (those with a judgment or engagement row; see <see cref="Dataset.Queries"/>).</param>
/// <param name="Judgments">Judgments written.</param>
/// <param name="Engagement">Engagement rows written.</param>
/// <param name="RowsRejected">Input rows rejected (only with skip-bad-rows).</param>
/// <param name="RejectedPath">Where the rejected rows went, when there were any.</param>
/// <param name="DuplicateProducts">Input products whose id repeated an earlier one (the last one won).</param>
/// <param name="DuplicateJudgments">Input judgments that repeated a (query, product) pair (the last one won).</param>
/// <param name="JudgmentsWithUnknownProduct">Judgments naming a product not in the catalog (kept).</param>
public sealed record ConversionResult(
    DatasetFileFormat Format, string OutFolder, IReadOnlyList<string> Files, int Products, int Queries, int Judgments,
    int Engagement, long RowsRejected, string? RejectedPath, long DuplicateProducts, long DuplicateJudgments,
    long JudgmentsWithUnknownProduct);

/// <summary>Reads a data set in any supported format (<see cref="DatasetLoader"/>) and writes it in the MineRefine
/// layout as JSONL, CSV or Parquet (<see cref="DatasetWriter.Write(Dataset, string, DatasetFileFormat, bool)"/>): the
/// four tables (products, queries, judgments, engagement) and, from a sample or JSONL folder, the sample's qrels
/// <c>truth.jsonl</c> and <c>truth-complete.jsonl</c> as tables <c>truth</c> and <c>truth-complete</c> of the same
/// format (what <c>eval --qrels</c> reads). Other files of the input folder are not converted.</summary>
public static class DatasetConverter
{
    /// <summary>Loads <paramref name="source"/> and writes it to <paramref name="outFolder"/> in
    /// <paramref name="to"/>.</summary>
    /// <exception cref="ArgumentException">The source options are wrong, the output would overwrite an input file, or
    /// the data cannot be written in <paramref name="to"/> (see <see cref="TabularWriter"/>).</exception>
    /// <exception cref="DataFormatException">A malformed input row (without skip-bad-rows) or header.</exception>
    /// <param name="source">What to read.</param>
    /// <param name="outFolder">Where to write.</param>
    /// <param name="to">The format to write.</param>
    /// <param name="gzip">CSV only: gzip-compressed <c>name.csv.gz</c> files.</param>
    public static ConversionResult Convert(DataSourceOptions source, string outFolder, DatasetFileFormat to, bool gzip = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (string.IsNullOrWhiteSpace(outFolder)) throw new ArgumentException("An output folder (--out) is required.");
        if (gzip && to != DatasetFileFormat.Csv)
            throw new ArgumentException($"--gzip is for --to csv only (got {to.Name()}); Parquet compresses itself, and JSONL folders are read uncompressed.");
        source.Validate();
        CheckNoInputIsOverwritten(source, outFolder, to, gzip);
        var data = DatasetLoader.Load(source);
        var files = DatasetWriter.Write(data, outFolder, to, gzip).ToList();
        foreach (var (path, table) in TruthFiles(source))
            files.Add(Import.TabularWriter.WriteJudgmentsTable(DatasetLoader.ReadJudgments(path), outFolder, table, to, gzip));
        var r = data.Report;
        return new ConversionResult(to, Path.GetFullPath(outFolder), files.Select(Path.GetFullPath).ToList(),
            data.Products.Count, data.Queries.Count, data.Judgments.Count, data.Engagement.Count, r.RowsRejected,
            r.RejectedPath, r.DuplicateProducts, r.DuplicateJudgments, r.JudgmentsWithUnknownProduct);
    }

    /// <summary>Every table a conversion can write.</summary>
    private static readonly string[] WrittenTables = ["products", "queries", "judgments", "engagement", "truth", "truth-complete"];

    /// <summary>The sample's qrels files in a sample or JSONL source folder, with the table name each becomes.</summary>
    private static IEnumerable<(string Path, string Table)> TruthFiles(DataSourceOptions source)
    {
        if (source.Format is not ("jsonl" or "sample") || source.DataDir is null) yield break;
        foreach (string file in new[] { JsonlFormat.TruthFile, JsonlFormat.CompleteTruthFile })
        {
            string path = Path.Combine(source.DataDir, file);
            if (File.Exists(path)) yield return (path, Path.GetFileNameWithoutExtension(file));
        }
    }

    /// <summary>Refuses an output folder where writing would replace a file the input is read from (e.g. converting
    /// a jsonl folder to jsonl in place). A gzip write also deletes the plain <c>name.csv</c> beside it, so that file
    /// counts as overwritten too.</summary>
    private static void CheckNoInputIsOverwritten(DataSourceOptions source, string outFolder, DatasetFileFormat to, bool gzip)
    {
        var inputs = new List<string?> { source.Products, source.Judgments };
        DatasetFileFormat? layout = source.Format switch
        {
            "jsonl" or "sample" => DatasetFileFormat.Jsonl,
            "csv" => DatasetFileFormat.Csv,
            "parquet" => DatasetFileFormat.Parquet,
            _ => null,
        };
        if (layout is { } f)
        {
            string? baseDir = source.DataDir ?? (source.Judgments is null ? null : Path.GetDirectoryName(Path.GetFullPath(source.Judgments)));
            if (baseDir is not null)
                foreach (var table in WrittenTables)
                {
                    inputs.Add(Path.Combine(baseDir, f.FileName(table)));
                    inputs.Add(Path.Combine(baseDir, f.FileName(table)) + ".gz");
                }
        }
        var inputSet = inputs.OfType<string>().Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        foreach (var table in WrittenTables)
        {
            string plain = Path.GetFullPath(Path.Combine(outFolder, to.FileName(table)));
            foreach (var output in gzip ? new[] { plain + ".gz", plain } : new[] { plain })
                if (inputSet.Contains(output))
                    throw new ArgumentException(
                        $"--out '{outFolder}' would overwrite the input file '{output}'. Write the {to.Name()} files to another folder.");
        }
    }
}
