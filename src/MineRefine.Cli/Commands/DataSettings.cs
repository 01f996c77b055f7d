using System.ComponentModel;
using MineRefine.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options shared by every command that reads a data set and writes an output folder.</summary>
public class DataSettings : CommandSettings
{
    /// <summary>Data format.</summary>
    [CommandOption("--format <FORMAT>")]
    [Description("Data format: homedepot, wands, esci, jsonl, csv, parquet, sample (jsonl, csv and parquet: the MineRefine layout, see README).")]
    [DefaultValue("jsonl")]
    public string Format { get; set; } = "jsonl";

    /// <summary>Products file.</summary>
    [CommandOption("--products <FILE>")]
    [Description("Products file (homedepot: products.csv[[.gz]]; esci: products parquet; jsonl: products.jsonl; csv: products.csv[[.gz]]; parquet: products.parquet).")]
    public string? Products { get; set; }

    /// <summary>Judgments file.</summary>
    [CommandOption("--judgments <FILE>")]
    [Description("Judgments file (homedepot: judgments csv[[.gz]]; esci: examples parquet; jsonl: judgments.jsonl; csv: judgments.csv[[.gz]]; parquet: judgments.parquet). For jsonl, csv and parquet, queries and engagement are read from --data or else from this file's folder.")]
    public string? Judgments { get; set; }

    /// <summary>Data folder.</summary>
    [CommandOption("--data <DIR>")]
    [Description("Folder holding the files under their standard names (wands, jsonl, csv, parquet, sample).")]
    public string? Data { get; set; }

    /// <summary>Column renaming.</summary>
    [CommandOption("--column <TABLE.FIELD=COLUMN>")]
    [Description("csv and parquet: read a field from a column of another name, e.g. --column products.id=sku --column products.title=name " +
                 "--column products.attr.brand=Brand --column judgments.grade=label (repeatable; tables: products, queries, judgments, engagement).")]
    public string[] Column { get; set; } = [];

    /// <summary>Skip malformed rows.</summary>
    [CommandOption("--skip-bad-rows")]
    [Description("Go on past malformed rows, writing each with its reason to <out>/rejected.jsonl (default: stop at the first).")]
    public bool SkipBadRows { get; set; }

    /// <summary>Output folder.</summary>
    [CommandOption("--out <DIR>")]
    [Description("Output folder (created if missing).")]
    public string? Out { get; set; }

    /// <summary>Seed.</summary>
    [CommandOption("--seed <N>")]
    [Description("Seed for everything random in the command.")]
    [DefaultValue(13)]
    public int Seed { get; set; } = 13;

    /// <summary>Machine output.</summary>
    [CommandOption("--json")]
    [Description("Print the result as JSON on stdout (human output goes to stderr).")]
    public bool Json { get; set; }

    /// <summary>True when the command must have <c>--out</c>.</summary>
    protected virtual bool RequiresOut => true;

    /// <summary>True when the command reads a catalog alone: absent queries and judgments files are empty tables
    /// (<see cref="DataSourceOptions.CatalogOnly"/>).</summary>
    protected virtual bool CatalogOnly => false;

    /// <summary>The data source options (rejected rows go to <c>&lt;out&gt;/rejected.jsonl</c>), validated.</summary>
    public DataSourceOptions ToDataSourceOptions()
    {
        var o = new DataSourceOptions
        {
            Format = Format.ToLowerInvariant(),
            Products = Products,
            Judgments = Judgments,
            DataDir = Data,
            SkipBadRows = SkipBadRows,
            RejectedPath = Out is null ? null : Path.Combine(Out, "rejected.jsonl"),
            CatalogOnly = CatalogOnly,
        };
        foreach (var spec in Column)
        {
            int eq = spec.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new ArgumentException($"--column '{spec}': write TABLE.FIELD=COLUMN, e.g. products.title=name.");
            string key = spec[..eq].Trim();
            if (o.Columns.ContainsKey(key))
                throw new ArgumentException($"--column: {key} is given twice.");
            o.Columns[key] = spec[(eq + 1)..];
        }
        o.Validate();
        return o;
    }

    /// <summary>The input files and folders given on the command line (for the run manifest).</summary>
    public IReadOnlyList<string> InputPaths() =>
        new[] { Products, Judgments, Data }.Where(p => p is not null).Select(p => p!).ToList();

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        try
        {
            ToDataSourceOptions();
        }
        catch (ArgumentException e)
        {
            return ValidationResult.Error(e.Message);
        }
        if (Products is not null && !File.Exists(Products))
            return ValidationResult.Error($"--products: file '{Products}' does not exist.");
        if (Judgments is not null && !File.Exists(Judgments))
            return ValidationResult.Error($"--judgments: file '{Judgments}' does not exist.");
        if (Data is not null && !Directory.Exists(Data))
            return ValidationResult.Error($"--data: folder '{Data}' does not exist.");
        if (RequiresOut && string.IsNullOrWhiteSpace(Out))
            return ValidationResult.Error("--out <DIR> is required: the folder where results are written.");
        return ValidationResult.Success();
    }
}
