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
        value => TryParse(value, out var d) ? new NumericTest(d, comparison) : null;

    public override bool Matches(string contextValue) =>
        TryParse(contextValue, out var actual) && comparison.Holds(actual.CompareTo(expected));

    internal static bool TryParse(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
