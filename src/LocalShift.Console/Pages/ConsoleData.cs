using LocalShift.Policy;
using Iam = LocalShift.Services.Iam.Shapes;
using Rs = LocalShift.Services.Redshift.Shapes;

namespace LocalShift.WebConsole.Pages;

/// <summary>An IAM role as the console's pages need it: its trust policy decoded and whether Redshift may assume it.</summary>
internal sealed record RoleSummary(string Name, string Arn, string Path, string TrustPolicy, string? Description, DateTimeOffset CreateDate)
{
    public const string RedshiftPrincipal = "redshift.amazonaws.com";
    public bool RedshiftCanAssume => PolicyValidator.TrustsService(TrustPolicy, RedshiftPrincipal);
    public const string UnavailableReason = "its trust policy does not let redshift.amazonaws.com assume it";
}

/// <summary>The listings several pages read, each page of them fetched with the same operations a client would call.</summary>
internal static class ConsoleData
{
    public static async Task<List<Rs.Cluster>> AllClustersAsync(ConsoleRequest r)
    {
        var all = new List<Rs.Cluster>();
        string? marker = null;
        do
        {
            var page = await r.CallAsync<Rs.DescribeClustersMessage, Rs.ClustersMessage>("redshift", "DescribeClusters",
                new Rs.DescribeClustersMessage(MaxRecords: 100, Marker: marker));
            all.AddRange(page!.Clusters);
            marker = page.Marker;
        } while (!string.IsNullOrEmpty(marker));
        return all;
    }

    public static async Task<Rs.Cluster> ClusterAsync(ConsoleRequest r, string id)
    {
        var page = await r.CallAsync<Rs.DescribeClustersMessage, Rs.ClustersMessage>("redshift", "DescribeClusters",
            new Rs.DescribeClustersMessage(ClusterIdentifier: id));
        return page!.Clusters[0];
    }

    public static async Task<List<RoleSummary>> AllRolesAsync(ConsoleRequest r)
    {
        var all = new List<RoleSummary>();
        string? marker = null;
        do
        {
            var page = await r.CallAsync<Iam.ListRolesRequest, Iam.ListRolesResponse>("iam", "ListRoles",
                new Iam.ListRolesRequest(MaxItems: 1000, Marker: marker));
            all.AddRange(page!.Roles.Select(Summary));
            marker = page.IsTruncated == true ? page.Marker : null;
        } while (marker is not null);
        return all;
    }

    public static RoleSummary Summary(Iam.Role role) => new(role.RoleName, role.Arn, role.Path,
        role.AssumeRolePolicyDocument is { } d ? Uri.UnescapeDataString(d) : "", role.Description, role.CreateDate);

    /// <summary>The role's name from its ARN (the part after the last slash).</summary>
    public static string RoleName(string arn) => arn[(arn.LastIndexOf('/') + 1)..];
}
