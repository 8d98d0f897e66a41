namespace LocalShift.Sql.Dialect;

/// <summary>Redshift's date part names and abbreviations (DATEADD, DATEDIFF, DATE_PART) to DuckDB's names.</summary>
internal static class DatePart
{
    public static string? Normalize(string part) => part.Trim().Trim('\'', '"').ToLowerInvariant() switch
    {
        "millennium" or "millennia" or "mil" or "mils" => "millennium",
        "century" or "centuries" or "c" or "cent" or "cents" => "century",
        "decade" or "decades" or "dec" or "decs" => "decade",
        "year" or "years" or "y" or "yr" or "yrs" or "yy" or "yyyy" => "year",
        "quarter" or "quarters" or "qtr" or "qtrs" or "q" => "quarter",
        "month" or "months" or "mon" or "mons" or "mm" => "month",
        "week" or "weeks" or "w" or "wk" or "wks" => "week",
        "day" or "days" or "d" or "dd" => "day",
        "dayofweek" or "dow" or "dw" or "weekday" => "dow",
        "dayofyear" or "doy" or "dy" or "yearday" => "doy",
        "hour" or "hours" or "h" or "hh" or "hr" or "hrs" => "hour",
        "minute" or "minutes" or "m" or "mi" or "min" or "mins" => "minute",
        "second" or "seconds" or "s" or "sec" or "secs" => "second",
        "millisecond" or "milliseconds" or "ms" or "msec" or "msecs" or "msecond" or "mseconds" or "millisec" or "millisecs" or "millisecon" => "millisecond",
        "microsecond" or "microseconds" or "microsec" or "microsecs" or "microsecond" or "usecond" or "useconds" or "us" or "usec" or "usecs" => "microsecond",
        "epoch" => "epoch",
        "timezone" => "timezone",
        _ => null,
    };
}
