using System.Text.RegularExpressions;

namespace LocalShift.Core;

/// <summary>AWS region names (us-east-1, ap-southeast-2, us-gov-west-1): the region of a regional resource.</summary>
public static partial class RegionName
{
    /// <summary>True for a name shaped like an AWS region's: two letters, one or more words, a number.</summary>
    public static bool IsValid(string? name) => name is { Length: <= 32 } && Shape().IsMatch(name);

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
