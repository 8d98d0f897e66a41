using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// authentication_timeout: a connection that does not finish its startup in time is closed (as PostgreSQL does, without
/// a message), so a client that connects and stalls cannot hold a backend thread; a session that logged in is not affected.
/// </summary>
public sealed class AuthenticationTimeoutTests(AuthenticationTimeoutTests.Endpoint endpoint) : IClassFixture<AuthenticationTimeoutTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint
    {
        protected override TimeSpan AuthenticationTimeout => TimeSpan.FromSeconds(1);
    }

    [Fact]
    public async Task A_client_that_sends_nothing_is_disconnected_after_the_timeout()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint.Endpoint);
        var watch = Stopwatch.StartNew();
        var read = await client.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, read);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"closed after {watch.Elapsed}");
    }

    [Fact]
    public async Task A_client_that_stops_in_the_middle_of_its_startup_packet_is_disconnected()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint.Endpoint);
        var stream = client.GetStream();
        // A length of 40 bytes and the protocol version, then nothing more.
        await stream.WriteAsync(new byte[] { 0, 0, 0, 40, 0, 3, 0, 0 });
        var read = await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, read);
    }

    [Fact]
    public async Task A_session_that_logged_in_outlives_the_timeout()
    {
        await using var connection = await endpoint.OpenAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(2, await new NpgsqlCommand("select 1 + 1", connection).ExecuteScalarAsync());
    }
}
