using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine convert</c>.</summary>
public sealed class ConvertSettings : DataSettings
{
    /// <summary>Output format.</summary>
    [CommandOption("--to <FORMAT>")]
    [Description("Format to write: jsonl, csv or parquet (the MineRefine layout: products, queries, judgments and, when there is any, engagement; from a sample folder also its qrels truth and truth-complete).")]
    [DefaultValue("jsonl")]
    public string To { get; set; } = "jsonl";

    /// <summary>Gzip the CSV files.</summary>
    [CommandOption("--gzip")]
    [Description("With --to csv: write each table gzip-compressed as name.csv.gz (read back transparently by --format csv).")]
    public bool Gzip { get; set; }

    /// <summary>The parsed output format.</summary>
    public DatasetFileFormat ToFormat() => DatasetFileFormats.Parse(To);

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var b = base.Validate();
        if (!b.Successful) return b;
        try
        {
            var to = ToFormat();
            if (Gzip && to != DatasetFileFormat.Csv)
                return ValidationResult.Error($"--gzip is for --to csv only (got --to {To}); Parquet compresses itself, and JSONL folders are read uncompressed.");
        }
        catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine convert</c>: read a data set in any supported format and write it in the MineRefine layout
/// as JSONL, CSV or Parquet (<see cref="DatasetConverter"/>); prints the counts and writes <c>run.json</c>.</summary>
public sealed class ConvertCommand(CliEnvironment env) : Command<ConvertSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ConvertSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var dataOptions = settings.ToDataSourceOptions();
        var to = settings.ToFormat();
        var manifest = new RunManifest("convert", new { data = dataOptions, to = to.Name(), gzip = settings.Gzip, @out = settings.Out }, settings.Seed)
        {
            Arguments = context.Arguments.ToList(),
        };
        foreach (var p in settings.InputPaths()) manifest.AddInput(p);

        ConversionResult result = null!;
        human.Status().Start($"converting {dataOptions.Format} to {to.Name()}…",
            _ => result = DatasetConverter.Convert(dataOptions, settings.Out!, to, settings.Gzip));

        var table = new Table().AddColumns("rows", "count");
        table.AddRow("products", $"{result.Products:N0}");
        table.AddRow("queries", $"{result.Queries:N0}");
        table.AddRow("judgments", $"{result.Judgments:N0}");
        table.AddRow("engagement", $"{result.Engagement:N0}");
        table.AddRow("rows rejected", result.RowsRejected > 0
            ? $"[yellow]{result.RowsRejected:N0}[/] ({Markup.Escape(result.RejectedPath ?? "")})"
            : "0");
        if (result.DuplicateProducts > 0) table.AddRow("duplicate products (last won)", $"{result.DuplicateProducts:N0}");
        if (result.DuplicateJudgments > 0) table.AddRow("duplicate judgments (last won)", $"{result.DuplicateJudgments:N0}");
        if (result.JudgmentsWithUnknownProduct > 0)
            table.AddRow("judgments of products not in the catalog (kept)", $"{result.JudgmentsWithUnknownProduct:N0}");
        human.Write(table);

        foreach (var f in result.Files) manifest.AddOutput(f);
        if (result.RejectedPath is not null) manifest.AddOutput(result.RejectedPath);
        manifest.Notes["products"] = result.Products;
        manifest.Notes["queries"] = result.Queries;
        manifest.Notes["judgments"] = result.Judgments;
        manifest.Notes["engagement"] = result.Engagement;
        manifest.Notes["rows_rejected"] = result.RowsRejected;
        manifest.Complete();
        manifest.WriteTo(settings.Out!);
        human.MarkupLine($"wrote [bold]{Markup.Escape(result.OutFolder)}[/]: " +
                         string.Join(", ", result.Files.Select(f => Markup.Escape(Path.GetFileName(f)))));
        if (settings.Json)
        {
            env.Stdout.WriteLine(Json.Serialize(result));
            env.Stdout.Flush();
        }
        return ExitCodes.Ok;
    }
}
