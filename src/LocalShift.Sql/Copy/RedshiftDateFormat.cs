namespace LocalShift.Sql.Copy;

/// <summary>Redshift's DATEFORMAT/TIMEFORMAT strings (YYYY-MM-DD HH24:MI:SS) as DuckDB strptime formats.</summary>
public static class RedshiftDateFormat
{
    private static readonly (string Redshift, string Strptime)[] Parts =
    [
        ("YYYY", "%Y"), ("YY", "%y"), ("MONTH", "%B"), ("MON", "%b"), ("MM", "%m"), ("DD", "%d"), ("HH24", "%H"), ("HH12", "%I"),
        ("HH", "%H"), ("MI", "%M"), ("SS", "%S"), ("US", "%f"), ("AM", "%p"), ("PM", "%p"), ("DAY", "%A"), ("DY", "%a"),
    ];

    public static string ToStrptime(string format)
    {
        var result = new System.Text.StringBuilder();
        for (var i = 0; i < format.Length;)
        {
            var part = Parts.FirstOrDefault(p => string.Compare(format, i, p.Redshift, 0, p.Redshift.Length, StringComparison.OrdinalIgnoreCase) == 0);
            if (part.Redshift is not null)
            {
                result.Append(part.Strptime);
                i += part.Redshift.Length;
            }
            else
            {
                result.Append(format[i] == '%' ? "%%" : format[i].ToString());
                i++;
            }
        }
        return result.ToString();
    }
}
