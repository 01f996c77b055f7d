using System.Text;

namespace MineRefine.Data.Import;

/// <summary>One CSV record.</summary>
/// <param name="Fields">The field values, unquoted.</param>
/// <param name="Line">1-based physical line on which the record starts.</param>
/// <param name="Raw">The record's text as it was in the file (without the final line break).</param>
public sealed record CsvRecord(string[] Fields, long Line, string Raw);

/// <summary>
/// Streaming RFC 4180 reader: fields separated by <c>separator</c>, records by LF or CRLF; a field that starts with a
/// double quote is quoted and may contain separators, line breaks and doubled quotes (<c>""</c> → <c>"</c>). A quote
/// inside an unquoted field is kept literally; text after a closing quote is appended to the field (lenient, like
/// most real-world readers). Blank lines are skipped. Tracks the physical line on which each record starts, so errors
/// can name it. An unterminated quoted field throws <see cref="DataFormatException"/>.
/// </summary>
public sealed class CsvRecordReader
{
    private readonly TextReader _reader;
    private readonly string _file;
    private readonly char _sep;
    private readonly char[] _buf = new char[1 << 16];
    private int _pos, _len;
    private long _line = 1;
    private readonly StringBuilder _field = new();
    private readonly StringBuilder _raw = new();
    private readonly List<string> _fields = new();

    /// <summary>Creates a reader over <paramref name="reader"/>; <paramref name="file"/> is used in error messages.</summary>
    public CsvRecordReader(TextReader reader, string file, char separator = ',')
    {
        _reader = reader;
        _file = file;
        _sep = separator;
    }

    private int Next()
    {
        if (_pos == _len)
        {
            _len = _reader.Read(_buf, 0, _buf.Length);
            _pos = 0;
            if (_len <= 0) { _len = 0; return -1; }
        }
        return _buf[_pos++];
    }

    private int Peek()
    {
        if (_pos == _len)
        {
            _len = _reader.Read(_buf, 0, _buf.Length);
            _pos = 0;
            if (_len <= 0) { _len = 0; return -1; }
        }
        return _buf[_pos];
    }

    /// <summary>Reads the next non-blank record; false at end of input.</summary>
    public bool TryRead(out CsvRecord record)
    {
        while (true)
        {
            _fields.Clear();
            _field.Clear();
            _raw.Clear();
            long start = _line;
            int c = Next();
            if (c < 0) { record = null!; return false; }
            bool fieldStart = true;
            bool quoted = false;
            bool endOfRecord = false;
            while (!endOfRecord)
            {
                if (c < 0)
                {
                    if (quoted)
                        throw new DataFormatException(_file, start, $"column {_fields.Count + 1}",
                            "unterminated quoted field (a field opened with \" is never closed)");
                    break;
                }
                char ch = (char)c;
                if (quoted)
                {
                    _raw.Append(ch);
                    if (ch == '"')
                    {
                        if (Peek() == '"') { _raw.Append('"'); Next(); _field.Append('"'); }
                        else quoted = false;
                    }
                    else
                    {
                        if (ch == '\n') _line++;
                        _field.Append(ch);
                    }
                    c = Next();
                    continue;
                }
                if (ch == '\r' && Peek() == '\n') { c = Next(); continue; }
                if (ch == '\n' || ch == '\r')
                {
                    _line++;
                    endOfRecord = true;
                    break;
                }
                _raw.Append(ch);
                if (ch == _sep)
                {
                    _fields.Add(_field.ToString());
                    _field.Clear();
                    fieldStart = true;
                }
                else if (ch == '"' && fieldStart)
                {
                    quoted = true;
                    fieldStart = false;
                }
                else
                {
                    _field.Append(ch);
                    fieldStart = false;
                }
                c = Next();
            }
            _fields.Add(_field.ToString());
            if (_fields.Count == 1 && _fields[0].Length == 0 && _raw.Length == 0) continue; // blank line
            record = new CsvRecord(_fields.ToArray(), start, _raw.ToString());
            return true;
        }
    }

    /// <summary>Reads all remaining records (convenience for small inputs and tests).</summary>
    public IEnumerable<CsvRecord> ReadAll()
    {
        while (TryRead(out var r)) yield return r;
    }
}

/// <summary>A CSV/TSV file with a header row: looks fields up by column name and reports errors by file, line and
/// column.</summary>
internal sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;
    private readonly int _width;

    public CsvTable(CsvRecordReader reader, string file, params string[] required)
        : this(reader, file, ColumnMap.Identity, required)
    {
    }

    /// <summary>Reads the header; columns are looked up by the names <paramref name="map"/> gives them
    /// (<see cref="ColumnMap.FieldNames"/>), and a missing required one is reported by its name in the file.</summary>
    public CsvTable(CsvRecordReader reader, string file, ColumnMap map, params string[] required)
    {
        File = file;
        Reader = reader;
        if (!reader.TryRead(out var header))
            throw new DataFormatException(file, 1, null, "the file is empty; expected a header row with columns: " +
                string.Join(", ", required));
        _columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var raw = header.Fields.Select(f => f.Trim().TrimStart('\uFEFF')).ToList();
        var names = map.FieldNames(raw).ToArray();
        for (int i = 0; i < names.Length; i++)
            if (names[i].Length > 0) _columns.TryAdd(names[i], i);
        Columns = names;
        HeaderLine = header.Line;
        _width = header.Fields.Length;
        foreach (var col in required)
            if (!_columns.ContainsKey(col))
                throw new DataFormatException(file, header.Line, map.FileColumn(col),
                    $"missing column in header (found: {string.Join(", ", header.Fields)})" +
                    (map.FileColumn(col) == col ? "" : $" (read as {col} by --column)"));
    }

    public string File { get; }
    public CsvRecordReader Reader { get; }

    /// <summary>The header's column names (trimmed), in file order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The physical line of the header row.</summary>
    public long HeaderLine { get; }

    public bool Has(string column) => _columns.ContainsKey(column);

    /// <summary>Checks the record's width against the header.</summary>
    public void CheckWidth(CsvRecord r)
    {
        if (r.Fields.Length > _width)
            throw new DataFormatException(File, r.Line, null,
                $"row has {r.Fields.Length} fields but the header has {_width} (unquoted separator?)");
    }

    /// <summary>The value of <paramref name="column"/>; throws when the row is too short.</summary>
    public string Get(CsvRecord r, string column)
    {
        int i = _columns[column];
        if (i >= r.Fields.Length)
            throw new DataFormatException(File, r.Line, column,
                $"missing field (row has {r.Fields.Length} fields, the header has {_width})");
        return r.Fields[i];
    }

    /// <summary>The value of an optional column; null when the column is absent or the row is short.</summary>
    public string? GetOptional(CsvRecord r, string column) =>
        _columns.TryGetValue(column, out int i) && i < r.Fields.Length ? r.Fields[i] : null;

    /// <summary>A non-blank value of <paramref name="column"/>, trimmed.</summary>
    public string GetNonEmpty(CsvRecord r, string column)
    {
        string v = Get(r, column).Trim();
        if (v.Length == 0) throw new DataFormatException(File, r.Line, column, "empty value");
        return v;
    }
}
