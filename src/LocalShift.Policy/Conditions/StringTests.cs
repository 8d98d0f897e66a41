using LocalShift.Policy.Matching;

namespace LocalShift.Policy.Conditions;

/// <summary>StringEquals / StringEqualsIgnoreCase: exact comparison, no wildcards.</summary>
public sealed class StringEqualsTest(string expected, StringComparison comparison) : ValueTest
{
    public static ValueTest Exact(string value, bool[]? _) => new StringEqualsTest(value, StringComparison.Ordinal);
    public static ValueTest IgnoreCase(string value, bool[]? _) => new StringEqualsTest(value, StringComparison.OrdinalIgnoreCase);

    public override bool Matches(string contextValue) => string.Equals(contextValue, expected, comparison);
}

/// <summary>StringLike: case-sensitive, <c>*</c> and <c>?</c> wildcards anywhere in the value.</summary>
public sealed class StringLikeTest(WildcardPattern pattern) : ValueTest
{
    public static ValueTest Create(string value, bool[]? mask) =>
        new StringLikeTest(WildcardPattern.Create(value, mask, ignoreCase: false));

    public override bool Matches(string contextValue) => pattern.IsMatch(contextValue);
}

/// <summary>Bool: "true"/"false", compared case-insensitively.</summary>
public sealed class BoolTest(bool expected) : ValueTest
{
    public static ValueTest? Create(string value, bool[]? _) =>
        bool.TryParse(value, out var b) ? new BoolTest(b) : null;

    public override bool Matches(string contextValue) => bool.TryParse(contextValue, out var b) && b == expected;
}

/// <summary>BinaryEquals: the request value and the policy value are base64 texts of the same bytes.</summary>
public sealed class BinaryTest(byte[]? expectedBytes, string expectedText) : ValueTest
{
    public static ValueTest Create(string value, bool[]? _) => new BinaryTest(Decode(value), value);

    public override bool Matches(string contextValue)
    {
        if (contextValue == expectedText) return true;
        var bytes = Decode(contextValue);
        return bytes is not null && expectedBytes is not null && bytes.AsSpan().SequenceEqual(expectedBytes);
    }

    private static byte[]? Decode(string text)
    {
        try { return Convert.FromBase64String(text); }
        catch (FormatException) { return null; }
    }
}

/// <summary>ArnEquals / ArnLike (identical in AWS): each of the six colon-separated parts matches separately, with wildcards.</summary>
public sealed class ArnTest(ArnPattern pattern) : ValueTest
{
    public static ValueTest Create(string value, bool[]? mask) => new ArnTest(new ArnPattern(value, mask));

    public override bool Matches(string contextValue)
    {
        if (pattern.MatchesEverything) return true;
        var split = new ArnSplit(contextValue);
        return split.IsArn && pattern.IsMatch(split);
    }
}
