using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using LocalShift.Engine;
using LocalShift.Engine.Types;
using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Types;

/// <summary>PostgreSQL's binary representation of values, converting the engine's CLR value to the described type.</summary>
public static class PgBinaryFormat
{
    /// <summary>Days and microseconds in PostgreSQL count from 2000-01-01.</summary>
    public static readonly DateTime Epoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
    public static readonly DateOnly EpochDate = new(2000, 1, 1);

    /// <summary>Writes the 4-byte length and the value.</summary>
    public static void Write(PgWriteBuffer buffer, object value, int typeOid)
    {
        switch (typeOid)
        {
            case PgTypeOid.Bool:
                buffer.WriteInt32(1);
                buffer.WriteByte(Convert.ToBoolean(value, CultureInfo.InvariantCulture) ? (byte)1 : (byte)0);
                return;
            case PgTypeOid.Int2:
                buffer.WriteInt32(2);
                buffer.WriteInt16(Convert.ToInt16(ToConvertible(value), CultureInfo.InvariantCulture));
                return;
            case PgTypeOid.Int4:
            case PgTypeOid.Oid:
                buffer.WriteInt32(4);
                buffer.WriteInt32(Convert.ToInt32(ToConvertible(value), CultureInfo.InvariantCulture));
                return;
            case PgTypeOid.Int8:
                buffer.WriteInt32(8);
                buffer.WriteInt64(Convert.ToInt64(ToConvertible(value), CultureInfo.InvariantCulture));
                return;
            case PgTypeOid.Float4:
                buffer.WriteInt32(4);
                buffer.WriteInt32(BitConverter.SingleToInt32Bits(Convert.ToSingle(ToConvertible(value), CultureInfo.InvariantCulture)));
                return;
            case PgTypeOid.Float8:
                buffer.WriteInt32(8);
                buffer.WriteInt64(BitConverter.DoubleToInt64Bits(Convert.ToDouble(ToConvertible(value), CultureInfo.InvariantCulture)));
                return;
            case PgTypeOid.Date:
                buffer.WriteInt32(4);
                buffer.WriteInt32(ToDate(value).DayNumber - EpochDate.DayNumber);
                return;
            case PgTypeOid.Timestamp:
            case PgTypeOid.TimestampTz:
                buffer.WriteInt32(8);
                buffer.WriteInt64(ToMicros(value));
                return;
            case PgTypeOid.Time:
                buffer.WriteInt32(8);
                buffer.WriteInt64(value switch
                {
                    TimeOnly t => t.Ticks / 10,
                    TimeSpan t => t.Ticks / 10,
                    _ => TimeOnly.Parse(value.ToString()!, CultureInfo.InvariantCulture).Ticks / 10,
                });
                return;
            case PgTypeOid.Interval:
                buffer.WriteInt32(16);
                if (value is PgInterval interval)
                {
                    buffer.WriteInt64(interval.Microseconds);
                    buffer.WriteInt32(interval.Days);
                    buffer.WriteInt32(interval.Months);
                    return;
                }
                var span = value is TimeSpan ts ? ts : TimeSpan.Zero;
                buffer.WriteInt64(span.Ticks % TimeSpan.TicksPerDay / 10);
                buffer.WriteInt32(span.Days);
                buffer.WriteInt32(0);
                return;
            case PgTypeOid.Uuid:
                var guid = value is Guid g ? g : Guid.Parse(value.ToString()!);
                buffer.WriteInt32(16);
                guid.TryWriteBytes(buffer.GetSpan(16), bigEndian: true, out _);
                buffer.Advance(16);
                return;
            case PgTypeOid.Bytea:
                var bytes = value switch
                {
                    byte[] b => b,
                    Stream s => PgTextFormat.ReadAll(s),
                    _ => System.Text.Encoding.UTF8.GetBytes(PgTextFormat.Format(value, typeOid)),
                };
                buffer.WriteInt32(bytes.Length);
                buffer.WriteBytes(bytes);
                return;
            case PgTypeOid.Numeric:
                WriteNumeric(buffer, value);
                return;
            default:
                // text, varchar, bpchar, name, json, unknown: binary is the UTF-8 text.
                var at = buffer.ReserveLength();
                buffer.WriteString(PgTextFormat.Format(value, typeOid));
                buffer.PatchLength(at);
                return;
        }
    }

    private static object ToConvertible(object value) => value switch
    {
        BigInteger n => (decimal)n,
        string s => decimal.Parse(s, CultureInfo.InvariantCulture),
        _ => value,
    };

    private static DateOnly ToDate(object value) => value switch
    {
        DateOnly d => d,
        DateTime t => DateOnly.FromDateTime(t),
        DateTimeOffset t => DateOnly.FromDateTime(t.UtcDateTime),
        _ => DateOnly.Parse(value.ToString()!, CultureInfo.InvariantCulture),
    };

    private static long ToMicros(object value)
    {
        var t = value switch
        {
            DateTime d => d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d,
            DateTimeOffset o => o.UtcDateTime,
            DateOnly d => d.ToDateTime(TimeOnly.MinValue),
            _ => DateTime.Parse(value.ToString()!, CultureInfo.InvariantCulture),
        };
        return (t.Ticks - Epoch.Ticks) / 10;
    }

    /// <summary>numeric: ndigits, weight, sign, dscale, then base-10000 digits.</summary>
    private static void WriteNumeric(PgWriteBuffer buffer, object value)
    {
        var text = value switch
        {
            decimal d => d.ToString(CultureInfo.InvariantCulture),
            BigInteger n => n.ToString(CultureInfo.InvariantCulture),
            double d => ((decimal)d).ToString(CultureInfo.InvariantCulture),
            float f => ((decimal)f).ToString(CultureInfo.InvariantCulture),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "0",
        };
        var negative = text.StartsWith('-');
        if (negative) text = text[1..];
        var dot = text.IndexOf('.');
        var integer = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? "" : text[(dot + 1)..];
        var dscale = (short)fraction.Length;
        integer = integer.TrimStart('0');
        integer = new string('0', (4 - integer.Length % 4) % 4) + integer;
        fraction += new string('0', (4 - fraction.Length % 4) % 4);
        var groups = new List<short>();
        for (var i = 0; i < integer.Length; i += 4) groups.Add(short.Parse(integer.AsSpan(i, 4), CultureInfo.InvariantCulture));
        for (var i = 0; i < fraction.Length; i += 4) groups.Add(short.Parse(fraction.AsSpan(i, 4), CultureInfo.InvariantCulture));
        var weight = integer.Length / 4 - 1;
        var start = 0;
        while (start < groups.Count && groups[start] == 0) { start++; weight--; }
        var end = groups.Count;
        while (end > start && groups[end - 1] == 0) end--;
        var digits = groups.GetRange(start, end - start);
        if (digits.Count == 0) weight = 0;
        buffer.WriteInt32(8 + digits.Count * 2);
        buffer.WriteInt16((short)digits.Count);
        buffer.WriteInt16((short)weight);
        buffer.WriteInt16(negative && digits.Count > 0 ? unchecked((short)0x4000) : (short)0);
        buffer.WriteInt16(dscale);
        foreach (var digit in digits) buffer.WriteInt16(digit);
    }

    /// <summary>Decodes a binary parameter to a CLR value.</summary>
    public static object Read(ReadOnlySpan<byte> data, int typeOid)
    {
        switch (typeOid)
        {
            case PgTypeOid.Bool: return data[0] != 0;
            case PgTypeOid.Int2: return BinaryPrimitives.ReadInt16BigEndian(data);
            case PgTypeOid.Int4:
            case PgTypeOid.Oid: return BinaryPrimitives.ReadInt32BigEndian(data);
            case PgTypeOid.Int8: return BinaryPrimitives.ReadInt64BigEndian(data);
            case PgTypeOid.Float4: return BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32BigEndian(data));
            case PgTypeOid.Float8: return BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(data));
            case PgTypeOid.Date: return EpochDate.AddDays(BinaryPrimitives.ReadInt32BigEndian(data));
            case PgTypeOid.Timestamp: return new DateTime(Epoch.Ticks + BinaryPrimitives.ReadInt64BigEndian(data) * 10, DateTimeKind.Unspecified);
            case PgTypeOid.TimestampTz: return new DateTimeOffset(Epoch.Ticks + BinaryPrimitives.ReadInt64BigEndian(data) * 10, TimeSpan.Zero);
            case PgTypeOid.Time: return new TimeOnly(BinaryPrimitives.ReadInt64BigEndian(data) * 10);
            case PgTypeOid.Interval:
                return new TimeSpan(BinaryPrimitives.ReadInt64BigEndian(data) * 10
                    + BinaryPrimitives.ReadInt32BigEndian(data[8..]) * TimeSpan.TicksPerDay
                    + BinaryPrimitives.ReadInt32BigEndian(data[12..]) * 30 * TimeSpan.TicksPerDay);
            case PgTypeOid.Uuid: return new Guid(data, bigEndian: true);
            case PgTypeOid.Bytea: return data.ToArray();
            case PgTypeOid.Numeric: return ReadNumeric(data);
            default: return System.Text.Encoding.UTF8.GetString(data);
        }
    }

    private static decimal ReadNumeric(ReadOnlySpan<byte> data)
    {
        var count = BinaryPrimitives.ReadInt16BigEndian(data);
        var weight = BinaryPrimitives.ReadInt16BigEndian(data[2..]);
        var sign = (ushort)BinaryPrimitives.ReadInt16BigEndian(data[4..]);
        if (sign == 0xC000) throw new PgException(SqlState.InvalidBinaryRepresentation, "numeric NaN is not supported");
        decimal result = 0;
        for (var i = 0; i < count; i++)
        {
            var digit = BinaryPrimitives.ReadInt16BigEndian(data[(8 + i * 2)..]);
            var power = weight - i;
            result += digit * Pow10000(power);
        }
        return sign == 0x4000 ? -result : result;
    }

    private static decimal Pow10000(int power)
    {
        decimal value = 1;
        if (power >= 0) for (var i = 0; i < power; i++) value *= 10000;
        else for (var i = 0; i < -power; i++) value /= 10000;
        return value;
    }
}
