namespace LocalShift.Services.Redshift;

/// <summary>What the SQL endpoint of one cluster needs to start.</summary>
public sealed record ClusterEndpointSpec(
    string AccountId,
    string Region,
    string ClusterIdentifier,
    string DbName,
    string MasterUsername,
    string MasterUserPassword,
    string Host,
    int Port);

/// <summary>
/// Starts and stops the PostgreSQL-wire listener of a cluster. The control plane calls it when a cluster becomes
/// available, at start-up for every available cluster, and on delete. Implemented by the SQL side.
/// </summary>
public interface IClusterEndpointHost
{
    /// <summary>Starts the listener; idempotent for a cluster already listening.</summary>
    Task StartAsync(ClusterEndpointSpec spec, CancellationToken cancellationToken);

    /// <summary>Stops the listener; with <paramref name="deleteData"/> also removes the cluster's warehouse.</summary>
    Task StopAsync(string accountId, string clusterIdentifier, bool deleteData);
}

/// <summary>No SQL endpoints; for tests of the control plane alone.</summary>
public sealed class NoClusterEndpoints : IClusterEndpointHost
{
    public Task StartAsync(ClusterEndpointSpec spec, CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(string accountId, string clusterIdentifier, bool deleteData) => Task.CompletedTask;
}
