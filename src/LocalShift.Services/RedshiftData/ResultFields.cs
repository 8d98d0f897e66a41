using System.Globalization;
using LocalShift.Engine;
using LocalShift.Engine.Types;
using LocalShift.Services.RedshiftData.Shapes;
using LocalShift.Sql.Wire.Types;

namespace LocalShift.Services.RedshiftData;

/// <summary>
/// A result's values and columns as the Data API types them: integers as <c>longValue</c>, floating point as
/// <c>doubleValue</c>, booleans as <c>booleanValue</c>, NULL as <c>isNull</c>, and everything else (decimals, dates,
/// timestamps, text) as <c>stringValue</c> in Redshift's text form; the column's Redshift type name.
/// </summary>
public static class ResultFields
{
    public static Field Of(object? value, int typeOid)
    {
        if (value is null or DBNull) return new Field { isNull = true };
        return typeOid switch
        {
            PgTypeOid.Int2 or PgTypeOid.Int4 or PgTypeOid.Int8 or PgTypeOid.Oid => new Field { longValue = Convert.ToInt64(value, CultureInfo.InvariantCulture) },
            PgTypeOid.Float4 or PgTypeOid.Float8 => new Field { doubleValue = Convert.ToDouble(value, CultureInfo.InvariantCulture) },
            PgTypeOid.Bool => new Field { booleanValue = Convert.ToBoolean(value, CultureInfo.InvariantCulture) },
            PgTypeOid.Bytea when value is byte[] bytes => new Field { blobValue = bytes },
            _ => new Field { stringValue = PgTextFormat.Format(value, typeOid) },
        };
    }

    /// <summary>The size of a value in a result (for ResultSize and paging): its text length.</summary>
    public static long SizeOf(Field f) =>
        f.stringValue?.Length ?? f.blobValue?.Length ?? (f.longValue is not null || f.doubleValue is not null ? 8 : 1);

    public static ColumnMetadata Column(PgColumn column)
    {
        var (typeName, precision, scale, length) = Describe(column);
        var numeric = column.TypeOid is PgTypeOid.Int2 or PgTypeOid.Int4 or PgTypeOid.Int8 or PgTypeOid.Float4 or PgTypeOid.Float8 or PgTypeOid.Numeric;
        var text = column.TypeOid is PgTypeOid.Text or PgTypeOid.Varchar or PgTypeOid.Bpchar or PgTypeOid.Char or PgTypeOid.Name;
        return new ColumnMetadata
        {
            name = column.Name,
            label = column.Name,
            typeName = typeName,
            precision = precision,
            scale = scale,
            length = length,
            nullable = 1,
            isSigned = numeric,
            isCaseSensitive = text,
            isCurrency = false,
            schemaName = "",
            tableName = "",
        };
    }

    private static (string Name, int Precision, int Scale, int Length) Describe(PgColumn c) => c.TypeOid switch
    {
        PgTypeOid.Bool => ("bool", 1, 0, 0),
        PgTypeOid.Int2 => ("int2", 5, 0, 0),
        PgTypeOid.Int4 => ("int4", 10, 0, 0),
        PgTypeOid.Int8 => ("int8", 19, 0, 0),
        PgTypeOid.Float4 => ("float4", 8, 8, 0),
        PgTypeOid.Float8 => ("float8", 17, 17, 0),
        PgTypeOid.Numeric when c.TypeModifier >= 4 => ("numeric", ((c.TypeModifier - 4) >> 16) & 0xFFFF, (c.TypeModifier - 4) & 0xFFFF, 0),
        PgTypeOid.Numeric => ("numeric", 38, 0, 0),
        PgTypeOid.Varchar => ("varchar", c.TypeModifier >= 4 ? c.TypeModifier - 4 : 65535, 0, 0),
        PgTypeOid.Bpchar => ("bpchar", c.TypeModifier >= 4 ? c.TypeModifier - 4 : 1, 0, 0),
        PgTypeOid.Text => ("text", 65535, 0, 0),
        PgTypeOid.Date => ("date", 13, 0, 0),
        PgTypeOid.Time => ("time", 15, 6, 0),
        PgTypeOid.Timestamp => ("timestamp", 29, 6, 0),
        PgTypeOid.TimestampTz => ("timestamptz", 35, 6, 0),
        PgTypeOid.Bytea => ("varbyte", 65535, 0, 0),
        PgTypeOid.Json or PgTypeOid.Jsonb => ("super", 65535, 0, 0),
        PgTypeOid.Interval => ("interval", 49, 6, 0),
        _ => ("varchar", 65535, 0, 0),
    };
}
