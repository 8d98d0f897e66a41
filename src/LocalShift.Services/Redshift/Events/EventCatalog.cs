using System.Globalization;

namespace LocalShift.Services.Redshift.Events;

/// <summary>The source types of Redshift's events (the model's <c>SourceType</c> enum).</summary>
public static class EventSourceType
{
    public const string Cluster = "cluster";
    public const string ClusterParameterGroup = "cluster-parameter-group";
    public const string ClusterSecurityGroup = "cluster-security-group";
    public const string ClusterSnapshot = "cluster-snapshot";
    public const string ScheduledAction = "scheduled-action";

    public static readonly IReadOnlyList<string> All = [Cluster, ClusterParameterGroup, ClusterSecurityGroup, ClusterSnapshot, ScheduledAction];
}

/// <summary>
/// One kind of event: its id, source type, category, severity and description as DescribeEventCategories lists it. The
/// description is a template (<c>&lt;cluster name&gt;</c>, <c>&lt;time in UTC&gt;</c>, …) that <see cref="Render"/> fills in
/// to make the event's Message.
/// </summary>
public sealed record EventDefinition(string EventId, string SourceType, string Category, string Severity, string Description)
{
    /// <summary>The Message of one occurrence: the description with its placeholders filled in.</summary>
    public string Render(DateTimeOffset at, string? cluster = null, string? snapshot = null, string? role = null) =>
        Description
            .Replace("<cluster name>", cluster, StringComparison.Ordinal)
            .Replace("<snapshot name>", snapshot, StringComparison.Ordinal)
            .Replace("<role arn>", role, StringComparison.Ordinal)
            // unverified: how AWS writes the time inside a message (LocalShift: 2026-12-07 05:30 UTC).
            .Replace("<time in UTC>", at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), StringComparison.Ordinal);
}

/// <summary>
/// The events LocalShift records. Ids, categories, severities and descriptions marked "AWS" are as a real
/// DescribeEventCategories answered them (a captured answer of the AWS CLI; the awscli's own describe-event-categories
/// example shows 2000 and 2001 the same way). The rest are not in that catalog and are LocalShift's (see
/// docs/redshift-events-and-fidelity.md): pause and resume ids as a third-party list of AWS's notification page gives
/// them (unverified), and the IAM role association events, for which AWS publishes no event (LOCALSHIFT-EVENT ids).
/// </summary>
public static class EventCatalog
{
    private const string Info = "INFO";

    // AWS
    public static readonly EventDefinition ClusterCreated = new("REDSHIFT-EVENT-2000", EventSourceType.Cluster, "management", Info,
        "Cluster <cluster name> created at <time in UTC>.");
    public static readonly EventDefinition ClusterDeleted = new("REDSHIFT-EVENT-2001", EventSourceType.Cluster, "management", Info,
        "Cluster <cluster name> deleted at <time in UTC>.");
    public static readonly EventDefinition VpcSecurityGroupsUpdated = new("REDSHIFT-EVENT-2002", EventSourceType.Cluster, "management", Info,
        "VPC security groups for cluster <cluster name> updated at <time in UTC>.");
    public static readonly EventDefinition ResizeStarted = new("REDSHIFT-EVENT-2006", EventSourceType.Cluster, "management", Info,
        "Cluster <cluster name> resize started at <time in UTC>. Cluster is in read-only mode.");
    public static readonly EventDefinition RestoreStarted = new("REDSHIFT-EVENT-2008", EventSourceType.Cluster, "management", Info,
        "Cluster restore <cluster name> from snapshot <snapshot name> started at <time in UTC>.");
    public static readonly EventDefinition Rebooted = new("REDSHIFT-EVENT-3000", EventSourceType.Cluster, "monitoring", Info,
        "Cluster <cluster name> rebooted at <time in UTC>.");
    public static readonly EventDefinition ResizeCompleted = new("REDSHIFT-EVENT-3002", EventSourceType.Cluster, "monitoring", Info,
        "Cluster <cluster name> resize completed at <time in UTC>. Cluster is available for both reads and writes.");
    public static readonly EventDefinition Restored = new("REDSHIFT-EVENT-3003", EventSourceType.Cluster, "monitoring", Info,
        "Cluster <cluster name> was restored from cluster snapshot <snapshot name> at <time in UTC>.");
    public static readonly EventDefinition MasterCredentialsUpdated = new("REDSHIFT-EVENT-4000", EventSourceType.Cluster, "security", Info,
        "Master credentials updated for cluster <cluster name> at <time in UTC>.");
    public static readonly EventDefinition SnapshotStarted = new("REDSHIFT-EVENT-2009", EventSourceType.ClusterSnapshot, "management", Info,
        "Cluster snapshot <snapshot name> for cluster <cluster name> started at <time in UTC>.");
    public static readonly EventDefinition SnapshotDeleted = new("REDSHIFT-EVENT-2011", EventSourceType.ClusterSnapshot, "management", Info,
        "Cluster snapshot <snapshot name> for cluster <cluster name> was deleted at <time in UTC>.");
    public static readonly EventDefinition FinalSnapshotStarted = new("REDSHIFT-EVENT-2012", EventSourceType.ClusterSnapshot, "management", Info,
        "Final cluster snapshot <snapshot name> for cluster <cluster name> started at <time in UTC>.");
    public static readonly EventDefinition SnapshotCompleted = new("REDSHIFT-EVENT-3004", EventSourceType.ClusterSnapshot, "monitoring", Info,
        "Cluster snapshot <snapshot name> for cluster <cluster name> completed successfully at <time in UTC>.");
    public static readonly EventDefinition FinalSnapshotCompleted = new("REDSHIFT-EVENT-3005", EventSourceType.ClusterSnapshot, "monitoring", Info,
        "Final cluster snapshot <snapshot name> for cluster <cluster name> succeeded at <time in UTC>.");

    // unverified: ids from a third-party copy of AWS's notification page; LocalShift's descriptions.
    public static readonly EventDefinition PauseStarted = new("REDSHIFT-EVENT-3618", EventSourceType.Cluster, "monitoring", Info,
        "Cluster <cluster name> pause operation started at <time in UTC>.");
    public static readonly EventDefinition Paused = new("REDSHIFT-EVENT-3619", EventSourceType.Cluster, "monitoring", Info,
        "Cluster <cluster name> was paused at <time in UTC>.");

    // LocalShift's: no AWS event is known for these.
    public static readonly EventDefinition ResumeStarted = new("LOCALSHIFT-EVENT-3620", EventSourceType.Cluster, "monitoring", Info,
        "Cluster <cluster name> resume operation started at <time in UTC>.");
    public static readonly EventDefinition Resumed = new("LOCALSHIFT-EVENT-3621", EventSourceType.Cluster, "monitoring", Info,
        "Cluster <cluster name> was resumed at <time in UTC>.");
    public static readonly EventDefinition RoleAdding = new("LOCALSHIFT-EVENT-2100", EventSourceType.Cluster, "management", Info,
        "IAM role <role arn> is being associated with cluster <cluster name> at <time in UTC>.");
    public static readonly EventDefinition RoleInSync = new("LOCALSHIFT-EVENT-2101", EventSourceType.Cluster, "management", Info,
        "IAM role <role arn> is associated with cluster <cluster name> (in-sync) at <time in UTC>.");
    public static readonly EventDefinition RoleRemoving = new("LOCALSHIFT-EVENT-2102", EventSourceType.Cluster, "management", Info,
        "IAM role <role arn> is being disassociated from cluster <cluster name> at <time in UTC>.");
    public static readonly EventDefinition RoleRemoved = new("LOCALSHIFT-EVENT-2103", EventSourceType.Cluster, "management", Info,
        "IAM role <role arn> was disassociated from cluster <cluster name> at <time in UTC>.");
    public static readonly EventDefinition DefaultRoleChanged = new("LOCALSHIFT-EVENT-2104", EventSourceType.Cluster, "management", Info,
        "Default IAM role of cluster <cluster name> set to <role arn> at <time in UTC>.");

    public static readonly IReadOnlyList<EventDefinition> All =
    [
        ClusterCreated, ClusterDeleted, VpcSecurityGroupsUpdated, ResizeStarted, RestoreStarted, Rebooted, ResizeCompleted, Restored,
        MasterCredentialsUpdated, PauseStarted, Paused, ResumeStarted, Resumed, RoleAdding, RoleInSync, RoleRemoving, RoleRemoved,
        DefaultRoleChanged, SnapshotStarted, SnapshotDeleted, FinalSnapshotStarted, SnapshotCompleted, FinalSnapshotCompleted,
    ];
}
