using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// Parse answers with ErrorResponse for a statement that cannot run, as PostgreSQL does: a syntax error for any
/// statement, an unknown table or column for a query or INSERT/UPDATE/DELETE. Nothing runs at Parse.
/// </summary>
public sealed class ParseValidationTests(ParseValidationTests.Endpoint endpoint) : IClassFixture<ParseValidationTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.Cleartext; }

    [Theory]
    [InlineData("selec 1", "42601")]
    [InlineData("select * from parse_nowhere", "42P01")]
    [InlineData("select nope from (select 1 as one) t", "42703")]
    [InlineData("insert into parse_nowhere values ($1)", "42P01")]
    [InlineData("update parse_nowhere set a = 1", "42P01")]
    [InlineData("create tabel parse_bad(a int)", "42601")]
    public async Task A_statement_that_cannot_run_is_refused_at_parse(string sql, string sqlState)
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.ParseAsync("", sql);
        await client.BindAsync("", "");
        await client.ExecuteAsync("", 0);
        await client.SyncAsync();
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal("EZ", RawProtocolClient.Types(messages));
        Assert.Equal(sqlState, RawProtocolClient.Fields(messages[0].Body)['C']);
        Assert.Equal((byte)'I', messages[^1].Body[0]);
    }

    [Fact]
    public async Task Ddl_is_only_parsed_so_a_missing_object_is_reported_when_it_runs()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.ParseAsync("", "drop table parse_never_created");
        await client.BindAsync("", "");
        await client.ExecuteAsync("", 0);
        await client.SyncAsync();
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal("12EZ", RawProtocolClient.Types(messages));
        Assert.Equal("42P01", RawProtocolClient.Fields(messages[2].Body)['C']);
    }

    [Fact]
    public async Task Parse_runs_nothing()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.QueryAsync("create table parse_untouched(a int)");
        await client.ReadUntilReadyAsync();
        await client.ParseAsync("", "insert into parse_untouched values (1)");
        await client.SyncAsync();
        Assert.Equal("1Z", RawProtocolClient.Types(await client.ReadUntilReadyAsync()));
        await client.QueryAsync("select count(*) from parse_untouched");
        var count = await client.ReadUntilReadyAsync();
        Assert.Equal("0", RawProtocolClient.TextValues(count[1].Body)[0]);
    }

    [Fact]
    public async Task A_statement_parsed_again_after_its_table_was_dropped_is_refused()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.QueryAsync("create table parse_dropped(a int)");
        await client.ReadUntilReadyAsync();
        await client.ParseAsync("", "select a from parse_dropped");
        await client.SyncAsync();
        Assert.Equal("1Z", RawProtocolClient.Types(await client.ReadUntilReadyAsync()));

        await using var other = await RawProtocolClient.ConnectAsync(endpoint);
        await other.QueryAsync("drop table parse_dropped");
        Assert.Equal("CZ", RawProtocolClient.Types(await other.ReadUntilReadyAsync()));

        await client.ParseAsync("", "select a from parse_dropped");
        await client.SyncAsync();
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal("EZ", RawProtocolClient.Types(messages));
        Assert.Equal("42P01", RawProtocolClient.Fields(messages[0].Body)['C']);
    }

    [Fact]
    public async Task In_a_failed_block_parse_is_refused_until_rollback()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.QueryAsync("begin");
        await client.ReadUntilReadyAsync();
        await client.QueryAsync("select * from parse_nowhere");
        Assert.Equal((byte)'E', (await client.ReadUntilReadyAsync())[^1].Body[0]);
        await client.ParseAsync("", "select 1");
        await client.SyncAsync();
        var refused = await client.ReadUntilReadyAsync();
        Assert.Equal("EZ", RawProtocolClient.Types(refused));
        Assert.Equal("25P02", RawProtocolClient.Fields(refused[0].Body)['C']);
        await client.ParseAsync("", "rollback");
        await client.BindAsync("", "");
        await client.ExecuteAsync("", 0);
        await client.SyncAsync();
        var rolledBack = await client.ReadUntilReadyAsync();
        Assert.Equal("12CZ", RawProtocolClient.Types(rolledBack));
        Assert.Equal((byte)'I', rolledBack[^1].Body[0]);
    }
}
