using LocalShift.Sql.Wire.Auth;

namespace LocalShift.Services.Redshift.Snapshots;

/// <summary>States of a snapshot as <c>Snapshot.Status</c> reports them.</summary>
public static class SnapshotStatus
{
    public const string Creating = "creating";
    public const string Available = "available";
    /// <summary>What DeleteClusterSnapshot answers for the snapshot it deleted.</summary>
    public const string Deleted = "deleted";
}

/// <summary>
/// A manual cluster snapshot: what the cluster was (its settings and master user) and, in its own folder, a copy of its
/// warehouse. Its roles are not part of it: a restore names its own (<c>IamRoles</c>, <c>DefaultIamRoleArn</c>).
/// </summary>
public sealed record ClusterSnapshot
{
    public required string AccountId { get; init; }
    public required string Region { get; init; }
    public required string SnapshotIdentifier { get; init; }
    public required string ClusterIdentifier { get; init; }
    /// <summary><c>manual</c> for CreateClusterSnapshot and the final snapshot of DeleteCluster.</summary>
    public string SnapshotType { get; init; } = "manual";
    public required DateTimeOffset CreateTime { get; init; }
    /// <summary>When the snapshot stops being <c>creating</c>.</summary>
    public required DateTimeOffset AvailableAt { get; init; }
    public required DateTimeOffset ClusterCreateTime { get; init; }
    public required string NodeType { get; init; }
    public required int NumberOfNodes { get; init; }
    public required string MasterUsername { get; init; }
    /// <summary>The master password's hashes: a restored cluster logs its master user in with the password it had.</summary>
    public required PgPasswordSecret MasterPasswordSecret { get; init; }
    public required string DbName { get; init; }
    public required ClusterAttributes Attributes { get; init; }
    /// <summary>-1: kept until deleted.</summary>
    public int ManualSnapshotRetentionPeriod { get; init; } = -1;
    public IReadOnlyList<ClusterTag> Tags { get; init; } = [];
    /// <summary>The size of the warehouse copy, in bytes.</summary>
    public long SizeBytes { get; init; }

    public string Status(DateTimeOffset now) => AvailableAt <= now ? SnapshotStatus.Available : SnapshotStatus.Creating;

    public string Arn => SnapshotArn(Region, AccountId, ClusterIdentifier, SnapshotIdentifier);

    /// <summary><c>arn:aws:redshift:&lt;region&gt;:&lt;account&gt;:snapshot:&lt;cluster&gt;/&lt;snapshot&gt;</c>.</summary>
    public static string SnapshotArn(string region, string account, string cluster, string snapshot) =>
        $"arn:aws:redshift:{region}:{account}:snapshot:{cluster}/{snapshot}";

    /// <summary>Where the snapshot's warehouse copy lives (handed to the SQL side).</summary>
    public WarehouseSnapshotLocation Location => new(AccountId, Region, SnapshotIdentifier);
}

/// <summary>Names one snapshot's copy of a warehouse: <c>&lt;data-dir&gt;/snapshots/&lt;region&gt;/&lt;account&gt;/&lt;snapshot&gt;/</c>.</summary>
public sealed record WarehouseSnapshotLocation(string AccountId, string Region, string SnapshotIdentifier);
