namespace LocalShift.Policy.Conditions;

/// <summary>BinaryEquals: the request value and the policy value are base64 texts of the same bytes.</summary>
public sealed class BinaryTest(byte[]? expectedBytes, string expectedText) : ValueTest
{
    public static ValueTest Create(string value) => new BinaryTest(Decode(value), value);

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
