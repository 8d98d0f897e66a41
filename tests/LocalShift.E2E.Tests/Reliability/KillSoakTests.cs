using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace LocalShift.E2E.Tests.Reliability;

/// <summary>
/// kill -9 under load: S3 PUTs, IAM CreateUser, SQL INSERTs and UNLOADs run at once until the server is killed at a
/// random moment; after a restart on the same data dir every acknowledged write is there, byte for byte, and nothing
/// is torn — an object is whole or absent, and an UNLOAD's prefix holds either all its files and its manifest or none
/// of them. The default run (and CI) takes one round from a fixed seed; <c>./run-tests --long</c> (LOCALSHIFT_LONG=1)
/// runs ten from seeds derived from the clock, each printed; LOCALSHIFT_FUZZ_SEED=N replays one.
/// </summary>
public sealed class KillSoakTests(ITestOutputHelper output)
{
    private static bool Long => Environment.GetEnvironmentVariable("LOCALSHIFT_LONG") == "1";

    [Fact]
    public async Task Every_acknowledged_write_survives_kill_9_and_no_unload_is_left_half_published()
    {
        var seeds = Environment.GetEnvironmentVariable("LOCALSHIFT_FUZZ_SEED") is { Length: > 0 } one ? [int.Parse(one)]
            : Long ? Enumerable.Range(0, 10).Select(i => Environment.TickCount ^ (i * 7919)).ToArray()
            : [20261207];
        await using var server = await LocalShiftServer.StartAsync();
        var story = new RoleStory(server);
        var role = await story.CreateRoleAsync("Soak", policy: RoleStory.S3Policy("soak", "s3:*"));
        await story.MakeBucketAsync("soak");
        var port = await story.CreateClusterAsync("soak", [role], defaultRole: role);
        await ExecAsync(port, "CREATE TABLE soak(round INT, i INT)");

        var objects = new ConcurrentDictionary<string, string>();
        var users = new ConcurrentBag<string>();
        var rows = new ConcurrentBag<(int Round, int I)>();
        var unloads = new ConcurrentBag<string>();
        var attempted = new ConcurrentBag<string>();

        for (var round = 0; round < seeds.Length; round++)
        {
            var seed = seeds[round];
            output.WriteLine($"round {round}: LOCALSHIFT_FUZZ_SEED={seed}");
            var random = new Random(seed);
            // Killed at a random moment once every kind of write has been acknowledged at least once in this round
            // (a loaded machine may need seconds for the first UNLOAD).
            var killAfter = TimeSpan.FromMilliseconds(random.Next(0, 1500));
            using var s3 = S3(server);
            var before = (objects.Count, users.Count, rows.Count, unloads.Count);
            using var stop = new CancellationTokenSource();
            var r = round;
            var load = new[]
            {
                Task.Run(() => PutObjectsAsync(s3, r, seed, objects, stop.Token)),
                Task.Run(() => CreateUsersAsync(server, r, users, stop.Token)),
                Task.Run(() => InsertRowsAsync(port, r, rows, stop.Token)),
                Task.Run(() => UnloadAsync(port, r, unloads, attempted, stop.Token)),
            };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && _unexpected.IsEmpty
                   && (objects.Count == before.Item1 || users.Count == before.Item2 || rows.Count == before.Item3 || unloads.Count == before.Item4))
                await Task.Delay(20);
            await Task.Delay(killAfter);
            _killing = true;
            await server.CrashAsync();
            stop.Cancel();
            await Task.WhenAll(load);
            Assert.True(_unexpected.IsEmpty, "failed before the kill: " + string.Join("; ", _unexpected));
            _killing = false;
            output.WriteLine($"  killed after {killAfter.TotalMilliseconds} ms: {objects.Count} objects, {users.Count} users, {rows.Count} rows, {unloads.Count} unloads acknowledged so far");
            await server.RestartAsync();
            port = await WaitForSqlAsync(server);
            using var after = S3(server);
            await VerifyAsync(server, after, port, objects, users, rows, unloads, attempted);
        }
        Assert.True(objects.Count > 0 && users.Count > 0 && rows.Count > 0 && unloads.Count > 0, "some kind of write was never acknowledged before a kill");
    }

    private async Task PutObjectsAsync(AmazonS3Client s3, int round, int seed, ConcurrentDictionary<string, string> acknowledged, CancellationToken stop)
    {
        var random = new Random(seed);
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var body = new byte[random.Next(1, 256 * 1024)];
            random.NextBytes(body);
            var key = $"objects/{round}/{i}";
            try
            {
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = "soak", Key = key, InputStream = new MemoryStream(body) });
            }
            catch (Exception e)
            {
                Failed($"PutObject {key}", e);
                return;
            }
            acknowledged[key] = Convert.ToHexString(SHA256.HashData(body));
        }
    }

    private async Task CreateUsersAsync(LocalShiftServer server, int round, ConcurrentBag<string> acknowledged, CancellationToken stop)
    {
        using var http = new HttpClient();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var name = $"soak-{round}-{i}";
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(server.SignedRequest(HttpMethod.Post, "/", "iam",
                    $"Action=CreateUser&UserName={name}&Version=2010-05-08", "application/x-www-form-urlencoded"));
            }
            catch (Exception e)
            {
                Failed($"CreateUser {name}", e);
                return;
            }
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Failed($"CreateUser {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                return;
            }
            acknowledged.Add(name);
        }
    }

    private async Task InsertRowsAsync(int port, int round, ConcurrentBag<(int, int)> acknowledged, CancellationToken stop)
    {
        try
        {
            await using var c = new NpgsqlConnection(ConnectionString(port));
            await c.OpenAsync();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await using var cmd = new NpgsqlCommand($"INSERT INTO soak VALUES ({round}, {i})", c);
                await cmd.ExecuteNonQueryAsync();
                acknowledged.Add((round, i));
            }
        }
        catch (Exception e) { Failed("INSERT", e); }
    }

    private async Task UnloadAsync(int port, int round, ConcurrentBag<string> acknowledged, ConcurrentBag<string> attempted, CancellationToken stop)
    {
        try
        {
            await using var c = new NpgsqlConnection(ConnectionString(port));
            await c.OpenAsync();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var prefix = $"unloads/{round}-{i}/";
                attempted.Add(prefix);
                await using var cmd = new NpgsqlCommand(
                    $"UNLOAD ('select g, g % 4 as p from generate_series(1, 50000) AS t(g)') TO 's3://soak/{prefix}' IAM_ROLE default MANIFEST PARTITION BY (p)", c);
                await cmd.ExecuteNonQueryAsync();
                acknowledged.Add(prefix);
            }
        }
        catch (Exception e) { Failed("UNLOAD", e); }
    }

    private async Task VerifyAsync(LocalShiftServer server, AmazonS3Client s3, int port, ConcurrentDictionary<string, string> objects,
        ConcurrentBag<string> users, ConcurrentBag<(int Round, int I)> rows, ConcurrentBag<string> unloads, ConcurrentBag<string> attempted)
    {
        // Objects: every acknowledged one whole; any other either absent or whole (a hash of what was sent is not kept
        // for those, so whole means its length matches the listing and it reads to the end).
        var listed = await ListAsync(s3, "objects/");
        foreach (var (key, hash) in objects)
        {
            Assert.True(listed.ContainsKey(key), $"acknowledged object {key} is missing after kill -9");
            using var got = await s3.GetObjectAsync("soak", key);
            using var ms = new MemoryStream();
            await got.ResponseStream.CopyToAsync(ms);
            Assert.Equal(hash, Convert.ToHexString(SHA256.HashData(ms.ToArray())));
        }
        foreach (var (key, size) in listed.Where(l => !objects.ContainsKey(l.Key)))
        {
            using var got = await s3.GetObjectAsync("soak", key);
            using var ms = new MemoryStream();
            await got.ResponseStream.CopyToAsync(ms);
            Assert.Equal(size, ms.Length);
        }

        using (var http = new HttpClient())
            foreach (var user in users)
            {
                var got = await http.SendAsync(server.SignedRequest(HttpMethod.Post, "/", "iam",
                    $"Action=GetUser&UserName={user}&Version=2010-05-08", "application/x-www-form-urlencoded"));
                Assert.True(got.StatusCode == HttpStatusCode.OK, $"acknowledged IAM user {user} is missing after kill -9: {await got.Content.ReadAsStringAsync()}");
            }

        var stored = new HashSet<(int, int)>();
        await using (var c = new NpgsqlConnection(ConnectionString(port)))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT round, i FROM soak", c);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) stored.Add((reader.GetInt32(0), reader.GetInt32(1)));
        }
        foreach (var row in rows) Assert.True(stored.Contains(row), $"acknowledged INSERT {row} is missing after kill -9");

        // UNLOADs: all or nothing. An acknowledged one has its manifest and every file it names; one that was in
        // flight has either that too (it finished but the answer was lost) or nothing under its prefix.
        var unloaded = await ListAsync(s3, "unloads/");
        foreach (var prefix in attempted.Distinct())
        {
            var under = unloaded.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            if (under.Count == 0)
            {
                Assert.False(unloads.Contains(prefix), $"acknowledged UNLOAD {prefix} left no files after kill -9");
                continue;
            }
            Assert.True(under.Contains(prefix + "manifest"), $"UNLOAD {prefix} left files without its manifest after kill -9: {string.Join(", ", under)}");
            using var got = await s3.GetObjectAsync("soak", prefix + "manifest");
            using var manifest = await JsonDocument.ParseAsync(got.ResponseStream);
            var named = manifest.RootElement.GetProperty("entries").EnumerateArray()
                .Select(e => e.GetProperty("url").GetString()!.Replace("s3://soak/", "")).ToHashSet();
            Assert.Equal(named.Append(prefix + "manifest").Order(), under.Order());
        }
    }

    private static async Task<Dictionary<string, long>> ListAsync(AmazonS3Client s3, string prefix)
    {
        var all = new Dictionary<string, long>();
        string? token = null;
        do
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "soak", Prefix = prefix, ContinuationToken = token });
            foreach (var o in page.S3Objects ?? []) all[o.Key] = o.Size ?? 0;
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
        return all;
    }

    private static async Task<int> WaitForSqlAsync(LocalShiftServer server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var described = await server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", "soak");
            if (described.ExitCode == 0)
            {
                var cluster = described.Json().GetProperty("Clusters")[0];
                if (cluster.GetProperty("ClusterStatus").GetString() == "available")
                {
                    var port = cluster.GetProperty("Endpoint").GetProperty("Port").GetInt32();
                    try
                    {
                        await using var c = new NpgsqlConnection(ConnectionString(port));
                        await c.OpenAsync();
                        return port;
                    }
                    catch (Exception) when (DateTime.UtcNow < deadline) { }
                }
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the cluster's SQL endpoint did not come back after kill -9");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Whether the kill has begun: a failure after it is the kill's doing; one before it is a bug, recorded and failed.
    /// </summary>
    private volatile bool _killing;
    private readonly ConcurrentBag<string> _unexpected = [];

    private void Failed(string what, Exception? e = null)
    {
        if (!_killing) _unexpected.Add(what + (e is null ? "" : ": " + e.GetType().Name + " " + e.Message));
    }

    /// <summary>A client for the server's endpoint as it is now (a restart may move it to another port).</summary>
    private static AmazonS3Client S3(LocalShiftServer server) =>
        new(new BasicAWSCredentials(LocalShiftServer.RootKey, LocalShiftServer.RootSecret),
            new AmazonS3Config { ServiceURL = server.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    private static async Task ExecAsync(int port, string sql)
    {
        await using var c = new NpgsqlConnection(ConnectionString(port));
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    private static string ConnectionString(int port) =>
        $"Host=127.0.0.1;Port={port};Username=admin;Password={RoleStory.Password};Database=dev;Pooling=false;Timeout=10;Command Timeout=60";
}
