namespace MineRefine.Data;

/// <summary>Where and how to read a data set.</summary>
public sealed class DataSourceOptions
{
    /// <summary>One of: homedepot, wands, esci, jsonl, csv, parquet, sample (jsonl, csv and parquet are the MineRefine
    /// layout in three file formats; sample is the built-in sample's jsonl folder).</summary>
    public string Format { get; set; } = "jsonl";
    /// <summary>Products file (homedepot: products.csv[.gz]; esci: products parquet; jsonl: products.jsonl; csv:
    /// products.csv[.gz]; parquet: products.parquet).</summary>
    public string? Products { get; set; }
    /// <summary>Judgments file (homedepot: judgments csv[.gz]; esci: examples parquet; jsonl: judgments.jsonl; csv:
    /// judgments.csv[.gz]; parquet: judgments.parquet). For jsonl, csv and parquet without <see cref="DataDir"/>,
    /// queries and engagement are read from this file's folder.</summary>
    public string? Judgments { get; set; }
    /// <summary>A folder holding the files under their standard names (wands, jsonl, csv, parquet, sample).</summary>
    public string? DataDir { get; set; }
    /// <summary>csv and parquet only: which column of the user's tables holds which field of the layout, as
    /// <c>table.field</c> → column name (e.g. <c>products.title</c> → <c>name</c>, <c>products.attr.brand</c> →
    /// <c>Brand</c>); fields not listed are read from columns of their own name (<see cref="Import.ColumnMap"/>,
    /// <c>--column</c>). Empty by default.</summary>
    public Dictionary<string, string> Columns { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Go on past malformed rows, writing each to <see cref="RejectedPath"/> with its reason.</summary>
    public bool SkipBadRows { get; set; }
    /// <summary>Where rejected rows go; required when <see cref="SkipBadRows"/> is set (the CLI passes
    /// rejected.jsonl in the command's output folder).</summary>
    public string? RejectedPath { get; set; }
    /// <summary>jsonl, csv and parquet only: the data set may be a catalog alone. A queries or judgments file that does
    /// not exist is then read as an empty table, and <see cref="Products"/> alone is enough (the other tables are looked
    /// for in its folder). For commands that need only products, such as <c>crops</c>. The other formats ignore it: they
    /// always read their judgments. Default false: a missing file is an error naming its path.</summary>
    public bool CatalogOnly { get; set; }
    /// <summary>Home Depot mean rating ≥ this → grade 2 (default 2.67).</summary>
    public double HomeDepotExactCut { get; set; } = 2.67;
    /// <summary>Home Depot mean rating ≥ this → grade 1 (default 2.0).</summary>
    public double HomeDepotPartialCut { get; set; } = 2.0;

    /// <summary>Throws <see cref="ArgumentException"/> with a fix-it message when the options do not fit the format.</summary>
    public void Validate()
    {
        switch (Format)
        {
            case "homedepot":
            case "esci":
                if (Products is null || Judgments is null)
                    throw new ArgumentException($"--format {Format} needs --products <file> and --judgments <file>.");
                break;
            case "wands":
                if (DataDir is null)
                    throw new ArgumentException("--format wands needs --data <folder with product.csv, query.csv, label.csv>.");
                break;
            case "jsonl":
            case "csv":
            case "parquet":
            case "sample":
                if (CatalogOnly && DataDir is null && Products is null)
                    throw new ArgumentException($"--format {Format} needs --data <folder> or --products <file>.");
                if (!CatalogOnly && DataDir is null && (Products is null || Judgments is null))
                    throw new ArgumentException($"--format {Format} needs --data <folder> (or --products and --judgments).");
                break;
            default:
                throw new ArgumentException($"Unknown --format '{Format}'. Use one of: homedepot, wands, esci, jsonl, csv, parquet, sample.");
        }
        if (Columns.Count > 0)
        {
            if (Format is not ("csv" or "parquet"))
                throw new ArgumentException($"--column renames the columns of --format csv or parquet tables; --format {Format} has fixed columns.");
            Import.ColumnMap.Validate(Columns);
        }
        if (SkipBadRows && string.IsNullOrWhiteSpace(RejectedPath))
            throw new ArgumentException("Skipping bad rows needs a file for the rejected rows: set RejectedPath (--rejected <file>).");
        if (!(HomeDepotPartialCut < HomeDepotExactCut))
            throw new ArgumentException("The Home Depot partial cut point must be below the exact cut point.");
    }
}
