using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>Engine errors reach the client with their SQLSTATE and a message that says what went wrong.</summary>
public sealed class ErrorTextTests(ErrorTextTests.Endpoint endpoint) : IClassFixture<ErrorTextTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.Cleartext; }

    [Theory]
    [InlineData("select cast(x as int) from (select 'abc' as x) t", "22P02", "abc")]
    [InlineData("select cast(x as smallint) from (select 100000 as x) t", "22003", "100000")]
    [InlineData("select 1 where 1.5::decimal(5,2) > 'abc'::varchar", "42804", "DECIMAL(5,2)")]
    public async Task An_engine_error_keeps_its_text(string sql, string sqlState, string mentioned)
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.QueryAsync(sql);
        var messages = await client.ReadUntilReadyAsync();
        var error = messages.Single(m => m.Type == 'E');
        var fields = RawProtocolClient.Fields(error.Body);
        Assert.Equal(sqlState, fields['C']);
        Assert.Contains(mentioned, fields['M']);
    }

    [Fact]
    public async Task A_portal_whose_result_another_statement_ended_fails_with_a_message()
    {
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        await client.ParseAsync("many", "select i from generate_series(0, 99999) t(i)");
        await client.BindAsync("cursor", "many");
        await client.ExecuteAsync("cursor", 2);
        await client.ParseAsync("", "select i + 1 from generate_series(0, 2) t(i)");
        await client.BindAsync("", "");
        await client.ExecuteAsync("", 0);
        await client.ExecuteAsync("cursor", 0);
        await client.SyncAsync();
        var messages = await client.ReadUntilReadyAsync();
        var fields = RawProtocolClient.Fields(messages.Single(m => m.Type == 'E').Body);
        Assert.NotEqual("", fields['M']);
    }
}
