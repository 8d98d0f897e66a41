using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// A Query message with several statements runs them in one implicit transaction, as PostgreSQL's protocol
/// documentation describes ("Multiple Statements in a Simple Query"); the cases are the documentation's own.
/// </summary>
public sealed class SimpleQueryTransactionTests(SimpleQueryTransactionTests.Endpoint endpoint) : IClassFixture<SimpleQueryTransactionTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.Cleartext; }

    [Fact]
    public async Task An_error_rolls_back_the_statements_before_it_in_the_same_message()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await Run(client, "create table implicit_a(i int)");
        await client.QueryAsync("insert into implicit_a values (1); insert into implicit_a values (2); insert into nowhere_a values (3); insert into implicit_a values (4)");
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal("CCEZ", RawProtocolClient.Types(messages));
        Assert.Equal("42P01", RawProtocolClient.Fields(messages[2].Body)['C']);
        Assert.Equal((byte)'I', messages[^1].Body[0]);
        Assert.Equal("0", await Scalar(client, "select count(*) from implicit_a"));
    }

    [Fact]
    public async Task Statements_of_a_message_that_succeeds_are_committed_for_other_sessions()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.QueryAsync("create table implicit_b(i int); insert into implicit_b values (1); insert into implicit_b values (2)");
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal("CCCZ", RawProtocolClient.Types(messages));
        Assert.Equal((byte)'I', messages[^1].Body[0]);
        await using var other = await RawProtocolClient.ConnectAsync(endpoint);
        Assert.Equal("2", await Scalar(other, "select count(*) from implicit_b"));
    }

    [Fact]
    public async Task A_commit_in_the_message_keeps_what_came_before_it()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await Run(client, "create table implicit_c(i int)");
        await client.QueryAsync("insert into implicit_c values (1); commit; insert into implicit_c values (2); select * from nowhere_c");
        var messages = await client.ReadUntilReadyAsync();
        // PostgreSQL warns that no transaction block is open, and commits the implicit one.
        Assert.Equal("CNCCEZ", RawProtocolClient.Types(messages));
        Assert.Equal("there is no transaction in progress", RawProtocolClient.Fields(messages[1].Body)['M']);
        Assert.Equal("COMMIT", RawProtocolClient.CommandTag(messages[2].Body));
        Assert.Equal("42P01", RawProtocolClient.Fields(messages[4].Body)['C']);
        Assert.Equal("1", await Scalar(client, "select string_agg(cast(i as varchar), ',') from implicit_c"));
    }

    [Fact]
    public async Task A_rollback_in_the_message_undoes_what_came_before_it()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await Run(client, "create table implicit_d(i int)");
        await client.QueryAsync("insert into implicit_d values (3); rollback; insert into implicit_d values (4)");
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal("CNCCZ", RawProtocolClient.Types(messages));
        Assert.Equal("4", await Scalar(client, "select string_agg(cast(i as varchar), ',') from implicit_d"));
    }

    [Fact]
    public async Task A_begin_in_the_message_turns_it_into_a_block_that_an_error_leaves_failed()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await Run(client, "create table implicit_e(i int)");
        await client.QueryAsync("insert into implicit_e values (5); begin; insert into implicit_e values (6); select * from nowhere_e");
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal("CCCEZ", RawProtocolClient.Types(messages));
        Assert.Equal((byte)'E', messages[^1].Body[0]);
        await client.QueryAsync("select 1");
        var refused = await client.ReadUntilReadyAsync();
        Assert.Equal("25P02", RawProtocolClient.Fields(refused[0].Body)['C']);
        await Run(client, "rollback");
        Assert.Equal("0", await Scalar(client, "select count(*) from implicit_e"));
    }

    [Fact]
    public async Task Inside_an_open_block_a_message_continues_the_block()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await Run(client, "create table implicit_f(i int)");
        await Run(client, "begin");
        await client.QueryAsync("insert into implicit_f values (7); insert into implicit_f values (8)");
        Assert.Equal((byte)'T', (await client.ReadUntilReadyAsync())[^1].Body[0]);
        await Run(client, "rollback");
        Assert.Equal("0", await Scalar(client, "select count(*) from implicit_f"));
    }

    private static async Task Run(RawProtocolClient client, string sql)
    {
        await client.QueryAsync(sql);
        var messages = await client.ReadUntilReadyAsync();
        Assert.DoesNotContain('E', RawProtocolClient.Types(messages));
    }

    private static async Task<string?> Scalar(RawProtocolClient client, string sql)
    {
        await client.QueryAsync(sql);
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal("TDCZ", RawProtocolClient.Types(messages));
        return RawProtocolClient.TextValues(messages[1].Body)[0];
    }
}
