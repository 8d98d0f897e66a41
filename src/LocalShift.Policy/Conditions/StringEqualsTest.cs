namespace LocalShift.Policy.Conditions;

/// <summary>StringEquals / StringEqualsIgnoreCase: exact comparison, no wildcards.</summary>
public sealed class StringEqualsTest(string expected, StringComparison comparison) : ValueTest
{
    public static ValueTest Exact(string value) => new StringEqualsTest(value, StringComparison.Ordinal);
    public static ValueTest IgnoreCase(string value) => new StringEqualsTest(value, StringComparison.OrdinalIgnoreCase);

    public override bool Matches(string contextValue) => string.Equals(contextValue, expected, comparison);
}
