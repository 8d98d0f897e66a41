using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// Before AuthenticationOk no message may claim more than PostgreSQL's startup-packet limit (10,000 bytes): a claim of
/// 256 MB is refused at once with a FATAL 08P01 and the connection closed, without waiting for (or reserving room for)
/// the body. The client below sends only the header, so a server that took the claim would wait for the rest and
/// never answer.
/// </summary>
public sealed class UnauthenticatedLimitTests(UnauthenticatedLimitTests.Endpoint endpoint) : IClassFixture<UnauthenticatedLimitTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.Cleartext; }

    private const int Claimed = 256 * 1024 * 1024;

    /// <summary>Guards against the hang a taken claim would be; never part of what is asserted.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_startup_packet_claiming_256_MB_is_refused_with_FATAL_and_closed()
    {
        await using var client = await RawProtocolClient.OpenAsync(endpoint.Endpoint);
        await client.WriteRawAsync([.. RawProtocolClient.Int32(Claimed), .. RawProtocolClient.Int32(196608)]);
        await AssertRefusedAsync(client);
    }

    [Fact]
    public async Task A_password_message_claiming_256_MB_is_refused_with_FATAL_and_closed()
    {
        await using var client = await RawProtocolClient.SendStartupAsync(endpoint.Endpoint);
        var request = await client.ReadAsync().WaitAsync(HangGuard);
        Assert.Equal('R', request.Type);
        await client.WriteRawAsync([(byte)'p', .. RawProtocolClient.Int32(Claimed), .. "Passw"u8]);
        await AssertRefusedAsync(client);
    }

    [Fact]
    public async Task After_login_a_message_larger_than_the_startup_limit_is_accepted()
    {
        await using var connection = await endpoint.OpenAsync();
        var text = new string('x', 20_000);
        await using var command = new NpgsqlCommand($"select length('{text}')", connection);
        Assert.Equal(20_000, Convert.ToInt32(await command.ExecuteScalarAsync()));
    }

    internal static async Task AssertRefusedAsync(RawProtocolClient client)
    {
        var answer = await client.ReadAsync().WaitAsync(HangGuard);
        Assert.Equal('E', answer.Type);
        var fields = RawProtocolClient.Fields(answer.Body);
        Assert.Equal("FATAL", fields['S']);
        Assert.Equal("08P01", fields['C']);
        Assert.True(await client.ClosedByServerAsync(HangGuard));
    }
}

/// <summary>The same limit on both SASL messages of a SCRAM-SHA-256 login.</summary>
public sealed class UnauthenticatedSaslLimitTests(ClusterEndpoint endpoint) : IClassFixture<ClusterEndpoint>
{
    private const int Claimed = 256 * 1024 * 1024;

    [Fact]
    public async Task A_SASL_initial_response_claiming_256_MB_is_refused_with_FATAL_and_closed()
    {
        await using var client = await RawProtocolClient.SendStartupAsync(endpoint.Endpoint);
        var request = await client.ReadAsync();
        Assert.Equal(10, BinaryPrimitives.ReadInt32BigEndian(request.Body)); // AuthenticationSASL
        await client.WriteRawAsync([(byte)'p', .. RawProtocolClient.Int32(Claimed), .. "SCRAM-SHA-256\0"u8]);
        await UnauthenticatedLimitTests.AssertRefusedAsync(client);
    }

    [Fact]
    public async Task A_SASL_response_claiming_256_MB_is_refused_with_FATAL_and_closed()
    {
        await using var client = await RawProtocolClient.SendStartupAsync(endpoint.Endpoint);
        Assert.Equal('R', (await client.ReadAsync()).Type);
        var clientFirst = Encoding.UTF8.GetBytes("n,,n=,r=rOprNGfwEbeRWgbNEkqO");
        await client.SendAsync('p', [.. RawProtocolClient.CString("SCRAM-SHA-256"), .. RawProtocolClient.Int32(clientFirst.Length), .. clientFirst]);
        var serverFirst = await client.ReadAsync();
        Assert.Equal(11, BinaryPrimitives.ReadInt32BigEndian(serverFirst.Body)); // AuthenticationSASLContinue
        await client.WriteRawAsync([(byte)'p', .. RawProtocolClient.Int32(Claimed), .. "c=biws"u8]);
        await UnauthenticatedLimitTests.AssertRefusedAsync(client);
    }
}
