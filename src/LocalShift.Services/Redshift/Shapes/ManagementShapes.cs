namespace LocalShift.Services.Redshift.Shapes;

// The Redshift model's shapes of the operations infrastructure tools call besides CreateCluster (Terraform's
// aws_redshift_cluster reads DescribeLoggingStatus on every refresh); see RedshiftShapes.cs for the conventions.

public sealed record ModifyClusterMessage(
    string ClusterIdentifier,
    string? ClusterType = null,
    string? NodeType = null,
    int? NumberOfNodes = null,
    List<string>? ClusterSecurityGroups = null,
    List<string>? VpcSecurityGroupIds = null,
    string? MasterUserPassword = null,
    string? ClusterParameterGroupName = null,
    int? AutomatedSnapshotRetentionPeriod = null,
    int? ManualSnapshotRetentionPeriod = null,
    string? PreferredMaintenanceWindow = null,
    string? ClusterVersion = null,
    bool? AllowVersionUpgrade = null,
    string? NewClusterIdentifier = null,
    bool? PubliclyAccessible = null,
    bool? EnhancedVpcRouting = null,
    string? MaintenanceTrackName = null,
    bool? Encrypted = null,
    string? KmsKeyId = null,
    string? AvailabilityZone = null,
    int? Port = null);

public sealed record ModifyClusterResult(Cluster Cluster);

public sealed record ClusterIdentifierMessage(string ClusterIdentifier);
public sealed record PauseClusterResult(Cluster Cluster);
public sealed record ResumeClusterResult(Cluster Cluster);
public sealed record RebootClusterResult(Cluster Cluster);

public sealed record EnableLoggingMessage(
    string ClusterIdentifier,
    string? BucketName = null,
    string? S3KeyPrefix = null,
    string? LogDestinationType = null,
    List<string>? LogExports = null);

public sealed record LoggingStatus(
    bool LoggingEnabled,
    string? BucketName = null,
    string? S3KeyPrefix = null,
    string? LogDestinationType = null,
    List<string>? LogExports = null);

public sealed record DescribeClusterParameterGroupsMessage(
    string? ParameterGroupName = null,
    int? MaxRecords = null,
    string? Marker = null,
    List<string>? TagKeys = null,
    List<string>? TagValues = null);

public sealed record ClusterParameterGroup(string ParameterGroupName, string ParameterGroupFamily, string Description, List<Tag> Tags);
public sealed record ClusterParameterGroupsMessage(List<ClusterParameterGroup> ParameterGroups, string? Marker = null);

public sealed record DescribeClusterParametersMessage(string ParameterGroupName, string? Source = null, int? MaxRecords = null, string? Marker = null);
public sealed record DescribeDefaultClusterParametersMessage(string ParameterGroupFamily, int? MaxRecords = null, string? Marker = null);

public sealed record Parameter(
    string ParameterName,
    string ParameterValue,
    string Description,
    string Source,
    string DataType,
    string AllowedValues,
    string ApplyType,
    bool IsModifiable,
    string MinimumEngineVersion);

public sealed record ClusterParameterGroupDetails(List<Parameter> Parameters, string? Marker = null);
public sealed record DefaultClusterParameters(string ParameterGroupFamily, List<Parameter> Parameters, string? Marker = null);
public sealed record DescribeDefaultClusterParametersResult(DefaultClusterParameters DefaultClusterParameters);

public sealed record DescribeClusterSubnetGroupsMessage(
    string? ClusterSubnetGroupName = null,
    int? MaxRecords = null,
    string? Marker = null,
    List<string>? TagKeys = null,
    List<string>? TagValues = null);

public sealed record SupportedPlatform(string Name);
public sealed record AvailabilityZone(string Name, List<SupportedPlatform> SupportedPlatforms);
public sealed record Subnet(string SubnetIdentifier, AvailabilityZone SubnetAvailabilityZone, string SubnetStatus);
public sealed record ClusterSubnetGroup(string ClusterSubnetGroupName, string Description, string VpcId, string SubnetGroupStatus, List<Subnet> Subnets, List<Tag> Tags);
public sealed record ClusterSubnetGroupMessage(List<ClusterSubnetGroup> ClusterSubnetGroups, string? Marker = null);

public sealed record DescribeClusterVersionsMessage(string? ClusterVersion = null, string? ClusterParameterGroupFamily = null, int? MaxRecords = null, string? Marker = null);
public sealed record ClusterVersionInfo(string ClusterVersion, string ClusterParameterGroupFamily, string Description);
public sealed record ClusterVersionsMessage(List<ClusterVersionInfo> ClusterVersions, string? Marker = null);

public sealed record DescribeOrderableClusterOptionsMessage(string? ClusterVersion = null, string? NodeType = null, int? MaxRecords = null, string? Marker = null);
public sealed record OrderableClusterOption(string ClusterVersion, string ClusterType, string NodeType, List<AvailabilityZone> AvailabilityZones);
public sealed record OrderableClusterOptionsMessage(List<OrderableClusterOption> OrderableClusterOptions, string? Marker = null);
