using System.Diagnostics;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace LocalShift.E2E.Tests.Sql;

/// <summary>
/// A cluster's connection limit as a client meets it: Redshift's 500 by default, <c>--sql-max-connections</c> to change
/// it; the connection past it is refused with FATAL 53300, and closing one lets the next in.
/// </summary>
public class ConnectionLimitTests(ITestOutputHelper output)
{
    private static string ConnectionString(int port) =>
        $"Host=127.0.0.1;Port={port};Username=admin;Password={RoleStory.Password};Database=dev;Pooling=false;Timeout=30;SSL Mode=Disable";

    private static async Task<NpgsqlConnection> OpenAsync(int port)
    {
        var connection = new NpgsqlConnection(ConnectionString(port));
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public async Task With_sql_max_connections_3_psql_and_npgsql_are_refused_at_the_fourth_until_one_closes()
    {
        await using var server = await LocalShiftServer.StartAsync(null, "--sql-max-connections", "3");
        var story = new RoleStory(server);
        var port = await story.CreateClusterAsync("limited", []);
        var open = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 3; i++) open.Add(await OpenAsync(port));

            var refused = await Assert.ThrowsAsync<PostgresException>(() => OpenAsync(port));
            Assert.Equal("53300", refused.SqlState);
            Assert.Equal("connection limit \"3\" exceeded for non-bootstrap users", refused.MessageText);

            var psql = await story.PsqlAsync(port, "SELECT 1");
            Assert.Equal(2, psql.ExitCode);
            Assert.Contains("FATAL:  connection limit \"3\" exceeded for non-bootstrap users", psql.Stderr);

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            // The server gives the slot back when it sees the connection end, a moment after the client closed it.
            CommandResult after;
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while ((after = await story.PsqlAsync(port, "SELECT 'in'")).ExitCode != 0
                   && after.Stderr.Contains("connection limit") && DateTime.UtcNow < deadline)
                await Task.Delay(50);
            Assert.True(after.ExitCode == 0, after.ToString());
            Assert.Contains("in", after.Stdout);
        }
        finally
        {
            foreach (var c in open) await c.DisposeAsync();
        }
    }

    // Opening 500 connections (SCRAM, a thread and a DuckDB connection each) took 13.5 s, 21 s for the whole test, on
    // this 2-core machine under a load average of about 9: too slow for every run. The limit itself is covered with 3.
    [Fact(Skip = "slow (about 20 s): opens 500 connections; remove Skip to run it by hand")]
    public async Task By_default_500_connections_are_taken_and_the_501st_is_refused()
    {
        await using var server = await LocalShiftServer.StartAsync();
        var port = await new RoleStory(server).CreateClusterAsync("crowded", []);
        var open = new List<NpgsqlConnection>();
        var watch = Stopwatch.StartNew();
        try
        {
            // In parallel batches, as a pool warming up would.
            for (var batch = 0; batch < 500; batch += 25)
                open.AddRange(await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => OpenAsync(port))));
            output.WriteLine($"500 connections open after {watch.Elapsed.TotalSeconds:F1} s");

            var refused = await Assert.ThrowsAsync<PostgresException>(() => OpenAsync(port));
            Assert.Equal("53300", refused.SqlState);
            Assert.Equal("connection limit \"500\" exceeded for non-bootstrap users", refused.MessageText);

            var last = open[^1];
            Assert.Equal(1, await new NpgsqlCommand("select 1", last).ExecuteScalarAsync());
        }
        finally
        {
            foreach (var c in open) await c.DisposeAsync();
            output.WriteLine($"done after {watch.Elapsed.TotalSeconds:F1} s");
        }
    }
}
