using LocalShift.Engine;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// pg_cancel_backend(pid) and pg_terminate_backend(pid) between two connections, for the pids stv_sessions shows: a
/// superuser signals any session, a user only their own; the answer is 1 when signaled, 0 (with a warning) for a pid
/// that is no session.
/// </summary>
public sealed class BackendSignalTests(ClusterEndpoint endpoint) : IClassFixture<ClusterEndpoint>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql) => await new NpgsqlCommand(sql, connection).ExecuteScalarAsync();

    [Fact]
    public async Task Pg_cancel_backend_stops_another_sessions_query_and_that_session_goes_on()
    {
        await using var asking = await endpoint.OpenAsync();
        await using var running = await endpoint.OpenAsync();
        var query = new NpgsqlCommand(StatementTimeoutTests.LongQuery, running).ExecuteScalarAsync();

        // Signaled again until the query, which may not have started yet, has stopped.
        object? answer = null;
        var until = DateTime.UtcNow + Deadline;
        while (!query.IsCompleted && DateTime.UtcNow < until)
        {
            answer = await ScalarAsync(asking, $"select pg_cancel_backend({running.ProcessID})");
            await Task.WhenAny(query, Task.Delay(200));
        }

        Assert.Equal(1, answer);
        var error = await Assert.ThrowsAsync<PostgresException>(() => query);
        Assert.Equal("57014", error.SqlState);
        Assert.Equal(1, await ScalarAsync(running, "select 1"));
    }

    [Fact]
    public async Task Pg_terminate_backend_closes_another_session_and_it_leaves_stv_sessions()
    {
        await using var asking = await endpoint.OpenAsync();
        var idle = await endpoint.OpenAsync();
        var pid = idle.ProcessID;
        Assert.Equal(1L, await ScalarAsync(asking, $"select count(*) from stv_sessions where process = {pid}"));

        Assert.Equal(1, await ScalarAsync(asking, $"select pg_terminate_backend({pid})"));

        var gone = await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(idle, "select 1"));
        Assert.True(gone is PostgresException { SqlState: "57P01" } || gone.InnerException is not null || idle.FullState == System.Data.ConnectionState.Broken,
            gone.ToString());
        var until = DateTime.UtcNow + Deadline;
        long listed;
        while ((listed = (long)(await ScalarAsync(asking, $"select count(*) from stv_sessions where process = {pid}"))!) > 0 && DateTime.UtcNow < until)
            await Task.Delay(50);
        Assert.Equal(0L, listed);
        await idle.DisposeAsync();
    }

    [Fact]
    public async Task Pg_terminate_backend_of_a_running_query_ends_that_connection_with_57P01()
    {
        await using var asking = await endpoint.OpenAsync();
        await using var running = await endpoint.OpenAsync();
        var query = new NpgsqlCommand(StatementTimeoutTests.LongQuery, running).ExecuteScalarAsync();
        await Task.WhenAny(query, Task.Delay(300));

        Assert.Equal(1, await ScalarAsync(asking, $"select pg_terminate_backend({running.ProcessID})"));

        await Assert.ThrowsAnyAsync<Exception>(() => query);
        var after = await Assert.ThrowsAnyAsync<Exception>(() => ScalarAsync(running, "select 1"));
        Assert.NotEqual(System.Data.ConnectionState.Open, running.State);
        Assert.DoesNotContain("timeout", after.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_pid_that_is_no_session_answers_0_with_a_warning()
    {
        await using var connection = await endpoint.OpenAsync();
        var notices = new List<string>();
        connection.Notice += (_, e) => notices.Add(e.Notice.MessageText);

        Assert.Equal(0, await ScalarAsync(connection, "select pg_cancel_backend(1)"));
        Assert.Contains("PID 1 is not a PostgreSQL server process", notices);
    }

    [Fact]
    public async Task A_user_signals_their_own_sessions_but_not_another_users()
    {
        await using var master = await endpoint.OpenAsync();
        await new NpgsqlCommand("create user signal_user password 'Signal123'", master).ExecuteNonQueryAsync();
        await using var user = await endpoint.OpenAsync("signal_user", "Signal123");
        await using var usersOther = await endpoint.OpenAsync("signal_user", "Signal123");

        var denied = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(user, $"select pg_cancel_backend({master.ProcessID})"));
        Assert.Equal("42501", denied.SqlState);
        Assert.Equal("permission denied to cancel query", denied.MessageText);
        var deniedTerminate = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(user, $"select pg_terminate_backend({master.ProcessID})"));
        Assert.Equal("permission denied to terminate process", deniedTerminate.MessageText);
        Assert.Equal(1, await ScalarAsync(master, "select 1"));

        Assert.Equal(1, await ScalarAsync(user, $"select pg_cancel_backend({usersOther.ProcessID})"));
        Assert.Equal(1, await ScalarAsync(usersOther, "select 1"));
    }

    [Fact]
    public async Task The_host_function_behind_them_does_not_exist_for_users()
    {
        await using var connection = await endpoint.OpenAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(connection, $"select ls_cancel_backend(1, {connection.ProcessID})"));
        Assert.Equal("42883", error.SqlState);
    }
}
