namespace LocalShift.Sql.Copy;

/// <summary>
/// A DATEFORMAT or TIMEFORMAT string of a COPY, such as <c>'MM/DD/YYYY'</c> or <c>'YYYY-MM-DD HH12:MI:SS AM'</c>, compiled once and
/// matched against each field by LocalShift's own code, as the "DATEFORMAT and TIMEFORMAT strings" page describes:
/// YYYY, YY, MM, MON (a month's abbreviated or full name; MONTH too), DD, DDD (day of the year), HH and HH24 (24-hour
/// clock: in COPY's strings HH is HH24), HH12, MI, SS with an optional fraction of up to microseconds after it, AM/PM;
/// any other character stands for itself (a blank matches any run of blanks). Parts are matched without regard to case.
/// Numbers take at most their part's digits, so <c>YYYYMMDD</c> reads <c>19960108</c> and <c>MM/DD/YYYY</c> reads
/// <c>1/5/2008</c>.
/// </summary>
public sealed class DateTimePattern
{
    private enum Part { Literal, Blank, Year4, Year2, Month, MonthName, Day, DayOfYear, Hour24, Hour12, Minute, Second, Meridian }

    private readonly (Part Part, char Literal)[] _parts;

    /// <summary>The format as written, for the reasons of stl_load_errors.</summary>
    public string Format { get; }

    private DateTimePattern(string format, (Part, char)[] parts)
    {
        Format = format;
        _parts = parts;
    }

    private static readonly (string Text, Part Part)[] Words =
    [
        ("YYYY", Part.Year4), ("YY", Part.Year2), ("MONTH", Part.MonthName), ("MON", Part.MonthName), ("MM", Part.Month),
        ("DDD", Part.DayOfYear), ("DD", Part.Day), ("HH24", Part.Hour24), ("HH12", Part.Hour12), ("HH", Part.Hour24),
        ("MI", Part.Minute), ("SS", Part.Second), ("AM", Part.Meridian), ("PM", Part.Meridian),
    ];

    public static DateTimePattern Compile(string format)
    {
        var parts = new List<(Part, char)>();
        for (var i = 0; i < format.Length;)
        {
            var matched = false;
            foreach (var (text, part) in Words)
            {
                if (string.Compare(format, i, text, 0, text.Length, StringComparison.OrdinalIgnoreCase) != 0) continue;
                parts.Add((part, '\0'));
                i += text.Length;
                matched = true;
                break;
            }
            if (matched) continue;
            if (char.IsWhiteSpace(format[i]))
            {
                while (i < format.Length && char.IsWhiteSpace(format[i])) i++;
                parts.Add((Part.Blank, ' '));
                continue;
            }
            parts.Add((Part.Literal, format[i]));
            i++;
        }
        return new DateTimePattern(format, [.. parts]);
    }

    /// <summary>Whether the format names a time of day (so a TIMESTAMP read with it is more than a date).</summary>
    public bool HasTime => _parts.Any(p => p.Part is Part.Hour24 or Part.Hour12 or Part.Minute or Part.Second);

    /// <summary>
    /// Reads a field (blanks around it are ignored). False when the text does not follow the format or a part is out
    /// of range for its kind (month 13); whether the date exists (30 February) is decided by <see cref="DateTimeFields.TryToMicros"/>.
    /// </summary>
    public bool TryMatch(ReadOnlySpan<char> text, out DateTimeFields fields)
    {
        fields = default;
        text = text.Trim();
        var pos = 0;
        int? meridian = null;
        var twelveHour = false;
        var dayOfYear = 0;
        for (var k = 0; k < _parts.Length; k++)
        {
            var (part, literal) = _parts[k];
            switch (part)
            {
                case Part.Blank:
                    while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
                    break;
                case Part.Literal:
                    if (pos >= text.Length || char.ToUpperInvariant(text[pos]) != char.ToUpperInvariant(literal)) return false;
                    pos++;
                    break;
                case Part.MonthName:
                    var (month, length) = DateTimeFields.MonthAt(text[pos..]);
                    if (month == 0) return false;
                    fields.Month = month;
                    fields.HasDate = true;
                    pos += length;
                    break;
                case Part.Meridian:
                    if (!ReadMeridian(text, ref pos, out var pm)) return false;
                    meridian = pm ? 12 : 0;
                    break;
                default:
                    var width = part switch { Part.Year4 => 4, Part.DayOfYear => 3, _ => 2 };
                    if (!ReadNumber(text, ref pos, width, out var n)) return false;
                    switch (part)
                    {
                        case Part.Year4: fields.Year = n; fields.HasDate = true; break;
                        case Part.Year2: fields.Year = DateTimeFields.Century(n); fields.HasDate = true; break;
                        case Part.Month: fields.Month = n; fields.HasDate = true; break;
                        case Part.Day: fields.Day = n; fields.HasDate = true; break;
                        case Part.DayOfYear: dayOfYear = n; fields.HasDate = true; break;
                        case Part.Hour24: fields.Hour = n; fields.HasTime = true; break;
                        case Part.Hour12: fields.Hour = n; twelveHour = true; fields.HasTime = true; break;
                        case Part.Minute: fields.Minute = n; fields.HasTime = true; break;
                        case Part.Second:
                            fields.Second = n;
                            fields.HasTime = true;
                            // A fraction of a second may follow SS, unless the format itself goes on with a point.
                            var formatGoesOnWithPoint = k + 1 < _parts.Length && _parts[k + 1] is (Part.Literal, '.');
                            if (!formatGoesOnWithPoint && pos + 1 < text.Length && text[pos] == '.' && char.IsAsciiDigit(text[pos + 1]))
                            {
                                var start = ++pos;
                                while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
                                fields.Micros = DateTimeFields.FractionMicros(text[start..pos]);
                            }
                            break;
                    }
                    break;
            }
        }
        if (pos != text.Length) return false;
        if (dayOfYear > 0)
        {
            if (!DateTimeFields.FromDayOfYear(fields.Year, dayOfYear, out var m, out var d)) return false;
            fields.Month = m;
            fields.Day = d;
        }
        // A format without a day (or month) names the first of it.
        if (fields.HasDate && dayOfYear == 0 && !_parts.Any(p => p.Part == Part.Day)) fields.Day = 1;
        if (fields.HasDate && dayOfYear == 0 && !_parts.Any(p => p.Part is Part.Month or Part.MonthName)) fields.Month = 1;
        if (meridian is not null || twelveHour)
        {
            if (fields.Hour is < 1 or > 12) return false;
            fields.Hour = fields.Hour % 12 + (meridian ?? 0);
        }
        return true;
    }

    /// <summary>1 to <paramref name="width"/> ASCII digits.</summary>
    private static bool ReadNumber(ReadOnlySpan<char> text, ref int pos, int width, out int value)
    {
        value = 0;
        var start = pos;
        while (pos < text.Length && pos - start < width && char.IsAsciiDigit(text[pos])) value = value * 10 + (text[pos++] - '0');
        return pos > start;
    }

    /// <summary>AM, PM, A.M. or P.M., any case.</summary>
    internal static bool ReadMeridian(ReadOnlySpan<char> text, ref int pos, out bool pm)
    {
        pm = false;
        var rest = text[pos..];
        foreach (var (word, isPm) in new[] { ("A.M.", false), ("P.M.", true), ("AM", false), ("PM", true) })
        {
            if (!rest.StartsWith(word, StringComparison.OrdinalIgnoreCase)) continue;
            pos += word.Length;
            pm = isPm;
            return true;
        }
        return false;
    }
}
