using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalShift.Core;

namespace LocalShift.Aws.Protocols;

/// <summary>
/// The three timestamp formats of AWS's protocols: <c>iso8601</c> (query and rest-xml bodies), <c>unixTimestamp</c>
/// (json and rest-json bodies, seconds with a fraction) and <c>rfc822</c> (headers).
/// </summary>
public static class Timestamps
{
    public static DateTimeOffset Parse(string text, string name)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return t;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && InRange(seconds))
            return FromSeconds(seconds);
        // unverified: AWS's text for a value that is no timestamp (or one no calendar holds, such as 1e400 seconds).
        throw AwsException.InvalidParameterValue($"Invalid value '{text}' for {name}: it must be a timestamp.");
    }

    /// <summary>Epoch seconds as a timestamp; a value outside years 1–9999 (or not a number) is the caller's error, not ours.</summary>
    public static DateTimeOffset FromSeconds(double seconds) =>
        InRange(seconds)
            ? DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond))
            : throw AwsException.InvalidParameterValue(
                $"Invalid value '{seconds.ToString(CultureInfo.InvariantCulture)}' for timestamp: it must be a timestamp."); // unverified: AWS's text

    private static readonly double MinSeconds = (DateTimeOffset.MinValue - DateTimeOffset.UnixEpoch).TotalSeconds;
    private static readonly double MaxSeconds = (DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).TotalSeconds;

    private static bool InRange(double seconds) => double.IsFinite(seconds) && seconds >= MinSeconds && seconds <= MaxSeconds;

    /// <summary>A timestamp in the protocol-neutral document: a DateTimeOffset, an ISO 8601 string or epoch seconds.</summary>
    public static DateTimeOffset Read(JsonValue v)
    {
        if (v.TryGetValue<DateTimeOffset>(out var t)) return t;
        if (v.TryGetValue<string>(out var s)) return Parse(s, "timestamp");
        if (v.TryGetValue<double>(out var d)) return FromSeconds(d);
        if (v.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.String) return Parse(e.GetString()!, "timestamp");
        throw new InvalidOperationException("not a timestamp: " + v.ToJsonString());
    }

    public static string Format(DateTimeOffset t, string format) => format switch
    {
        "rfc822" => t.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss 'GMT'", CultureInfo.InvariantCulture),
        "unixTimestamp" => Seconds(t).ToString("0.###", CultureInfo.InvariantCulture),
        _ => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
    };

    public static double Seconds(DateTimeOffset t) => Math.Round((t - DateTimeOffset.UnixEpoch).TotalSeconds, 3);
}
