
using LocalShift.Engine.Types;

namespace LocalShift.Engine.DuckDb;

/// <summary>DuckDB column types to PostgreSQL type OIDs, as a client should see them.</summary>
internal static class DuckDbTypeMapping
{
    /// <summary>From DuckDB.NET's type name of a result column (the DuckDBType enum name).</summary>
    public static int FromReaderTypeName(string name) => name switch
    {
        "Boolean" => PgTypeOid.Bool,
        "TinyInt" or "SmallInt" or "UnsignedTinyInt" => PgTypeOid.Int2,
        "Integer" or "UnsignedSmallInt" => PgTypeOid.Int4,
        // Redshift has no 128-bit integer: DuckDB's HUGEINT is the SUM of integers, which Redshift types BIGINT.
        "BigInt" or "UnsignedInteger" or "HugeInt" => PgTypeOid.Int8,
        "UnsignedBigInt" or "UnsignedHugeInt" or "Decimal" or "VarInt" => PgTypeOid.Numeric,
        "Float" => PgTypeOid.Float4,
        "Double" => PgTypeOid.Float8,
        "Varchar" or "Enum" => PgTypeOid.Varchar,
        "Date" => PgTypeOid.Date,
        "Time" or "TimeNs" => PgTypeOid.Time,
        "TimeTz" => PgTypeOid.TimeTz,
        "Timestamp" or "TimestampS" or "TimestampMs" or "TimestampNs" => PgTypeOid.Timestamp,
        "TimestampTz" => PgTypeOid.TimestampTz,
        "Interval" => PgTypeOid.Interval,
        "Blob" => PgTypeOid.Bytea,
        "Uuid" => PgTypeOid.Uuid,
        _ => PgTypeOid.Text,
    };

    /// <summary>
    /// PostgreSQL's type modifier of a numeric(p,s) (<c>((p &lt;&lt; 16) | s) + 4</c>), which clients such as psql's
    /// \gdesc and JDBC's getPrecision read from RowDescription; -1 for any other type.
    /// </summary>
    public static int NumericTypeModifier(int precision, int scale) => precision is > 0 and <= 1000 && scale >= 0 ? ((precision << 16) | scale) + 4 : -1;

    /// <summary>The type modifier of a DuckDB SQL type as DESCRIBE prints it ("DECIMAL(38,2)"); -1 when it has none.</summary>
    public static int TypeModifierFromSqlTypeName(string type)
    {
        var match = System.Text.RegularExpressions.Regex.Match(type.Trim(), @"^(?:DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return match.Success ? NumericTypeModifier(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)) : -1;
    }

    /// <summary>From a DuckDB SQL type as DESCRIBE prints it ("INTEGER", "DECIMAL(18,3)", "VARCHAR[]").</summary>
    public static int FromSqlTypeName(string type)
    {
        var t = type.Trim().ToUpperInvariant();
        if (t.EndsWith(']') || t.StartsWith("STRUCT", StringComparison.Ordinal) || t.StartsWith("MAP", StringComparison.Ordinal)
            || t.StartsWith("UNION", StringComparison.Ordinal)) return PgTypeOid.Text;
        if (t.StartsWith("DECIMAL", StringComparison.Ordinal) || t.StartsWith("NUMERIC", StringComparison.Ordinal)) return PgTypeOid.Numeric;
        if (t.StartsWith("ENUM", StringComparison.Ordinal) || t.StartsWith("VARCHAR", StringComparison.Ordinal)) return PgTypeOid.Varchar;
        return t switch
        {
            "BOOLEAN" => PgTypeOid.Bool,
            "TINYINT" or "SMALLINT" or "UTINYINT" => PgTypeOid.Int2,
            "INTEGER" or "USMALLINT" => PgTypeOid.Int4,
            "BIGINT" or "UINTEGER" or "HUGEINT" => PgTypeOid.Int8,
            "UBIGINT" or "UHUGEINT" or "VARINT" or "BIGNUM" => PgTypeOid.Numeric,
            "FLOAT" or "REAL" => PgTypeOid.Float4,
            "DOUBLE" => PgTypeOid.Float8,
            "DATE" => PgTypeOid.Date,
            "TIME" or "TIME_NS" => PgTypeOid.Time,
            "TIME WITH TIME ZONE" => PgTypeOid.TimeTz,
            "TIMESTAMP" or "TIMESTAMP_S" or "TIMESTAMP_MS" or "TIMESTAMP_NS" => PgTypeOid.Timestamp,
            "TIMESTAMP WITH TIME ZONE" => PgTypeOid.TimestampTz,
            "INTERVAL" => PgTypeOid.Interval,
            "BLOB" => PgTypeOid.Bytea,
            "UUID" => PgTypeOid.Uuid,
            "JSON" => PgTypeOid.Varchar,
            _ => PgTypeOid.Text,
        };
    }
}
