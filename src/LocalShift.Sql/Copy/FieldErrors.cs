namespace LocalShift.Sql.Copy;

/// <summary>
/// Why a field did not convert to its column's type, as stl_load_errors says it: the error code, the reason, and the
/// position in the field. Redshift's texts where known (<c>Invalid digit, Value 'n', Pos 0, Type: Integer</c> 1207,
/// the date and time texts of <see cref="DateTimeConversion.Reason"/>); the overflow, boolean and floating-point texts
/// and the Type names Short/Long/Decimal/Double are unverified (docs/copy-load-errors.md).
/// </summary>
public static class FieldErrors
{
    /// <summary>The type name stl_load_errors.type shows for an engine type.</summary>
    public static string TypeName(string engineType)
    {
        var type = engineType.ToUpperInvariant();
        if (type.StartsWith("DECIMAL", StringComparison.Ordinal) || type.StartsWith("NUMERIC", StringComparison.Ordinal)) return "numeric";
        return type switch
        {
            "SMALLINT" => "int2", "INTEGER" => "int4", "BIGINT" => "int8", "REAL" or "FLOAT" => "float4", "DOUBLE" => "float8",
            "BOOLEAN" => "bool", "DATE" => "date", "TIMESTAMP" => "timestamp", "TIMESTAMP WITH TIME ZONE" => "timestamptz", "TIME" => "time",
            "VARCHAR" => "varchar",
            _ => type.ToLowerInvariant(),
        };
    }

    /// <summary>
    /// The error of a field that did not convert to <paramref name="engineType"/> (a date or time through its
    /// <paramref name="temporal"/> conversion).
    /// </summary>
    public static (int Code, string Reason, int Position) Describe(string engineType, string raw, DateTimeConversion? temporal)
    {
        var value = raw.Trim();
        if (temporal is not null) return (temporal.ErrorCode, temporal.Reason(raw), 0);
        var type = engineType.ToUpperInvariant();
        switch (type)
        {
            case "SMALLINT" or "INTEGER" or "BIGINT":
            {
                var name = type switch { "SMALLINT" => "Short", "INTEGER" => "Integer", _ => "Long" };
                var digitsFrom = value.Length > 0 && value[0] is '-' or '+' ? 1 : 0;
                for (var i = digitsFrom; i < value.Length; i++)
                    if (!char.IsAsciiDigit(value[i])) return (1207, $"Invalid digit, Value '{value[i]}', Pos {i}, Type: {name}", i);
                if (digitsFrom == value.Length) return (1207, $"Invalid digit, Value '{value}', Pos 0, Type: {name}", 0);
                var range = type switch
                {
                    "SMALLINT" => "-32768 to 32767",
                    "INTEGER" => "-2147483648 to 2147483647",
                    _ => "-9223372036854775808 to 9223372036854775807",
                };
                return (1216, $"Overflow ({name} valid range {range})", 0);
            }
            case "REAL" or "FLOAT" or "DOUBLE":
                return (1207, $"Invalid digit, Value '{FirstBad(value, allowExponent: true)}', Pos {BadPosition(value, allowExponent: true)}, Type: Double", BadPosition(value, true));
            case "BOOLEAN":
                return (1210, $"Invalid Boolean value '{value}'", 0);
            default:
                if (type.StartsWith("DECIMAL", StringComparison.Ordinal))
                {
                    var bad = BadPosition(value, allowExponent: false);
                    if (bad < value.Length) return (1207, $"Invalid digit, Value '{value[bad]}', Pos {bad}, Type: Decimal", bad);
                    return (1216, $"Numeric data overflow (result precision) for {TypeName(engineType)}{type["DECIMAL".Length..].ToLowerInvariant()}", 0);
                }
                return (1200, $"Invalid value for type {TypeName(engineType)}", 0);
        }
    }

    private static char FirstBad(string value, bool allowExponent)
    {
        var i = BadPosition(value, allowExponent);
        return i < value.Length ? value[i] : ' ';
    }

    /// <summary>The first character that cannot be part of a number (the length when there is none).</summary>
    private static int BadPosition(string value, bool allowExponent)
    {
        var point = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsAsciiDigit(c)) continue;
            if (c is '-' or '+' && (i == 0 || allowExponent && value[i - 1] is 'e' or 'E')) continue;
            if (c == '.' && !point) { point = true; continue; }
            if (allowExponent && c is 'e' or 'E' && i > 0) continue;
            return i;
        }
        return value.Length;
    }
}
