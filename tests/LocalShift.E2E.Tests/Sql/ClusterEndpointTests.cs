using System.Net.Sockets;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;
using Npgsql;

namespace LocalShift.E2E.Tests.Sql;

/// <summary>
/// The SQL endpoint of a cluster created with /usr/bin/aws, through its life: psql and Npgsql connect to the port in
/// its Endpoint, committed rows survive kill -9, uncommitted ones do not, and after delete-cluster the port is closed.
/// </summary>
public class ClusterEndpointTests
{
    private static string ConnectionString(int port) =>
        $"Host=127.0.0.1;Port={port};Username=admin;Password={RoleStory.Password};Database=dev;Pooling=false;Timeout=10";

    [Fact]
    public async Task Committed_rows_survive_a_crash_and_the_endpoint_closes_when_the_cluster_is_deleted()
    {
        await using var server = await LocalShiftServer.StartAsync();
        var story = new RoleStory(server);
        var port = await story.CreateClusterAsync("lifecycle", []);

        var ddl = await story.PsqlAsync(port,
            "CREATE TABLE events (id INT IDENTITY(1,1), kind VARCHAR(16) NOT NULL) DISTSTYLE EVEN SORTKEY(id)",
            "INSERT INTO events (kind) VALUES ('signup'), ('login'), ('logout')");
        Assert.True(ddl.ExitCode == 0, ddl.ToString());

        await using (var committed = new NpgsqlConnection(ConnectionString(port)))
        {
            await committed.OpenAsync();
            await using var tx = await committed.BeginTransactionAsync();
            await using (var insert = new NpgsqlCommand("INSERT INTO events (kind) VALUES (@kind)", committed, tx))
            {
                insert.Parameters.AddWithValue("kind", "purchase");
                Assert.Equal(1, await insert.ExecuteNonQueryAsync());
            }
            await tx.CommitAsync();
        }

        // An open transaction with a row in it when the process dies.
        var pending = new NpgsqlConnection(ConnectionString(port));
        await pending.OpenAsync();
        var pendingTx = await pending.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO events (kind) VALUES ('never-committed')", pending, pendingTx))
            await insert.ExecuteNonQueryAsync();

        await server.RestartAsync(crash: true);
        await pending.DisposeAsync();

        var after = await WaitForSqlAsync(story, port, "SELECT id, kind FROM events ORDER BY id");
        Assert.Equal("1|signup\n2|login\n3|logout\n4|purchase", after.Stdout.Trim().Replace("\r", ""));

        (await server.AwsAsync("redshift", "delete-cluster", "--cluster-identifier", "lifecycle", "--skip-final-cluster-snapshot")).EnsureSuccess();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var described = await server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", "lifecycle");
            if (described.ExitCode != 0)
            {
                Assert.Contains("ClusterNotFound", described.Stderr);
                break;
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException(described.ToString());
            await Task.Delay(200);
        }
        await using var gone = new NpgsqlConnection(ConnectionString(port));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => gone.OpenAsync());
        Assert.True(refused is NpgsqlException { InnerException: SocketException } or SocketException, refused.ToString());
    }

    /// <summary>After a restart the cluster comes back available and its listener with it; retried until then.</summary>
    private static async Task<CommandResult> WaitForSqlAsync(RoleStory story, int port, string sql)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var r = await story.PsqlAsync(port, sql);
            if (r.ExitCode == 0) return r;
            if (DateTime.UtcNow > deadline) throw new TimeoutException(r.ToString());
            await Task.Delay(250);
        }
    }
}
