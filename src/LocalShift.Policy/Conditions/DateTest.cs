using System.Globalization;

namespace LocalShift.Policy.Conditions;

/// <summary>Date*: ISO 8601 dates/times (UTC unless an offset is given) or epoch seconds.</summary>
public sealed class DateTest(DateTimeOffset expected, Comparison comparison) : ValueTest
{
    public static ValueTestFactory For(Comparison comparison) =>
        value => TryParse(value, out var d) ? new DateTest(d, comparison) : null;

    [ThreadStatic] private static string? lastText;
    [ThreadStatic] private static DateTimeOffset? lastValue;

    public override bool Matches(string contextValue)
    {
        // aws:CurrentTime is compared against several policy dates per request; parse it once.
        if (!ReferenceEquals(contextValue, lastText))
        {
            lastValue = TryParse(contextValue, out var parsed) ? parsed : null;
            lastText = contextValue;
        }
        return lastValue is { } actual && comparison.Holds(actual.CompareTo(expected));
    }

    internal static bool TryParse(string text, out DateTimeOffset value)
    {
        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] == '-') && text.IndexOf('-', 1) < 0 &&
            decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var epoch))
        {
            try
            {
                value = DateTimeOffset.FromUnixTimeMilliseconds((long)(epoch * 1000));
                return true;
            }
            catch (ArgumentOutOfRangeException)
            {
                value = default;
                return false;
            }
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }
}
