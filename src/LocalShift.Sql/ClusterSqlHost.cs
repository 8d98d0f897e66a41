using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using LocalShift.Engine;
using LocalShift.Services.Redshift;
using LocalShift.Services.Redshift.Snapshots;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Wire;
using LocalShift.Sql.Wire.Session;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LocalShift.Sql;

/// <summary>
/// Runs the PostgreSQL-wire endpoint of every available cluster: one listener and one engine database per cluster, in
/// <c>&lt;dataDir&gt;/clusters/&lt;region&gt;/&lt;account&gt;/&lt;cluster&gt;/</c> (DuckDB's: <c>warehouse.duckdb</c>) — or, for a cluster
/// created before clusters belonged to a region (<see cref="ClusterEndpointSpec.RegionalFolder"/> false), where its
/// warehouse always was: <c>&lt;dataDir&gt;/clusters/&lt;account&gt;/&lt;cluster&gt;/</c>. The two never meet: an
/// account id is twelve digits, a region name never is.
/// </summary>
/// <param name="certificate">Offered to clients that ask for TLS (SSLRequest); null keeps every endpoint plain text.</param>
/// <param name="engines">Opens each cluster's engine (the server chooses the implementation).</param>
public sealed class ClusterSqlHost(ISqlEngineFactory engines, string dataDir, ILoggerFactory? loggerFactory = null,
    PgAuthMethod authMethod = PgAuthMethod.ScramSha256, IRedshiftStatementHandler? redshiftStatements = null,
    X509Certificate2? certificate = null, LocalShift.Services.Redshift.DbCredentials.TemporaryDbCredentials? temporaryLogins = null)
    : IClusterEndpointHost, IAsyncDisposable
{
    /// <summary>How long a new connection has to finish TLS, its startup packet and authentication (PostgreSQL's
    /// <c>authentication_timeout</c>, 1 minute by default).</summary>
    public TimeSpan AuthenticationTimeout { get; init; } = PgListener.DefaultAuthenticationTimeout;

    /// <summary>How many connections each cluster's endpoint takes at once (Redshift's 500 by default); one more is
    /// refused with SQLSTATE 53300.</summary>
    public int MaxConnections { get; init; } = PgListener.DefaultMaxConnections;

    /// <summary>
    /// How much memory each cluster's engine may hold (DuckDB's <c>memory_limit</c>, in bytes): a statement that needs
    /// more fails with SQLSTATE 53200 and the server stays up. Null: <see cref="DefaultMemoryLimit"/>.
    /// </summary>
    public long? MemoryLimit { get; init; }

    /// <summary>
    /// A quarter of the memory the process may use (the machine's, or the container's limit) for each cluster: a
    /// simple, fixed share, so that one cluster's runaway statement leaves room for the rest of the server. Two
    /// clusters both at their limit take half; four take it all, as DuckDB's own default (80% for each) would with one.
    /// </summary>
    public static long DefaultMemoryLimit => Math.Max(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4, 64L << 20);

    /// <summary>The statement_timeout each session of every cluster starts with (zero: none, Redshift's default).</summary>
    public TimeSpan StatementTimeout { get; init; }

    private sealed record Endpoint(ClusterDatabase Database, PgListener Listener);

    private readonly ConcurrentDictionary<(string Account, string Region, string Cluster), Endpoint> _endpoints = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger _logger = loggerFactory?.CreateLogger<ClusterSqlHost>() ?? NullLogger<ClusterSqlHost>.Instance;

    public async Task StartAsync(ClusterEndpointSpec spec, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_endpoints.ContainsKey(Key(spec))) return;
            var folder = ClusterFolder(spec);
            Directory.CreateDirectory(folder);
            var database = new ClusterDatabase(engines, spec, Path.Combine(folder, WarehouseFile), authMethod, redshiftStatements,
                MemoryLimit ?? DefaultMemoryLimit, temporaryLogins)
            {
                StatementTimeout = StatementTimeout,
            };
            var listener = new PgListener(database, new IPEndPoint(ResolveHost(spec.Host), spec.Port), _logger, certificate)
            {
                AuthenticationTimeout = AuthenticationTimeout,
                MaxConnections = MaxConnections,
            };
            try { listener.Start(); }
            catch
            {
                database.Dispose();
                throw;
            }
            _endpoints[Key(spec)] = new Endpoint(database, listener);
            _logger.LogInformation("SQL endpoint of cluster {Cluster} ({Region}) listening on {Endpoint}", spec.ClusterIdentifier, spec.Region, listener.LocalEndpoint);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StopAsync(ClusterEndpointSpec spec, bool deleteData)
    {
        await _gate.WaitAsync();
        try
        {
            if (_endpoints.TryRemove(Key(spec), out var endpoint)) await Close(endpoint);
            var folder = ClusterFolder(spec);
            if (deleteData && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<long> SnapshotAsync(ClusterEndpointSpec spec, WarehouseSnapshotLocation snapshot)
    {
        await _gate.WaitAsync();
        try
        {
            var folder = SnapshotFolder(snapshot);
            Directory.CreateDirectory(folder);
            var destination = Path.Combine(folder, WarehouseFile);
            if (_endpoints.TryGetValue(Key(spec), out var endpoint))
            {
                var database = endpoint.Database;
                await Task.Run(() => database.CopyWarehouseTo(destination));
            }
            else
            {
                // Not running (still creating, or its endpoint failed): the file is at rest, as its engine left it.
                var source = Path.Combine(ClusterFolder(spec), WarehouseFile);
                foreach (var suffix in engines.DatabaseFileSuffixes)
                    if (File.Exists(source + suffix)) File.Copy(source + suffix, destination + suffix, overwrite: true);
            }
            return File.Exists(destination) ? new FileInfo(destination).Length : 0;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task RestoreAsync(ClusterEndpointSpec spec, WarehouseSnapshotLocation snapshot)
    {
        await _gate.WaitAsync();
        try
        {
            if (_endpoints.ContainsKey(Key(spec))) throw new InvalidOperationException($"Cluster {spec.ClusterIdentifier} is running; a snapshot restores only into a new cluster.");
            var source = Path.Combine(SnapshotFolder(snapshot), WarehouseFile);
            var folder = ClusterFolder(spec);
            // Whatever a deleted cluster of the same identifier left is not part of the restored one.
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            Directory.CreateDirectory(folder);
            foreach (var suffix in engines.DatabaseFileSuffixes)
                if (File.Exists(source + suffix)) File.Copy(source + suffix, Path.Combine(folder, WarehouseFile + suffix));
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task DeleteSnapshotAsync(WarehouseSnapshotLocation snapshot)
    {
        await _gate.WaitAsync();
        try
        {
            var folder = SnapshotFolder(snapshot);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task SetMasterPasswordAsync(ClusterEndpointSpec spec)
    {
        if (_endpoints.TryGetValue(Key(spec), out var endpoint)) endpoint.Database.SetMasterPassword(spec.MasterPasswordSecret);
        return Task.CompletedTask;
    }

    private string WarehouseFile => engines.DatabaseFileName;

    /// <summary><c>&lt;dataDir&gt;/snapshots/&lt;region&gt;/&lt;account&gt;/&lt;snapshot&gt;/</c>: snapshot identifiers are unique per account and region.</summary>
    private string SnapshotFolder(WarehouseSnapshotLocation snapshot)
    {
        if (!Core.RegionName.IsValid(snapshot.Region)) throw new ArgumentException($"'{snapshot.Region}' is not a region name.", nameof(snapshot));
        return Path.Combine(dataDir, "snapshots", snapshot.Region, snapshot.AccountId, snapshot.SnapshotIdentifier);
    }

    /// <summary>The warehouse of a running cluster, for in-process sessions (the Data API); null when it is not running.</summary>
    public ClusterDatabase? DatabaseOf(string accountId, string region, string clusterIdentifier) =>
        _endpoints.TryGetValue((accountId, region, clusterIdentifier), out var endpoint) ? endpoint.Database : null;

    /// <summary>The bound endpoint of a running cluster (tests start clusters on port 0).</summary>
    public IPEndPoint? EndpointOf(string accountId, string region, string clusterIdentifier) =>
        _endpoints.TryGetValue((accountId, region, clusterIdentifier), out var endpoint) ? endpoint.Listener.LocalEndpoint : null;

    private static (string, string, string) Key(ClusterEndpointSpec spec) => (spec.AccountId, spec.Region, spec.ClusterIdentifier);

    private string ClusterFolder(ClusterEndpointSpec spec)
    {
        if (!spec.RegionalFolder) return Path.Combine(dataDir, "clusters", spec.AccountId, spec.ClusterIdentifier);
        // The region comes from a request's credential scope: it becomes a folder only once it is known to be a region name.
        if (!Core.RegionName.IsValid(spec.Region)) throw new ArgumentException($"'{spec.Region}' is not a region name.", nameof(spec));
        return Path.Combine(dataDir, "clusters", spec.Region, spec.AccountId, spec.ClusterIdentifier);
    }

    private static async Task Close(Endpoint endpoint)
    {
        await endpoint.Listener.DisposeAsync();
        endpoint.Database.Dispose();
    }

    private static IPAddress ResolveHost(string host) =>
        host is "" or "localhost" ? IPAddress.Loopback
        : host is "*" or "0.0.0.0" ? IPAddress.Any
        : IPAddress.TryParse(host, out var address) ? address
        : Dns.GetHostAddresses(host).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);

    /// <summary>Set once disposed: a stopped host opens no endpoint again.</summary>
    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            foreach (var key in _endpoints.Keys.ToList())
                if (_endpoints.TryRemove(key, out var endpoint)) await Close(endpoint);
        }
        finally
        {
            _gate.Release();
        }
    }
}
