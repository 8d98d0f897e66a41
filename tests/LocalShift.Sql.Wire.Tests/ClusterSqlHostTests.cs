using System.Net.Sockets;
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
        _host = new ClusterSqlHost(_dataDir);
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
        var endpoint = _host.EndpointOf(_spec.AccountId, _spec.ClusterIdentifier)!;
        await _host.StartAsync(_spec, default);
        Assert.Equal(endpoint, _host.EndpointOf(_spec.AccountId, _spec.ClusterIdentifier));
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
        var endpoint = _host.EndpointOf(_spec.AccountId, _spec.ClusterIdentifier)!;
        await _host.StopAsync(_spec.AccountId, _spec.ClusterIdentifier, deleteData: true);

        Assert.Null(_host.EndpointOf(_spec.AccountId, _spec.ClusterIdentifier));
        Assert.False(Directory.Exists(Path.Combine(_dataDir, "clusters", "123456789012", "hosted")));
        using var tcp = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => tcp.ConnectAsync(endpoint.Address, endpoint.Port));
    }
}
