namespace LocalShift.Policy.Matching;

/// <summary>
/// A Resource (or ArnLike value) pattern. ARN-shaped patterns match each of the six parts separately, so a
/// wildcard in the region cannot eat the account, while a <c>*</c> in the resource part crosses <c>/</c> and <c>:</c>.
/// Patterns that are not ARN-shaped (<c>*</c>, <c>arn:aws:s3:*</c>) match the whole text. Case-sensitive.
/// </summary>
public sealed class ArnPattern
{
    private readonly WildcardPattern whole;
    private readonly WildcardPattern[]? segments;

    /// <param name="text">Pattern text; may contain <see cref="WildcardPattern.Escape"/> marks.</param>
    public ArnPattern(string text)
    {
        whole = WildcardPattern.Compile(text, ignoreCase: false);
        var split = new ArnSplit(text);
        if (!split.IsArn || whole.MatchesEverything) return;
        segments = new WildcardPattern[6];
        for (var i = 0; i < 6; i++) segments[i] = WildcardPattern.Compile(split.Segment(i), ignoreCase: false);
    }

    public string Text => whole.Text;
    public bool MatchesEverything => whole.MatchesEverything;

    public bool IsMatch(in ArnSplit resource)
    {
        if (segments is null || !resource.IsArn) return whole.IsMatch(resource.Value);
        // The resource part differs most often, so it goes first.
        for (var i = 5; i >= 1; i--)
            if (!segments[i].IsMatch(resource.Segment(i))) return false;
        return true;
    }

    public bool IsMatch(string resource) => IsMatch(new ArnSplit(resource));
}
