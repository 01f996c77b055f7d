using Parquet;
using Parquet.Schema;

namespace MineRefine.Tests.Data;

/// <summary>Writes small Parquet files for importer tests: one row group, columns given as (field, values).</summary>
internal static class ParquetTestFile
{
    /// <summary>Writes <paramref name="columns"/> to <paramref name="path"/>; values are string?[], long[], long?[]
    /// or int?[] arrays matching their field's type.</summary>
    public static async Task WriteAsync(string path, params (DataField Field, Array Values)[] columns)
    {
        var schema = new ParquetSchema(columns.Select(c => (Field)c.Field).ToArray());
        await using var fs = File.Create(path);
        await using var w = await ParquetWriter.CreateAsync(schema, fs);
        using var rg = w.CreateRowGroup();
        foreach (var (f, values) in columns)
        {
            switch (values)
            {
                case string?[] s: await rg.WriteAsync(f, s, null); break;
                case long[] l: await rg.WriteAsync<long>(f, l.AsMemory(), null); break;
                case long?[] ln: await rg.WriteAsync<long>(f, ln.AsMemory(), null); break;
                case int?[] i: await rg.WriteAsync<int>(f, i.AsMemory(), null); break;
                default: throw new NotSupportedException($"column {f.Name}: {values.GetType().Name} values");
            }
        }
    }
}
