using System.Text.Encodings.Web;
using System.Text.Json;

namespace MineRefine.Data.Import;

/// <summary>
/// Decides what happens to a malformed row: without skip-bad-rows the <see cref="DataFormatException"/> propagates
/// and loading stops; with it, the row is written to the rejected file as one JSON line
/// <c>{"file","line","field","reason","raw"}</c> and counted in <see cref="LoadReport.RowsRejected"/>.
/// </summary>
public sealed class BadRowSink : IDisposable
{
    private readonly LoadReport _report;
    private readonly string? _path;
    private StreamWriter? _writer;

    /// <summary>Creates the sink. With <paramref name="skipBadRows"/> a <paramref name="rejectedPath"/> is required;
    /// the file is created (truncated) at once so a stale one from an earlier run never remains.</summary>
    public BadRowSink(bool skipBadRows, string? rejectedPath, LoadReport report)
    {
        _report = report;
        SkipBadRows = skipBadRows;
        if (!skipBadRows) return;
        if (string.IsNullOrWhiteSpace(rejectedPath))
            throw new ArgumentException("Skipping bad rows needs a rejected-rows file: set RejectedPath (--rejected <file>).");
        _path = Path.GetFullPath(rejectedPath);
        var dir = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        _writer = new StreamWriter(_path, append: false, new System.Text.UTF8Encoding(false));
    }

    /// <summary>Whether bad rows are skipped (true) or fatal (false).</summary>
    public bool SkipBadRows { get; }

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Records a rejected row (only valid when <see cref="SkipBadRows"/>).</summary>
    public void Reject(DataFormatException error, string raw)
    {
        if (!SkipBadRows || _writer is null) throw error;
        using (var ms = new MemoryStream())
        {
            using (var w = new Utf8JsonWriter(ms, WriterOptions))
            {
                w.WriteStartObject();
                w.WriteString("file", error.FilePath);
                w.WriteNumber("line", error.Line);
                if (error.Field is null) w.WriteNull("field"); else w.WriteString("field", error.Field);
                w.WriteString("reason", error.Reason);
                w.WriteString("raw", raw);
                w.WriteEndObject();
            }
            _writer.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
        }
        _report.RowsRejected++;
        _report.RejectedPath = _path;
    }

    /// <summary>Flushes and closes the rejected file.</summary>
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
