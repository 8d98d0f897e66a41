using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Wire.Tests;

public sealed class ExtendedProtocolTests(ExtendedProtocolTests.Endpoint endpoint) : IClassFixture<ExtendedProtocolTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.Cleartext; }

    [Fact]
    public async Task Execute_with_a_row_limit_suspends_the_portal_until_the_rows_run_out()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.ParseAsync("five", "select i from generate_series(0, 4) t(i)");
        await client.BindAsync("cursor", "five");
        await client.ExecuteAsync("cursor", 2);
        await client.ExecuteAsync("cursor", 2);
        await client.ExecuteAsync("cursor", 2);
        await client.SyncAsync();
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal("12DDsDDsDCZ", RawProtocolClient.Types(messages));
        Assert.Equal("SELECT 1", RawProtocolClient.CommandTag(messages[^2].Body));
        Assert.Equal((byte)'I', messages[^1].Body[0]);
    }

    [Fact]
    public async Task A_suspended_portal_runs_its_statement_timeout_per_execute_not_while_the_client_waits()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.QueryAsync("set statement_timeout to 1500");
        await client.ReadUntilReadyAsync();
        await client.ParseAsync("five", "select i from generate_series(0, 4) t(i)");
        await client.BindAsync("slow", "five");
        await client.ExecuteAsync("slow", 2);
        await client.FlushAsync();
        var first = new List<(char Type, byte[] Body)>();
        while (first.Count < 5) first.Add(await client.ReadAsync());
        Assert.Equal("12DDs", RawProtocolClient.Types(first));

        // PostgreSQL's timer ends with each Execute: the client taking longer than the timeout before the next one is
        // no statement running past it.
        await Task.Delay(3000);
        await client.ExecuteAsync("slow", 0);
        await client.SyncAsync();
        var rest = await client.ReadUntilReadyAsync();
        Assert.Equal("DDDCZ", RawProtocolClient.Types(rest));
        Assert.Equal("SELECT 3", RawProtocolClient.CommandTag(rest[^2].Body));
    }

    [Fact]
    public async Task Describe_statement_reports_parameter_types_and_columns_or_no_data()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.ParseAsync("plus", "select $1::int + 1 as next", 23);
        await client.DescribeAsync('S', "plus");
        await client.ParseAsync("ddl", "create table described_t(a int)");
        await client.DescribeAsync('S', "ddl");
        await client.SyncAsync();
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal("1tT1tnZ", RawProtocolClient.Types(messages));
        Assert.Equal(new byte[] { 0, 1, 0, 0, 0, 23 }, messages[1].Body);
    }

    [Fact]
    public async Task Error_in_a_batch_skips_to_sync_and_the_next_batch_runs()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.ParseAsync("", "select * from nowhere");
        await client.BindAsync("", "");
        await client.ExecuteAsync("", 0);
        await client.SyncAsync();
        var failed = await client.ReadUntilReadyAsync();
        // The statement is refused at Parse; Bind and Execute are skipped until Sync.
        Assert.Equal("EZ", RawProtocolClient.Types(failed));
        var fields = RawProtocolClient.Fields(failed[0].Body);
        Assert.Equal("ERROR", fields['S']);
        Assert.Equal("ERROR", fields['V']);
        Assert.Equal("42P01", fields['C']);
        Assert.Equal("relation \"nowhere\" does not exist", fields['M']);

        await client.ParseAsync("", "select $1 || '!' as shout");
        await client.BindAsync("", "", "hi");
        await client.DescribeAsync('P', "");
        await client.ExecuteAsync("", 0);
        await client.CloseAsync('S', "");
        await client.SyncAsync();
        var ok = await client.ReadUntilReadyAsync();
        Assert.Equal("12TDC3Z", RawProtocolClient.Types(ok));
    }

    [Fact]
    public async Task Transaction_status_follows_begin_failure_and_rollback()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.QueryAsync("begin");
        Assert.Equal((byte)'T', (await client.ReadUntilReadyAsync())[^1].Body[0]);
        await client.QueryAsync("begin");
        var again = await client.ReadUntilReadyAsync();
        Assert.Equal("NCZ", RawProtocolClient.Types(again));
        Assert.Equal("there is already a transaction in progress", RawProtocolClient.Fields(again[0].Body)['M']);
        await client.QueryAsync("select 1/0::int + nope");
        Assert.Equal((byte)'E', (await client.ReadUntilReadyAsync())[^1].Body[0]);
        await client.QueryAsync("commit");
        var rolledBack = await client.ReadUntilReadyAsync();
        Assert.Equal("ROLLBACK", RawProtocolClient.CommandTag(rolledBack[0].Body));
        Assert.Equal((byte)'I', rolledBack[^1].Body[0]);
    }

    [Fact]
    public async Task Empty_query_and_several_statements_answer_in_order()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.QueryAsync("  ;  ");
        Assert.Equal("IZ", RawProtocolClient.Types(await client.ReadUntilReadyAsync()));
        await client.QueryAsync("select 1; select 2, 3; create table several_t(a int)");
        Assert.Equal("TDCTDCCZ", RawProtocolClient.Types(await client.ReadUntilReadyAsync()));
    }
}
