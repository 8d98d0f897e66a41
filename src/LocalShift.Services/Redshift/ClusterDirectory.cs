namespace LocalShift.Services.Redshift;

/// <summary>
/// What the SQL side needs of the control plane: a cluster as it is now, with its role associations
/// (<see cref="RoleAssociation.ApplyStatus"/> in-sync / adding / removing) and its <see cref="Cluster.DefaultIamRoleArn"/>.
/// </summary>
public interface IClusterDirectory
{
    /// <summary>The cluster of that region as seen now, or null when it does not exist there or its deletion is over.</summary>
    Cluster? Find(string accountId, string region, string clusterIdentifier);

    /// <summary>True when <paramref name="roleArn"/> is associated with the cluster and in-sync (usable by COPY/UNLOAD).</summary>
    bool IsUsable(string accountId, string region, string clusterIdentifier, string roleArn);
}

public sealed class ClusterDirectory(RedshiftStore store, TimeProvider time) : IClusterDirectory
{
    public Cluster? Find(string accountId, string region, string clusterIdentifier) =>
        store.Find(accountId, region, ClusterRules.NormalizeIdentifier(clusterIdentifier), time.GetUtcNow());

    public bool IsUsable(string accountId, string region, string clusterIdentifier, string roleArn) =>
        Find(accountId, region, clusterIdentifier)?.Roles.Any(r => r.RoleArn == roleArn && r.ApplyStatus == ApplyStatus.InSync) ?? false;
}
