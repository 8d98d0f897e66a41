using System.Globalization;

namespace LocalShift.Engine.DuckDb;

/// <summary>
/// <see cref="ILoadExpressions"/> in DuckDB's SQL: <c>CAST</c>/<c>TRY_CAST</c>, <c>json_extract_string</c>,
/// <c>regexp_replace</c> and <c>regexp_matches</c>, <c>strlen</c> (bytes), <c>error()</c>, and a host function's
/// microseconds through <c>make_timestamp</c>.
/// </summary>
internal sealed class DuckDbLoadSql : ILoadExpressions
{
    public static readonly DuckDbLoadSql Instance = new();

    private const string NotAscii = "[^\\x00-\\x7F]";

    public string Value(LoadColumn column, LoadOptions options, bool tryConvert, bool check)
    {
        var cast = tryConvert ? "TRY_CAST" : "CAST";
        switch (column.Field)
        {
            case DocumentField document:
                return $"json({Identifier(document.Column)})";
            case MissingField:
                return $"CAST(NULL AS {column.Type})";
            case ReaderField converted:
                return Identifier(converted.Column);
            case TypedField typed:
                return Width($"{cast}({Identifier(typed.Column)} AS {column.Type})", column, options, check);
            case JsonPathField path:
                var extracted = $"json_extract_string({Identifier(path.Document)}, {Literal(path.Path)})";
                return column.Text ? Width(TextValue(extracted, options), column, options, check)
                    : column.Time is { } time ? TimeValue(extracted, column, time, tryConvert)
                    : $"{cast}({extracted} AS {column.Type})";
            case TextField text:
                var v = Field(Identifier(text.Column), column, options);
                if (column.Text) return Width(TextValue(v, options), column, options, check);
                v = $"NULLIF(trim({v}), '')";
                if (column.Time is { } temporal) return TimeValue(v, column, temporal, tryConvert);
                return $"{cast}({CutDecimal(v, column)} AS {column.Type})";
            default:
                throw new NotSupportedException($"no load of {column.Field.GetType().Name}");
        }
    }

    public string RawField(LoadColumn column) => column.Field switch
    {
        TypedField typed => $"CAST({Identifier(typed.Column)} AS VARCHAR)",
        DocumentField document => $"CAST({Identifier(document.Column)} AS VARCHAR)",
        JsonPathField path => $"json_extract_string({Identifier(path.Document)}, {Literal(path.Path)})",
        MissingField => "CAST(NULL AS VARCHAR)",
        ReaderField converted => $"CAST({Identifier(converted.Column)} AS VARCHAR)",
        TextField text => Identifier(text.Column),
        _ => throw new NotSupportedException($"no load of {column.Field.GetType().Name}"),
    };

    public string? Fault(LoadColumn column, LoadOptions options, string raw, string value)
    {
        if (column.Text)
        {
            var parts = new List<string>();
            if (column.Width is { } width && !options.TruncateToWidth) parts.Add($"coalesce({LongerThan(value, width)}, false)");
            if (column.AsciiOnly) parts.Add($"coalesce({HasMultibyte(value)}, false)");
            return parts.Count == 0 ? null : "(" + string.Join(" OR ", parts) + ")";
        }
        if (column.Time is { NullWhenInvalid: true }) return null;
        return $"(NULLIF(trim({Field(raw, column, options)}), '') IS NOT NULL AND {value} IS NULL)";
    }

    public string HasMultibyte(string value) => $"regexp_matches({value}, {Literal(NotAscii)})";

    public string LongerThan(string value, int bytes) => $"strlen({value}) > {bytes.ToString(CultureInfo.InvariantCulture)}";

    public string Fail(string message) => $"error({message})";

    public string Escaped(string value, string characters) =>
        $"regexp_replace({value}, {Literal("([" + System.Text.RegularExpressions.Regex.Escape(characters) + "])")}, '\\\\\\1', 'g')";

    /// <summary>
    /// A text field under <see cref="LoadOptions.FieldNullString"/>: a field equal to it is NULL, a missing text field is
    /// ''; else the reader's value.
    /// </summary>
    private static string Field(string raw, LoadColumn column, LoadOptions options)
    {
        if (options.FieldNullString is not { } nulls) return raw;
        var literal = nulls == "\0" ? "chr(0)" : Literal(nulls);
        return column.Text ? $"(CASE WHEN {raw} = {literal} THEN NULL ELSE coalesce({raw}, '') END)" : $"(CASE WHEN {raw} = {literal} THEN NULL ELSE {raw} END)";
    }

    /// <summary>
    /// A DECIMAL(p,s) field cut after its s-th fractional digit (20.259 into DECIMAL(8,2) is 20.25; the cast would
    /// round). The pattern only runs on a field with a point and more than s characters after it.
    /// </summary>
    private static string CutDecimal(string v, LoadColumn column)
    {
        if (column.CutScale is not { } scale) return v;
        var pattern = scale == 0 ? @"^(\s*[-+]?[0-9]+)\.[0-9]*" : $@"^(\s*[-+]?[0-9]*\.[0-9]{{{scale}}})[0-9]+";
        var cut = scale == 0 ? $"strpos({v}, '.') = 0" : $"strpos({v}, '.') = 0 OR length({v}) - strpos({v}, '.') <= {scale}";
        return $"CASE WHEN {cut} THEN {v} ELSE regexp_replace({v}, {Literal(pattern)}, '\\1') END";
    }

    private static string TimeValue(string v, LoadColumn column, HostTimeConversion time, bool tryConvert)
    {
        var converted = $"CAST(make_timestamp({time.Function}({v}, {Literal(time.Spec)})) AS {column.Type})";
        if (tryConvert || time.NullWhenInvalid) return converted;
        return $"CASE WHEN {v} IS NULL THEN NULL ELSE coalesce({converted}, error({Literal(time.Failure)})) END";
    }

    private static string TextValue(string v, LoadOptions options)
    {
        if (options.TrimTrailingBlanks) v = $"rtrim({v})";
        if (options.BlanksAsNull) v = $"CASE WHEN trim({v}) = '' THEN NULL ELSE {v} END";
        if (options.EmptyAsNull) v = $"NULLIF({v}, '')";
        return v;
    }

    /// <summary>
    /// A text value against its column's width in bytes: cut at the last whole character that fits, or failing the
    /// statement; an ASCII-only column's multibyte character fails it whatever the width rule.
    /// </summary>
    private string Width(string v, LoadColumn column, LoadOptions options, bool check)
    {
        if (column.Width is not { } w) return v;
        var ascii = column.AsciiOnly && check ? $"CASE WHEN {HasMultibyte(v)} THEN error({Literal(options.AsciiFailure)}) ELSE {v} END" : v;
        if (options.TruncateToWidth)
            return $"CASE WHEN strlen({ascii}) <= {w} THEN {ascii} ELSE left({ascii}, list_count(list_filter(range(1, length({ascii}) + 1), lambda k: strlen(left({ascii}, k)) <= {w}))) END";
        return check ? $"CASE WHEN strlen({ascii}) > {w} THEN error({Literal(options.WidthFailure)}) ELSE {ascii} END" : v;
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
