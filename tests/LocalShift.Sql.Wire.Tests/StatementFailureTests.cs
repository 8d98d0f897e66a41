using LocalShift.Engine;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// Whatever goes wrong in a statement, in whichever phase of either protocol, the client gets an ErrorResponse and
/// then ReadyForQuery, and the connection stays usable. A bug (an exception that is no PgException) answers XX000
/// with a message that names neither the exception's type nor what its text said (a host path here).
/// </summary>
public sealed class StatementFailureTests : IAsyncLifetime
{
    /// <summary>Guards against the hang under test; never part of what is asserted.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly FailingBackend _backend = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Theory]
    [InlineData("split", "EZ")]
    [InlineData("prepare", "EZ")]
    [InlineData("execute", "EZ")]
    [InlineData("read", "TDEZ")]
    [InlineData("commit", "TDCEZ")]
    public async Task A_bug_in_any_phase_of_a_simple_query_answers_XX000_then_ReadyForQuery(string phase, string expected)
    {
        await using var client = await RawProtocolClient.ConnectAsync(_backend.Endpoint);
        await client.QueryAsync($"select 'fail:{phase}'");
        var failed = await client.ReadUntilReadyAsync().WaitAsync(HangGuard);
        Assert.Equal(expected, RawProtocolClient.Types(failed));
        AssertInternalError(failed);

        await client.QueryAsync("select 1");
        Assert.Equal("TDCZ", RawProtocolClient.Types(await client.ReadUntilReadyAsync().WaitAsync(HangGuard)));
    }

    [Theory]
    [InlineData("prepare", "EZ")]
    [InlineData("validate", "EZ")]
    [InlineData("bind", "1EZ")]
    [InlineData("execute", "12EZ")]
    [InlineData("read", "12TDEZ")]
    [InlineData("commit", "12TDCEZ")]
    public async Task A_bug_in_any_phase_of_an_extended_query_answers_XX000_skips_to_Sync_then_ReadyForQuery(string phase, string expected)
    {
        await using var client = await RawProtocolClient.ConnectAsync(_backend.Endpoint);
        await SendBatchAsync(client, $"select 'fail:{phase}'");
        var failed = await client.ReadUntilReadyAsync().WaitAsync(HangGuard);
        Assert.Equal(expected, RawProtocolClient.Types(failed));
        AssertInternalError(failed);

        await SendBatchAsync(client, "select 1");
        Assert.Equal("12TDCZ", RawProtocolClient.Types(await client.ReadUntilReadyAsync().WaitAsync(HangGuard)));
        await client.QueryAsync("select 1");
        Assert.Equal("TDCZ", RawProtocolClient.Types(await client.ReadUntilReadyAsync().WaitAsync(HangGuard)));
    }

    [Fact]
    public async Task A_bug_in_describe_statement_answers_XX000_then_ReadyForQuery()
    {
        await using var client = await RawProtocolClient.ConnectAsync(_backend.Endpoint);
        await client.ParseAsync("s", "select 'fail:describe'");
        await client.DescribeAsync('S', "s");
        await client.BindAsync("", "s");
        await client.ExecuteAsync("", 0);
        await client.SyncAsync();
        var failed = await client.ReadUntilReadyAsync().WaitAsync(HangGuard);
        Assert.Equal("1EZ", RawProtocolClient.Types(failed));
        AssertInternalError(failed);

        await SendBatchAsync(client, "select 1");
        Assert.Equal("12TDCZ", RawProtocolClient.Types(await client.ReadUntilReadyAsync().WaitAsync(HangGuard)));
    }

    [Fact]
    public async Task A_malformed_query_message_answers_an_error_then_ReadyForQuery()
    {
        await using var client = await RawProtocolClient.ConnectAsync(_backend.Endpoint);
        await client.SendAsync('Q', "select 1"u8.ToArray()); // no terminating NUL
        var failed = await client.ReadUntilReadyAsync().WaitAsync(HangGuard);
        Assert.Equal("EZ", RawProtocolClient.Types(failed));
        Assert.Equal("08P01", RawProtocolClient.Fields(failed[0].Body)['C']);
        await client.QueryAsync("select 1");
        Assert.Equal("TDCZ", RawProtocolClient.Types(await client.ReadUntilReadyAsync().WaitAsync(HangGuard)));
    }

    [Theory]
    [InlineData("prepare")]
    [InlineData("validate")]
    [InlineData("execute")]
    [InlineData("read")]
    [InlineData("commit")]
    public async Task Npgsql_keeps_its_connection_after_a_statement_error_in_any_phase(string phase)
    {
        await using var source = NpgsqlSource();
        await using var connection = await source.OpenConnectionAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => ReadAllAsync(connection, $"select 'denied:{phase}'"));
        Assert.Equal("42501", error.SqlState);
        await using var next = new NpgsqlCommand("select 1", connection);
        Assert.Equal("1", await next.ExecuteScalarAsync().WaitAsync(HangGuard));
    }

    [Theory]
    [InlineData("prepare")]
    [InlineData("execute")]
    [InlineData("read")]
    [InlineData("commit")]
    public async Task Npgsql_gets_an_internal_error_as_XX000_without_its_text(string phase)
    {
        await using var source = NpgsqlSource();
        await using (var connection = await source.OpenConnectionAsync())
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => ReadAllAsync(connection, $"select 'fail:{phase}'"));
            Assert.Equal("XX000", error.SqlState);
            Assert.DoesNotContain("/home/alice", error.MessageText);
            Assert.DoesNotContain("Exception", error.MessageText);
        }
        // Npgsql itself closes a connection after any class XX error (it takes the server for dying); the server
        // goes on, as the raw-protocol tests above show on the same connection.
        await using var again = await source.OpenConnectionAsync();
        await using var next = new NpgsqlCommand("select 1", again);
        Assert.Equal("1", await next.ExecuteScalarAsync().WaitAsync(HangGuard));
    }

    private NpgsqlDataSource NpgsqlSource()
    {
        var builder = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder
        {
            Host = _backend.Endpoint.Address.ToString(),
            Port = _backend.Endpoint.Port,
            Username = ClusterEndpoint.Master,
            Password = ClusterEndpoint.Password,
            Database = ClusterEndpoint.Database,
            Pooling = false,
            Timeout = 10,
        }.ConnectionString);
        // The fake backend answers no catalog queries.
        builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        return builder.Build();
    }

    private static async Task ReadAllAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync().WaitAsync(HangGuard);
        while (await reader.ReadAsync().WaitAsync(HangGuard)) { }
    }

    private static async Task SendBatchAsync(RawProtocolClient client, string sql)
    {
        await client.ParseAsync("", sql);
        await client.BindAsync("", "");
        await client.DescribeAsync('P', "");
        await client.ExecuteAsync("", 0);
        await client.SyncAsync();
    }

    private static void AssertInternalError(List<(char Type, byte[] Body)> messages)
    {
        var fields = RawProtocolClient.Fields(messages.Single(m => m.Type == 'E').Body);
        Assert.Equal("ERROR", fields['S']);
        Assert.Equal("XX000", fields['C']);
        Assert.NotEqual("", fields['M']);
        Assert.DoesNotContain("/home/alice", fields['M']);
        Assert.DoesNotContain("broke", fields['M']);
        Assert.DoesNotContain("Exception", fields['M']);
    }
}

/// <summary>The same guarantee on a real cluster, for statements that once left psql waiting forever.</summary>
public sealed class ClusterStatementFailureTests(ClusterStatementFailureTests.Endpoint endpoint) : IClassFixture<ClusterStatementFailureTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.Cleartext; }

    [Theory]
    [InlineData("create index failing_i on failing_t(a)")]
    [InlineData("create macro failing_m(x) as x + 1")]
    [InlineData("create type failing_ty as enum ('a')")]
    public async Task A_non_superusers_unsupported_statement_answers_an_error_and_the_session_goes_on(string sql)
    {
        await using (var master = await RawProtocolClient.ConnectAsync(endpoint))
        {
            // Each on its own: the user and the table are left from the test before.
            foreach (var setup in new[] { "create user failing_user password 'Failing123'", "create table failing_t(a int)", "grant all on failing_t to failing_user" })
            {
                await master.QueryAsync(setup);
                await master.ReadUntilReadyAsync();
            }
        }
        await using var client = await RawProtocolClient.ConnectAsync(endpoint.Endpoint, "failing_user", "Failing123");
        await client.QueryAsync(sql);
        var failed = await client.ReadUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("EZ", RawProtocolClient.Types(failed));
        Assert.DoesNotContain("Exception", RawProtocolClient.Fields(failed[0].Body)['M']);
        await client.QueryAsync("select count(*) from failing_t");
        Assert.Equal("TDCZ", RawProtocolClient.Types(await client.ReadUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(30))));
    }
}
