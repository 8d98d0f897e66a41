using System.Globalization;
using LocalShift.Sql.Copy;

namespace LocalShift.Sql.Tests.Copy;

/// <summary>COPY's own date and time parsing: DATEFORMAT/TIMEFORMAT patterns, 'auto', epochs, and the reasons of failures.</summary>
public sealed class DateTimeParsingTests
{
    private static string? Convert(TemporalType type, string value, string dateFormat = "auto", string timeFormat = "auto", bool acceptAnyDate = false)
    {
        var conversion = DateTimeConversion.For(type, dateFormat, timeFormat, acceptAnyDate);
        if (!conversion.TryConvert(value, out var micros)) return null;
        var instant = DateTime.UnixEpoch.AddTicks(micros * 10);
        return type switch
        {
            TemporalType.Date => instant.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            TemporalType.Time => instant.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
            _ => instant.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        };
    }

    [Theory]
    // The examples of "DATEFORMAT and TIMEFORMAT strings".
    [InlineData("MM/DD/YYYY", "03/31/2003", "2003-03-31")]
    [InlineData("MON DD, YYYY", "March 31, 2003", "2003-03-31")]
    [InlineData("MON-DD-YYYY", "Jan-01-1999", "1999-01-01")]
    [InlineData("MONTH DD YYYY", "july 4 1976", "1976-07-04")]
    [InlineData("DD/MM/YY", "31/03/03", "2003-03-31")]
    [InlineData("DD/MM/YY", "31/03/85", "1985-03-31")]
    [InlineData("YYYYMMDD", "19960108", "1996-01-08")]
    [InlineData("YYYY.DDD", "1996.008", "1996-01-08")]
    [InlineData("MM/DD/YYYY", " 1/5/2008 ", "2008-01-05")]
    public void Dateformat_patterns_read_dates(string format, string value, string expected) =>
        Assert.Equal(expected, Convert(TemporalType.Date, value, dateFormat: format));

    [Theory]
    [InlineData("MM/DD/YYYY", "2003-03-31")]
    [InlineData("MM/DD/YYYY", "13/01/2003")]
    [InlineData("MM/DD/YYYY", "02/30/2003")]
    [InlineData("MM/DD/YYYY", "03/31/2003 extra")]
    [InlineData("YYYY-MM-DD", "")]
    public void Dateformat_patterns_refuse_other_text(string format, string value) =>
        Assert.Null(Convert(TemporalType.Date, value, dateFormat: format));

    [Theory]
    [InlineData("MM.DD.YYYY HH:MI:SS", "03.31.2003 18:45:05", "2003-03-31 18:45:05.000000")]
    // Fractional seconds after SS, up to microseconds (a seventh digit rounds).
    [InlineData("MM.DD.YYYY HH:MI:SS", "03.31.2003 18:45:05.123456", "2003-03-31 18:45:05.123456")]
    [InlineData("YYYY-MM-DD HH24:MI:SS", "2003-03-31 18:45:05.5", "2003-03-31 18:45:05.500000")]
    [InlineData("YYYY-MM-DD HH24:MI:SS", "2003-03-31 18:45:05.1234567", "2003-03-31 18:45:05.123457")]
    // In COPY's strings HH is HH24.
    [InlineData("YYYY-MM-DD HH:MI", "2003-03-31 18:45", "2003-03-31 18:45:00.000000")]
    [InlineData("YYYY-MM-DD HH12:MI:SS AM", "2003-03-31 06:45:05 PM", "2003-03-31 18:45:05.000000")]
    [InlineData("YYYY-MM-DD HH12:MI:SS AM", "2003-03-31 12:00:00 AM", "2003-03-31 00:00:00.000000")]
    [InlineData("YYYY-MM-DD HH12:MI:SS PM", "2003-03-31 12:30:00 pm", "2003-03-31 12:30:00.000000")]
    [InlineData("DD-MON-YYYY HH24:MI", "17-dec-1997 07:37", "1997-12-17 07:37:00.000000")]
    public void Timeformat_patterns_read_timestamps(string format, string value, string expected) =>
        Assert.Equal(expected, Convert(TemporalType.Timestamp, value, timeFormat: format));

    [Theory]
    [InlineData("YYYY-MM-DD HH24:MI:SS", "2003-03-31 25:00:00")]
    [InlineData("YYYY-MM-DD HH24:MI:SS", "2003-03-31 18:60:00")]
    [InlineData("YYYY-MM-DD HH12:MI:SS AM", "2003-03-31 13:00:00 PM")]
    [InlineData("YYYY-MM-DD HH24:MI:SS", "2003-03-31")]
    public void Timeformat_patterns_refuse_out_of_range_parts(string format, string value) =>
        Assert.Null(Convert(TemporalType.Timestamp, value, timeFormat: format));

    [Theory]
    // The examples of "Using automatic recognition with DATEFORMAT and TIMEFORMAT", and of the DATEFORMAT page.
    [InlineData("2019-02-11T05:09:12.195Z", "2019-02-11 05:09:12.195000")]
    [InlineData("J2451187", "1999-01-08 00:00:00.000000")]
    [InlineData("J2345678 04:05:06.789", "1710-02-23 04:05:06.789000")]
    [InlineData("19960108 040809", "1996-01-08 04:08:09.000000")]
    [InlineData("960108 040809", "1996-01-08 04:08:09.000000")]
    [InlineData("1996.008", "1996-01-08 00:00:00.000000")]
    [InlineData("1996-01-08 04:05:06.789", "1996-01-08 04:05:06.789000")]
    [InlineData("17 Dec 07:37:16 1997 PST", "1997-12-17 07:37:16.000000")]
    [InlineData("12/17/1997 07:37:16.00 PST", "1997-12-17 07:37:16.000000")]
    [InlineData("1997-12-17 07:37:16-08", "1997-12-17 07:37:16.000000")]
    [InlineData("12.17.1997 07:37:16.00 PST", "1997-12-17 07:37:16.000000")]
    [InlineData("01/05/2008 14:00:00", "2008-01-05 14:00:00.000000")]
    [InlineData("January 12, 1992", "1992-01-12 00:00:00.000000")]
    [InlineData("Jun 1,2008", "2008-06-01 00:00:00.000000")]
    [InlineData("20081231", "2008-12-31 00:00:00.000000")]
    [InlineData("2008-06-01 2:30 PM", "2008-06-01 14:30:00.000000")]
    [InlineData("Tuesday, June 3, 2008 10:00:00", "2008-06-03 10:00:00.000000")]
    [InlineData("2008/06/01", "2008-06-01 00:00:00.000000")]
    [InlineData("08-Jan-1995", "1995-01-08 00:00:00.000000")]
    public void Auto_recognizes_the_documented_formats(string value, string expected) =>
        Assert.Equal(expected, Convert(TemporalType.Timestamp, value));

    [Fact]
    public void Auto_reads_BC_years_as_written()
    {
        var conversion = DateTimeConversion.For(TemporalType.Date, "auto", "auto", false);
        Assert.True(conversion.TryConvert("Jan-08-95 BC", out var micros));
        // 95 BC is the astronomical year -94.
        Assert.Equal(DateTimeFields.DaysFromCivil(-94, 1, 8) * DateTimeFields.MicrosPerDay, micros);
    }

    [Theory]
    [InlineData("1997-12-17 07:37:16-08", "1997-12-17 15:37:16.000000")]
    [InlineData("1997-12-17 07:37:16+05:30", "1997-12-17 02:07:16.000000")]
    [InlineData("17 Dec 07:37:16 1997 PST", "1997-12-17 15:37:16.000000")]
    [InlineData("2019-02-11T05:09:12.195Z", "2019-02-11 05:09:12.195000")]
    [InlineData("2019-02-11 05:09:12", "2019-02-11 05:09:12.000000")]
    public void Timestamptz_applies_the_offset(string value, string utc) =>
        Assert.Equal(utc, Convert(TemporalType.TimestampTz, value));

    [Fact]
    public void Timestamp_ignores_the_offset() =>
        Assert.Equal("1997-12-17 07:37:16.000000", Convert(TemporalType.Timestamp, "1997-12-17 07:37:16+05:30"));

    [Theory]
    [InlineData("2008-01-05 14:00:00", "2008-01-05")]
    [InlineData("J2451187", "1999-01-08")]
    public void A_date_column_drops_the_time(string value, string expected) =>
        Assert.Equal(expected, Convert(TemporalType.Date, value));

    [Theory]
    [InlineData("19:11:19", "19:11:19.000000")]
    [InlineData("191119", "19:11:19.000000")]
    [InlineData("07:37:16.5", "07:37:16.500000")]
    [InlineData("2008-01-05 14:00:00", "14:00:00.000000")]
    public void Time_columns_read_times(string value, string expected) =>
        Assert.Equal(expected, Convert(TemporalType.Time, value));

    [Theory]
    [InlineData("not a date")]
    [InlineData("2008-02-30")]
    [InlineData("2008-13-01")]
    [InlineData("12")]
    [InlineData("Dec 17")]
    [InlineData("2008-01-05 14:00:00 Mars/Olympus")]
    [InlineData("J")]
    public void Auto_refuses_what_it_cannot_read(string value) =>
        Assert.Null(Convert(TemporalType.Timestamp, value));

    [Fact]
    public void Epochs_are_seconds_or_milliseconds()
    {
        Assert.Equal("2023-11-14 22:13:20.000000", Convert(TemporalType.Timestamp, "1700000000", timeFormat: "epochsecs"));
        Assert.Equal("2023-11-14 22:13:20.250000", Convert(TemporalType.Timestamp, "1700000000.25", timeFormat: "epochsecs"));
        Assert.Equal("2023-11-14 22:13:20.123000", Convert(TemporalType.Timestamp, "1700000000123", timeFormat: "epochmillisecs"));
        Assert.Equal("1969-12-31 23:59:59.000000", Convert(TemporalType.Timestamp, "-1", timeFormat: "EPOCHSECS"));
        Assert.Null(Convert(TemporalType.Timestamp, "2008-01-05", timeFormat: "epochsecs"));
    }

    [Fact]
    public void Failures_carry_Redshifts_reasons_and_codes()
    {
        var timestamp = DateTimeConversion.For(TemporalType.Timestamp, "auto", "auto", false);
        Assert.Equal(1206, timestamp.ErrorCode);
        Assert.Equal("Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS]", timestamp.Reason("bad"));
        var pattern = DateTimeConversion.For(TemporalType.Timestamp, "auto", "MM.DD.YYYY HH:MI:SS", false);
        Assert.Equal("Invalid timestamp format or value [MM.DD.YYYY HH:MI:SS]", pattern.Reason("bad"));
        var date = DateTimeConversion.For(TemporalType.Date, "auto", "auto", false);
        Assert.Equal(1205, date.ErrorCode);
        Assert.Equal("Invalid Date Format - length must be 10 or more", date.Reason("1/5/08"));
        Assert.Equal("Invalid date format - Invalid digit encountered", date.Reason("2008-0x-05"));
    }

    [Fact]
    public void A_spec_finds_its_conversion_again()
    {
        var conversion = DateTimeConversion.For(TemporalType.TimestampTz, "auto", "YYYY-MM-DD HH:MI", true);
        var found = DateTimeConversion.FromSpec(conversion.Spec);
        Assert.Same(conversion, found);
        Assert.True(found.AcceptAnyDate);
        Assert.Equal(TemporalType.TimestampTz, found.Type);
    }

    /// <summary>
    /// Property: any timestamp in Redshift's range, written in ISO, US (MM/DD/YYYY), month-name and compact forms, is
    /// read back by 'auto' as the same instant; and written with a pattern, read back by that pattern.
    /// </summary>
    [Fact]
    public void Written_timestamps_are_read_back_as_the_same_instant()
    {
        var random = new Random(18);
        var auto = DateTimeConversion.For(TemporalType.Timestamp, "auto", "auto", false);
        var pattern = DateTimeConversion.For(TemporalType.Timestamp, "auto", "DD/MM/YYYY HH24:MI:SS", false);
        var months = CultureInfo.InvariantCulture.DateTimeFormat.MonthNames;
        for (var n = 0; n < 5000; n++)
        {
            var t = new DateTime(random.Next(1000, 9999), random.Next(1, 13), 1, random.Next(24), random.Next(60), random.Next(60), DateTimeKind.Unspecified);
            t = t.AddDays(random.Next(DateTime.DaysInMonth(t.Year, t.Month))).AddTicks(random.Next(1_000_000) * 10L);
            var expected = (t - DateTime.UnixEpoch).Ticks / 10;
            var fraction = t.ToString(".ffffff", CultureInfo.InvariantCulture);
            var whole = expected - (expected % 1_000_000 + 1_000_000) % 1_000_000;
            foreach (var (text, wanted) in new[]
                     {
                         (t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + fraction, expected),
                         (t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + fraction + "Z", expected),
                         (t.ToString("MM/dd/yyyy HH:mm:ss", CultureInfo.InvariantCulture) + fraction, expected),
                         ($"{months[t.Month - 1]} {t.Day}, {t.Year} {t.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}{fraction}", expected),
                         (t.ToString("yyyyMMdd HHmmss", CultureInfo.InvariantCulture), whole),
                     })
            {
                Assert.True(auto.TryConvert(text, out var micros), text);
                Assert.True(wanted == micros, $"{text}: {micros} != {wanted}");
            }
            var written = t.ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture) + fraction;
            Assert.True(pattern.TryConvert(written, out var read), written);
            Assert.Equal(expected, read);
        }
    }

    /// <summary>Property: Julian day numbers and the civil calendar agree both ways.</summary>
    [Fact]
    public void Julian_days_and_civil_dates_agree()
    {
        var random = new Random(7);
        for (var n = 0; n < 5000; n++)
        {
            var julian = random.NextInt64(0, 100_000_000);
            DateTimeFields.FromJulianDay(julian, out var year, out var month, out var day);
            Assert.Equal(julian - 2440588, DateTimeFields.DaysFromCivil(year, month, day));
            Assert.InRange(day, 1, DateTimeFields.DaysInMonth(year, month));
        }
    }
}
