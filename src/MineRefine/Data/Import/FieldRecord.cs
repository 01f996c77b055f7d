namespace MineRefine.Data.Import;

/// <summary>What a field of an input row holds, as <see cref="RecordParsers"/> sees it.</summary>
internal enum FieldKind
{
    /// <summary>Not there: a JSON field that is absent or null, or a table column the file does not have.</summary>
    Missing,
    /// <summary>A table cell with no value: an empty CSV cell, or an empty or null Parquet cell.</summary>
    Blank,
    /// <summary>A JSON string.</summary>
    String,
    /// <summary>A JSON number (<see cref="FieldValue.Text"/> is its literal).</summary>
    Number,
    /// <summary>Untyped table text (a CSV cell, or a Parquet value as invariant text): read as a string, or as a
    /// number when it parses as one.</summary>
    Cell,
    /// <summary>Anything else (a JSON boolean, array or object).</summary>
    Other,
}

/// <summary>One field of an input row.</summary>
/// <param name="Kind">What it holds.</param>
/// <param name="Text">The text of a <see cref="FieldKind.String"/>, <see cref="FieldKind.Number"/> (its literal) or
/// <see cref="FieldKind.Cell"/>; null otherwise.</param>
internal readonly record struct FieldValue(FieldKind Kind, string? Text)
{
    /// <summary>A field that is not there.</summary>
    public static readonly FieldValue Missing = new(FieldKind.Missing, null);

    /// <summary>A table cell without a value.</summary>
    public static readonly FieldValue Blank = new(FieldKind.Blank, null);

    /// <summary>True for <see cref="FieldKind.Missing"/> and <see cref="FieldKind.Blank"/>.</summary>
    public bool IsNone => Kind is FieldKind.Missing or FieldKind.Blank;

    /// <summary>Untyped table text; null or an empty string is <see cref="Blank"/>.</summary>
    public static FieldValue Cell(string? text) => string.IsNullOrEmpty(text) ? Blank : new FieldValue(FieldKind.Cell, text);
}

/// <summary>One input row (a JSON line, a CSV record or a Parquet row) as the shared field parsers of the MineRefine
/// format see it: named fields, plus the two fields whose layout differs between the formats.</summary>
internal interface IFieldRecord
{
    /// <summary>The file the row comes from (for error messages).</summary>
    string File { get; }

    /// <summary>1-based line (JSONL, CSV) or row (Parquet) number.</summary>
    long Line { get; }

    /// <summary>The field called <paramref name="name"/>.</summary>
    FieldValue Get(string name);

    /// <summary>How an error message quotes the field's value (JSON: the literal as written, e.g. <c>"two"</c>;
    /// tables: the cell in single quotes, e.g. <c>'x'</c>). Only called on the error path.</summary>
    string Quote(string name);

    /// <summary>The field value's type for "expected a string, got …" messages (JSON: the value kind such as
    /// <c>Number</c> or <c>Array</c>). Only called on the error path.</summary>
    string TypeOf(string name);

    /// <summary>The product's category path from the root (JSON: an array; tables: one cell, levels separated by
    /// <c>" > "</c>); empty when absent.</summary>
    IReadOnlyList<string> CategoryPath();

    /// <summary>The product's attributes (JSON: an object; tables: the <c>attr.&lt;name&gt;</c> columns); empty when
    /// absent.</summary>
    IReadOnlyDictionary<string, string> Attributes();
}
