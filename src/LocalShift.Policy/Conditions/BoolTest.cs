namespace LocalShift.Policy.Conditions;

/// <summary>Bool: "true"/"false", compared case-insensitively.</summary>
public sealed class BoolTest(bool expected) : ValueTest
{
    public static ValueTest? Create(string value) =>
        bool.TryParse(value, out var b) ? new BoolTest(b) : null;

    public override bool Matches(string contextValue) => bool.TryParse(contextValue, out var b) && b == expected;
}
