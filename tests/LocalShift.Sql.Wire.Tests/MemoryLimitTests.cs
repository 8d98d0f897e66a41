using LocalShift.Engine;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// The cluster's memory limit (here 64 MB): a statement that needs more fails with SQLSTATE 53200 for that statement
/// only; the connection, the session's transaction state and the server go on.
/// </summary>
public sealed class MemoryLimitTests(MemoryLimitTests.Endpoint endpoint) : IClassFixture<MemoryLimitTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint
    {
        protected override long? MemoryLimit => 64L << 20;
        protected override PgAuthMethod Method => PgAuthMethod.Cleartext;
    }

    /// <summary>An aggregate that must hold its whole input (about 500 MB of text) at once: it cannot spill.</summary>
    private const string Runaway = "select length(string_agg(repeat('x', 100) || i::varchar, ',')) from generate_series(1, 5000000) g(i)";

    [Fact]
    public async Task A_statement_past_the_memory_limit_fails_with_53200_and_the_next_one_on_the_connection_works()
    {
        // Over the raw protocol: Npgsql itself closes its connection after any class 53 error (it takes the server
        // for overloaded); psql and the session go on.
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);

        await client.QueryAsync(Runaway);
        var failed = await client.ReadUntilReadyAsync();
        var error = RawProtocolClient.Fields(Assert.Single(failed, m => m.Type == 'E').Body);
        Assert.Equal("53200", error['C']);
        Assert.Equal("out of memory", error['M']);

        await client.QueryAsync("select 42");
        var answered = await client.ReadUntilReadyAsync();
        Assert.Equal("TDCZ", RawProtocolClient.Types(answered));
        Assert.Equal(["42"], RawProtocolClient.TextValues(answered[1].Body));
    }

    [Fact]
    public async Task An_npgsql_client_sees_53200_and_another_connection_works_after_it()
    {
        await using var first = await endpoint.OpenAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(Runaway, first).ExecuteScalarAsync());
        Assert.Equal("53200", error.SqlState);

        await using var second = await endpoint.OpenAsync();
        Assert.Equal(1, await new NpgsqlCommand("select 1", second).ExecuteScalarAsync());
    }
}
