using LocalShift.Aws.Protocols;
using LocalShift.Core;

namespace LocalShift.Aws.Tests;

public class TimestampsTests
{
    [Theory]
    [InlineData("1e400")]
    [InlineData("99999999999999999999999")]
    [InlineData("-99999999999999999999999")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void Epoch_seconds_no_calendar_holds_are_the_callers_error(string text)
    {
        // Found by the edge fuzzer: DescribeClusterSnapshots with EndTime=1e400 answered 500.
        var e = Assert.Throws<AwsException>(() => Timestamps.Parse(text, "EndTime"));
        Assert.Equal("InvalidParameterValue", e.Code);
        Assert.Equal($"Invalid value '{text}' for EndTime: it must be a timestamp.", e.Message);
        Assert.Throws<AwsException>(() => Timestamps.FromSeconds(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("0", "1970-01-01T00:00:00.000Z")]
    [InlineData("1764979200.5", "2025-12-06T00:00:00.500Z")]
    [InlineData("2026-12-07T10:00:00Z", "2026-12-07T10:00:00.000Z")]
    public void Epoch_seconds_and_iso_8601_are_read(string text, string expected) =>
        Assert.Equal(expected, Timestamps.Format(Timestamps.Parse(text, "StartTime"), "iso8601"));
}
