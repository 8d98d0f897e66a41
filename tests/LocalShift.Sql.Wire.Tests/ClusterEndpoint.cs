using System.Net;
using LocalShift.Engine.DuckDb;
using LocalShift.Services.Redshift;
using LocalShift.Sql.Wire;
using LocalShift.Sql.Wire.Session;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>A real cluster SQL endpoint on a free loopback port over a temporary data directory.</summary>
public class ClusterEndpoint : IAsyncLifetime
{
    public const string Master = "awsuser";
    public const string Password = "Passw0rd!";
    public const string Database = "dev";

    private readonly PgAuthMethod _method;
    private ClusterSqlHost? _host;

    public ClusterEndpoint() => _method = Method;

    /// <summary>The password exchange the endpoint asks for; subclasses pick another.</summary>
    protected virtual PgAuthMethod Method => PgAuthMethod.ScramSha256;

    /// <summary>The endpoint's authentication_timeout; subclasses shorten it.</summary>
    protected virtual TimeSpan AuthenticationTimeout => PgListener.DefaultAuthenticationTimeout;

    /// <summary>The endpoint's connection limit; subclasses lower it.</summary>
    protected virtual int MaxConnections => PgListener.DefaultMaxConnections;

    /// <summary>The engine's memory limit in bytes (null: the host's default); subclasses lower it.</summary>
    protected virtual long? MemoryLimit => null;

    /// <summary>The statement_timeout sessions start with (zero: none); subclasses set one.</summary>
    protected virtual TimeSpan StatementTimeout => TimeSpan.Zero;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "localshift-sql-" + Guid.NewGuid().ToString("N"));
    public IPEndPoint Endpoint { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _host = new ClusterSqlHost(new DuckDbEngineFactory(), DataDir, authMethod: _method) 
        {
            AuthenticationTimeout = AuthenticationTimeout,
            MaxConnections = MaxConnections,
            MemoryLimit = MemoryLimit,
            StatementTimeout = StatementTimeout,
        };
        await _host.StartAsync(new ClusterEndpointSpec("123456789012", "us-east-1", "test-cluster", Database, Master, Password, "127.0.0.1", 0), default);
        Endpoint = _host.EndpointOf("123456789012", "us-east-1", "test-cluster")!;
    }

    public string ConnectionString(string user = Master, string password = Password, string database = Database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = Endpoint.Address.ToString(),
            Port = Endpoint.Port,
            Username = user,
            Password = password,
            Database = database,
            Pooling = false,
            Timeout = 10,
        }.ConnectionString;

    public async Task<NpgsqlConnection> OpenAsync(string user = Master, string password = Password)
    {
        var connection = new NpgsqlConnection(ConnectionString(user, password));
        await connection.OpenAsync();
        return connection;
    }

    public async Task RestartAsync()
    {
        await _host!.DisposeAsync();
        await InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        try { Directory.Delete(DataDir, recursive: true); }
        catch (IOException) { }
    }
}
