using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// A table that is loaded and dropped over and over (a CI job's habit) does not grow the cluster's database file by
/// every load: the space of dropped data is reused, and a drop inside a transaction block is reclaimed at COMMIT.
/// </summary>
public sealed class StorageReuseTests : IAsyncLifetime
{
    private readonly ClusterEndpoint _endpoint = new();

    public Task InitializeAsync() => _endpoint.InitializeAsync();
    public Task DisposeAsync() => _endpoint.DisposeAsync();

    private string DatabaseFile => Path.Combine(_endpoint.DataDir, "clusters", "123456789012", "test-cluster", "warehouse.duckdb");

    [Fact]
    public async Task Loading_and_dropping_a_table_again_and_again_reuses_the_dropped_space()
    {
        await using var connection = await _endpoint.OpenAsync();
        async Task RunAsync(string sql) => await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
        const string load = "create table churn as select i as id, md5(i::varchar) as a, i * 7 as b from generate_series(0, 999999) t(i)";

        await RunAsync(load);
        await RunAsync("drop table churn");
        var afterFirst = new FileInfo(DatabaseFile).Length;
        for (var round = 0; round < 4; round++)
        {
            await RunAsync(load);
            await RunAsync(round % 2 == 0 ? "drop table churn" : "begin; drop table churn; commit;");
        }
        var afterFive = new FileInfo(DatabaseFile).Length;
        // One load is tens of MB; without reuse the file would hold five of them.
        Assert.True(afterFirst > 10_000_000, $"one load wrote only {afterFirst} bytes");
        Assert.True(afterFive < afterFirst * 1.5, $"after one load and drop: {afterFirst} bytes; after five: {afterFive}");
    }
}
