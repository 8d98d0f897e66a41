using LocalShift.Engine;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

public sealed class UserPersistenceTests : IAsyncLifetime
{
    private readonly ClusterEndpoint _endpoint = new();

    public Task InitializeAsync() => _endpoint.InitializeAsync();
    public Task DisposeAsync() => _endpoint.DisposeAsync();

    [Fact]
    public async Task Users_grants_and_tables_survive_a_restart()
    {
        await using (var master = await _endpoint.OpenAsync())
        {
            foreach (var sql in new[]
            {
                "create user carol password 'Carol1234'",
                "create table kept(a int)",
                "insert into kept values (7)",
                "grant select on kept to carol",
            })
                await new NpgsqlCommand(sql, master).ExecuteNonQueryAsync();
        }
        await _endpoint.RestartAsync();
        await using var carol = await _endpoint.OpenAsync("carol", "Carol1234");
        Assert.Equal(7, await new NpgsqlCommand("select a from kept", carol).ExecuteScalarAsync());
        var denied = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("insert into kept values (8)", carol).ExecuteNonQueryAsync());
        Assert.Equal("42501", denied.SqlState);
        Assert.Equal("permission denied for relation kept", denied.MessageText);
    }
}
