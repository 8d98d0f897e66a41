using System.Diagnostics;
using System.Text;
using LocalShift.E2E.Tests.Infrastructure;
using Npgsql;

namespace LocalShift.E2E.Tests.Copy;

/// <summary>A cluster with a large object to load, a role to load it with, and a user who holds one table only.</summary>
public sealed class CancelFixture : IAsyncLifetime
{
    public const int Rows = 5_000_000;
    public LocalShiftServer Server { get; private set; } = null!;
    public RoleStory Story { get; private set; } = null!;
    public int Port { get; private set; }
    public string Role { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await LocalShiftServer.StartAsync();
        Story = new RoleStory(Server);
        Role = await Story.CreateRoleAsync("Loader", policy: RoleStory.S3Policy("cancel-data", "s3:GetObject", "s3:ListBucket", "s3:PutObject"));
        Port = await Story.CreateClusterAsync("cancels", [Role]);
        (await Server.AwsAsync("s3", "mb", "s3://cancel-data")).EnsureSuccess();
        var body = new StringBuilder(Rows * 24);
        for (var i = 0; i < Rows; i++) body.Append(i).Append(",row number ").Append(i).Append('\n');
        await Story.PutAsync("cancel-data", "big/rows.csv", Encoding.ASCII.GetBytes(body.ToString()));
        (await Story.PsqlAsync(Port,
            "CREATE TABLE granted_t (id INT, v VARCHAR(20))", "CREATE TABLE secret_t (id INT, s VARCHAR(20))",
            "INSERT INTO secret_t VALUES (1, 'hidden')", "CREATE USER alice PASSWORD 'Alice1234'",
            "GRANT SELECT ON granted_t TO alice")).EnsureSuccess();
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public class CancelAndSealTests(CancelFixture f) : IClassFixture<CancelFixture>
{
    private string ConnectionString => $"Host=127.0.0.1;Port={f.Port};Username=admin;Password={RoleStory.Password};Database=dev;Pooling=false;Timeout=30;Command Timeout=120;SSL Mode=Disable;Cancellation Timeout=0";

    private async Task<long> CountAsync(string table)
    {
        var r = (await f.Story.PsqlAsync(f.Port, $"SELECT count(*) FROM {table}")).EnsureSuccess();
        return long.Parse(r.Stdout.Trim());
    }

    private string Copy(string table, string prefix = "big/") => $"COPY {table} FROM 's3://cancel-data/{prefix}' IAM_ROLE '{f.Role}' CSV";

    [Fact]
    public async Task A_cancel_request_stops_a_large_copy_and_the_table_is_unchanged()
    {
        (await f.Story.PsqlAsync(f.Port, "CREATE TABLE canceled (id INT, name VARCHAR(30))", "INSERT INTO canceled VALUES (-1, 'before')")).EnsureSuccess();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(Copy("canceled"), connection);
        var running = command.ExecuteNonQueryAsync();
        await Task.Delay(400);
        command.Cancel();
        // Npgsql reports a canceled command as OperationCanceledException around the server's error.
        // Cancellation Timeout=0: Npgsql waits for the server's own answer to the cancel (bounded here), not 2 s.
        var canceled = await Assert.ThrowsAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(60)));
        var e = Assert.IsType<PostgresException>(canceled.InnerException);
        Assert.Equal("57014", e.SqlState);
        Assert.Equal("canceling statement due to user request", e.MessageText);
        Assert.Equal(1, await CountAsync("canceled"));
        // The session goes on, and the same COPY, not canceled, loads every row.
        await using var again = new NpgsqlCommand(Copy("canceled"), connection);
        Assert.Equal(CancelFixture.Rows, await again.ExecuteNonQueryAsync());
        Assert.Equal(CancelFixture.Rows + 1, await CountAsync("canceled"));
    }

    [Fact]
    public async Task A_client_that_goes_away_stops_its_copy_and_the_table_is_unchanged()
    {
        (await f.Story.PsqlAsync(f.Port, "CREATE TABLE abandoned (id INT, name VARCHAR(30))", "INSERT INTO abandoned VALUES (-1, 'before')")).EnsureSuccess();
        // Six copies of the 5-million-row file, so that the COPY is still running when the client is killed (the
        // session is found through psql polls, which take longer than one file's load on a quiet machine; with three,
        // a clean-clone CI run once saw the COPY commit first). Canceled, the COPY ends within a second or two anyway.
        for (var i = 0; i < 6; i++)
            (await f.Server.AwsAsync("s3api", "copy-object", "--bucket", "cancel-data", "--key", $"many/rows-{i}.csv", "--copy-source", "cancel-data/big/rows.csv")).EnsureSuccess();
        var psql = Process.Start(new ProcessStartInfo("/usr/bin/psql", ["-h", "127.0.0.1", "-p", f.Port.ToString(), "-U", "admin", "-d", "dev", "-X", "-c", Copy("abandoned", "many/")])
        {
            Environment = { ["PGPASSWORD"] = RoleStory.Password, ["PGSSLMODE"] = "disable" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var pid = await SessionOfAsync("abandoned");
        psql.Kill();
        await psql.WaitForExitAsync();
        // The server notices the closed socket, cancels the COPY, and the session ends; the table keeps its one row.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && await SessionExistsAsync(pid)) await Task.Delay(200);
        Assert.False(await SessionExistsAsync(pid), "the abandoned session is still running its COPY");
        Assert.Equal(1, await CountAsync("abandoned"));
    }

    /// <summary>The process id of the session running a COPY into the table, once it shows in stv_sessions' query log.</summary>
    private async Task<int> SessionOfAsync(string table)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var r = await f.Story.PsqlAsync(f.Port,
                $"SELECT session_id FROM sys_query_history WHERE status = 'running' AND query_text LIKE 'COPY {table} %'");
            if (r.ExitCode == 0 && int.TryParse(r.Stdout.Trim(), out var pid)) return pid;
            await Task.Delay(50);
        }
        throw new TimeoutException("the COPY never started");
    }

    private async Task<bool> SessionExistsAsync(int pid) =>
        (await f.Story.PsqlAsync(f.Port, $"SELECT count(*) FROM stv_sessions WHERE process = {pid}")).EnsureSuccess().Stdout.Trim() != "0";

    [Fact]
    public async Task Unload_of_a_query_over_a_forbidden_table_is_refused()
    {
        (await f.Story.PsqlAsync(f.Port, $"GRANT ASSUMEROLE ON '{f.Role}' TO alice FOR UNLOAD")).EnsureSuccess();
        var r = await f.Story.PsqlAsAsync(f.Port, "alice", "Alice1234",
            $"UNLOAD ('select g.id, s.s from granted_t g, secret_t s') TO 's3://cancel-data/stolen/' IAM_ROLE '{f.Role}'");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("permission denied for relation secret_t", r.Stderr);
        Assert.Empty(await f.Story.KeysAsync("cancel-data", "stolen/"));
    }

    [Fact]
    public async Task Copy_into_a_forbidden_table_or_the_hidden_catalog_is_refused()
    {
        (await f.Story.PsqlAsync(f.Port, $"GRANT ASSUMEROLE ON '{f.Role}' TO alice FOR COPY")).EnsureSuccess();
        var r = await f.Story.PsqlAsAsync(f.Port, "alice", "Alice1234", $"COPY secret_t FROM 's3://cancel-data/big/' IAM_ROLE '{f.Role}' CSV");
        Assert.Contains("permission denied for relation secret_t", r.Stderr);
        // Not even the superuser loads into LocalShift's own catalog or a system catalog.
        r = await f.Story.PsqlAsync(f.Port, $"COPY __localshift.users FROM 's3://cancel-data/big/' IAM_ROLE '{f.Role}' CSV");
        Assert.Contains("relation \"__localshift.users\" does not exist", r.Stderr);
        r = await f.Story.PsqlAsync(f.Port, $"COPY stl_load_errors FROM 's3://cancel-data/big/' IAM_ROLE '{f.Role}' CSV");
        Assert.Contains("is a system catalog", r.Stderr);
        Assert.Equal(1, await CountAsync("secret_t"));
    }

    [Fact]
    public async Task Unload_cannot_leave_its_query_to_write_a_file_of_the_host()
    {
        var target = Path.Combine(Path.GetTempPath(), "localshift-escape-" + Guid.NewGuid().ToString("N"));
        var r = await f.Story.PsqlAsync(f.Port,
            $"UNLOAD ('select 1) TO ''{target}'' (FORMAT csv); select (1') TO 's3://cancel-data/escape/' IAM_ROLE '{f.Role}'");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("syntax error", r.Stderr);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Psql_as_a_database_user_reaches_no_host_file_and_no_hidden_catalog()
    {
        foreach (var (sql, error) in new[]
        {
            ("select content from read_text('/etc/hostname')", "function read_text(\"unknown\") does not exist"),
            ("select * from read_csv('/etc/passwd')", "function read_csv(\"unknown\") does not exist"),
            ("attach '/tmp/x.duckdb' as x", "syntax error at or near \"attach\""),
            ("copy granted_t to '/tmp/x.csv'", "COPY TO is not supported"),
            ("select * from __localshift.users", "relation \"__localshift.users\" does not exist"),
            ("select * from granted_t, secret_t", "permission denied for relation secret_t"),
        })
        {
            var r = await f.Story.PsqlAsAsync(f.Port, "alice", "Alice1234", sql);
            Assert.True(r.ExitCode != 0, $"{sql} succeeded: {r.Stdout}");
            Assert.Contains(error, r.Stderr);
        }
        // The superuser neither.
        var admin = await f.Story.PsqlAsync(f.Port, "select content from read_text('/etc/hostname')");
        Assert.Contains("function read_text(\"unknown\") does not exist", admin.Stderr);
    }
}
