namespace LocalShift.Services.Redshift;

/// <summary>Knobs of the emulated Redshift control plane (the server maps its command-line flags onto these).</summary>
public sealed class RedshiftOptions
{
    /// <summary>How long a new cluster stays <c>creating</c> (<c>--cluster-create-delay</c>).</summary>
    public TimeSpan CreateDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a new snapshot stays <c>creating</c>; null: as long as a cluster stays creating (<c>--cluster-create-delay</c>).</summary>
    public TimeSpan? SnapshotCreateDelay { get; set; }

    /// <summary>How long a deleted cluster stays <c>deleting</c> before it is gone and its port is free again.</summary>
    public TimeSpan DeleteDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an added role stays <c>adding</c> and a removed one <c>removing</c> (<c>--role-apply-delay</c>).</summary>
    public TimeSpan RoleApplyDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Most IAM roles one cluster may have associated (AWS's current quota is 50; it was 10).</summary>
    public int RoleQuota { get; set; } = 50;

    /// <summary>Address reported in <c>Endpoint.Address</c> and given to the SQL listener (<c>--host</c>).</summary>
    public string SqlHost { get; set; } = "127.0.0.1";

    /// <summary>First port handed to a cluster's SQL endpoint (<c>--sql-port-start</c>); later clusters get the next free one.</summary>
    public int SqlPortStart { get; set; } = 5439;

    /// <summary>Highest port a SQL endpoint may get.</summary>
    public int SqlPortEnd { get; set; } = 65535;

    /// <summary>How often the lifecycle driver looks for due transitions when nothing wakes it earlier.</summary>
    public TimeSpan LifecyclePollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
