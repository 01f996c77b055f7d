namespace MineRefine.Data;

/// <summary>Bad input: names the file, the 1-based line and the field that is wrong.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception; the message reads "file:line: field 'x': reason".</summary>
    public DataFormatException(string file, long line, string? field, string reason)
        : base(Format(file, line, field, reason))
    {
        FilePath = file;
        Line = line;
        Field = field;
        Reason = reason;
    }

    /// <summary>The offending file.</summary>
    public string FilePath { get; }
    /// <summary>1-based line (or row) number; 0 when not applicable.</summary>
    public long Line { get; }
    /// <summary>The offending field or column, when known.</summary>
    public string? Field { get; }
    /// <summary>What is wrong.</summary>
    public string Reason { get; }

    private static string Format(string file, long line, string? field, string reason) =>
        $"{file}:{line}: " + (field is null ? "" : $"field '{field}': ") + reason;
}
