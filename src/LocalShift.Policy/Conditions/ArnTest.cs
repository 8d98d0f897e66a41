using LocalShift.Policy.Matching;

namespace LocalShift.Policy.Conditions;

/// <summary>ArnEquals / ArnLike (identical in AWS): each of the six colon-separated parts matches separately, with wildcards.</summary>
public sealed class ArnTest(ArnPattern pattern) : ValueTest
{
    public static ValueTest Create(string value) => new ArnTest(new ArnPattern(value));

    public override bool Matches(string contextValue)
    {
        if (pattern.MatchesEverything) return true;
        var split = new ArnSplit(contextValue);
        return split.IsArn && pattern.IsMatch(split);
    }
}
