namespace LocalShift.WebConsole;

/// <summary>
/// The regions the console offers, as the AWS console's region selector names them: the commercial partition's regions
/// in which Redshift has an endpoint (from the AWS CLI's endpoints.json), plus the server's own region if it is another.
/// </summary>
public static class ConsoleRegions
{
    private static readonly (string Code, string Name)[] Known =
    [
        ("us-east-1", "US East (N. Virginia)"), ("us-east-2", "US East (Ohio)"),
        ("us-west-1", "US West (N. California)"), ("us-west-2", "US West (Oregon)"),
        ("af-south-1", "Africa (Cape Town)"),
        ("ap-east-1", "Asia Pacific (Hong Kong)"), ("ap-south-1", "Asia Pacific (Mumbai)"), ("ap-south-2", "Asia Pacific (Hyderabad)"),
        ("ap-northeast-1", "Asia Pacific (Tokyo)"), ("ap-northeast-2", "Asia Pacific (Seoul)"), ("ap-northeast-3", "Asia Pacific (Osaka)"),
        ("ap-southeast-1", "Asia Pacific (Singapore)"), ("ap-southeast-2", "Asia Pacific (Sydney)"),
        ("ap-southeast-3", "Asia Pacific (Jakarta)"), ("ap-southeast-4", "Asia Pacific (Melbourne)"),
        ("ca-central-1", "Canada (Central)"),
        ("eu-central-1", "Europe (Frankfurt)"), ("eu-central-2", "Europe (Zurich)"),
        ("eu-west-1", "Europe (Ireland)"), ("eu-west-2", "Europe (London)"), ("eu-west-3", "Europe (Paris)"),
        ("eu-south-1", "Europe (Milan)"), ("eu-south-2", "Europe (Spain)"), ("eu-north-1", "Europe (Stockholm)"),
        ("me-south-1", "Middle East (Bahrain)"), ("me-central-1", "Middle East (UAE)"),
        ("sa-east-1", "South America (São Paulo)"),
    ];

    /// <summary>The regions offered, the server's default region first when it is not one of AWS's.</summary>
    public static IReadOnlyList<(string Code, string Name)> Offered(string serverRegion) =>
        Known.Any(r => r.Code == serverRegion) ? Known : [(serverRegion, serverRegion), .. Known];

    public static bool IsOffered(string region, string serverRegion) =>
        region == serverRegion || Known.Any(r => r.Code == region);

    public static string Name(string region) => Known.FirstOrDefault(r => r.Code == region).Name ?? region;
}
