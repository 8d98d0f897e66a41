using System.Net.Sockets;
using LocalShift.Engine.DuckDb;
using LocalShift.Services.Redshift;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

public sealed class ClusterSqlHostTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "localshift-host-" + Guid.NewGuid().ToString("N"));
    private readonly ClusterEndpointSpec _spec = new("123456789012", "us-east-1", "hosted", "dev", "Admin", "Secret123", "127.0.0.1", 0);
    private ClusterSqlHost _host = null!;

    public Task InitializeAsync()
    {
        _host = new ClusterSqlHost(new DuckDbEngineFactory(), _dataDir);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        if (Directory.Exists(_dataDir)) Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Start_creates_the_warehouse_file_and_is_idempotent()
    {
        await _host.StartAsync(_spec, default);
        var endpoint = _host.EndpointOf(_spec.AccountId, _spec.Region, _spec.ClusterIdentifier)!;
        await _host.StartAsync(_spec, default);
        Assert.Equal(endpoint, _host.EndpointOf(_spec.AccountId, _spec.Region, _spec.ClusterIdentifier));
        Assert.True(File.Exists(Path.Combine(_dataDir, "clusters", "123456789012", "hosted", "warehouse.duckdb")));

        // User names are folded to lower case, as Redshift does.
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={endpoint.Port};Username=Admin;Password=Secret123;Database=dev;Pooling=false");
        await connection.OpenAsync();
        Assert.Equal("admin", await new NpgsqlCommand("select current_user", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task Stop_with_delete_closes_the_port_and_removes_the_warehouse()
    {
        await _host.StartAsync(_spec, default);
        var endpoint = _host.EndpointOf(_spec.AccountId, _spec.Region, _spec.ClusterIdentifier)!;
        await _host.StopAsync(_spec, deleteData: true);

        Assert.Null(_host.EndpointOf(_spec.AccountId, _spec.Region, _spec.ClusterIdentifier));
        Assert.False(Directory.Exists(Path.Combine(_dataDir, "clusters", "123456789012", "hosted")));
        using var tcp = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => tcp.ConnectAsync(endpoint.Address, endpoint.Port));
    }

    [Fact]
    public async Task Same_identifier_in_two_regions_gets_two_warehouses_and_the_old_folder_stays_where_it_was()
    {
        var east = _spec with { RegionalFolder = true };
        var west = _spec with { Region = "us-west-2", RegionalFolder = true };
        await _host.StartAsync(_spec with { Region = "eu-west-1" }, default); // created before clusters belonged to a region
        await _host.StartAsync(east, default);
        await _host.StartAsync(west, default);
        Assert.NotEqual(_host.EndpointOf(east.AccountId, "us-east-1", "hosted"), _host.EndpointOf(west.AccountId, "us-west-2", "hosted"));
        var legacy = Path.Combine(_dataDir, "clusters", "123456789012", "hosted", "warehouse.duckdb");
        var eastFile = Path.Combine(_dataDir, "clusters", "us-east-1", "123456789012", "hosted", "warehouse.duckdb");
        var westFile = Path.Combine(_dataDir, "clusters", "us-west-2", "123456789012", "hosted", "warehouse.duckdb");
        Assert.True(File.Exists(legacy));
        Assert.True(File.Exists(westFile));

        await _host.StopAsync(west, deleteData: true);
        Assert.Null(_host.EndpointOf(west.AccountId, "us-west-2", "hosted"));
        Assert.False(File.Exists(westFile));
        Assert.True(File.Exists(legacy));
        Assert.True(File.Exists(eastFile));
    }

    [Fact]
    public async Task A_region_that_is_not_a_region_name_never_becomes_a_folder()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _host.StartAsync(_spec with { Region = "../../x", RegionalFolder = true }, default));
        Assert.False(Directory.Exists(Path.Combine(_dataDir, "x")));
    }
}
