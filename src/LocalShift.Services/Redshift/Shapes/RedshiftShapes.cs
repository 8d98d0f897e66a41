namespace LocalShift.Services.Redshift.Shapes;

// The Redshift model's shapes that LocalShift reads and writes, named as the model names them; the query protocol
// reads and writes them from the model (src/LocalShift.Aws/Model/models/redshift.json). Members LocalShift does not
// use are left out; ShapeConformanceTests checks that every property here is a member of its shape with its type.

public sealed record Tag(string? Key, string? Value);

public sealed record CreateClusterMessage(
    string ClusterIdentifier,
    string NodeType,
    string MasterUsername,
    string MasterUserPassword,
    string? DBName = null,
    string? ClusterType = null,
    List<string>? ClusterSecurityGroups = null,
    List<string>? VpcSecurityGroupIds = null,
    string? ClusterSubnetGroupName = null,
    string? AvailabilityZone = null,
    string? PreferredMaintenanceWindow = null,
    string? ClusterParameterGroupName = null,
    int? AutomatedSnapshotRetentionPeriod = null,
    int? ManualSnapshotRetentionPeriod = null,
    int? Port = null,
    string? ClusterVersion = null,
    bool? AllowVersionUpgrade = null,
    int? NumberOfNodes = null,
    bool? PubliclyAccessible = null,
    bool? Encrypted = null,
    List<Tag>? Tags = null,
    string? KmsKeyId = null,
    bool? EnhancedVpcRouting = null,
    List<string>? IamRoles = null,
    string? MaintenanceTrackName = null,
    string? DefaultIamRoleArn = null);

public sealed record DescribeClustersMessage(
    string? ClusterIdentifier = null,
    int? MaxRecords = null,
    string? Marker = null,
    List<string>? TagKeys = null,
    List<string>? TagValues = null);

public sealed record ModifyClusterIamRolesMessage(
    string ClusterIdentifier,
    List<string>? AddIamRoles = null,
    List<string>? RemoveIamRoles = null,
    string? DefaultIamRoleArn = null);

public sealed record DeleteClusterMessage(
    string ClusterIdentifier,
    bool? SkipFinalClusterSnapshot = null,
    string? FinalClusterSnapshotIdentifier = null,
    int? FinalClusterSnapshotRetentionPeriod = null);

public sealed record CreateTagsMessage(string ResourceName, List<Tag>? Tags);

public sealed record DeleteTagsMessage(string ResourceName, List<string>? TagKeys);

public sealed record DescribeTagsMessage(
    string? ResourceName = null,
    string? ResourceType = null,
    int? MaxRecords = null,
    string? Marker = null,
    List<string>? TagKeys = null,
    List<string>? TagValues = null);

public sealed record GetClusterCredentialsMessage(
    string DbUser,
    string ClusterIdentifier,
    string? DbName = null,
    int? DurationSeconds = null,
    bool? AutoCreate = null,
    List<string>? DbGroups = null);

public sealed record GetClusterCredentialsWithIAMMessage(
    string ClusterIdentifier,
    string? DbName = null,
    int? DurationSeconds = null);

public sealed record ClusterCredentials(string DbUser, string DbPassword, DateTimeOffset Expiration);
public sealed record ClusterExtendedCredentials(string DbUser, string DbPassword, DateTimeOffset Expiration, DateTimeOffset? NextRefreshTime = null);

public sealed record CreateClusterResult(Cluster Cluster);
public sealed record ModifyClusterIamRolesResult(Cluster Cluster);
public sealed record DeleteClusterResult(Cluster Cluster);
public sealed record ClustersMessage(List<Cluster> Clusters, string? Marker = null);
public sealed record TaggedResource(Tag Tag, string ResourceName, string ResourceType);
public sealed record TaggedResourceListMessage(List<TaggedResource> TaggedResources, string? Marker = null);

public sealed record Endpoint(string Address, int Port);
public sealed record ClusterSecurityGroupMembership(string ClusterSecurityGroupName, string Status);
public sealed record VpcSecurityGroupMembership(string VpcSecurityGroupId, string Status);
public sealed record ClusterParameterGroupStatus(string ParameterGroupName, string ParameterApplyStatus);
public sealed record ClusterNode(string NodeRole, string PrivateIPAddress, string PublicIPAddress);
public sealed record ClusterIamRole(string IamRoleArn, string ApplyStatus);
public sealed record PendingModifiedValues;
public sealed record AquaConfiguration(string AquaStatus, string AquaConfigurationStatus);
public sealed record DeferredMaintenanceWindow(string? DeferMaintenanceIdentifier = null);

/// <summary>The model's <c>Cluster</c>: what DescribeClusters and every cluster-returning operation answer.</summary>
public sealed record Cluster
{
    public required string ClusterIdentifier { get; init; }
    public required string NodeType { get; init; }
    public required string ClusterStatus { get; init; }
    public required string ClusterAvailabilityStatus { get; init; }
    public required string MasterUsername { get; init; }
    public required string DBName { get; init; }
    public Endpoint? Endpoint { get; init; }
    public required DateTimeOffset ClusterCreateTime { get; init; }
    public required int AutomatedSnapshotRetentionPeriod { get; init; }
    public required int ManualSnapshotRetentionPeriod { get; init; }
    public required List<ClusterSecurityGroupMembership> ClusterSecurityGroups { get; init; }
    public required List<VpcSecurityGroupMembership> VpcSecurityGroups { get; init; }
    public required List<ClusterParameterGroupStatus> ClusterParameterGroups { get; init; }
    public required string ClusterSubnetGroupName { get; init; }
    public required string VpcId { get; init; }
    public required string AvailabilityZone { get; init; }
    public required string PreferredMaintenanceWindow { get; init; }
    public required PendingModifiedValues PendingModifiedValues { get; init; }
    public required string ClusterVersion { get; init; }
    public required bool AllowVersionUpgrade { get; init; }
    public required int NumberOfNodes { get; init; }
    public required bool PubliclyAccessible { get; init; }
    public required bool Encrypted { get; init; }
    public string? ClusterPublicKey { get; init; }
    public List<ClusterNode>? ClusterNodes { get; init; }
    public required string ClusterRevisionNumber { get; init; }
    public required List<Tag> Tags { get; init; }
    public string? KmsKeyId { get; init; }
    public required bool EnhancedVpcRouting { get; init; }
    public required List<ClusterIamRole> IamRoles { get; init; }
    public required List<string> PendingActions { get; init; }
    public required string MaintenanceTrackName { get; init; }
    public string? ElasticResizeNumberOfNodeOptions { get; init; }
    public required List<DeferredMaintenanceWindow> DeferredMaintenanceWindows { get; init; }
    public DateTimeOffset? NextMaintenanceWindowStartTime { get; init; }
    public required string AvailabilityZoneRelocationStatus { get; init; }
    public required string ClusterNamespaceArn { get; init; }
    public required long TotalStorageCapacityInMegaBytes { get; init; }
    public required AquaConfiguration AquaConfiguration { get; init; }
    public string? DefaultIamRoleArn { get; init; }
}
