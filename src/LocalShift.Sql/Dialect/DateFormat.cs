using System.Text;

namespace LocalShift.Sql.Dialect;

/// <summary>Translates Redshift/PostgreSQL datetime format strings (TO_CHAR) to strftime patterns.</summary>
internal static class DateFormat
{
    private static readonly (string Pattern, string Strftime)[] Map =
    [
        ("YYYY", "%Y"), ("HH24", "%H"), ("HH12", "%I"), ("MONTH", "%B"), ("Month", "%B"), ("month", "%B"),
        ("MON", "%b"), ("Mon", "%b"), ("mon", "%b"), ("DAY", "%A"), ("Day", "%A"), ("day", "%A"),
        ("YY", "%y"), ("MM", "%m"), ("DD", "%d"), ("DY", "%a"), ("Dy", "%a"), ("dy", "%a"), ("HH", "%I"), ("MI", "%M"),
        ("SS", "%S"), ("MS", "%g"), ("US", "%f"), ("AM", "%p"), ("PM", "%p"), ("am", "%p"), ("pm", "%p"),
        ("DDD", "%j"), ("WW", "%W"), ("TZ", "%Z"), ("tz", "%Z"),
    ];

    public static string ToStrftime(string format)
    {
        var sb = new StringBuilder();
        var i = 0;
        while (i < format.Length)
        {
            if (format[i] == '"')
            {
                var end = format.IndexOf('"', i + 1);
                if (end < 0) end = format.Length;
                sb.Append(format.AsSpan(i + 1, Math.Max(0, end - i - 1)).ToString().Replace("%", "%%"));
                i = end + 1;
                continue;
            }
            var matched = false;
            foreach (var (pattern, strftime) in Map.OrderByDescending(m => m.Pattern.Length))
            {
                if (string.CompareOrdinal(format, i, pattern, 0, pattern.Length) != 0) continue;
                sb.Append(strftime);
                i += pattern.Length;
                matched = true;
                break;
            }
            if (matched) continue;
            sb.Append(format[i] == '%' ? "%%" : format[i].ToString());
            i++;
        }
        return sb.ToString();
    }
}
