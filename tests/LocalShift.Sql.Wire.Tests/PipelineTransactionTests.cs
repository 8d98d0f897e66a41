using LocalShift.Engine;
using LocalShift.Sql.Wire;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// In the extended protocol, what runs between two Syncs is one implicit transaction, as in PostgreSQL: an Npgsql
/// batch (or a command text with several statements, which Npgsql sends as one) is all or nothing.
/// </summary>
public sealed class PipelineTransactionTests(PipelineTransactionTests.Endpoint endpoint) : IClassFixture<PipelineTransactionTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.Cleartext; }

    [Fact]
    public async Task A_failing_batch_leaves_nothing_behind()
    {
        await using var connection = await endpoint.OpenAsync();
        await Execute(connection, "create table pipeline_a(i int)");
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("insert into pipeline_a values (1)"),
                new NpgsqlBatchCommand("insert into pipeline_a values (2)"),
                new NpgsqlBatchCommand("select * from pipeline_nowhere"),
            },
        };
        var error = await Assert.ThrowsAsync<PostgresException>(() => batch.ExecuteNonQueryAsync());
        Assert.Equal("42P01", error.SqlState);
        Assert.Equal(0L, await Scalar(connection, "select count(*) from pipeline_a"));
    }

    [Fact]
    public async Task A_command_text_with_several_statements_is_all_or_nothing()
    {
        await using var connection = await endpoint.OpenAsync();
        await Execute(connection, "create table pipeline_b(i int)");
        await Assert.ThrowsAsync<PostgresException>(() => Execute(connection, "insert into pipeline_b values (1); insert into pipeline_nowhere values (2)"));
        Assert.Equal(0L, await Scalar(connection, "select count(*) from pipeline_b"));
        await Execute(connection, "insert into pipeline_b values (1); insert into pipeline_b values (2)");
        await using var other = await endpoint.OpenAsync();
        Assert.Equal(2L, await Scalar(other, "select count(*) from pipeline_b"));
    }

    [Fact]
    public async Task Each_sync_commits_what_came_before_it()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.QueryAsync("create table pipeline_c(i int)");
        await client.ReadUntilReadyAsync();
        await client.ParseAsync("", "insert into pipeline_c values (1)");
        await client.BindAsync("", "");
        await client.ExecuteAsync("", 0);
        await client.SyncAsync();
        var first = await client.ReadUntilReadyAsync();
        Assert.Equal("12CZ", RawProtocolClient.Types(first));
        Assert.Equal((byte)'I', first[^1].Body[0]);
        await client.ParseAsync("", "insert into pipeline_c values (2)");
        await client.BindAsync("", "");
        await client.ExecuteAsync("", 0);
        await client.ParseAsync("", "select * from pipeline_nowhere");
        await client.SyncAsync();
        Assert.Equal("12CEZ", RawProtocolClient.Types(await client.ReadUntilReadyAsync()));
        await client.QueryAsync("select string_agg(cast(i as varchar), ',') from pipeline_c");
        var rows = await client.ReadUntilReadyAsync();
        Assert.Equal("1", RawProtocolClient.TextValues(rows[1].Body)[0]);
    }

    [Fact]
    public async Task A_query_message_after_a_pipeline_without_sync_commits_it()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.QueryAsync("create table pipeline_d(i int)");
        await client.ReadUntilReadyAsync();
        await client.ParseAsync("", "insert into pipeline_d values (1)");
        await client.BindAsync("", "");
        await client.ExecuteAsync("", 0);
        await client.QueryAsync("select 1");
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal("12CTDCZ", RawProtocolClient.Types(messages));
        Assert.Equal((byte)'I', messages[^1].Body[0]);
        await using var other = await endpoint.OpenAsync();
        Assert.Equal(1L, await Scalar(other, "select count(*) from pipeline_d"));
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> Scalar(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
