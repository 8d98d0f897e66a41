using System.Globalization;

namespace LocalShift.Policy.Conditions;

public enum Comparison : byte { Equal, LessThan, LessThanEquals, GreaterThan, GreaterThanEquals }

internal static class ComparisonExtensions
{
    public static bool Holds(this Comparison comparison, int order) => comparison switch
    {
        Comparison.Equal => order == 0,
        Comparison.LessThan => order < 0,
        Comparison.LessThanEquals => order <= 0,
        Comparison.GreaterThan => order > 0,
        _ => order >= 0,
    };
}

/// <summary>Numeric*: the request value compared to the policy value as a decimal number.</summary>
public sealed class NumericTest(decimal expected, Comparison comparison) : ValueTest
{
    public static ValueTestFactory For(Comparison comparison) =>
        (value, _) => TryParse(value, out var d) ? new NumericTest(d, comparison) : null;

    public override bool Matches(string contextValue) =>
        TryParse(contextValue, out var actual) && comparison.Holds(actual.CompareTo(expected));

    internal static bool TryParse(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}

/// <summary>Date*: ISO 8601 dates/times (UTC unless an offset is given) or epoch seconds.</summary>
public sealed class DateTest(DateTimeOffset expected, Comparison comparison) : ValueTest
{
    public static ValueTestFactory For(Comparison comparison) =>
        (value, _) => TryParse(value, out var d) ? new DateTest(d, comparison) : null;

    public override bool Matches(string contextValue) =>
        TryParse(contextValue, out var actual) && comparison.Holds(actual.CompareTo(expected));

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
