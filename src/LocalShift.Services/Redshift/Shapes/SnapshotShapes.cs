namespace LocalShift.Services.Redshift.Shapes;

// The Redshift model's snapshot shapes LocalShift reads and writes (see RedshiftShapes.cs for the conventions).

public sealed record CreateClusterSnapshotMessage(
    string SnapshotIdentifier,
    string ClusterIdentifier,
    int? ManualSnapshotRetentionPeriod = null,
    List<Tag>? Tags = null);

public sealed record SnapshotSortingEntity(string? Attribute = null, string? SortOrder = null);

public sealed record DescribeClusterSnapshotsMessage(
    string? ClusterIdentifier = null,
    string? SnapshotIdentifier = null,
    string? SnapshotArn = null,
    string? SnapshotType = null,
    DateTimeOffset? StartTime = null,
    DateTimeOffset? EndTime = null,
    int? MaxRecords = null,
    string? Marker = null,
    string? OwnerAccount = null,
    List<string>? TagKeys = null,
    List<string>? TagValues = null,
    bool? ClusterExists = null,
    List<SnapshotSortingEntity>? SortingEntities = null);

public sealed record DeleteClusterSnapshotMessage(string SnapshotIdentifier, string? SnapshotClusterIdentifier = null);

public sealed record RestoreFromClusterSnapshotMessage(
    string ClusterIdentifier,
    string? SnapshotIdentifier = null,
    string? SnapshotArn = null,
    string? SnapshotClusterIdentifier = null,
    int? Port = null,
    string? AvailabilityZone = null,
    bool? AllowVersionUpgrade = null,
    string? ClusterSubnetGroupName = null,
    bool? PubliclyAccessible = null,
    string? OwnerAccount = null,
    string? ClusterParameterGroupName = null,
    List<string>? ClusterSecurityGroups = null,
    List<string>? VpcSecurityGroupIds = null,
    string? PreferredMaintenanceWindow = null,
    int? AutomatedSnapshotRetentionPeriod = null,
    int? ManualSnapshotRetentionPeriod = null,
    string? KmsKeyId = null,
    string? NodeType = null,
    bool? EnhancedVpcRouting = null,
    List<string>? IamRoles = null,
    string? MaintenanceTrackName = null,
    int? NumberOfNodes = null,
    string? DefaultIamRoleArn = null,
    bool? Encrypted = null);

public sealed record CreateClusterSnapshotResult(Snapshot Snapshot);
public sealed record DeleteClusterSnapshotResult(Snapshot Snapshot);
public sealed record RestoreFromClusterSnapshotResult(Cluster Cluster);
public sealed record SnapshotMessage(List<Snapshot> Snapshots, string? Marker = null);

/// <summary>The model's <c>Snapshot</c>.</summary>
public sealed record Snapshot
{
    public required string SnapshotIdentifier { get; init; }
    public required string ClusterIdentifier { get; init; }
    public required DateTimeOffset SnapshotCreateTime { get; init; }
    public required string Status { get; init; }
    public required int Port { get; init; }
    public required string AvailabilityZone { get; init; }
    public required DateTimeOffset ClusterCreateTime { get; init; }
    public required string MasterUsername { get; init; }
    public required string ClusterVersion { get; init; }
    public required string EngineFullVersion { get; init; }
    public required string SnapshotType { get; init; }
    public required string NodeType { get; init; }
    public required int NumberOfNodes { get; init; }
    public required string DBName { get; init; }
    public required string VpcId { get; init; }
    public required bool Encrypted { get; init; }
    public string? KmsKeyId { get; init; }
    public required bool EncryptedWithHSM { get; init; }
    public required string OwnerAccount { get; init; }
    public required double TotalBackupSizeInMegaBytes { get; init; }
    public required double ActualIncrementalBackupSizeInMegaBytes { get; init; }
    public required double BackupProgressInMegaBytes { get; init; }
    public required double CurrentBackupRateInMegaBytesPerSecond { get; init; }
    public required long EstimatedSecondsToCompletion { get; init; }
    public required long ElapsedTimeInSeconds { get; init; }
    public required List<Tag> Tags { get; init; }
    public required List<string> RestorableNodeTypes { get; init; }
    public required bool EnhancedVpcRouting { get; init; }
    public required string MaintenanceTrackName { get; init; }
    public int? ManualSnapshotRetentionPeriod { get; init; }
    public int? ManualSnapshotRemainingDays { get; init; }
    public DateTimeOffset? SnapshotRetentionStartTime { get; init; }
}
