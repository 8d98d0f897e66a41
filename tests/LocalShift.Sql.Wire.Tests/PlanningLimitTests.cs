using System.Diagnostics;
using LocalShift.Engine;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// Statements too big for the engine to plan within the cluster's memory (here 1 GB) are refused before the engine
/// sees them, and so are texts past Redshift's 16 MB: the client gets the error at once, the session goes on, and the
/// server does not grow (a 20,000-term UNION ALL once took it past 9 GB).
/// </summary>
public sealed class PlanningLimitTests(PlanningLimitTests.Endpoint endpoint) : IClassFixture<PlanningLimitTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint
    {
        protected override long? MemoryLimit => 1L << 30;
    }

    [Fact]
    public async Task A_20000_term_union_all_fails_with_54001_without_growing_the_server_and_the_session_goes_on()
    {
        await using var connection = new NpgsqlConnection(endpoint.ConnectionString() + ";Include Error Detail=true");
        await connection.OpenAsync();
        var sql = string.Join(" UNION ALL ", Enumerable.Range(0, 20_000).Select(i => $"SELECT {i} AS x"));
        using var process = Process.GetCurrentProcess();
        var before = process.WorkingSet64;

        var error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(sql, connection).ExecuteScalarAsync());

        Assert.Equal(("54001", "statement is too complex"), (error.SqlState, error.MessageText));
        Assert.Contains("memory limit (1 GB)", error.Detail);
        process.Refresh();
        // A sanity bound, not a measurement: planning it took the server from 0.15 to 9 GB.
        Assert.True(process.WorkingSet64 - before < 1L << 30, $"grew by {(process.WorkingSet64 - before) >> 20} MB");
        Assert.Equal(42, await new NpgsqlCommand("select 42", connection).ExecuteScalarAsync());
        // Within the budget, the same shape still runs.
        var small = string.Join(" UNION ALL ", Enumerable.Range(0, 100).Select(i => $"SELECT {i} AS x"));
        Assert.Equal(100L, await new NpgsqlCommand($"select count(*) from ({small}) u", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_statement_past_16MB_fails_with_redshifts_text_and_the_session_goes_on()
    {
        await using var connection = await endpoint.OpenAsync();
        var sql = "select length('" + new string('x', 16 * 1024 * 1024) + "')";

        var error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(sql, connection).ExecuteScalarAsync());

        Assert.Equal("42601", error.SqlState);
        Assert.Equal($"Statement is too large. Statement Size: {sql.Length} bytes. Maximum Allowed: 16777216 bytes", error.MessageText);
        Assert.Equal(1, await new NpgsqlCommand("select 1", connection).ExecuteScalarAsync());
    }
}
