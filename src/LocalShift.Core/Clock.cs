using System.Globalization;

namespace LocalShift.Core;

public static class AwsTime
{
    /// <summary>ISO 8601 in UTC with milliseconds, as query-protocol responses carry timestamps.</summary>
    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
