using LocalShift.Services.Iam;
using LocalShift.Storage.State;
using Microsoft.Extensions.Logging;

namespace LocalShift.Services.Redshift;

/// <summary>
/// The Redshift pieces wired together: register <see cref="Service"/> with the query edge and run
/// <see cref="Lifecycle"/>.<see cref="ClusterLifecycle.RunAsync"/> for the life of the server; the SQL side reads
/// clusters and their role associations through <see cref="Clusters"/>.
/// </summary>
public sealed record RedshiftControlPlane(RedshiftService Service, RedshiftStore Store, ClusterLifecycle Lifecycle, IClusterDirectory Clusters)
{
    public static RedshiftControlPlane Create(
        IStateStore state,
        IRoleDirectory roles,
        IClusterEndpointHost endpoints,
        RedshiftOptions options,
        TimeProvider time,
        ILogger<ClusterLifecycle>? log = null,
        DbCredentials.TemporaryDbCredentials? dbCredentials = null)
    {
        var store = new RedshiftStore(state);
        var lifecycle = new ClusterLifecycle(store, endpoints, options, time, log);
        return new RedshiftControlPlane(new RedshiftService(store, roles, options, time, lifecycle, dbCredentials,
            new Snapshots.SnapshotStore(state), endpoints), store, lifecycle,
            new ClusterDirectory(store, time));
    }
}
