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
/// kill -9 under load: S3 PUTs, multipart uploads completed, IAM CreateUser, role associations (ModifyClusterIamRoles
/// adding one role and removing another), SQL INSERTs, COPYs and UNLOADs run at once until the server is killed at a
/// random moment; after a restart on the same data dir every acknowledged write is there, byte for byte, and nothing
/// is torn — an object is whole or absent, a COPY loaded all its rows or none, an association acknowledged is there
/// (adding or in-sync; a removal acknowledged is removing or gone), and an UNLOAD's prefix holds either all its files
/// and its manifest or none of them. The default run (and CI) takes one round from a fixed seed; <c>./run-tests --long</c> (LOCALSHIFT_LONG=1)
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
        await ExecAsync(port, "CREATE TABLE soak_copy(copy VARCHAR(20), i INT)");
        // The roles the association loop adds and removes (the cluster's own default role is never among them).
        var pool = Enumerable.Range(0, AssociationPool).Select(i => RoleStory.RoleArn($"SoakPool{i}")).ToList();
        foreach (var created in await server.AwsBatchAsAsync(LocalShiftServer.RootKey, LocalShiftServer.RootSecret, null,
                     pool.Select(arn => new[] { "iam", "create-role", "--role-name", arn.Split('/')[^1], "--assume-role-policy-document", RoleStory.RedshiftTrust }).ToList()))
            created.EnsureSuccess();

        var objects = new ConcurrentDictionary<string, string>();
        var users = new ConcurrentBag<string>();
        var rows = new ConcurrentBag<(int Round, int I)>();
        var unloads = new ConcurrentBag<string>();
        var attempted = new ConcurrentBag<string>();
        var multiparts = new ConcurrentDictionary<string, string>();
        var multipartsTried = new ConcurrentDictionary<string, string>();
        var copies = new ConcurrentBag<string>();
        var copiesTried = new ConcurrentBag<string>();
        // Per pool role, the last acknowledged change (true: added, false: removed); a role whose change was in flight at
        // the kill is left out until a later change is acknowledged.
        var associations = new ConcurrentDictionary<string, bool>();
        var associationsInFlight = new ConcurrentDictionary<string, bool>();

        for (var round = 0; round < seeds.Length; round++)
        {
            var seed = seeds[round];
            output.WriteLine($"round {round}: LOCALSHIFT_FUZZ_SEED={seed}");
            var random = new Random(seed);
            // Killed at a random moment once every kind of write has been acknowledged at least once in this round
            // (a loaded machine may need seconds for the first UNLOAD).
            var killAfter = TimeSpan.FromMilliseconds(random.Next(0, 1500));
            using var s3 = S3(server);
            var before = (objects.Count, users.Count, rows.Count, unloads.Count, multiparts.Count, copies.Count, Associated: _associationsAcknowledged);
            using var stop = new CancellationTokenSource();
            var r = round;
            var load = new[]
            {
                Task.Run(() => PutObjectsAsync(s3, r, seed, objects, stop.Token)),
                Task.Run(() => CreateUsersAsync(server, r, users, stop.Token)),
                Task.Run(() => InsertRowsAsync(port, r, rows, stop.Token)),
                Task.Run(() => UnloadAsync(port, r, unloads, attempted, stop.Token)),
                Task.Run(() => CompleteMultipartsAsync(s3, r, seed, multiparts, multipartsTried, stop.Token)),
                Task.Run(() => CopyAsync(s3, port, r, copies, copiesTried, stop.Token)),
                Task.Run(() => AssociateRolesAsync(server, pool, r, associations, associationsInFlight, stop.Token)),
            };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && _unexpected.IsEmpty
                   && (objects.Count == before.Item1 || users.Count == before.Item2 || rows.Count == before.Item3 || unloads.Count == before.Item4
                       || multiparts.Count == before.Item5 || copies.Count == before.Item6 || _associationsAcknowledged == before.Associated))
                await Task.Delay(20);
            await Task.Delay(killAfter);
            _killing = true;
            await server.CrashAsync();
            stop.Cancel();
            await Task.WhenAll(load);
            Assert.True(_unexpected.IsEmpty, "failed before the kill: " + string.Join("; ", _unexpected));
            _killing = false;
            output.WriteLine($"  killed after {killAfter.TotalMilliseconds} ms: {objects.Count} objects, {multiparts.Count} multipart uploads, {users.Count} users, "
                + $"{_associationsAcknowledged} role changes, {rows.Count} rows, {copies.Count} copies, {unloads.Count} unloads acknowledged so far");
            await server.RestartAsync();
            port = await WaitForSqlAsync(server);
            using var after = S3(server);
            await VerifyAsync(server, after, port, objects, users, rows, unloads, attempted);
            await VerifyMultipartsAsync(after, multiparts, multipartsTried);
            await VerifyCopiesAsync(port, copies, copiesTried);
            await VerifyAssociationsAsync(server, associations, associationsInFlight);
        }
        Assert.True(objects.Count > 0 && users.Count > 0 && rows.Count > 0 && unloads.Count > 0 && multiparts.Count > 0 && copies.Count > 0
            && _associationsAcknowledged > 0, "some kind of write was never acknowledged before a kill");
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

    /// <summary>Multipart uploads of two parts (5 MiB, S3's least for a part that is not the last, and a short one), completed.</summary>
    private async Task CompleteMultipartsAsync(AmazonS3Client s3, int round, int seed, ConcurrentDictionary<string, string> acknowledged,
        ConcurrentDictionary<string, string> tried, CancellationToken stop)
    {
        var random = new Random(seed + 1);
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var key = $"multipart/{round}/{i}";
            var first = new byte[5 * 1024 * 1024];
            var second = new byte[random.Next(1, 64 * 1024)];
            random.NextBytes(first);
            random.NextBytes(second);
            var hash = Convert.ToHexString(SHA256.HashData(first.Concat(second).ToArray()));
            try
            {
                var upload = await s3.InitiateMultipartUploadAsync("soak", key);
                var parts = new List<PartETag>();
                foreach (var (body, number) in new[] { (first, 1), (second, 2) })
                {
                    var part = await s3.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = "soak", Key = key, UploadId = upload.UploadId, PartNumber = number, InputStream = new MemoryStream(body),
                    });
                    parts.Add(new PartETag(number, part.ETag));
                }
                tried[key] = hash;
                await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = "soak", Key = key, UploadId = upload.UploadId, PartETags = parts });
            }
            catch (Exception e)
            {
                Failed($"multipart upload {key}", e);
                return;
            }
            acknowledged[key] = hash;
        }
    }

    /// <summary>Each COPY loads a file of its own (put just before it), its rows tagged with the COPY's name.</summary>
    private async Task CopyAsync(AmazonS3Client s3, int port, int round, ConcurrentBag<string> acknowledged, ConcurrentBag<string> tried, CancellationToken stop)
    {
        try
        {
            await using var c = new NpgsqlConnection(ConnectionString(port));
            await c.OpenAsync();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var tag = $"{round}-{i}";
                var csv = new System.Text.StringBuilder();
                for (var row = 0; row < CopyRows; row++) csv.Append(tag).Append(',').Append(row).Append('\n');
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = "soak", Key = $"copy-in/{tag}.csv", ContentBody = csv.ToString() });
                tried.Add(tag);
                await using var cmd = new NpgsqlCommand($"COPY soak_copy FROM 's3://soak/copy-in/{tag}.csv' IAM_ROLE default CSV", c);
                await cmd.ExecuteNonQueryAsync();
                acknowledged.Add(tag);
            }
        }
        catch (Exception e) { Failed("COPY", e); }
    }

    /// <summary>
    /// One ModifyClusterIamRoles after another (the CLI's botocore, signed), each adding one role of the pool and removing
    /// the one half the pool away, so the cluster holds about half the pool whatever the number of rounds.
    /// </summary>
    private async Task AssociateRolesAsync(LocalShiftServer server, List<string> pool, int round, ConcurrentDictionary<string, bool> acknowledged,
        ConcurrentDictionary<string, bool> inFlight, CancellationToken stop)
    {
        using var http = new HttpClient();
        for (var i = round * 7; !stop.IsCancellationRequested; i++)
        {
            var add = pool[i % pool.Count];
            var remove = pool[(i + pool.Count / 2) % pool.Count];
            inFlight[add] = true;
            inFlight[remove] = true;
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(server.SignedRequest(HttpMethod.Post, "/", "redshift",
                    $"Action=ModifyClusterIamRoles&ClusterIdentifier=soak&AddIamRoles.IamRoleArn.1={Uri.EscapeDataString(add)}"
                    + $"&RemoveIamRoles.IamRoleArn.1={Uri.EscapeDataString(remove)}&Version=2012-12-01", "application/x-www-form-urlencoded"));
            }
            catch (Exception e)
            {
                Failed($"ModifyClusterIamRoles +{add} -{remove}", e);
                return;
            }
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Failed($"ModifyClusterIamRoles +{add} -{remove}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                return;
            }
            acknowledged[add] = true;
            acknowledged[remove] = false;
            inFlight.TryRemove(add, out _);
            inFlight.TryRemove(remove, out _);
            Interlocked.Increment(ref _associationsAcknowledged);
        }
    }

    private int _associationsAcknowledged;
    private const int AssociationPool = 12;
    private const int CopyRows = 5000;

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

    /// <summary>A completed upload acknowledged is there byte for byte; one in flight is either absent or whole.</summary>
    private static async Task VerifyMultipartsAsync(AmazonS3Client s3, ConcurrentDictionary<string, string> acknowledged, ConcurrentDictionary<string, string> tried)
    {
        var listed = await ListAsync(s3, "multipart/");
        foreach (var (key, hash) in tried)
        {
            if (!listed.ContainsKey(key))
            {
                Assert.False(acknowledged.ContainsKey(key), $"acknowledged multipart upload {key} is missing after kill -9");
                continue;
            }
            using var got = await s3.GetObjectAsync("soak", key);
            using var ms = new MemoryStream();
            await got.ResponseStream.CopyToAsync(ms);
            Assert.True(hash == Convert.ToHexString(SHA256.HashData(ms.ToArray())), $"multipart upload {key} is not the bytes sent after kill -9 ({ms.Length} bytes)");
        }
    }

    /// <summary>A COPY loaded every row of its file or none; an acknowledged one every row.</summary>
    private static async Task VerifyCopiesAsync(int port, ConcurrentBag<string> acknowledged, ConcurrentBag<string> tried)
    {
        var loaded = new Dictionary<string, long>();
        await using (var c = new NpgsqlConnection(ConnectionString(port)))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT copy, count(*) FROM soak_copy GROUP BY copy", c);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) loaded[reader.GetString(0)] = reader.GetInt64(1);
        }
        foreach (var tag in tried.Distinct())
        {
            var n = loaded.GetValueOrDefault(tag);
            Assert.True(n is 0 or CopyRows, $"COPY {tag} left {n} of its {CopyRows} rows after kill -9");
            Assert.True(n == CopyRows || !acknowledged.Contains(tag), $"acknowledged COPY {tag} is missing after kill -9");
        }
        Assert.True(loaded.Keys.All(tried.Contains), "rows of a COPY that was never sent");
    }

    /// <summary>An acknowledged add is associated (adding or in-sync); an acknowledged removal is removing or gone.</summary>
    private static async Task VerifyAssociationsAsync(LocalShiftServer server, ConcurrentDictionary<string, bool> acknowledged, ConcurrentDictionary<string, bool> inFlight)
    {
        var described = (await server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", "soak")).EnsureSuccess();
        var roles = described.Json().GetProperty("Clusters")[0].GetProperty("IamRoles").EnumerateArray()
            .ToDictionary(r => r.GetProperty("IamRoleArn").GetString()!, r => r.GetProperty("ApplyStatus").GetString()!);
        foreach (var (arn, added) in acknowledged)
        {
            if (inFlight.ContainsKey(arn)) continue;
            var status = roles.GetValueOrDefault(arn);
            if (added) Assert.True(status is "adding" or "in-sync", $"role {arn} whose association was acknowledged is {status ?? "not associated"} after kill -9");
            else Assert.True(status is null or "removing", $"role {arn} whose removal was acknowledged is {status} after kill -9");
        }
        // A change in flight at the kill either happened or not: its roles are unknown until a later change is acknowledged.
        foreach (var arn in inFlight.Keys) acknowledged.TryRemove(arn, out _);
        inFlight.Clear();
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
