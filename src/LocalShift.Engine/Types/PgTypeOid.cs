namespace LocalShift.Engine.Types;

/// <summary>Type OIDs of the built-in PostgreSQL types the endpoint speaks (pg_type.oid).</summary>
public static class PgTypeOid
{
    public const int Unspecified = 0;
    public const int Bool = 16;
    public const int Bytea = 17;
    public const int Char = 18;
    public const int Name = 19;
    public const int Int8 = 20;
    public const int Int2 = 21;
    public const int Int4 = 23;
    public const int Text = 25;
    public const int Oid = 26;
    public const int Json = 114;
    public const int Float4 = 700;
    public const int Float8 = 701;
    public const int Unknown = 705;
    public const int Bpchar = 1042;
    public const int Varchar = 1043;
    public const int Date = 1082;
    public const int Time = 1083;
    public const int Timestamp = 1114;
    public const int TimestampTz = 1184;
    public const int Interval = 1186;
    public const int TimeTz = 1266;
    public const int Numeric = 1700;
    public const int Uuid = 2950;
    public const int Jsonb = 3802;

    /// <summary>pg_type.typlen as sent in RowDescription (-1 for variable length).</summary>
    public static short SizeOf(int oid) => oid switch
    {
        Bool or Char => 1,
        Int2 => 2,
        Int4 or Oid or Float4 or Date => 4,
        Int8 or Float8 or Time or Timestamp or TimestampTz => 8,
        TimeTz => 12,
        Interval or Uuid => 16,
        Name => 64,
        _ => -1,
    };

    /// <summary>The SQL name of a type, used when a parameter value is turned into a typed literal.</summary>
    public static string? SqlName(int oid) => oid switch
    {
        Bool => "BOOLEAN",
        Bytea => "BLOB",
        Int8 => "BIGINT",
        Int2 => "SMALLINT",
        Int4 or Oid => "INTEGER",
        Float4 => "REAL",
        Float8 => "DOUBLE",
        Date => "DATE",
        Time => "TIME",
        Timestamp => "TIMESTAMP",
        TimestampTz => "TIMESTAMPTZ",
        Interval => "INTERVAL",
        Numeric => "DECIMAL(38,10)",
        Uuid => "UUID",
        Json or Jsonb => "JSON",
        _ => null,
    };
}
