using System.Buffers.Binary;
using System.Text;
using LocalShift.Sql.Wire.Session;
using Xunit.Abstractions;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// Seeded fuzzing of the PG-wire protocol after login: each round sends a burst of frames built from the messages the
/// PostgreSQL documentation defines — mutated bodies, wrong counts, unknown message types, frames out of order, COPY
/// sub-protocol messages outside COPY — with lengths that match what is sent, then a Sync and a <c>select 1</c>.
/// Whatever the burst was, the server must answer the probe or close the connection within the deadline (never hang),
/// never name an internal type or a host path in an error, and keep serving new connections.
/// The default run uses fixed seeds and a few rounds; <c>./run-tests --long</c> (LOCALSHIFT_LONG=1) runs thousands of
/// rounds from a seed it prints, and LOCALSHIFT_FUZZ_SEED replays one.
/// </summary>
public sealed class PgWireFuzzTests(PgWireFuzzTests.Endpoint endpoint, ITestOutputHelper output) : IClassFixture<PgWireFuzzTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.Cleartext; }

    private static bool Replaying => Environment.GetEnvironmentVariable("LOCALSHIFT_FUZZ_SEED") is { Length: > 0 };

    private static bool Long => Environment.GetEnvironmentVariable("LOCALSHIFT_LONG") == "1";

    private static readonly string[] Statements =
    [
        "select 1", "select $1::int + 1", "select * from pg_catalog.pg_class limit 1", "create table if not exists fuzz_t (a int, b varchar(10))",
        "insert into fuzz_t values ($1, $2)", "begin", "commit", "rollback", "copy fuzz_t from stdin", "select 1/0",
        "select repeat('x', 100000)", "select '\u00e9\u0000'", "", ";", "select 1; select 2", "fetch all from c", "declare c cursor for select 1",
    ];

    [Fact]
    public async Task Fixed_seeds_never_hang_never_leak_and_the_server_keeps_serving()
    {
        var seeds = Environment.GetEnvironmentVariable("LOCALSHIFT_FUZZ_SEED") is { Length: > 0 } one
            ? [int.Parse(one, System.Globalization.CultureInfo.InvariantCulture)]
            : Long ? Enumerable.Range(0, 2000).Select(i => Environment.TickCount ^ (i * 7919)).ToArray() : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        foreach (var seed in seeds)
        {
            output.WriteLine($"seed {seed}");
            await RoundAsync(seed);
        }

        // The endpoint still serves a well-behaved client.
        await using var after = await RawProtocolClient.ConnectAsync(endpoint);
        await after.QueryAsync("select 41 + 1");
        var messages = await after.ReadUntilReadyAsync();
        Assert.Equal("42", RawProtocolClient.TextValues(messages.Single(m => m.Type == 'D').Body)[0]);
    }

    private async Task RoundAsync(int seed)
    {
        var random = new Random(seed);
        await using var client = await RawProtocolClient.ConnectAsync(endpoint);
        var burst = random.Next(1, 12);
        var sent = new StringBuilder();
        var probe = $"probe-{seed}";
        try
        {
            for (var i = 0; i < burst; i++)
            {
                var (type, body) = Frame(random);
                sent.Append(type);
                if (Replaying) output.WriteLine($"  sent {(type == '\0' ? "raw" : type.ToString())} {Convert.ToHexString(body)} {Encoding.UTF8.GetString(body).Replace('\0', '|')}");
                if (type == '\0') await client.WriteRawAsync(body);
                else await client.SendAsync(type, body);
            }
        }
        catch (IOException)
        {
            return; // The server closed the connection on a frame it refused: an answer, not a hang.
        }

        var pending = new PendingRead();
        // The probe is sent again while the server is quiet (a burst may leave it in COPY mode, where the first Sync
        // and Query only end the COPY); a server that answers none of three probes, and does not close, is stuck.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                await client.SyncAsync();
                // A burst may have left a failed transaction block open; the probe ends it first.
                await client.QueryAsync("rollback");
                await client.QueryAsync($"select '{probe}'");
            }
            catch (IOException)
            {
                return;
            }
            switch (await ReadUntilProbeAsync(client, probe, seed, TimeSpan.FromSeconds(attempt * 2), pending))
            {
                case ProbeOutcome.Answered:
                case ProbeOutcome.Closed:
                    return;
            }
        }
        Assert.Fail($"seed {seed}: no answer to three probes after frames '{Printable(sent)}' (replay with LOCALSHIFT_FUZZ_SEED={seed})");
    }

    private enum ProbeOutcome { Answered, Closed, Quiet }

    /// <summary>A read left waiting when the server went quiet; the next attempt goes on with it (one reader at a time).</summary>
    private sealed class PendingRead { public Task<(char Type, byte[] Body)>? Read; }

    private async Task<ProbeOutcome> ReadUntilProbeAsync(RawProtocolClient client, string probe, int seed, TimeSpan quiet, PendingRead pending)
    {
        var answered = false;
        try
        {
            while (true)
            {
                var read = pending.Read ?? client.ReadAsync();
                pending.Read = read;
                if (await Task.WhenAny(read, Task.Delay(quiet)) != read) return ProbeOutcome.Quiet;
                pending.Read = null;
                var (type, body) = await read;
                if (Replaying) output.WriteLine($"  got {type} {Encoding.UTF8.GetString(body).Replace('\0', '|')}");
                if (type is 'E' or 'N')
                {
                    var fields = RawProtocolClient.Fields(body);
                    var text = string.Join(" | ", fields.Values);
                    Assert.False(text.Contains("System.", StringComparison.Ordinal) || text.Contains("Exception", StringComparison.Ordinal)
                                 || text.Contains("/tmp/", StringComparison.Ordinal) || text.Contains(endpoint.DataDir, StringComparison.Ordinal),
                        $"seed {seed}: an error names internals: {text}");
                    if (type == 'E' && fields.TryGetValue('S', out var severity) && severity == "FATAL") return ProbeOutcome.Closed;
                }
                if (type == 'D' && RawProtocolClient.TextValues(body) is [var value] && value == probe) answered = true;
                if (type == 'Z' && answered) return ProbeOutcome.Answered;
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            return ProbeOutcome.Closed;
        }
    }

    private static string Printable(StringBuilder sent) => string.Concat(sent.ToString().Select(c => c == '\0' ? '~' : c));

    /// <summary>One frame: a type byte and a body (type '\0': raw bytes sent as they are, no header added).</summary>
    private static (char Type, byte[] Body) Frame(Random random)
    {
        var statement = Statements[random.Next(Statements.Length)];
        var (type, body) = random.Next(14) switch
        {
            0 => ('Q', CString(statement)),
            1 => ('P', Concat(CString(Name(random)), CString(statement), Int16(random.Next(-1, 3)), Int32(random.Next(0, 30)))),
            2 => ('B', Concat(CString(Name(random)), CString(Name(random)), Int16(random.Next(-1, 3)), Int16(random.Next(0, 2)),
                Int16(random.Next(-1, 4)), Int32(random.Next(-2, 5)), Bytes(random, random.Next(0, 6)), Int16(random.Next(-1, 3)), Int16(random.Next(0, 2)))),
            3 => ('E', Concat(CString(Name(random)), Int32(random.Next(-1, 3)))),
            4 => ('D', Concat([(byte)"SPX"[random.Next(3)]], CString(Name(random)))),
            5 => ('C', Concat([(byte)"SPX"[random.Next(3)]], CString(Name(random)))),
            6 => ('S', []),
            7 => ('H', []),
            8 => ('d', Bytes(random, random.Next(0, 40))),
            9 => ('c', []),
            10 => ('f', CString("fuzzed")),
            11 => ('F', Concat(Int32(random.Next()), Int16(0), Int16(1), Int32(4), Int32(1), Int16(0))),
            12 => ((char)"AGKORTVWYaeghjkmoqrtuvwxyz"[random.Next(26)], Bytes(random, random.Next(0, 20))),
            _ => ('\0', Concat([(byte)'Q'], Int32(random.Next(-5, 4)))),
        };
        // Mutate some bodies: flip bytes, cut them short, or drop the terminating zero.
        if (type != '\0' && body.Length > 0 && random.Next(3) == 0)
        {
            body = (byte[])body.Clone();
            switch (random.Next(3))
            {
                case 0: body[random.Next(body.Length)] ^= (byte)(1 << random.Next(8)); break;
                case 1: body = body[..random.Next(body.Length)]; break;
                default: body = body.Where(b => b != 0).ToArray(); break;
            }
        }
        return (type, body);
    }

    private static string Name(Random random) => random.Next(3) switch { 0 => "", 1 => "s1", _ => "p" + random.Next(3) };

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
    private static byte[] CString(string s) => RawProtocolClient.CString(s);
    private static byte[] Int32(int value) => RawProtocolClient.Int32(value);

    private static byte[] Int16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, (short)value);
        return bytes;
    }
}
