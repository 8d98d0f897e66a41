using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using LocalShift.Engine.Types;

namespace LocalShift.Sql.Wire.Types;

/// <summary>PostgreSQL's text representation of values (DateStyle ISO, TimeZone UTC, bytea hex).</summary>
public static class PgTextFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Format(object value, int typeOid) => value switch
    {
        string s => s,
        bool b => b ? "t" : "f",
        int i => i.ToString(Invariant),
        long l => l.ToString(Invariant),
        short s => s.ToString(Invariant),
        byte b => b.ToString(Invariant),
        sbyte b => b.ToString(Invariant),
        ushort u => u.ToString(Invariant),
        uint u => u.ToString(Invariant),
        ulong u => u.ToString(Invariant),
        decimal d => d.ToString(Invariant),
        BigInteger n => n.ToString(Invariant),
        double d => FormatDouble(d),
        float f => FormatFloat(f),
        DateOnly d => FormatDate(d),
        DateTime t when typeOid == PgTypeOid.Date => FormatDate(DateOnly.FromDateTime(t)),
        DateTime t => FormatTimestamp(t, typeOid == PgTypeOid.TimestampTz),
        DateTimeOffset t when typeOid == PgTypeOid.TimeTz => FormatTime(TimeOnly.FromTimeSpan(t.TimeOfDay)) + FormatOffset(t.Offset),
        DateTimeOffset t => FormatTimestamp(t.UtcDateTime, true),
        TimeOnly t => FormatTime(t),
        TimeSpan t when typeOid == PgTypeOid.Time => FormatTime(TimeOnly.FromTimeSpan(t)),
        TimeSpan t => FormatInterval(t),
        PgInterval i => i.ToString(),
        byte[] bytes => FormatBytea(bytes),
        Stream stream => FormatBytea(ReadAll(stream)),
        Guid g => g.ToString("D"),
        IDictionary or IList => JsonSerializer.Serialize(value),
        _ => Convert.ToString(value, Invariant) ?? "",
    };

    public static string FormatDate(DateOnly d) =>
        d.Year > 0 ? d.ToString("yyyy-MM-dd", Invariant) : d.ToString("yyyy-MM-dd", Invariant) + " BC";

    public static string FormatTimestamp(DateTime t, bool withZone)
    {
        var text = t.ToString("yyyy-MM-dd HH:mm:ss", Invariant) + Fraction(t.Ticks % TimeSpan.TicksPerSecond);
        return withZone ? text + "+00" : text;
    }

    public static string FormatTime(TimeOnly t) =>
        t.ToString("HH:mm:ss", Invariant) + Fraction(t.Ticks % TimeSpan.TicksPerSecond);

    public static string FormatInterval(TimeSpan t)
    {
        var sb = new StringBuilder();
        var negative = t < TimeSpan.Zero;
        if (negative) t = t.Negate();
        if (t.Days != 0) sb.Append(negative ? "-" : "").Append(t.Days.ToString(Invariant)).Append(t.Days == 1 ? " day" : " days");
        var rest = new TimeSpan(t.Ticks % TimeSpan.TicksPerDay);
        if (rest != TimeSpan.Zero || sb.Length == 0)
        {
            if (sb.Length > 0) sb.Append(' ');
            if (negative) sb.Append('-');
            sb.Append(((int)rest.TotalHours).ToString("00", Invariant)).Append(':')
              .Append(rest.Minutes.ToString("00", Invariant)).Append(':')
              .Append(rest.Seconds.ToString("00", Invariant))
              .Append(Fraction(rest.Ticks % TimeSpan.TicksPerSecond));
        }
        return sb.ToString();
    }

    public static string FormatBytea(ReadOnlySpan<byte> bytes) => "\\x" + Convert.ToHexStringLower(bytes);

    public static string FormatDouble(double d) => d switch
    {
        double.PositiveInfinity => "Infinity",
        double.NegativeInfinity => "-Infinity",
        _ when double.IsNaN(d) => "NaN",
        _ => d.ToString("R", Invariant),
    };

    public static string FormatFloat(float f) => f switch
    {
        float.PositiveInfinity => "Infinity",
        float.NegativeInfinity => "-Infinity",
        _ when float.IsNaN(f) => "NaN",
        _ => f.ToString("R", Invariant),
    };

    internal static byte[] ReadAll(Stream stream)
    {
        if (stream.CanSeek) stream.Position = 0;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string FormatOffset(TimeSpan offset)
    {
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        offset = offset.Duration();
        return offset.Minutes == 0
            ? sign + offset.Hours.ToString("00", Invariant)
            : sign + offset.Hours.ToString("00", Invariant) + ":" + offset.Minutes.ToString("00", Invariant);
    }

    private static string Fraction(long ticks)
    {
        if (ticks == 0) return "";
        var micros = ticks / 10;
        return "." + micros.ToString("000000", Invariant).TrimEnd('0');
    }
}
