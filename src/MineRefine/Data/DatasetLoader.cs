namespace MineRefine.Data;

/// <summary>Entry point that reads any supported format into a <see cref="Dataset"/>.</summary>
public static class DatasetLoader
{
    /// <summary>Loads the data set described by <paramref name="options"/> (validated first).</summary>
    public static Dataset Load(DataSourceOptions options)
    {
        options.Validate();
        throw new NotImplementedException("importers are being written (issue 2)");
    }
}
