namespace LocalShift.Sql.Copy;

/// <summary>The type of the column a date or time field is loaded into.</summary>
public enum TemporalType { Date, Timestamp, TimestampTz, Time }

/// <summary>
/// A date and time as read from a field, before it becomes a column value: the calendar parts as written (the year
/// astronomical: 1 BC is 0), the time of day, and the UTC offset the text named, if any.
/// </summary>
public struct DateTimeFields
{
    public bool HasDate;
    public long Year;
    public int Month, Day;
    public bool HasTime;
    public int Hour, Minute, Second;
    /// <summary>Microseconds of the second; 1,000,000 when a rounded fraction carried into the next second.</summary>
    public int Micros;
    public int? OffsetSeconds;
    /// <summary>The year as written when it had one or two digits (before the century was added).</summary>
    public int? TwoDigitYear;

    public const long MicrosPerDay = 86_400_000_000L;

    /// <summary>Redshift's range for DATE and TIMESTAMP ends in 294276 AD; the engine's timestamps end in 294247 AD.</summary>
    private const long MaxYear = 294246;
    private const long MinYear = -4712;

    /// <summary>
    /// The value as microseconds since 1970-01-01 00:00:00 (UTC for TIMESTAMPTZ; for TIME, of 1970-01-01): DATE drops
    /// the time of day, TIMESTAMP ignores an offset, TIMESTAMPTZ applies it, a TIMESTAMP without a time is midnight.
    /// False when a part is out of range (30 February, hour 25) or the type needs a part the text lacks.
    /// </summary>
    public readonly bool TryToMicros(TemporalType type, out long micros)
    {
        micros = 0;
        if (type == TemporalType.Time)
        {
            if (!HasTime || !ValidTime()) return false;
            micros = ((Hour * 60L + Minute) * 60 + Second) * 1_000_000 + Micros;
            return micros <= MicrosPerDay;
        }
        if (!HasDate || Month is < 1 or > 12 || Day < 1 || Day > DaysInMonth(Year, Month) || Year is < MinYear or > MaxYear) return false;
        var days = DaysFromCivil(Year, Month, Day);
        micros = days * MicrosPerDay;
        if (type == TemporalType.Date || !HasTime) return true;
        if (!ValidTime()) return false;
        micros += ((Hour * 60L + Minute) * 60 + Second) * 1_000_000 + Micros;
        if (type == TemporalType.TimestampTz && OffsetSeconds is { } offset) micros -= offset * 1_000_000L;
        return true;
    }

    private readonly bool ValidTime() => Hour is >= 0 and <= 24 && Minute is >= 0 and < 60 && Second is >= 0 and < 60 && Micros is >= 0 and <= 1_000_000
        && (Hour < 24 || Minute == 0 && Second == 0 && Micros == 0);

    public static bool IsLeapYear(long year) => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

    public static int DaysInMonth(long year, int month) => month switch
    {
        2 => IsLeapYear(year) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    /// <summary>Days from 1970-01-01 to a date of the proleptic Gregorian calendar (astronomical years).</summary>
    public static long DaysFromCivil(long year, int month, int day)
    {
        year -= month <= 2 ? 1 : 0;
        var era = (year >= 0 ? year : year - 399) / 400;
        var yearOfEra = year - era * 400;
        var dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        var dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146097 + dayOfEra - 719468;
    }

    /// <summary>The month and day of a day of the year (1 = 1 January); false past the year's end.</summary>
    public static bool FromDayOfYear(long year, int dayOfYear, out int month, out int day)
    {
        month = 1;
        day = dayOfYear;
        if (dayOfYear < 1) return false;
        while (month <= 12 && day > DaysInMonth(year, month)) day -= DaysInMonth(year, month++);
        return month <= 12;
    }

    /// <summary>The date of a Julian day number (J2440588 is 1970-01-01).</summary>
    public static void FromJulianDay(long julian, out long year, out int month, out int day)
    {
        var z = julian - 2440588 + 719468;
        var era = (z >= 0 ? z : z - 146096) / 146097;
        var dayOfEra = z - era * 146097;
        var yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
        var dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        var mp = (5 * dayOfYear + 2) / 153;
        day = (int)(dayOfYear - (153 * mp + 2) / 5 + 1);
        month = (int)(mp < 10 ? mp + 3 : mp - 9);
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    }

    /// <summary>A two-digit year: 70–99 are 1970–1999, 00–69 are 2000–2069 (PostgreSQL's rule; unverified for Redshift).</summary>
    public static long Century(long twoDigits) => twoDigits < 70 ? 2000 + twoDigits : 1900 + twoDigits;

    private static readonly string[] MonthNames =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    /// <summary>A month named in full or by its first three letters (or "Sept"), any case; 0 when the word is no month.</summary>
    public static int MonthOf(ReadOnlySpan<char> word)
    {
        if (word.Length < 3) return 0;
        for (var m = 0; m < 12; m++)
        {
            var name = MonthNames[m].AsSpan();
            if (word.Length <= name.Length && name.StartsWith(word, StringComparison.OrdinalIgnoreCase) && (word.Length == 3 || word.Length == name.Length))
                return m + 1;
        }
        return word.Equals("sept", StringComparison.OrdinalIgnoreCase) ? 9 : 0;
    }

    /// <summary>The longest month name (full, then abbreviated) at the start of <paramref name="text"/>: its month and length.</summary>
    public static (int Month, int Length) MonthAt(ReadOnlySpan<char> text)
    {
        for (var m = 0; m < 12; m++)
            if (text.StartsWith(MonthNames[m], StringComparison.OrdinalIgnoreCase)) return (m + 1, MonthNames[m].Length);
        if (text.StartsWith("sept", StringComparison.OrdinalIgnoreCase)) return (9, 4);
        for (var m = 0; m < 12; m++)
            if (text.Length >= 3 && text[..3].Equals(MonthNames[m].AsSpan(0, 3), StringComparison.OrdinalIgnoreCase)) return (m + 1, 3);
        return (0, 0);
    }

    /// <summary>UTC offsets (seconds) of the zone abbreviations 'auto' accepts; null for others.</summary>
    public static int? ZoneOffset(ReadOnlySpan<char> word)
    {
        Span<char> upper = stackalloc char[Math.Min(word.Length, 8)];
        if (word.Length > 8) return null;
        word.ToUpperInvariant(upper);
        return upper switch
        {
            "UTC" or "GMT" or "UT" or "Z" or "ZULU" => 0,
            "EST" => -5 * 3600, "EDT" => -4 * 3600, "CST" => -6 * 3600, "CDT" => -5 * 3600,
            "MST" => -7 * 3600, "MDT" => -6 * 3600, "PST" => -8 * 3600, "PDT" => -7 * 3600,
            "AKST" => -9 * 3600, "AKDT" => -8 * 3600, "HST" => -10 * 3600,
            "WET" => 0, "BST" => 3600, "CET" => 3600, "CEST" => 2 * 3600, "EET" => 2 * 3600, "EEST" => 3 * 3600,
            "MSK" => 3 * 3600, "JST" => 9 * 3600, "KST" => 9 * 3600, "AEST" => 10 * 3600, "AEDT" => 11 * 3600, "NZST" => 12 * 3600, "NZDT" => 13 * 3600,
            _ => null,
        };
    }

    /// <summary>
    /// A fraction of a second from its digits (after the point), in microseconds, rounded half up at the seventh digit.
    /// </summary>
    public static int FractionMicros(ReadOnlySpan<char> digits)
    {
        var micros = 0;
        for (var i = 0; i < 6; i++) micros = micros * 10 + (i < digits.Length ? digits[i] - '0' : 0);
        if (digits.Length > 6 && digits[6] >= '5') micros++;
        return micros;
    }
}
