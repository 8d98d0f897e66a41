using LocalShift.Engine;

namespace LocalShift.Sql.Copy;

/// <summary>
/// COPY's conversions: each field of a source to its column's type, as the engine's expressions over the source
/// relation, which the engine spells (<see cref="ILoadExpressions"/>), for columns this COPY describes (<see cref="LoadColumn"/>).
/// </summary>
public sealed partial class CopyRunner
{
    private const string StringTooLong = "String length exceeds DDL length";

    /// <summary>Each column as the engine loads it: its field in the source, its type and this COPY's conversion of it.</summary>
    private List<LoadColumn> LoadColumns(List<TargetColumn> columns, Source source)
    {
        if (copy.Format == CopyFormat.Parquet && source.Columns.Count != columns.Count)
            throw LoadFailed($"the Parquet files have {source.Columns.Count} columns, the target has {columns.Count}; COPY maps Parquet columns by position");
        return columns.Select((column, i) => LoadColumn(column, copy.Format switch
        {
            CopyFormat.Parquet => new TypedField(source.Columns[i]),
            // Stored as SUPER serializes: minified.
            CopyFormat.Json when copy.NoShred => new DocumentField("json"),
            CopyFormat.Json when _jsonPaths is not null => new JsonPathField("json", _jsonPaths[i]),
            CopyFormat.Json => JsonKey(source, column) is { } key ? new TypedField(key) : new MissingField(),
            _ => (LoadField)new TextField(source.Columns[i]),
        })).ToList();
    }

    private LoadColumn LoadColumn(TargetColumn column, LoadField field) => new(field, column.Type, column.IsText)
    {
        Width = column.Width?.Width,
        // CHAR holds single-byte (ASCII) characters only, whatever TRUNCATECOLUMNS says (Redshift's load error 1220).
        AsciiOnly = column.Width is { Type: "char" },
        CutScale = CutScale(column),
        // LocalShift's own date and time parser (an engine host function answering microseconds): a field that does
        // not convert is NULL under ACCEPTANYDATE, else it fails the statement (and the load is then diagnosed).
        Time = Temporal(column) is { } temporal
            ? new HostTimeConversion(DateTimeConversion.HostFunction, temporal.Spec, temporal.AcceptAnyDate, temporal.Reason(""))
            : null,
    };

    /// <summary>
    /// What applies to every column: TRIMBLANKS, BLANKSASNULL, EMPTYASNULL, TRUNCATECOLUMNS (else a value wider than
    /// its column fails the load with Redshift's error 1204), NULL AS matched by the expressions with
    /// <see cref="NullsInSql"/> (a missing CHAR/VARCHAR field is then '': FILLRECORD's "zero-length strings").
    /// </summary>
    private LoadOptions LoadOptions => new()
    {
        TrimTrailingBlanks = copy.TrimBlanks,
        BlanksAsNull = copy.BlanksAsNull,
        EmptyAsNull = copy.EmptyAsNull,
        TruncateToWidth = copy.TruncateColumns,
        FieldNullString = NullsInSql ? copy.NullAs ?? "\\N" : null,
        WidthFailure = StringTooLong,
        AsciiFailure = MultibyteChar,
    };

    /// <summary>JSON 'auto': the object key a column loads from (by name; any case with 'auto ignorecase'), null when none.</summary>
    private string? JsonKey(Source source, TargetColumn column)
    {
        var ignoreCase = copy.Json.Contains("ignorecase", StringComparison.OrdinalIgnoreCase);
        return source.Columns.FirstOrDefault(k => string.Equals(k, column.Name, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
    }

    /// <summary>
    /// A column whose text fields DuckDB's CSV reader may convert itself in the first attempt: a number, boolean, date
    /// or time whose conversion is a plain cast of the field (no DATEFORMAT or TIMEFORMAT for it).
    /// </summary>
    private bool ReaderConverts(TargetColumn column)
    {
        var type = column.Type.ToUpperInvariant();
        if (type == "DATE") return copy.DateFormat.Equals("auto", StringComparison.OrdinalIgnoreCase);
        if (type == "TIMESTAMP") return copy.TimeFormat.Equals("auto", StringComparison.OrdinalIgnoreCase);
        // A DECIMAL field with more digits than the scale is truncated (the reader would round) unless ROUNDEC.
        return type is "SMALLINT" or "INTEGER" or "BIGINT" or "REAL" or "FLOAT" or "DOUBLE" or "BOOLEAN" or "TIME"
            || type.StartsWith("DECIMAL(", StringComparison.Ordinal) && copy.RoundDecimals;
    }

    /// <summary>
    /// The scale a DECIMAL(p,s) text field is cut at, as COPY does without ROUNDEC (20.259 loads into DECIMAL(8,2) as
    /// 20.25; the engine's cast would round, as ROUNDEC and INSERT do); null for other types and with ROUNDEC.
    /// </summary>
    private int? CutScale(TargetColumn column)
    {
        if (copy.RoundDecimals) return null;
        var match = System.Text.RegularExpressions.Regex.Match(column.Type, @"^DECIMAL\(\d+,(\d+)\)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>FILLRECORD on text and CSV: the reader takes no NULL string, so that a missing field (NULL) and a NULL AS
    /// field can be told apart; the engine's expressions apply NULL AS (<see cref="LoadOptions.FieldNullString"/>).</summary>
    private bool NullsInSql => copy.FillRecord && copy.Format is CopyFormat.Text or CopyFormat.Csv && !copy.Escape;

    /// <summary>A date or time column's conversion under this COPY's DATEFORMAT, TIMEFORMAT and ACCEPTANYDATE; null for other types.</summary>
    private DateTimeConversion? Temporal(TargetColumn column) =>
        DateTimeConversion.TypeOf(column.Type) is { } type ? DateTimeConversion.For(type, copy.DateFormat, copy.TimeFormat, copy.AcceptAnyDate) : null;

    private const string MultibyteChar = "Multibyte character not supported for CHAR (Hint: Try using VARCHAR)";

    /// <summary>Redshift's reason for a multibyte character in a CHAR field: the message and the character's UTF-8 bytes in hex.</summary>
    private static string MultibyteReason(string value)
    {
        var rune = value.EnumerateRunes().First(r => r.Value > 0x7F);
        Span<byte> bytes = stackalloc byte[4];
        var n = rune.EncodeToUtf8(bytes);
        return $"{MultibyteChar}. Invalid char: {Convert.ToHexStringLower(bytes[..n])}";
    }
}
