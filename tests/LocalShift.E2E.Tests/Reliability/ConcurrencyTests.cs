using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;
using Npgsql;

namespace LocalShift.E2E.Tests.Reliability;

/// <summary>
/// Issue 21's races, each through a real client against one server: 60 role adds at once against the 50-role quota
/// (the JS SDK), 20 COPYs at once into one table (Npgsql), and PUTs racing on one key while GETs read it (the SDK for
/// .NET). Nothing is lost, nothing passes a limit, nothing is read half-written.
/// </summary>
public sealed class ConcurrencyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    [Fact]
    public async Task Sixty_role_adds_at_once_land_exactly_fifty_and_the_rest_get_the_quota_error()
    {
        var story = new RoleStory(Server);
        await story.CreateClusterAsync("race", []);

        var result = await Server.NodeAsync("redshift-role-quota-race", new { id = "race", prefix = "Race", count = 60 });

        var outcomes = result.GetProperty("outcomes").EnumerateArray().ToList();
        Assert.Equal(60, outcomes.Count);
        var landed = outcomes.Where(o => o.TryGetProperty("ok", out _)).Select(o => o.GetProperty("arn").GetString()!).ToHashSet();
        var refused = outcomes.Where(o => !o.TryGetProperty("ok", out _)).ToList();
        Assert.Equal(50, landed.Count);
        Assert.All(refused, o =>
        {
            Assert.Equal("InvalidParameterValue", o.GetProperty("code").GetString());
            Assert.Equal("You can associate at most 50 IAM roles with cluster race.", o.GetProperty("message").GetString());
            Assert.Equal(400, o.GetProperty("status").GetInt32());
        });
        var associated = result.GetProperty("roles").EnumerateArray().Select(r => r[0].GetString()!).ToHashSet();
        Assert.Equal(landed.Order(), associated.Order());
    }

    [Fact]
    public async Task Twenty_copies_at_once_into_one_table_each_load_every_row_once()
    {
        const int Copies = 20, Rows = 2000;
        var story = new RoleStory(Server);
        var role = await story.CreateRoleAsync("CopyRace", policy: RoleStory.S3Policy("copy-race", "s3:GetObject", "s3:ListBucket"));
        (await Server.AwsAsync("s3", "mb", "s3://copy-race")).EnsureSuccess();
        using var s3 = S3();
        for (var c = 0; c < Copies; c++)
        {
            var csv = new StringBuilder();
            for (var i = 0; i < Rows; i++) csv.Append(c).Append(',').Append(i).Append('\n');
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "copy-race", Key = $"in/{c}.csv", ContentBody = csv.ToString() });
        }
        var port = await story.CreateClusterAsync("copy-race", [role], defaultRole: role);
        await using (var setup = await OpenAsync(port))
            await new NpgsqlCommand("CREATE TABLE raced(copy INT, i INT)", setup).ExecuteNonQueryAsync();

        var connections = await Task.WhenAll(Enumerable.Range(0, Copies).Select(_ => OpenAsync(port)));
        try
        {
            using var start = new SemaphoreSlim(0);
            var copies = connections.Select((c, n) => Task.Run(async () =>
            {
                await start.WaitAsync();
                return await new NpgsqlCommand($"COPY raced FROM 's3://copy-race/in/{n}.csv' IAM_ROLE default CSV", c).ExecuteNonQueryAsync();
            })).ToList();
            start.Release(Copies);
            Assert.All(await Task.WhenAll(copies), loaded => Assert.Equal(Rows, loaded));
        }
        finally
        {
            foreach (var c in connections) await c.DisposeAsync();
        }

        await using var check = await OpenAsync(port);
        await using var reader = await new NpgsqlCommand("SELECT copy, count(*), count(DISTINCT i) FROM raced GROUP BY copy ORDER BY copy", check).ExecuteReaderAsync();
        var counts = new List<(int Copy, long Rows, long Distinct)>();
        while (await reader.ReadAsync()) counts.Add((reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2)));
        Assert.Equal(Enumerable.Range(0, Copies).Select(c => (c, (long)Rows, (long)Rows)), counts);
    }

    [Fact]
    public async Task Puts_racing_on_one_key_leave_the_last_acknowledged_and_every_get_reads_one_whole_version()
    {
        const int Writers = 8, PutsEach = 8, Readers = 4;
        (await Server.AwsAsync("s3", "mb", "s3://put-race")).EnsureSuccess();
        using var s3 = S3();
        var random = new Random(21);
        var bodies = Enumerable.Range(0, Writers * PutsEach).Select(_ =>
        {
            var body = new byte[random.Next(1, 128 * 1024)];
            random.NextBytes(body);
            return body;
        }).ToArray();
        var versions = bodies.Select(b => Convert.ToHexString(SHA256.HashData(b))).ToHashSet();
        var clock = Stopwatch.StartNew();
        var started = new long[bodies.Length];
        var acknowledged = new long[bodies.Length];
        var etags = new string[bodies.Length];
        var torn = new ConcurrentBag<string>();
        var reads = 0;

        using var writing = new CancellationTokenSource();
        var readers = Enumerable.Range(0, Readers).Select(_ => Task.Run(async () =>
        {
            while (!writing.IsCancellationRequested)
            {
                try
                {
                    using var got = await s3.GetObjectAsync("put-race", "one");
                    using var ms = new MemoryStream();
                    await got.ResponseStream.CopyToAsync(ms);
                    var hash = Convert.ToHexString(SHA256.HashData(ms.ToArray()));
                    if (!versions.Contains(hash)) torn.Add($"a GET read {ms.Length} bytes that no PUT sent");
                    else if (got.ETag.Trim('"') != Convert.ToHexStringLower(MD5.HashData(ms.ToArray())))
                        torn.Add($"a GET's ETag {got.ETag} is not that of the body it carried");
                    Interlocked.Increment(ref reads);
                }
                catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey") { }
            }
        })).ToList();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var p = 0; p < PutsEach; p++)
            {
                var n = w * PutsEach + p;
                started[n] = clock.ElapsedTicks;
                var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = "put-race", Key = "one", InputStream = new MemoryStream(bodies[n]) });
                acknowledged[n] = clock.ElapsedTicks;
                etags[n] = put.ETag.Trim('"');
            }
        })).ToList();
        await Task.WhenAll(writers);
        await writing.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Empty(torn);
        Assert.True(reads > 0, "no GET completed while the PUTs ran");
        // The object is one of the PUTs that no other PUT began after: one begun after another was acknowledged is later
        // by any reading, and must win over it.
        using var final = await s3.GetObjectAsync("put-race", "one");
        using var bytes = new MemoryStream();
        await final.ResponseStream.CopyToAsync(bytes);
        var winner = Array.FindIndex(bodies, b => b.AsSpan().SequenceEqual(bytes.ToArray()));
        Assert.True(winner >= 0, "the object is no PUT's body");
        var lastStart = started.Max();
        Assert.True(acknowledged[winner] >= lastStart,
            $"PUT {winner} (acknowledged at {acknowledged[winner]}) is the object, though a PUT began later (at {lastStart}), after it was acknowledged");
        Assert.Equal(etags[winner], final.ETag.Trim('"'));
    }

    private AmazonS3Client S3() =>
        new(new BasicAWSCredentials(LocalShiftServer.RootKey, LocalShiftServer.RootSecret),
            new AmazonS3Config { ServiceURL = Server.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    private static async Task<NpgsqlConnection> OpenAsync(int port)
    {
        var c = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=admin;Password={RoleStory.Password};Database=dev;Pooling=false;Timeout=30;Command Timeout=120");
        await c.OpenAsync();
        return c;
    }
}
