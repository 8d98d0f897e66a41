using System.Collections.Concurrent;
using System.Globalization;

namespace LocalShift.Sql.Copy;

/// <summary>
/// How COPY turns a field into a DATE, TIMESTAMP, TIMESTAMPTZ or TIME value: DATEFORMAT for DATE, TIMEFORMAT for the
/// others (a pattern, 'auto', 'epochsecs' or 'epochmillisecs'), LocalShift's own parsing either way (never the
/// engine's date parsing), and Redshift's code and reason when a field does not convert. Without DATEFORMAT or TIMEFORMAT
/// COPY recognizes what 'auto' does, a superset of the documented defaults YYYY-MM-DD and YYYY-MM-DD HH:MI:SS.
/// </summary>
public sealed class DateTimeConversion
{
    private enum Mode { Auto, Pattern, EpochSeconds, EpochMilliseconds }

    private readonly Mode _mode;
    private readonly DateTimePattern? _pattern;

    public TemporalType Type { get; }

    /// <summary>ACCEPTANYDATE: a DATE or TIMESTAMP field that does not convert loads as NULL instead of failing.</summary>
    public bool AcceptAnyDate { get; }

    /// <summary>The text the engine's host function receives to find this conversion again.</summary>
    public string Spec { get; }

    /// <summary>A SQL cast (<see cref="ForCast"/>): a value that does not convert fails the statement.</summary>
    private readonly bool _cast;

    private DateTimeConversion(TemporalType type, string format, bool acceptAnyDate, bool cast = false)
    {
        Type = type;
        _cast = cast;
        AcceptAnyDate = !cast && acceptAnyDate && type is TemporalType.Date or TemporalType.Timestamp or TemporalType.TimestampTz;
        Spec = $"{(int)type}{(cast ? "c" : AcceptAnyDate ? "a" : "-")}{format}";
        _mode = format.ToLowerInvariant() switch
        {
            "auto" => Mode.Auto,
            "epochsecs" when type != TemporalType.Date => Mode.EpochSeconds,
            "epochmillisecs" when type != TemporalType.Date => Mode.EpochMilliseconds,
            _ => Mode.Pattern,
        };
        if (_mode == Mode.Pattern) _pattern = DateTimePattern.Compile(format);
    }

    /// <summary>The engine's function <c>(field, spec) -> microseconds or NULL</c> that runs these conversions.</summary>
    public const string HostFunction = "ls_copy_datetime";

    public static void Define(LocalShift.Engine.ISqlEngine engine) =>
        engine.DefineHostFunction(HostFunction, (text, spec) => FromSpec(spec).Convert(text));

    /// <summary>The host function's answer: microseconds, or NULL for a COPY field that does not convert; a cast's failure throws.</summary>
    private long? Convert(string text)
    {
        if (TryConvert(text, out var micros)) return micros;
        if (!_cast) return null;
        if (TrySpecial(text.Trim(), out micros)) return micros;
        var name = Type switch
        {
            TemporalType.Date => "date",
            TemporalType.TimestampTz => "timestamp with time zone",
            TemporalType.Time => "time",
            _ => "timestamp",
        };
        // unverified: Redshift's text for a cast of a value it cannot read (PostgreSQL's, whose SQLSTATE 22007 it keeps).
        throw new LocalShift.Engine.PgException(LocalShift.Engine.SqlState.InvalidDatetimeFormat, $"invalid input syntax for type {name}: \"{text}\"");
    }

    /// <summary>
    /// The special values PostgreSQL's input reads ('epoch', 'now', 'today', 'tomorrow', 'yesterday', 'allballs'), for
    /// a cast of a column; 'now' is the moment of the call here, not the transaction's start (a literal 'now' is the
    /// engine's, which is).
    /// </summary>
    private bool TrySpecial(string text, out long micros)
    {
        var now = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        var today = now - Mod(now, DateTimeFields.MicrosPerDay);
        long? value = text.ToLowerInvariant() switch
        {
            "epoch" => 0,
            "allballs" when Type == TemporalType.Time => 0,
            "now" => now,
            "today" => today,
            "tomorrow" => today + DateTimeFields.MicrosPerDay,
            "yesterday" => today - DateTimeFields.MicrosPerDay,
            _ => null,
        };
        micros = value ?? 0;
        if (value is not null && Type == TemporalType.Date) micros -= Mod(micros, DateTimeFields.MicrosPerDay);
        return value is not null;
    }

    private static readonly ConcurrentDictionary<string, DateTimeConversion> BySpec = new(StringComparer.Ordinal);

    /// <summary>The conversion of a column of this type under a COPY's DATEFORMAT and TIMEFORMAT.</summary>
    public static DateTimeConversion For(TemporalType type, string dateFormat, string timeFormat, bool acceptAnyDate)
    {
        var format = type == TemporalType.Date ? dateFormat : timeFormat;
        // A TIME column reads a pattern of TIMEFORMAT; an epoch is no time of day.
        if (type == TemporalType.Time && format.ToLowerInvariant() is "epochsecs" or "epochmillisecs") format = "auto";
        var conversion = new DateTimeConversion(type, format, acceptAnyDate);
        return BySpec.GetOrAdd(conversion.Spec, conversion);
    }

    /// <summary>A SQL cast of text to this type: Redshift's automatic recognition, failing with PostgreSQL's error.</summary>
    public static DateTimeConversion ForCast(TemporalType type)
    {
        var conversion = new DateTimeConversion(type, "auto", acceptAnyDate: false, cast: true);
        return BySpec.GetOrAdd(conversion.Spec, conversion);
    }

    /// <summary>The conversion a host function call names (made by <see cref="For"/> in this process, or rebuilt from the text).</summary>
    public static DateTimeConversion FromSpec(string spec) => BySpec.GetOrAdd(spec, s =>
        new DateTimeConversion((TemporalType)(s[0] - '0'), s[2..], s[1] == 'a', s[1] == 'c'));

    /// <summary>The column's type as the engine names it, or null for a type that is no date or time.</summary>
    public static TemporalType? TypeOf(string engineType) => engineType.ToUpperInvariant() switch
    {
        "DATE" => TemporalType.Date,
        "TIMESTAMP" or "TIMESTAMP WITHOUT TIME ZONE" => TemporalType.Timestamp,
        "TIMESTAMP WITH TIME ZONE" or "TIMESTAMPTZ" => TemporalType.TimestampTz,
        "TIME" or "TIME WITHOUT TIME ZONE" => TemporalType.Time,
        _ => null,
    };

    /// <summary>Microseconds since 1970-01-01 (see <see cref="DateTimeFields.TryToMicros"/>); false when the field does not convert.</summary>
    public bool TryConvert(ReadOnlySpan<char> text, out long micros)
    {
        micros = 0;
        text = text.Trim();
        switch (_mode)
        {
            case Mode.EpochSeconds:
            case Mode.EpochMilliseconds:
                if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var epoch)) return false;
                var scaled = epoch * (_mode == Mode.EpochSeconds ? 1_000_000m : 1_000m);
                if (scaled is > 9_000_000_000_000_000_000m or < -9_000_000_000_000_000_000m) return false;
                micros = (long)decimal.Round(scaled, MidpointRounding.AwayFromZero);
                if (Type == TemporalType.Date) micros -= Mod(micros, DateTimeFields.MicrosPerDay);
                return true;
            case Mode.Pattern:
                return _pattern!.TryMatch(text, out var matched) && matched.TryToMicros(Type, out micros);
            default:
                return DateTimeRecognition.TryRecognize(text, Type, out var recognized) && recognized.TryToMicros(Type, out micros);
        }
    }

    private static long Mod(long a, long b) => (a % b + b) % b;

    /// <summary>The load error code of a field that does not convert: 1205 for a date, 1206 for a timestamp or time.</summary>
    public int ErrorCode => Type == TemporalType.Date ? 1205 : 1206;

    /// <summary>
    /// The reason stl_load_errors gives for a field that does not convert. Redshift's texts for the default formats
    /// (<c>Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS]</c>, <c>Invalid Date Format - length must be 10
    /// or more</c>, <c>Invalid date format - Invalid digit encountered</c>); the same shape with the format named for a
    /// DATEFORMAT or TIMEFORMAT string, for TIMESTAMPTZ and for TIME is unverified.
    /// </summary>
    public string Reason(string value)
    {
        var shown = _mode switch
        {
            Mode.Pattern => _pattern!.Format,
            Mode.EpochSeconds => "epochsecs",
            Mode.EpochMilliseconds => "epochmillisecs",
            _ => Type switch
            {
                TemporalType.TimestampTz => "YYYY-MM-DD HH24:MI:SSOF",
                TemporalType.Time => "HH24:MI:SS",
                _ => "YYYY-MM-DD HH24:MI:SS",
            },
        };
        return Type switch
        {
            TemporalType.Date when _mode == Mode.Pattern => $"Invalid date format or value [{shown}]",
            TemporalType.Date => value.Trim().Length < 10 ? "Invalid Date Format - length must be 10 or more" : "Invalid date format - Invalid digit encountered",
            TemporalType.Time => $"Invalid time format or value [{shown}]",
            _ => $"Invalid timestamp format or value [{shown}]",
        };
    }
}
