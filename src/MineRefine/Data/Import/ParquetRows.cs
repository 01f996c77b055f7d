using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace MineRefine.Data.Import;

/// <summary>
/// Streams the rows of a flat Parquet file one row group at a time (Parquet.Net), every value as invariant text:
/// string columns as is, integer, boolean and floating-point columns through <see cref="CultureInfo.InvariantCulture"/>, null
/// as null. Row numbers are 1-based over the whole file. Shared by the ESCI importer and the MineRefine Parquet format.
/// </summary>
internal static class ParquetRows
{
    /// <summary>The names of the file's (leaf) columns, in schema order.</summary>
    public static async Task<IReadOnlyList<string>> ColumnNamesAsync(string path)
    {
        await using var fs = OpenFile(path);
        await using var reader = await OpenReaderAsync(fs, path);
        return reader.Schema.DataFields.Select(f => f.Name).ToList();
    }

    /// <summary>Streams rows of <paramref name="columns"/> (missing optional columns read as null; a missing
    /// <paramref name="required"/> column is a <see cref="DataFormatException"/> listing the columns found). The row
    /// array passed on is reused between rows; the row number is 1-based over the whole file.</summary>
    public static async Task ForEachRowAsync(string path, IReadOnlyList<string> columns, IReadOnlyCollection<string> required,
        Action<string?[], long> onRow)
    {
        await using var fs = OpenFile(path);
        await using var reader = await OpenReaderAsync(fs, path);
        var fields = new DataField?[columns.Count];
        for (int c = 0; c < columns.Count; c++)
        {
            fields[c] = reader.Schema.DataFields.FirstOrDefault(f => f.Name == columns[c]);
            if (fields[c] is null && required.Contains(columns[c]))
                throw new DataFormatException(path, 0, columns[c],
                    $"missing column (found: {string.Join(", ", reader.Schema.DataFields.Select(f => f.Name))})");
        }
        long rowBase = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = checked((int)rg.RowCount);
            var cols = new string?[columns.Count][];
            for (int c = 0; c < columns.Count; c++)
                cols[c] = fields[c] is { } f ? await ReadAsStringsAsync(rg, f, n, path) : new string?[n];
            var row = new string?[columns.Count];
            for (int i = 0; i < n; i++)
            {
                for (int c = 0; c < columns.Count; c++) row[c] = cols[c][i];
                onRow(row, rowBase + i + 1);
            }
            rowBase += n;
        }
    }

    /// <summary>A row as one JSON object of column → value (the "raw" text of a rejected Parquet row).</summary>
    public static string RawOf(IReadOnlyList<string> names, string?[] row)
    {
        var d = new Dictionary<string, string?>();
        for (int i = 0; i < names.Count; i++) d[names[i]] = row[i];
        return System.Text.Json.JsonSerializer.Serialize(d);
    }

    private static FileStream OpenFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file not found: {path}", path);
        return File.OpenRead(path);
    }

    private static async Task<ParquetReader> OpenReaderAsync(Stream fs, string path)
    {
        try { return await ParquetReader.CreateAsync(fs); }
        catch (Exception ex) when (ex is not DataFormatException)
        {
            throw new DataFormatException(path, 0, null, $"not a readable parquet file: {ex.Message}");
        }
    }

    private static async Task<string?[]> ReadAsStringsAsync(ParquetRowGroupReader rg, DataField f, int n, string path)
    {
        if (f.IsArray)
            throw new DataFormatException(path, 0, f.Name, "repeated (list) columns are not supported here");
        Type t = f.ClrType;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>))
        {
            var buf = new string?[n];
            await rg.ReadAsync(f, buf.AsMemory(), null);
            return buf;
        }
        if (t == typeof(long)) return await ReadNumbersAsync<long>(rg, f, n);
        if (t == typeof(int)) return await ReadNumbersAsync<int>(rg, f, n);
        if (t == typeof(short)) return await ReadNumbersAsync<short>(rg, f, n);
        if (t == typeof(sbyte)) return await ReadNumbersAsync<sbyte>(rg, f, n);
        if (t == typeof(byte)) return await ReadNumbersAsync<byte>(rg, f, n);
        if (t == typeof(ushort)) return await ReadNumbersAsync<ushort>(rg, f, n);
        if (t == typeof(uint)) return await ReadNumbersAsync<uint>(rg, f, n);
        if (t == typeof(ulong)) return await ReadNumbersAsync<ulong>(rg, f, n);
        if (t == typeof(float)) return await ReadNumbersAsync<float>(rg, f, n);
        if (t == typeof(bool)) return await ReadNumbersAsync<bool>(rg, f, n);
        if (t == typeof(double)) return await ReadNumbersAsync<double>(rg, f, n);
        throw new DataFormatException(path, 0, f.Name, $"unsupported column type {t.Name}");
    }

    private static async Task<string?[]> ReadNumbersAsync<T>(ParquetRowGroupReader rg, DataField f, int n) where T : struct
    {
        var result = new string?[n];
        if (f.IsNullable)
        {
            var buf = new T?[n];
            await rg.ReadAsync(f, buf.AsMemory(), null);
            for (int i = 0; i < n; i++) result[i] = buf[i] is { } v ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;
        }
        else
        {
            var buf = new T[n];
            await rg.ReadAsync(f, buf.AsMemory(), null);
            for (int i = 0; i < n; i++) result[i] = Convert.ToString(buf[i], CultureInfo.InvariantCulture);
        }
        return result;
    }
}
