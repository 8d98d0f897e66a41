using LocalShift.Core;
using LocalShift.Sql.Wire.Auth;

namespace LocalShift.Services.Redshift;

/// <summary>Lifecycle states of a cluster as <c>ClusterStatus</c> reports them.</summary>
public static class ClusterStatus
{
    public const string Creating = "creating";
    public const string Available = "available";
    public const string Deleting = "deleting";
    public const string Modifying = "modifying";
    public const string Resizing = "resizing";
    public const string Rebooting = "rebooting";
    public const string Pausing = "pausing";
    public const string Paused = "paused";
    public const string Resuming = "resuming";

    /// <summary>
    /// Statuses a cluster passes through and leaves by itself at its <see cref="Cluster.AvailableAt"/> deadline, with the
    /// status it then has (pausing → paused; the rest → available).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Transitions = new Dictionary<string, string>
    {
        [Modifying] = Available,
        [Resizing] = Available,
        [Rebooting] = Available,
        [Resuming] = Available,
        [Pausing] = Paused,
    };

    /// <summary>Statuses in which the cluster's SQL endpoint is closed: a paused cluster refuses connections.</summary>
    public static bool EndpointClosed(string status) => status is Pausing or Paused or Rebooting;
}

/// <summary>States of a role association as <c>ClusterIamRole.ApplyStatus</c> reports them.</summary>
public static class ApplyStatus
{
    public const string Adding = "adding";
    public const string InSync = "in-sync";
    public const string Removing = "removing";
}

/// <summary>One IAM role associated with a cluster; <see cref="DueAt"/> is when an adding/removing role settles.</summary>
public sealed record RoleAssociation(string RoleArn, string ApplyStatus, DateTimeOffset? DueAt)
{
    /// <summary>The association as seen at <paramref name="now"/>: adding becomes in-sync, removing disappears (null).</summary>
    public RoleAssociation? At(DateTimeOffset now) => ApplyStatus switch
    {
        Redshift.ApplyStatus.Adding when DueAt <= now => this with { ApplyStatus = Redshift.ApplyStatus.InSync, DueAt = null },
        Redshift.ApplyStatus.Removing when DueAt <= now => null,
        _ => this,
    };

    /// <summary>True while the role counts against the cluster's quota and can still be made default.</summary>
    public bool Holds => ApplyStatus != Redshift.ApplyStatus.Removing;
}

public sealed record ClusterTag(string Key, string Value);

/// <summary>The settings of a cluster that only matter for what DescribeClusters shows.</summary>
public sealed record ClusterAttributes
{
    public string AvailabilityZone { get; init; } = "";
    public string PreferredMaintenanceWindow { get; init; } = "sat:06:00-sat:06:30";
    public int AutomatedSnapshotRetentionPeriod { get; init; } = 1;
    public int ManualSnapshotRetentionPeriod { get; init; } = -1;
    public bool PubliclyAccessible { get; init; }
    public bool Encrypted { get; init; }
    public bool AllowVersionUpgrade { get; init; } = true;
    public bool EnhancedVpcRouting { get; init; }
    public string ClusterVersion { get; init; } = "1.0";
    public string ClusterParameterGroupName { get; init; } = "default.redshift-1.0";
    public string? ClusterSubnetGroupName { get; init; }
    public IReadOnlyList<string> VpcSecurityGroupIds { get; init; } = [];
    public IReadOnlyList<string> ClusterSecurityGroups { get; init; } = [];
    public string MaintenanceTrackName { get; init; } = "current";
    public string? KmsKeyId { get; init; }
    /// <summary>The Port the client asked for; the endpoint reports the SQL port LocalShift allocated instead.</summary>
    public int RequestedPort { get; init; } = 5439;
    /// <summary>Audit logging as EnableLogging set it (LocalShift records the setting; it writes no logs).</summary>
    public ClusterLogging Logging { get; init; } = new();
}

/// <summary>What DescribeLoggingStatus reports.</summary>
public sealed record ClusterLogging
{
    public bool Enabled { get; init; }
    public string? BucketName { get; init; }
    public string? S3KeyPrefix { get; init; }
    public string? DestinationType { get; init; }
    public IReadOnlyList<string> LogExports { get; init; } = [];
}

/// <summary>A provisioned cluster as stored, and as a reader sees it at a given time.</summary>
public sealed record Cluster
{
    public required string AccountId { get; init; }
    public required string Region { get; init; }
    public required string Identifier { get; init; }
    public required string NodeType { get; init; }
    public required int NumberOfNodes { get; init; }
    public required string MasterUsername { get; init; }
    /// <summary>The master password's hashes; AWS never shows the password back, and LocalShift does not keep it.</summary>
    public required PgPasswordSecret MasterPasswordSecret { get; init; }
    public required string DbName { get; init; }
    public required int SqlPort { get; init; }
    public required string Status { get; init; }
    public required DateTimeOffset CreateTime { get; init; }
    /// <summary>When a <c>creating</c> cluster may become available (the lifecycle driver makes it so), and when a
    /// transitional status (<see cref="ClusterStatus.Transitions"/>) ends.</summary>
    public required DateTimeOffset AvailableAt { get; init; }
    /// <summary>When a <c>deleting</c> cluster is gone.</summary>
    public DateTimeOffset? GoneAt { get; init; }
    public required string NamespaceId { get; init; }
    public string? DefaultIamRoleArn { get; init; }
    public required ClusterAttributes Attributes { get; init; }
    public IReadOnlyList<RoleAssociation> Roles { get; init; } = [];
    public IReadOnlyList<ClusterTag> Tags { get; init; } = [];
    /// <summary>
    /// Where the cluster's warehouse lives: true (every cluster created since clusters belong to a region) in a
    /// region-qualified folder; false for clusters created before, which keep the folder they always had.
    /// </summary>
    public bool RegionalFolder { get; init; } = true;

    public string Arn => Core.Arn.Cluster(Region, AccountId, Identifier);
    public string NamespaceArn => $"arn:aws:redshift:{Region}:{AccountId}:namespace:{NamespaceId}";
    public string ClusterType => NumberOfNodes > 1 ? "multi-node" : "single-node";

    /// <summary>The cluster as seen at <paramref name="now"/>: settled role transitions applied; null once a deletion is over.</summary>
    public Cluster? At(DateTimeOffset now)
    {
        if (Status == ClusterStatus.Deleting && GoneAt <= now) return null;
        var status = ClusterStatus.Transitions.TryGetValue(Status, out var next) && AvailableAt <= now ? next : Status;
        return this with { Status = status, Roles = Roles.Select(r => r.At(now)).OfType<RoleAssociation>().ToList() };
    }

    /// <summary>Roles that count against the quota (everything but those being removed).</summary>
    public IEnumerable<RoleAssociation> HeldRoles => Roles.Where(r => r.Holds);

    public ClusterEndpointSpec EndpointSpec(string host) =>
        new(AccountId, Region, Identifier, DbName, MasterUsername, MasterPasswordSecret, host, SqlPort) { RegionalFolder = RegionalFolder };
}
