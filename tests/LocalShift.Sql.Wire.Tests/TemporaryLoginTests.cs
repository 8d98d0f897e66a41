using LocalShift.Engine;
using LocalShift.Engine.DuckDb;
using LocalShift.Services.Redshift;
using LocalShift.Services.Redshift.DbCredentials;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// Temporary database passwords (what GetClusterCredentials issues) against a real endpoint with Npgsql: accepted until
/// they expire, then Redshift's authentication failure. The clock is the registry's, moved by the test.
/// </summary>
public sealed class TemporaryLoginTests : IAsyncLifetime
{
    private const string Account = "123456789012";
    private const string Cluster = "iam-cluster";
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "localshift-iam-" + Guid.NewGuid().ToString("N"));
    private TemporaryDbCredentials _logins = null!;
    private ClusterSqlHost _host = null!;
    private System.Net.IPEndPoint _endpoint = null!;

    public async Task InitializeAsync()
    {
        _logins = new TemporaryDbCredentials(_clock);
        _host = new ClusterSqlHost(new DuckDbEngineFactory(), _dataDir, temporaryLogins: _logins);
        await _host.StartAsync(new ClusterEndpointSpec(Account, "us-east-1", Cluster, "dev", "awsuser", "Passw0rd!", "127.0.0.1", 0), default);
        _endpoint = _host.EndpointOf(Account, "us-east-1", Cluster)!;
    }

    private async Task<string> CurrentUserAsync(string user, string password)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = _endpoint.Address.ToString(), Port = _endpoint.Port, Username = user, Password = password, Database = "dev",
            Pooling = false, Timeout = 10,
        }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_user", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private string Issue(string login, string dbUser, bool autoCreate, TimeSpan duration)
    {
        var password = TemporaryDbCredentials.NewPassword();
        _logins.Issue(Account, "us-east-1", Cluster, login, dbUser, "dev", autoCreate, [], password, _clock.GetUtcNow() + duration);
        return password;
    }

    [Fact]
    public async Task A_temporary_password_logs_in_until_it_expires_then_fails_authentication()
    {
        var password = Issue("IAMA:alice", "alice", autoCreate: true, TimeSpan.FromSeconds(900));
        Assert.Equal("alice", await CurrentUserAsync("IAMA:alice", password));

        _clock.Advance(TimeSpan.FromSeconds(899));
        Assert.Equal("alice", await CurrentUserAsync("IAMA:alice", password));

        _clock.Advance(TimeSpan.FromSeconds(2));
        var e = await Assert.ThrowsAsync<PostgresException>(() => CurrentUserAsync("IAMA:alice", password));
        Assert.Equal("28P01", e.SqlState);
        Assert.Equal("password authentication failed for user \"IAMA:alice\"", e.MessageText);
    }

    [Fact]
    public async Task Each_live_password_of_a_login_works_and_the_expired_one_does_not()
    {
        var first = Issue("IAMA:bob", "bob", autoCreate: true, TimeSpan.FromSeconds(900));
        _clock.Advance(TimeSpan.FromSeconds(600));
        var second = Issue("IAMA:bob", "bob", autoCreate: true, TimeSpan.FromSeconds(900));
        Assert.Equal("bob", await CurrentUserAsync("IAMA:bob", first));
        Assert.Equal("bob", await CurrentUserAsync("IAMA:bob", second));

        _clock.Advance(TimeSpan.FromSeconds(400));
        await Assert.ThrowsAsync<PostgresException>(() => CurrentUserAsync("IAMA:bob", first));
        Assert.Equal("bob", await CurrentUserAsync("IAMA:bob", second));
    }

    [Fact]
    public async Task A_user_that_does_not_exist_is_refused_unless_the_credentials_create_it()
    {
        var password = Issue("IAM:carol", "carol", autoCreate: false, TimeSpan.FromSeconds(900));
        var e = await Assert.ThrowsAsync<PostgresException>(() => CurrentUserAsync("IAM:carol", password));
        Assert.Equal("28000", e.SqlState);
        Assert.Equal("user \"carol\" does not exist", e.MessageText);

        var withIam = Issue("IAM:carol", "IAM:carol", autoCreate: true, TimeSpan.FromSeconds(900));
        Assert.Equal("IAM:carol", await CurrentUserAsync("IAM:carol", withIam));
    }

    [Fact]
    public async Task An_IAM_login_name_never_falls_back_to_a_stored_password()
    {
        var e = await Assert.ThrowsAsync<PostgresException>(() => CurrentUserAsync("IAM:awsuser", "Passw0rd!"));
        Assert.Equal("28P01", e.SqlState);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        try { Directory.Delete(_dataDir, recursive: true); }
        catch (IOException) { }
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }
}
