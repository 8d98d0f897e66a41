using System.Globalization;
using System.Text;

namespace LocalShift.Engine.Types;

/// <summary>
/// An interval as PostgreSQL keeps it: months, days and microseconds apart (a month is not a fixed number of days),
/// written in PostgreSQL's default output style: <c>1 year 2 mons 3 days 04:05:06.5</c>.
/// </summary>
public readonly record struct PgInterval(int Months, int Days, long Microseconds)
{
    public override string ToString()
    {
        var sb = new StringBuilder();
        var years = Months / 12;
        var months = Months % 12;
        Part(sb, years, "year", "years");
        Part(sb, months, "mon", "mons");
        Part(sb, Days, "day", "days");
        if (Microseconds != 0 || sb.Length == 0)
        {
            if (sb.Length > 0) sb.Append(' ');
            var micros = Microseconds;
            if (micros < 0)
            {
                sb.Append('-');
                micros = -micros;
            }
            var seconds = micros / 1_000_000;
            sb.Append((seconds / 3600).ToString("00", CultureInfo.InvariantCulture)).Append(':')
              .Append((seconds / 60 % 60).ToString("00", CultureInfo.InvariantCulture)).Append(':')
              .Append((seconds % 60).ToString("00", CultureInfo.InvariantCulture));
            var fraction = micros % 1_000_000;
            if (fraction != 0) sb.Append('.').Append(fraction.ToString("000000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }
        return sb.ToString();
    }

    private static void Part(StringBuilder sb, int value, string one, string many)
    {
        if (value == 0) return;
        if (sb.Length > 0) sb.Append(' ');
        sb.Append(value.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(value is 1 or -1 ? one : many);
    }
}
