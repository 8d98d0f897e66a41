using LocalShift.Core;

namespace LocalShift.Services.Redshift;

/// <summary>
/// Redshift's error table: codes and HTTP statuses from the service model; texts from AWS answers where they are
/// known, else LocalShift's own wording (marked "unverified").
/// </summary>
public static class RedshiftErrors
{
    public static AwsException ClusterAlreadyExists() => new("ClusterAlreadyExists", "Cluster already exists", 400);

    public static AwsException ClusterNotFound(string identifier) => new("ClusterNotFound", $"Cluster {identifier} not found.", 404);

    /// <summary>AWS's text when a cluster is still being created or modified.</summary>
    public static AwsException ConcurrentOperation() =>
        new("InvalidClusterState", "The Cluster is being modified by a concurrent operation. Please check the Cluster's status and try again.", 400);

    /// <summary>AWS's text for DeleteCluster while another operation runs.</summary>
    public static AwsException OperationRunningOnDelete() =>
        new("InvalidClusterState", "There is an operation running on the Cluster. Please try to delete it at a later time.", 400);

    // unverified: AWS's text for a cluster already being deleted.
    public static AwsException AlreadyDeleting(string identifier) =>
        new("InvalidClusterState", $"Cluster {identifier} is already being deleted.", 400);

    public static AwsException InvalidParameterValue(string message) => new("InvalidParameterValue", message, 400);

    public static AwsException InvalidParameterCombination(string message) => new("InvalidParameterCombination", message, 400);

    /// <summary>AWS's answer for a role that is not an ARN, does not exist, or does not trust Redshift.</summary>
    public static AwsException RoleNotValid(string roleArn) => InvalidParameterValue(
        $"The IAM role {roleArn} is not valid. The IAM role must delegate access to an Amazon Redshift account.");

    /// <summary>AWS's text for a service-linked role, as a user reported it (hashicorp/terraform-provider-aws#44028).</summary>
    public static AwsException ServiceLinkedRole(string roleArn) => InvalidParameterValue(
        $"The IAM Role ARN {roleArn} can't be used since it's a AWS service-linked IAM role.");

    public static AwsException DefaultRoleNotInRoles() => InvalidParameterValue(
        "The list of Amazon Resource Names (ARNs) for customer roles should contain the ARN of the default IAM role when a default is specified.");

    // unverified: the model has no quota fault; SPEC.md chooses InvalidParameterValue.
    public static AwsException RoleQuotaExceeded(string identifier, int quota) => InvalidParameterValue(
        $"You can associate at most {quota} IAM roles with cluster {identifier}.");

    public static AwsException InvalidTag(string message) => new("InvalidTagFault", message, 400);

    public static AwsException TagLimitExceeded() => new("TagLimitExceededFault", "You have exceeded the number of tags allowed.", 400);

    public static AwsException ResourceNotFound(string resourceName) =>
        new("ResourceNotFoundFault", $"The resource {resourceName} does not exist.", 404);

    public static AwsException SnapshotAlreadyExists() =>
        new("ClusterSnapshotAlreadyExists", "Cannot create the snapshot because a snapshot with the identifier already exists.", 400); // unverified: AWS's text.

    public static AwsException SnapshotNotFound(string identifier) =>
        new("ClusterSnapshotNotFound", $"Snapshot {identifier} not found.", 404); // unverified: AWS's text.

    /// <summary>AWS's text for RestoreFromClusterSnapshot (as a user reported it: hashicorp/terraform#11638).</summary>
    public static AwsException SnapshotNotFoundForRestore() =>
        new("ClusterSnapshotNotFound", "Snapshot not found for cluster.", 404);

    // unverified: AWS's texts for a snapshot that is not available yet.
    public static AwsException SnapshotNotAvailableForDelete(string identifier) =>
        new("InvalidClusterSnapshotState", $"Cannot delete the snapshot {identifier} because it is not in available state.", 400);

    public static AwsException SnapshotNotAvailableForRestore(string identifier) =>
        new("InvalidClusterSnapshotState", $"Cannot restore from snapshot {identifier} because it is not in available state.", 400);

    // unverified: AWS's texts for a parameter group or subnet group that does not exist.
    public static AwsException ParameterGroupNotFound(string name) =>
        new("ClusterParameterGroupNotFound", $"The parameter group {name} could not be found.", 404);

    public static AwsException SubnetGroupNotFound(string name) =>
        new("ClusterSubnetGroupNotFoundFault", $"Cluster subnet group {name} not found.", 400);

    // unverified: the code and text for a KMS key that cannot exist in the call's region (the model has no KMS fault for
    // CreateCluster; InvalidParameterValue is LocalShift's choice).
    public static AwsException InvalidKmsKey(string key) =>
        InvalidParameterValue($"The KMS key {key} is not valid. Specify a key ID, key ARN, alias name or alias ARN of a key in this Region.");
}
