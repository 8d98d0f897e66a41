using System.Text.RegularExpressions;

namespace LocalShift.Services.Lambda;

/// <summary>
/// A function as a request names it: a name (<c>my-function</c>), a partial ARN (<c>123456789012:function:my-function</c>)
/// or a full ARN, each with an optional <c>:qualifier</c>. Account and region are null when the name does not say.
/// </summary>
public sealed partial record FunctionRef(string? Account, string? Region, string Name, string? Qualifier)
{
    public static FunctionRef? Parse(string text)
    {
        var m = Pattern().Match(text);
        if (!m.Success) return null;
        return new FunctionRef(
            m.Groups["account"].Success ? m.Groups["account"].Value : null,
            m.Groups["region"].Success ? m.Groups["region"].Value : null,
            m.Groups["name"].Value,
            m.Groups["qualifier"].Success ? m.Groups["qualifier"].Value : null);
    }

    /// <summary>A full function ARN (qualified or not); null for anything else.</summary>
    public static FunctionRef? TryParseArn(string arn) =>
        arn.StartsWith("arn:aws:lambda:", StringComparison.Ordinal) && Parse(arn) is { Account: not null, Region: not null } r ? r : null;

    [GeneratedRegex(@"^(?:arn:aws[a-zA-Z-]*:lambda:(?<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):)?(?:(?<account>\d{12}):)?(?:function:)?(?<name>[a-zA-Z0-9_-]{1,64})(?::(?<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?$")]
    private static partial Regex Pattern();
}
