namespace LocalShift.Sql.Copy;

/// <summary>
/// DATEFORMAT and TIMEFORMAT 'auto': the formats the "Using automatic recognition with DATEFORMAT and TIMEFORMAT" page
/// lists, recognized by LocalShift's own code — ISO 8601 (<c>2019-02-11T05:09:12.195Z</c>), Julian days
/// (<c>J2451187</c>, with a time after it too), BC (<c>Jan-08-95 BC</c>), <c>19960108 040809</c>, <c>960108 040809</c>,
/// <c>1996.008</c>, fractional seconds, <c>17 Dec 07:37:16 1997 PST</c>, <c>12/17/1997 07:37:16.00 PST</c>,
/// <c>1997-12-17 07:37:16-08</c>, <c>12.17.1997 07:37:16.00 PST</c> — and those of the DATEFORMAT page
/// (<c>01/05/2008 14:00:00</c>, <c>January 12, 1992</c>, <c>Jun 1,2008</c>, <c>20081231</c>). Numeric dates are read
/// month first (<c>MM/DD/YYYY</c>, <c>MM.DD.YYYY</c>) unless the year comes first, as Redshift's examples show.
/// </summary>
public static class DateTimeRecognition
{
    public static bool TryRecognize(ReadOnlySpan<char> text, TemporalType type, out DateTimeFields fields)
    {
        fields = default;
        text = text.Trim();
        if (text.IsEmpty) return false;
        // Numbers not yet placed: a day or a year beside a month name ("January 12, 1992", "17 Dec ... 1997").
        Span<long> loose = stackalloc long[3];
        Span<int> looseDigits = stackalloc int[3];
        var looseCount = 0;
        var bc = false;
        int? meridian = null;
        var pos = 0;
        while (pos < text.Length)
        {
            var c = text[pos];
            if (char.IsWhiteSpace(c) || c == ',') { pos++; continue; }
            var start = pos;
            // A token runs to the next blank or comma; "T" between an ISO date and its time splits one too.
            while (pos < text.Length && !char.IsWhiteSpace(text[pos]) && text[pos] != ',') pos++;
            var token = text[start..pos];
            var t = IsoSplit(token);
            if (t > 0)
            {
                if (!DateToken(token[..t], ref fields)) return false;
                if (!TimeToken(token[(t + 1)..], ref fields)) return false;
                continue;
            }
            if (!Token(token, type, ref fields, loose, looseDigits, ref looseCount, ref bc, ref meridian)) return false;
        }
        if (looseCount > 0 && !PlaceLoose(loose[..looseCount], looseDigits[..looseCount], ref fields)) return false;
        if (bc)
        {
            if (!fields.HasDate || fields.Year < 1) return false;
            // A BC year keeps its digits as written: Jan-08-95 BC is 95 BC (astronomical year -94).
            fields.Year = 1 - (fields.TwoDigitYear ?? fields.Year);
        }
        if (meridian is { } add)
        {
            if (!fields.HasTime || fields.Hour is < 1 or > 12) return false;
            fields.Hour = fields.Hour % 12 + add;
        }
        return fields.HasDate || fields.HasTime;
    }

    /// <summary>The index of the "T" of <c>2019-02-11T05:09:12</c>; 0 when there is none.</summary>
    private static int IsoSplit(ReadOnlySpan<char> token)
    {
        var t = token.IndexOfAny('T', 't');
        return t >= 8 && t + 1 < token.Length && char.IsAsciiDigit(token[t - 1]) && char.IsAsciiDigit(token[t + 1]) && token[..t].Contains('-') ? t : 0;
    }

    private static bool Token(ReadOnlySpan<char> token, TemporalType type, ref DateTimeFields fields, Span<long> loose, Span<int> looseDigits,
        ref int looseCount, ref bool bc, ref int? meridian)
    {
        if (token.Length > 1 && token[0] is 'J' or 'j' && IsDigits(token[1..]))
        {
            if (fields.HasDate || !long.TryParse(token[1..], out var julian) || julian > 109_000_000) return false;
            DateTimeFields.FromJulianDay(julian, out fields.Year, out fields.Month, out fields.Day);
            fields.HasDate = true;
            return true;
        }
        if (token.Contains(':')) return !fields.HasTime && TimeToken(token, ref fields);
        if (token[0] is '+' or '-' && token.Length > 1 && char.IsAsciiDigit(token[1]))
            return fields.HasTime && fields.OffsetSeconds is null && Offset(token, ref fields);
        if (char.IsAsciiLetter(token[0]))
        {
            var pos = 0;
            if (DateTimePattern.ReadMeridian(token, ref pos, out var pm) && pos == token.Length) { meridian = pm ? 12 : 0; return true; }
            if (token.Equals("BC", StringComparison.OrdinalIgnoreCase) || token.Equals("B.C.", StringComparison.OrdinalIgnoreCase)) { bc = true; return true; }
            if (token.Equals("AD", StringComparison.OrdinalIgnoreCase) || token.Equals("A.D.", StringComparison.OrdinalIgnoreCase)) return true;
            if (DateTimeFields.ZoneOffset(token) is { } zone)
            {
                if (fields.OffsetSeconds is not null) return false;
                fields.OffsetSeconds = zone;
                return true;
            }
            if (IsWeekday(token)) return true;
            var month = DateTimeFields.MonthOf(token);
            if (month > 0 && fields.Month == 0) { fields.Month = month; fields.HasDate = true; return true; }
            // A month name joined to numbers: "Jan-08-95", "08-Jan-1995".
            return token.ContainsAny('-', '/', '.') && DateToken(token, ref fields);
        }
        if (IsDigits(token))
        {
            // Concatenated forms: 19960108 (YYYYMMDD), 960108 (YYMMDD) for a date; 040809 (HHMISS) after the date, or for TIME.
            if (token.Length == 8 && !fields.HasDate)
                return SetDate(ref fields, Number(token[..4]), Number(token[4..6]), Number(token[6..]));
            if (token.Length == 6 && (fields.HasDate && fields.Month > 0 && fields.Day > 0 || type == TemporalType.Time) && !fields.HasTime)
                return SetTime(ref fields, Number(token[..2]), Number(token[2..4]), Number(token[4..]), 0);
            if (token.Length == 6 && !fields.HasDate)
                return SetDate(ref fields, Year(token[..2], ref fields), Number(token[2..4]), Number(token[4..]));
            if (token.Length > 6 || looseCount == loose.Length) return false;
            loose[looseCount] = Number(token);
            looseDigits[looseCount++] = token.Length;
            return true;
        }
        return DateToken(token, ref fields);
    }

    /// <summary>A date written with '-', '/' or '.' between its parts, or YYYY.DDD.</summary>
    private static bool DateToken(ReadOnlySpan<char> token, ref DateTimeFields fields)
    {
        if (fields.HasDate && fields.Day > 0) return false;
        Span<Range> ranges = stackalloc Range[4];
        var separator = token.IndexOfAny('-', '/', '.') is var s and >= 0 ? token[s] : '\0';
        if (separator == '\0') return false;
        var n = token.Split(ranges, separator);
        if (n == 2 && separator == '.' && IsDigits(token[ranges[0]]) && IsDigits(token[ranges[1]]) && token[ranges[0]].Length == 4 && token[ranges[1]].Length == 3)
        {
            var year = Number(token[ranges[0]]);
            if (!DateTimeFields.FromDayOfYear(year, (int)Number(token[ranges[1]]), out var m, out var d)) return false;
            return SetDate(ref fields, year, m, d);
        }
        if (n != 3) return false;
        ReadOnlySpan<char> a = token[ranges[0]], b = token[ranges[1]], c = token[ranges[2]];
        if (a.IsEmpty || b.IsEmpty || c.IsEmpty) return false;
        // A month by name in any place; the other two are day and year (a year has more than two digits, or comes last).
        var named = DateTimeFields.MonthOf(a) > 0 ? 0 : DateTimeFields.MonthOf(b) > 0 ? 1 : DateTimeFields.MonthOf(c) > 0 ? 2 : -1;
        if (named >= 0)
        {
            var month = DateTimeFields.MonthOf(named == 0 ? a : named == 1 ? b : c);
            ReadOnlySpan<char> first = named == 0 ? b : a, second = named == 2 ? b : c;
            if (!IsDigits(first) || !IsDigits(second)) return false;
            // YYYY-Mon-DD when the first number is a year; otherwise day then year (Jan-08-95, 08-Jan-1995).
            return first.Length > 2 ? SetDate(ref fields, Number(first), month, Number(second)) : SetDate(ref fields, Year(second, ref fields), month, Number(first));
        }
        if (!IsDigits(a) || !IsDigits(b) || !IsDigits(c)) return false;
        if (a.Length > 2) return SetDate(ref fields, Number(a), Number(b), Number(c));
        return SetDate(ref fields, Year(c, ref fields), Number(a), Number(b));
    }

    /// <summary>A year of one or two digits is in 1970–2069, unless it is BC (kept for <see cref="TryRecognize"/>).</summary>
    private static long Year(ReadOnlySpan<char> digits, ref DateTimeFields fields)
    {
        if (digits.Length > 2) return Number(digits);
        fields.TwoDigitYear = (int)Number(digits);
        return DateTimeFields.Century(Number(digits));
    }

    /// <summary>HH:MI[:SS[.ffffff]], then a zone: Z, +HH, -HH:MM, +HHMM.</summary>
    private static bool TimeToken(ReadOnlySpan<char> token, ref DateTimeFields fields)
    {
        var end = token.Length;
        var zone = token.IndexOfAny("+-Zz");
        if (zone == 0) return false;
        if (zone > 0) end = zone;
        Span<Range> ranges = stackalloc Range[4];
        var time = token[..end];
        var n = time.Split(ranges, ':');
        if (n is < 2 or > 3) return false;
        ReadOnlySpan<char> h = time[ranges[0]], m = time[ranges[1]];
        if (!IsDigits(h) || h.Length > 2 || !IsDigits(m) || m.Length != 2) return false;
        var second = 0L;
        var micros = 0;
        if (n == 3)
        {
            var s = time[ranges[2]];
            var point = s.IndexOf('.');
            var whole = point < 0 ? s : s[..point];
            if (!IsDigits(whole) || whole.Length != 2) return false;
            second = Number(whole);
            if (point >= 0)
            {
                var fraction = s[(point + 1)..];
                if (!fraction.IsEmpty && !IsDigits(fraction)) return false;
                micros = DateTimeFields.FractionMicros(fraction);
            }
        }
        if (!SetTime(ref fields, Number(h), Number(m), second, micros)) return false;
        if (zone < 0) return true;
        if (token[zone] is 'Z' or 'z') return zone == token.Length - 1 && SetOffset(ref fields, 0);
        return Offset(token[zone..], ref fields);
    }

    /// <summary>+HH, -HH:MM, +HHMM.</summary>
    private static bool Offset(ReadOnlySpan<char> token, ref DateTimeFields fields)
    {
        var sign = token[0] == '-' ? -1 : 1;
        var rest = token[1..];
        long hours, minutes = 0;
        var colon = rest.IndexOf(':');
        if (colon >= 0)
        {
            if (!IsDigits(rest[..colon]) || !IsDigits(rest[(colon + 1)..]) || rest[(colon + 1)..].Length != 2) return false;
            hours = Number(rest[..colon]);
            minutes = Number(rest[(colon + 1)..]);
        }
        else if (IsDigits(rest) && rest.Length is 1 or 2) hours = Number(rest);
        else if (IsDigits(rest) && rest.Length == 4) { hours = Number(rest[..2]); minutes = Number(rest[2..]); }
        else return false;
        if (hours > 15 || minutes > 59) return false;
        return SetOffset(ref fields, sign * (int)(hours * 3600 + minutes * 60));
    }

    private static bool SetOffset(ref DateTimeFields fields, int seconds)
    {
        if (fields.OffsetSeconds is not null) return false;
        fields.OffsetSeconds = seconds;
        return true;
    }

    /// <summary>Numbers beside a month name: the one of more than two digits (or else the last) is the year, the other the day.</summary>
    private static bool PlaceLoose(ReadOnlySpan<long> numbers, ReadOnlySpan<int> digits, ref DateTimeFields fields)
    {
        if (fields.Month == 0 || fields.Day > 0 || numbers.Length > 2) return false;
        if (numbers.Length == 1)
        {
            // "Dec 1997": the first of the month; "Dec 17": no year, no date.
            if (digits[0] <= 2) return false;
            return SetDate(ref fields, numbers[0], fields.Month, 1);
        }
        var yearFirst = digits[0] > 2 && digits[1] <= 2;
        if (!yearFirst && digits[1] <= 2) fields.TwoDigitYear = (int)numbers[1];
        var year = yearFirst ? numbers[0] : digits[1] <= 2 ? DateTimeFields.Century(numbers[1]) : numbers[1];
        return SetDate(ref fields, year, fields.Month, yearFirst ? numbers[1] : numbers[0]);
    }

    private static bool SetDate(ref DateTimeFields fields, long year, long month, long day)
    {
        if (fields.Day > 0 || fields.Month > 0 && fields.Month != month || month is < 1 or > 12 || day is < 1 or > 31) return false;
        fields.Year = year;
        fields.Month = (int)month;
        fields.Day = (int)day;
        fields.HasDate = true;
        return true;
    }

    private static bool SetTime(ref DateTimeFields fields, long hour, long minute, long second, int micros)
    {
        if (fields.HasTime || hour > 24 || minute > 59 || second > 59) return false;
        fields.Hour = (int)hour;
        fields.Minute = (int)minute;
        fields.Second = (int)second;
        fields.Micros = micros;
        fields.HasTime = true;
        return true;
    }

    private static readonly string[] Weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    private static bool IsWeekday(ReadOnlySpan<char> word)
    {
        foreach (var day in Weekdays)
            if (word.Length >= 3 && word.Length <= day.Length && day.AsSpan().StartsWith(word, StringComparison.OrdinalIgnoreCase) && (word.Length == 3 || word.Length == day.Length))
                return true;
        return false;
    }

    private static bool IsDigits(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExceptInRange('0', '9');

    private static long Number(ReadOnlySpan<char> digits)
    {
        long value = 0;
        foreach (var c in digits)
        {
            value = value * 10 + (c - '0');
            if (value > 1_000_000_000) return value;
        }
        return value;
    }
}
