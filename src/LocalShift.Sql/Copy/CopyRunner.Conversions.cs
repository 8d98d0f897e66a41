using System.Text.Json;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>COPY's conversions: each field of a source to its column's type, as SQL over the source relation.</summary>
public sealed partial class CopyRunner
{
    private const string StringTooLong = "String length exceeds DDL length";

    /// <param name="check">False for the values before the width check (for diagnosis and the MAXERROR staging table).</param>
    private List<string> Expressions(List<TargetColumn> columns, Source source, bool tryCast, bool check = true)
    {
        var list = new List<string>();
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            switch (copy.Format)
            {
                case CopyFormat.Parquet:
                    if (source.Columns.Count != columns.Count)
                        throw LoadFailed($"the Parquet files have {source.Columns.Count} columns, the target has {columns.Count}; COPY maps Parquet columns by position");
                    list.Add(Width($"{(tryCast ? "TRY_CAST" : "CAST")}({QuoteIdentifier(source.Columns[i])} AS {column.Type})", column, check));
                    break;
                case CopyFormat.Json when copy.NoShred:
                    // Stored as SUPER serializes: minified.
                    list.Add("json(json)");
                    break;
                case CopyFormat.Json when _jsonPaths is not null:
                    var extracted = $"json_extract_string(json, {QuoteLiteral(_jsonPaths[i])})";
                    list.Add(column.IsText ? Width(TextValue(extracted, column), column, check)
                        : Temporal(column) is { } temporal ? TemporalValue(extracted, column, temporal, tryCast)
                        : $"{(tryCast ? "TRY_CAST" : "CAST")}({extracted} AS {column.Type})");
                    break;
                case CopyFormat.Json:
                    var key = JsonKey(source, column);
                    list.Add(key is null ? $"CAST(NULL AS {column.Type})" : Width($"{(tryCast ? "TRY_CAST" : "CAST")}({QuoteIdentifier(key)} AS {column.Type})", column, check));
                    break;
                default:
                    list.Add(TextExpression(source.Columns[i], column, tryCast, check));
                    break;
            }
        }
        return list;
    }

    /// <summary>JSON 'auto': the object key a column loads from (by name; any case with 'auto ignorecase'), null when none.</summary>
    private string? JsonKey(Source source, TargetColumn column)
    {
        var ignoreCase = copy.Json.Contains("ignorecase", StringComparison.OrdinalIgnoreCase);
        return source.Columns.FirstOrDefault(k => string.Equals(k, column.Name, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
    }

    /// <summary>
    /// Column i's field before conversion, as text (stl_load_errors.raw_field_value): the text formats' field; a
    /// Parquet column's value, a JSON key's or JSONPath's value cast to text.
    /// </summary>
    private string RawField(List<TargetColumn> columns, Source source, int i) => copy.Format switch
    {
        CopyFormat.Parquet => $"CAST({QuoteIdentifier(source.Columns[i])} AS VARCHAR)",
        CopyFormat.Json when copy.NoShred => "CAST(json AS VARCHAR)",
        CopyFormat.Json when _jsonPaths is not null => $"json_extract_string(json, {QuoteLiteral(_jsonPaths[i])})",
        CopyFormat.Json => JsonKey(source, columns[i]) is { } key ? $"CAST({QuoteIdentifier(key)} AS VARCHAR)" : "CAST(NULL AS VARCHAR)",
        _ => QuoteIdentifier(source.Columns[i]),
    };

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
    /// A DECIMAL(p,s) field cut after its s-th fractional digit, as COPY does without ROUNDEC (20.259 loads into
    /// DECIMAL(8,2) as 20.25; the engine's cast would round, as ROUNDEC and INSERT do). Other types: the field as it is.
    /// </summary>
    private string TruncatedDecimal(string v, TargetColumn column)
    {
        if (copy.RoundDecimals) return v;
        var match = System.Text.RegularExpressions.Regex.Match(column.Type, @"^DECIMAL\(\d+,(\d+)\)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        if (!match.Success) return v;
        var scale = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var pattern = scale == 0 ? @"^(\s*[-+]?[0-9]+)\.[0-9]*" : $@"^(\s*[-+]?[0-9]*\.[0-9]{{{scale}}})[0-9]+";
        // The pattern only cuts a field with a point and more than `scale` characters after it: any other field (most
        // of them, 12.50 into DECIMAL(12,2)) is left as it is without running the regular expression.
        var cut = scale == 0 ? $"strpos({v}, '.') = 0" : $"strpos({v}, '.') = 0 OR length({v}) - strpos({v}, '.') <= {scale}";
        return $"CASE WHEN {cut} THEN {v} ELSE regexp_replace({v}, {QuoteLiteral(pattern)}, '\\1') END";
    }

    /// <summary>NULL AS as SQL: <c>chr(0)</c> for <c>NULL AS '\0'</c> (a field of the NUL character alone is NULL).</summary>
    private string NullLiteral => copy.NullAs == "\0" ? "chr(0)" : QuoteLiteral(copy.NullAs ?? "\\N");

    /// <summary>FILLRECORD on text and CSV: the reader takes no NULL string, so that a missing field (NULL) and a NULL AS
    /// field can be told apart; <see cref="Field"/> applies NULL AS.</summary>
    private bool NullsInSql => copy.FillRecord && copy.Format is CopyFormat.Text or CopyFormat.Csv && !copy.Escape;

    /// <summary>
    /// A text or CSV field as its column takes it: with <see cref="NullsInSql"/>, a field equal to NULL AS is NULL and a
    /// missing CHAR/VARCHAR field is '' (FILLRECORD: "zero-length strings", NULL with EMPTYASNULL); else the reader's value.
    /// </summary>
    private string Field(string raw, TargetColumn column)
    {
        if (!NullsInSql) return raw;
        return column.IsText ? $"(CASE WHEN {raw} = {NullLiteral} THEN NULL ELSE coalesce({raw}, '') END)" : $"(CASE WHEN {raw} = {NullLiteral} THEN NULL ELSE {raw} END)";
    }

    private string TextExpression(string raw, TargetColumn column, bool tryCast, bool check)
    {
        var cast = tryCast ? "TRY_CAST" : "CAST";
        var v = copy.Format is CopyFormat.Text or CopyFormat.Csv ? Field(raw, column) : raw;
        if (column.IsText) return Width(TextValue(v, column), column, check);
        v = $"NULLIF(trim({v}), '')";
        if (Temporal(column) is { } temporal) return TemporalValue(v, column, temporal, tryCast);
        return $"{cast}({TruncatedDecimal(v, column)} AS {column.Type})";
    }

    /// <summary>A date or time column's conversion under this COPY's DATEFORMAT, TIMEFORMAT and ACCEPTANYDATE; null for other types.</summary>
    private DateTimeConversion? Temporal(TargetColumn column) =>
        DateTimeConversion.TypeOf(column.Type) is { } type ? DateTimeConversion.For(type, copy.DateFormat, copy.TimeFormat, copy.AcceptAnyDate) : null;

    /// <summary>
    /// A field converted by LocalShift's own date and time parser (an engine host function answering microseconds):
    /// NULL stays NULL; a field that does not convert is NULL with <paramref name="tryCast"/> or ACCEPTANYDATE, else
    /// it fails the statement (and the load is then diagnosed record by record).
    /// </summary>
    private static string TemporalValue(string v, TargetColumn column, DateTimeConversion temporal, bool tryCast)
    {
        var converted = $"CAST(make_timestamp({DateTimeConversion.HostFunction}({v}, {QuoteLiteral(temporal.Spec)})) AS {column.Type})";
        if (tryCast || temporal.AcceptAnyDate) return converted;
        return $"CASE WHEN {v} IS NULL THEN NULL ELSE coalesce({converted}, error({QuoteLiteral(temporal.Reason(""))})) END";
    }

    /// <summary>A CHAR/VARCHAR value after TRIMBLANKS, BLANKSASNULL and EMPTYASNULL.</summary>
    private string TextValue(string v, TargetColumn column)
    {
        if (copy.TrimBlanks) v = $"rtrim({v})";
        if (copy.BlanksAsNull) v = $"CASE WHEN trim({v}) = '' THEN NULL ELSE {v} END";
        if (copy.EmptyAsNull) v = $"NULLIF({v}, '')";
        return v;
    }

    /// <summary>
    /// The declared width of a CHAR/VARCHAR column, in bytes: TRUNCATECOLUMNS cuts a longer value at the last whole
    /// character that fits; otherwise the value fails the load with Redshift's error 1204.
    /// </summary>
    private string Width(string v, TargetColumn column, bool check)
    {
        if (column.Width is not { } width) return v;
        var w = width.Width;
        // CHAR holds single-byte (ASCII) characters only, whatever TRUNCATECOLUMNS says (Redshift's load error 1220).
        var ascii = width.Type == "char" && check ? $"CASE WHEN regexp_matches({v}, {QuoteLiteral(NotAscii)}) THEN error({QuoteLiteral(MultibyteChar)}) ELSE {v} END" : v;
        if (copy.TruncateColumns)
            return $"CASE WHEN strlen({ascii}) <= {w} THEN {ascii} ELSE left({ascii}, list_count(list_filter(range(1, length({ascii}) + 1), lambda k: strlen(left({ascii}, k)) <= {w}))) END";
        return check ? $"CASE WHEN strlen({ascii}) > {w} THEN error({QuoteLiteral(StringTooLong)}) ELSE {ascii} END" : v;
    }

    private const string NotAscii = "[^\\x00-\\x7F]";

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
