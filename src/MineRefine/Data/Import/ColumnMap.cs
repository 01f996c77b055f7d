namespace MineRefine.Data.Import;

/// <summary>
/// Which column of a user's CSV or Parquet table holds which field of the MineRefine layout, for tables exported with
/// their own column names (<see cref="DataSourceOptions.Columns"/>, <c>--column products.title=name</c>). Keys are
/// <c>table.field</c> — table one of products, queries, judgments, engagement; field one of that table's columns
/// (<see cref="TabularFormat"/>), or for products <c>attr.&lt;name&gt;</c> to read an attribute from any column
/// (<c>products.attr.brand=Brand</c>) — and values the column's name in the file. A mapped column takes the field's
/// place: a column that happens to carry the field's own name is then ignored. Errors about a mapped field name the
/// file's column and say which field it was read as.
/// </summary>
public sealed class ColumnMap
{
    /// <summary>The table names a key may start with.</summary>
    public static IReadOnlyList<string> Tables { get; } = ["products", "queries", "judgments", "engagement"];

    private readonly Dictionary<string, string> _toFile;   // field → file column
    private readonly Dictionary<string, string> _toField;  // file column → field

    private ColumnMap(Dictionary<string, string> toFile)
    {
        _toFile = toFile;
        _toField = toFile.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);
    }

    /// <summary>No renaming.</summary>
    public static ColumnMap Identity { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>True when nothing is renamed.</summary>
    public bool IsIdentity => _toFile.Count == 0;

    /// <summary>The table's columns in the layout (without attribute columns).</summary>
    public static IReadOnlyList<string> Fields(string table) => table switch
    {
        "products" => TabularFormat.ProductColumns,
        "queries" => TabularFormat.QueryColumns,
        "judgments" => TabularFormat.JudgmentColumns,
        "engagement" => TabularFormat.EngagementColumns,
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, null),
    };

    /// <summary>Checks every <c>table.field → column</c> entry.</summary>
    /// <exception cref="ArgumentException">An unknown table or field, an empty column name, or two fields of one table
    /// read from the same column; the message says how to write the option.</exception>
    public static void Validate(IReadOnlyDictionary<string, string> columns)
    {
        foreach (var table in Tables) For(columns, table);
        foreach (var key in columns.Keys)
        {
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            string table = dot < 0 ? key : key[..dot];
            if (!Tables.Contains(table))
                throw new ArgumentException($"--column {key}=…: unknown table '{table}'. Write TABLE.FIELD=COLUMN with TABLE one of " +
                                            $"{string.Join(", ", Tables)}, e.g. products.title=name.");
        }
    }

    /// <summary>The renaming of <paramref name="table"/> from <paramref name="columns"/> (keys of other tables are
    /// left out).</summary>
    /// <exception cref="ArgumentException">See <see cref="Validate"/>.</exception>
    public static ColumnMap For(IReadOnlyDictionary<string, string>? columns, string table)
    {
        if (columns is null || columns.Count == 0) return Identity;
        var toFile = new Dictionary<string, string>(StringComparer.Ordinal);
        var fields = Fields(table);
        foreach (var (key, column) in columns)
        {
            if (!key.StartsWith(table + ".", StringComparison.Ordinal)) continue;
            string field = key[(table.Length + 1)..];
            bool attribute = table == "products" && field.StartsWith(TabularFormat.AttributePrefix, StringComparison.Ordinal)
                             && field.Length > TabularFormat.AttributePrefix.Length;
            if (!attribute && !fields.Contains(field))
                throw new ArgumentException($"--column {key}=…: '{field}' is not a field of {table} (its fields: {string.Join(", ", fields)}" +
                                            (table == "products" ? ", or attr.<name> for an attribute" : "") + ").");
            if (string.IsNullOrWhiteSpace(column))
                throw new ArgumentException($"--column {key}=: the column name is empty; write {key}=<column in the file>.");
            var clash = toFile.FirstOrDefault(kv => kv.Value == column.Trim());
            if (clash.Key is not null)
                throw new ArgumentException($"--column: {table}.{clash.Key} and {key} both read column '{column.Trim()}'; one column holds one field.");
            toFile[field] = column.Trim();
        }
        return toFile.Count == 0 ? Identity : new ColumnMap(toFile);
    }

    /// <summary>The file's column that holds <paramref name="field"/>.</summary>
    public string FileColumn(string field) => _toFile.GetValueOrDefault(field, field);

    /// <summary>The names a table's header is read as: a mapped column becomes its field, a column carrying the name of
    /// a mapped field (but not itself mapped) is hidden (empty name), any other column keeps its name.</summary>
    public IReadOnlyList<string> FieldNames(IReadOnlyList<string> fileColumns)
    {
        if (IsIdentity) return fileColumns;
        return fileColumns.Select(c => _toField.TryGetValue(c, out var f) ? f : _toFile.ContainsKey(c) ? "" : c).ToList();
    }

    /// <summary>An error about a mapped field, re-addressed to the file's column ("field 'name': … (read as title)");
    /// any other error unchanged.</summary>
    public DataFormatException Name(DataFormatException error)
    {
        if (error.Field is null || !_toFile.TryGetValue(error.Field, out var column)) return error;
        return new DataFormatException(error.FilePath, error.Line, column, $"{error.Reason} (read as {error.Field} by --column)");
    }
}
