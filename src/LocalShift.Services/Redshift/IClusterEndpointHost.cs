using LocalShift.Sql.Wire.Auth;

namespace LocalShift.Services.Redshift;

/// <summary>
/// What the SQL endpoint of one cluster needs to start. The master user's password is handed over as its stored
/// secret (hashes), never in clear.
/// </summary>
public sealed record ClusterEndpointSpec(
    string AccountId,
    string Region,
    string ClusterIdentifier,
    string DbName,
    string MasterUsername,
    PgPasswordSecret MasterPasswordSecret,
    string Host,
    int Port)
{
    /// <summary>A spec whose master password is given in clear (hashed here); for tests and tools.</summary>
    public ClusterEndpointSpec(string accountId, string region, string clusterIdentifier, string dbName, string masterUsername,
        string masterUserPassword, string host, int port)
        : this(accountId, region, clusterIdentifier, dbName, masterUsername, MasterSecret(masterUsername, masterUserPassword), host, port)
    {
    }

    /// <summary>
    /// True: the warehouse lives in a region-qualified folder, so one identifier can name a cluster in each region.
    /// False: the folder of clusters created before clusters belonged to a region (and of specs built by hand).
    /// </summary>
    public bool RegionalFolder { get; init; }

    /// <summary>The master password's secret; its MD5 hash is salted with the user name the cluster stores (lower case).</summary>
    public static PgPasswordSecret MasterSecret(string masterUsername, string masterUserPassword) =>
        PgPasswordSecret.FromPassword(masterUsername.ToLowerInvariant(), masterUserPassword);
}

/// <summary>
/// Starts and stops the PostgreSQL-wire listener of a cluster. The control plane calls it when a cluster becomes
/// available, at start-up for every available cluster, and on delete. Implemented by the SQL side.
/// </summary>
public interface IClusterEndpointHost
{
    /// <summary>Starts the listener; idempotent for a cluster already listening.</summary>
    Task StartAsync(ClusterEndpointSpec spec, CancellationToken cancellationToken);

    /// <summary>Stops the listener of the cluster <paramref name="spec"/> names; with <paramref name="deleteData"/> also removes its warehouse.</summary>
    Task StopAsync(ClusterEndpointSpec spec, bool deleteData);

    /// <summary>
    /// Writes a consistent copy of the cluster's warehouse to <paramref name="snapshot"/> (the engine checkpoints first
    /// when the cluster is running); returns its size in bytes. Hosts without warehouses copy nothing.
    /// </summary>
    Task<long> SnapshotAsync(ClusterEndpointSpec spec, Snapshots.WarehouseSnapshotLocation snapshot) => Task.FromResult(0L);

    /// <summary>Makes the snapshot's copy the warehouse of the (not yet started) cluster <paramref name="spec"/> names.</summary>
    Task RestoreAsync(ClusterEndpointSpec spec, Snapshots.WarehouseSnapshotLocation snapshot) => Task.CompletedTask;

    /// <summary>Removes a snapshot's copy of a warehouse.</summary>
    Task DeleteSnapshotAsync(Snapshots.WarehouseSnapshotLocation snapshot) => Task.CompletedTask;

    /// <summary>Gives a running cluster's master user a new password (ModifyCluster); its open sessions stay.</summary>
    Task SetMasterPasswordAsync(ClusterEndpointSpec spec) => Task.CompletedTask;
}

/// <summary>No SQL endpoints; for tests of the control plane alone.</summary>
public sealed class NoClusterEndpoints : IClusterEndpointHost
{
    public Task StartAsync(ClusterEndpointSpec spec, CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(ClusterEndpointSpec spec, bool deleteData) => Task.CompletedTask;
}
