using System.Net;
using System.Text.RegularExpressions;

namespace LocalShift.Services.S3;

/// <summary>S3's general-purpose bucket naming rules.</summary>
public static partial class BucketNames
{
    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex Shape();

    public static bool IsValid(string name) =>
        Shape().IsMatch(name)
        && !name.Contains("..", StringComparison.Ordinal)
        && !name.Contains(".-", StringComparison.Ordinal)
        && !name.Contains("-.", StringComparison.Ordinal)
        && !IPAddress.TryParse(name, out _)
        && !name.StartsWith("xn--", StringComparison.Ordinal)
        && !name.StartsWith("sthree-", StringComparison.Ordinal)
        && !name.EndsWith("-s3alias", StringComparison.Ordinal)
        && !name.EndsWith("--ol-s3", StringComparison.Ordinal);
}
