using LocalShift.Services.Redshift;
using LocalShift.Sql;

namespace LocalShift.Server;

/// <summary>
/// What <c>/_localshift/health</c> reports. The AWS endpoint answers as soon as it listens, but a cluster's SQL
/// endpoint is opened by the lifecycle after that (at start, every available cluster's DuckDB file is opened one
/// after another), so readiness is read from the clusters themselves on every call: "starting" while an available
/// cluster has neither a bound listener nor a recorded failure, "degraded" when some endpoint failed to start and will
/// not be retried, "ready" when every available cluster's listener is bound and accepting.
/// </summary>
public sealed class Readiness(RedshiftStore clusters, ClusterLifecycle lifecycle, ClusterSqlHost sql, TimeProvider clock)
{
    public const string Starting = "starting";
    public const string Ready = "ready";
    public const string Degraded = "degraded";

    public ReadinessReport Check()
    {
        var available = clusters.ListByStatus(ClusterStatus.Available, clock.GetUtcNow());
        var listening = 0;
        var starting = new List<string>();
        var failed = new List<FailedEndpoint>();
        foreach (var c in available)
        {
            if (sql.EndpointOf(c.AccountId, c.Region, c.Identifier) is not null) listening++;
            // A failure at a port the cluster has since left (it moved off a port another program holds) is stale.
            else if (lifecycle.FailedEndpoints.TryGetValue((c.AccountId, c.Region, c.Identifier), out var f) && f.Port == c.SqlPort)
                failed.Add(new FailedEndpoint(c.AccountId, c.Identifier, c.SqlPort, f.Error));
            else starting.Add(c.Identifier);
        }
        var status = starting.Count > 0 ? Starting : failed.Count > 0 ? Degraded : Ready;
        return new ReadinessReport(status, available.Count, listening, starting, failed);
    }
}

/// <summary>The state of the cluster SQL endpoints: how many available clusters, how many listen, which are still
/// being opened and which failed.</summary>
public sealed record ReadinessReport(string Status, int Clusters, int Listening, IReadOnlyList<string> Starting, IReadOnlyList<FailedEndpoint> Failed);

/// <summary>A cluster whose SQL endpoint did not start, named as a user finds it in describe-clusters.</summary>
public sealed record FailedEndpoint(string Account, string Cluster, int Port, string Error);
