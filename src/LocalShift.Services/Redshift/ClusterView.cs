using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Api = LocalShift.Services.Redshift.Shapes;

namespace LocalShift.Services.Redshift;

/// <summary>
/// A stored cluster as the model's <c>Cluster</c> shape shows it. What a real cluster always reports and LocalShift
/// has no notion of (its VPC, revision, storage, public key, next maintenance) gets a plausible value that is stable
/// for the cluster.
/// </summary>
public static class ClusterView
{
    public static Api.Cluster Of(Cluster c, string host, DateTimeOffset now)
    {
        var a = c.Attributes;
        var creating = c.Status == ClusterStatus.Creating;
        return new Api.Cluster
        {
            ClusterIdentifier = c.Identifier,
            NodeType = c.NodeType,
            ClusterStatus = c.Status,
            ClusterAvailabilityStatus = AvailabilityStatus(c.Status),
            MasterUsername = c.MasterUsername,
            DBName = c.DbName,
            // Like AWS, a cluster has no endpoint until it is available.
            Endpoint = creating ? null : new Api.Endpoint(host, c.SqlPort),
            ClusterCreateTime = c.CreateTime,
            AutomatedSnapshotRetentionPeriod = a.AutomatedSnapshotRetentionPeriod,
            ManualSnapshotRetentionPeriod = a.ManualSnapshotRetentionPeriod,
            ClusterSecurityGroups = a.ClusterSecurityGroups.Select(g => new Api.ClusterSecurityGroupMembership(g, "active")).ToList(),
            VpcSecurityGroups = (a.VpcSecurityGroupIds.Count > 0 ? a.VpcSecurityGroupIds : [DefaultSecurityGroup(c)])
                .Select(g => new Api.VpcSecurityGroupMembership(g, "active")).ToList(),
            ClusterParameterGroups = [new Api.ClusterParameterGroupStatus(a.ClusterParameterGroupName, "in-sync")],
            ClusterSubnetGroupName = a.ClusterSubnetGroupName ?? "default",
            VpcId = VpcId(c.AccountId, c.Region),
            AvailabilityZone = a.AvailabilityZone,
            PreferredMaintenanceWindow = a.PreferredMaintenanceWindow,
            PendingModifiedValues = new Api.PendingModifiedValues(),
            ClusterVersion = a.ClusterVersion,
            AllowVersionUpgrade = a.AllowVersionUpgrade,
            NumberOfNodes = c.NumberOfNodes,
            PubliclyAccessible = a.PubliclyAccessible,
            Encrypted = a.Encrypted,
            ClusterPublicKey = creating ? null : PublicKey(c),
            ClusterNodes = creating ? null : Nodes(c, host).ToList(),
            // A plausible revision number (AWS's are five-digit build numbers); LocalShift has one engine build.
            ClusterRevisionNumber = "68334",
            Tags = c.Tags.Select(t => new Api.Tag(t.Key, t.Value)).ToList(),
            KmsKeyId = a.KmsKeyId,
            EnhancedVpcRouting = a.EnhancedVpcRouting,
            IamRoles = c.Roles.Select(r => new Api.ClusterIamRole(r.RoleArn, r.ApplyStatus)).ToList(),
            PendingActions = [],
            MaintenanceTrackName = a.MaintenanceTrackName,
            DeferredMaintenanceWindows = [],
            NextMaintenanceWindowStartTime = NextWindowStart(a.PreferredMaintenanceWindow, now),
            AvailabilityZoneRelocationStatus = "disabled",
            ClusterNamespaceArn = c.NamespaceArn,
            TotalStorageCapacityInMegaBytes = StoragePerNodeMb(c.NodeType) * c.NumberOfNodes,
            AquaConfiguration = new Api.AquaConfiguration("disabled", "auto"),
            DefaultIamRoleArn = c.DefaultIamRoleArn,
        };
    }

    /// <summary>
    /// The model's values: Available, Unavailable, Maintenance, Modifying, Failed. A resize is Modifying (the awscli's
    /// resize-cluster example shows it); a status in which the SQL endpoint takes no queries (creating, deleting, pausing,
    /// paused, resuming, rebooting) is Unavailable; a modification is Modifying (unverified: AWS's value for each but
    /// resizing).
    /// </summary>
    public static string AvailabilityStatus(string status) => status switch
    {
        ClusterStatus.Available => "Available",
        ClusterStatus.Resizing or ClusterStatus.Modifying => "Modifying",
        _ => "Unavailable",
    };

    /// <summary>The account's default VPC in the region, as a stable id.</summary>
    public static string VpcId(string account, string region) => "vpc-" + Hex($"vpc/{account}/{region}", 17);

    private static string DefaultSecurityGroup(Cluster c) => "sg-" + Hex($"sg/{c.AccountId}/{c.Region}", 17);

    private static string PublicKey(Cluster c) =>
        "ssh-rsa " + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(c.Arn + "/" + c.NamespaceId))) + " Amazon-Redshift\n";

    private static string Hex(string seed, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)))[..length];

    /// <summary>Per-node storage as the node types' pages give it (RA3: managed storage quota), in MB.</summary>
    public static long StoragePerNodeMb(string nodeType) => nodeType switch
    {
        "dc2.8xlarge" or "dc1.8xlarge" => 2_621_440,
        "ds2.xlarge" => 2_097_152,
        "ds2.8xlarge" => 16_777_216,
        "ra3.xlplus" => 33_554_432,
        "ra3.4xlarge" or "ra3.16xlarge" => 134_217_728,
        _ => 163_840,
    };

    private static IEnumerable<Api.ClusterNode> Nodes(Cluster c, string host)
    {
        if (c.NumberOfNodes == 1)
        {
            yield return new("SHARED", "10.0.0.10", host);
            yield break;
        }
        yield return new("LEADER", "10.0.0.10", host);
        for (var i = 0; i < c.NumberOfNodes; i++) yield return new($"COMPUTE-{i}", $"10.0.{1 + i / 250}.{10 + i % 250}", host);
    }

    /// <summary>The next start of a <c>ddd:hh24:mi-ddd:hh24:mi</c> window after <paramref name="now"/> (UTC).</summary>
    public static DateTimeOffset? NextWindowStart(string window, DateTimeOffset now)
    {
        var start = window.Split('-')[0].Split(':');
        if (start.Length != 3) return null;
        var days = new[] { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
        var day = Array.IndexOf(days, start[0].ToLowerInvariant());
        if (day < 0 || !int.TryParse(start[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
                    || !int.TryParse(start[2], NumberStyles.None, CultureInfo.InvariantCulture, out var m)) return null;
        var utc = now.ToUniversalTime();
        var candidate = new DateTimeOffset(utc.Year, utc.Month, utc.Day, h, m, 0, TimeSpan.Zero)
            .AddDays((day - (int)utc.DayOfWeek + 7) % 7);
        return candidate <= utc ? candidate.AddDays(7) : candidate;
    }
}
