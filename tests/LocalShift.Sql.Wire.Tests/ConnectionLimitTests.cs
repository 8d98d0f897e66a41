using System.Buffers.Binary;
using LocalShift.Engine;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// The cluster's connection limit (Redshift's 500, here 3): one connection past it is refused after its startup
/// message with a FATAL 53300, and a slot comes back whenever a connection ends, however it ends.
/// </summary>
public sealed class ConnectionLimitTests(ConnectionLimitTests.Endpoint endpoint) : IClassFixture<ConnectionLimitTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint
    {
        protected override int MaxConnections => 3;
        protected override TimeSpan AuthenticationTimeout => TimeSpan.FromSeconds(1);
    }

    private const string Refusal = "connection limit \"3\" exceeded for non-bootstrap users";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task The_fourth_connection_is_refused_with_53300_and_closing_one_lets_another_in()
    {
        var open = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 3; i++) open.Add(await OpenWithinDeadlineAsync());

            var refused = await Assert.ThrowsAsync<PostgresException>(() => endpoint.OpenAsync());
            Assert.Equal("53300", refused.SqlState);
            Assert.Equal("FATAL", refused.Severity);
            Assert.Equal(Refusal, refused.MessageText);

            // The three still work.
            foreach (var c in open) Assert.Equal(1, await new NpgsqlCommand("select 1", c).ExecuteScalarAsync());

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            open.Add(await OpenWithinDeadlineAsync());
            await Assert.ThrowsAsync<PostgresException>(() => endpoint.OpenAsync());
        }
        finally
        {
            foreach (var c in open) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_refusal_comes_before_authentication_as_the_only_message()
    {
        var open = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 3; i++) open.Add(await OpenWithinDeadlineAsync());
            await using var client = await RawProtocolClient.SendStartupAsync(endpoint);
            var (type, body) = await client.ReadAsync();
            Assert.Equal('E', type);
            var fields = RawProtocolClient.Fields(body);
            Assert.Equal("FATAL", fields['S']);
            Assert.Equal("53300", fields['C']);
            Assert.Equal(Refusal, fields['M']);
            Assert.True(await client.ClosedByServerAsync(Deadline));
        }
        finally
        {
            foreach (var c in open) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Failed_logins_and_dropped_connections_give_their_slots_back()
    {
        for (var i = 0; i < 5; i++)
        {
            var failed = await Assert.ThrowsAsync<PostgresException>(() => endpoint.OpenAsync(password: "wrong"));
            Assert.Equal("28P01", failed.SqlState);
        }
        for (var i = 0; i < 3; i++)
        {
            // Mid-login (the server has asked for the password), then the socket goes away without a Terminate.
            var client = await RawProtocolClient.SendStartupAsync(endpoint);
            var (type, body) = await client.ReadAsync();
            Assert.Equal('R', type);
            Assert.Equal(10, BinaryPrimitives.ReadInt32BigEndian(body)); // AuthenticationSASL
            client.Drop();
        }
        await AllSlotsFreeAsync();
    }

    [Fact]
    public async Task A_login_stalled_past_the_authentication_timeout_gives_its_slot_back()
    {
        var stalled = new List<RawProtocolClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var client = await RawProtocolClient.SendStartupAsync(endpoint);
                Assert.Equal('R', (await client.ReadAsync()).Type);
                stalled.Add(client);
            }
            // A login in progress holds its slot.
            var refused = await Assert.ThrowsAsync<PostgresException>(() => endpoint.OpenAsync());
            Assert.Equal("53300", refused.SqlState);

            foreach (var client in stalled) Assert.True(await client.ClosedByServerAsync(Deadline));
            await AllSlotsFreeAsync();
        }
        finally
        {
            foreach (var client in stalled) client.Drop();
        }
    }

    /// <summary>Three connections open at once (slots come back as the server notices the ends, so this polls).</summary>
    private async Task AllSlotsFreeAsync()
    {
        var open = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 3; i++) open.Add(await OpenWithinDeadlineAsync());
        }
        finally
        {
            foreach (var c in open) await c.DisposeAsync();
        }
    }

    /// <summary>Opens a connection, retrying while the limit refuses it: a closed connection's slot is given back by
    /// its server thread a moment after the client has gone.</summary>
    private async Task<NpgsqlConnection> OpenWithinDeadlineAsync()
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            try { return await endpoint.OpenAsync(); }
            catch (PostgresException e) when (e.SqlState == "53300" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }
}
