using LocalShift.Policy.Matching;

namespace LocalShift.Policy.Conditions;

/// <summary>StringLike: case-sensitive, <c>*</c> and <c>?</c> wildcards anywhere in the value.</summary>
public sealed class StringLikeTest(WildcardPattern pattern) : ValueTest
{
    public static ValueTest Create(string value) =>
        new StringLikeTest(WildcardPattern.Compile(value, ignoreCase: false));

    public override bool Matches(string contextValue) => pattern.IsMatch(contextValue);
}
