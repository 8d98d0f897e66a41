using System.Text.Json;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.S3;

/// <summary>
/// S3 versioning (issue 19, item 4) through Debian's AWS CLI and the JS SDK v3: version ids, delete markers, reads,
/// deletes and copies of a version, ListObjectVersions paging, the suspended state, and the versioning permissions.
/// Behaviours from https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html and the API pages it links.
/// </summary>
public class S3VersioningTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private LocalShiftServer Server => fixture.Server;
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-s3-ver-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static string NewBucket() => "ver-" + Guid.NewGuid().ToString("N")[..16];

    private string File(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Cli_versions_a_key_reads_an_old_version_and_deletes_versions_and_markers()
    {
        var b = NewBucket();
        (await Server.AwsAsync("s3api", "create-bucket", "--bucket", b)).EnsureSuccess();
        var before = (await Server.AwsAsync("s3api", "get-bucket-versioning", "--bucket", b)).EnsureSuccess().Stdout;
        (await Server.AwsAsync("s3api", "put-bucket-versioning", "--bucket", b, "--versioning-configuration", "Status=Enabled")).EnsureSuccess();
        var status = (await Server.AwsAsync("s3api", "get-bucket-versioning", "--bucket", b)).Json().GetProperty("Status").GetString();
        var v1 = (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "k.txt", "--body", File("one", "one"))).Json().GetProperty("VersionId").GetString()!;
        var v2 = (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "k.txt", "--body", File("two", "two"))).Json().GetProperty("VersionId").GetString()!;
        var marker = (await Server.AwsAsync("s3api", "delete-object", "--bucket", b, "--key", "k.txt")).Json();

        var outFile = Path.Combine(_dir, "out");
        var old = (await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "k.txt", "--version-id", v1, outFile)).Json();
        var oldBody = System.IO.File.ReadAllText(outFile);
        var hidden = await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "k.txt", outFile);
        var versions = (await Server.AwsAsync("s3api", "list-object-versions", "--bucket", b)).Json();
        var markerId = marker.GetProperty("VersionId").GetString()!;
        var ofMarker = await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "k.txt", "--version-id", markerId, outFile);
        var badId = await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "k.txt", "--version-id", "bad-id", outFile);
        // Removing the delete marker brings the newest version back.
        (await Server.AwsAsync("s3api", "delete-object", "--bucket", b, "--key", "k.txt", "--version-id", markerId)).EnsureSuccess();
        var restored = (await Server.AwsAsync("s3api", "head-object", "--bucket", b, "--key", "k.txt")).Json();
        var removedV1 = (await Server.AwsAsync("s3api", "delete-object", "--bucket", b, "--key", "k.txt", "--version-id", v1)).Json();
        var gone = await Server.AwsAsync("s3api", "get-object", "--bucket", b, "--key", "k.txt", "--version-id", v1, outFile);

        Assert.Equal("", before.Trim());
        Assert.Equal("Enabled", status);
        Assert.NotEqual(v1, v2);
        Assert.True(marker.GetProperty("DeleteMarker").GetBoolean());
        Assert.Equal(v1, old.GetProperty("VersionId").GetString());
        Assert.Equal("one", oldBody);
        Assert.Contains("(NoSuchKey)", hidden.Stderr);
        Assert.Equal([(v2, false), (v1, false)], versions.GetProperty("Versions").EnumerateArray()
            .Select(v => (v.GetProperty("VersionId").GetString(), v.GetProperty("IsLatest").GetBoolean())));
        var dm = Assert.Single(versions.GetProperty("DeleteMarkers").EnumerateArray().ToList());
        Assert.Equal(markerId, dm.GetProperty("VersionId").GetString());
        Assert.True(dm.GetProperty("IsLatest").GetBoolean());
        Assert.Contains("(MethodNotAllowed)", ofMarker.Stderr);
        Assert.Contains("(InvalidArgument)", badId.Stderr);
        Assert.Contains("Invalid version id specified", badId.Stderr);
        Assert.Equal(v2, restored.GetProperty("VersionId").GetString());
        Assert.Equal(v1, removedV1.GetProperty("VersionId").GetString());
        Assert.Contains("(NoSuchVersion)", gone.Stderr);
    }

    [Fact]
    public async Task Js_sdk_versions_suspends_and_empties_a_versioned_bucket_as_tools_do()
    {
        var r = await Server.NodeAsync("s3-versioning", new { bucket = NewBucket() });
        string? S(string name) => r.GetProperty(name).ValueKind == JsonValueKind.Null ? null : r.GetProperty(name).GetString();
        JsonElement Error(string name) => r.GetProperty(name).GetProperty("error");

        Assert.False(r.TryGetProperty("error", out _), r.ToString());
        Assert.Null(S("initialStatus"));
        Assert.Null(S("unversionedPutVersionId"));
        Assert.Equal("Enabled", S("enabledStatus"));
        Assert.Equal("two", S("current"));
        Assert.Equal("one", S("readV1"));
        Assert.Equal("before", S("readNull"));
        Assert.Equal(S("v1"), S("headV1VersionId"));
        Assert.True(r.GetProperty("deleteMarker").GetBoolean());

        Assert.Equal("NoSuchKey", Error("getAfterDelete").GetProperty("code").GetString());
        Assert.Equal("true", Error("getAfterDelete").GetProperty("deleteMarker").GetString());
        Assert.Equal(S("markerVersionId"), Error("getAfterDelete").GetProperty("versionId").GetString());
        Assert.Equal(405, Error("getMarker").GetProperty("status").GetInt32());
        Assert.Equal("MethodNotAllowed", Error("getMarker").GetProperty("code").GetString());
        Assert.Equal("true", Error("getMarker").GetProperty("deleteMarker").GetString());
        Assert.Equal(405, Error("headMarker").GetProperty("status").GetInt32());
        Assert.Equal("InvalidArgument", Error("badVersion").GetProperty("code").GetString());
        Assert.Equal("NoSuchVersion", Error("missingVersion").GetProperty("code").GetString());
        Assert.Equal(0, r.GetProperty("listedAfterDelete").GetArrayLength());

        Assert.Equal(S("v1"), S("copySourceVersionId"));
        Assert.Equal("one", S("restored"));
        Assert.NotEqual(S("v1"), S("restoredVersionId"));

        Assert.Equal(["dir/"], r.GetProperty("rolledPrefixes").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["k", "z"], r.GetProperty("rolledKeys").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal([("dir/a", true), ("dir/a", false), ("dir/b", true), ("dir/b", false)],
            r.GetProperty("dirVersions").EnumerateArray().Select(v => (v[0].GetString(), v[1].GetBoolean())));

        Assert.Equal(4, r.GetProperty("simpleDeleteMarkers").GetInt32());
        Assert.Equal("BucketNotEmpty", Error("deleteBucketWhileVersioned").GetProperty("code").GetString());
        // k: null, v1, v2, marker, restored copy, marker; dir/a, dir/b, z: two versions and a marker each.
        Assert.Equal(15, r.GetProperty("removed").GetInt32());
        Assert.Equal(5, r.GetProperty("markersRemoved").GetInt32());
        Assert.Equal(4, r.GetProperty("emptyPages").GetInt32());
        Assert.False(r.TryGetProperty("emptyErrors", out _));
        Assert.Equal(0, r.GetProperty("left").GetInt32());
        Assert.True(r.GetProperty("deleteBucket").TryGetProperty("ok", out _), r.GetProperty("deleteBucket").ToString());

        Assert.Equal("Suspended", S("suspendedStatus"));
        Assert.Equal("null", S("suspendedPutVersionId"));
        Assert.Equal([("null", true), ("kept", false)],
            r.GetProperty("suspendedVersions").EnumerateArray().Select(v => (v[0].GetString(), v[1].GetBoolean())));
        Assert.Equal("null 2", S("suspendedCurrent"));
        Assert.True(r.GetProperty("suspendedDelete")[0].GetBoolean());
        Assert.Equal("null", r.GetProperty("suspendedDelete")[1].GetString());
    }

    [Fact]
    public async Task Reading_deleting_and_listing_versions_need_their_own_permissions()
    {
        var b = NewBucket();
        (await Server.AwsAsync("s3api", "create-bucket", "--bucket", b)).EnsureSuccess();
        (await Server.AwsAsync("s3api", "put-bucket-versioning", "--bucket", b, "--versioning-configuration", "Status=Enabled")).EnsureSuccess();
        var v1 = (await Server.AwsAsync("s3api", "put-object", "--bucket", b, "--key", "k", "--body", File("a", "a"))).Json().GetProperty("VersionId").GetString()!;
        var (key, secret) = await Server.UserKeysAsync("plain" + Guid.NewGuid().ToString("N")[..8], """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["s3:GetObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::BUCKET/*"},
              {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::BUCKET"}]}
            """.Replace("BUCKET", b));
        var (vkey, vsecret) = await Server.UserKeysAsync("versions" + Guid.NewGuid().ToString("N")[..8], """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:GetObjectVersion","Resource":"arn:aws:s3:::BUCKET/*","Condition":{"StringEquals":{"s3:versionid":"V1"}}},
              {"Effect":"Allow","Action":"s3:ListBucketVersions","Resource":"arn:aws:s3:::BUCKET"}]}
            """.Replace("BUCKET", b).Replace("V1", v1));
        var outFile = Path.Combine(_dir, "out");

        var plainGet = await Server.AwsAsAsync(key, secret, null, "s3api", "get-object", "--bucket", b, "--key", "k", outFile);
        var plainGetVersion = await Server.AwsAsAsync(key, secret, null, "s3api", "get-object", "--bucket", b, "--key", "k", "--version-id", v1, outFile);
        var plainList = await Server.AwsAsAsync(key, secret, null, "s3api", "list-object-versions", "--bucket", b);
        var plainDeleteVersion = await Server.AwsAsAsync(key, secret, null, "s3api", "delete-object", "--bucket", b, "--key", "k", "--version-id", v1);
        var plainPutVersioning = await Server.AwsAsAsync(key, secret, null, "s3api", "put-bucket-versioning", "--bucket", b, "--versioning-configuration", "Status=Suspended");
        var versionGet = await Server.AwsAsAsync(vkey, vsecret, null, "s3api", "get-object", "--bucket", b, "--key", "k", "--version-id", v1, outFile);
        var versionList = await Server.AwsAsAsync(vkey, vsecret, null, "s3api", "list-object-versions", "--bucket", b);

        plainGet.EnsureSuccess();
        Assert.Contains("s3:GetObjectVersion", plainGetVersion.Stderr);
        Assert.Contains("(AccessDenied)", plainGetVersion.Stderr);
        Assert.Contains("(AccessDenied)", plainList.Stderr);
        Assert.Contains("s3:DeleteObjectVersion", plainDeleteVersion.Stderr);
        Assert.Contains("(AccessDenied)", plainPutVersioning.Stderr);
        Assert.Equal(v1, versionGet.Json().GetProperty("VersionId").GetString());
        Assert.Single(versionList.Json().GetProperty("Versions").EnumerateArray());
    }

    [Fact]
    public async Task Copy_reads_the_current_versions_and_unload_adds_versions_in_a_versioned_bucket()
    {
        var story = new RoleStory(Server);
        var b = NewBucket();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var role = await story.CreateRoleAsync("Versioned" + suffix, policy: RoleStory.S3Policy(b, "s3:*"));
        var port = await story.CreateClusterAsync("ver" + suffix, [role]);
        await story.MakeBucketAsync(b, ("in/a.txt", "1\n"), ("in/gone.txt", "100\n"));
        (await Server.AwsAsync("s3api", "put-bucket-versioning", "--bucket", b, "--versioning-configuration", "Status=Enabled")).EnsureSuccess();
        await story.PutAsync(b, "in/a.txt", "2\n"u8.ToArray());
        (await Server.AwsAsync("s3api", "delete-object", "--bucket", b, "--key", "in/gone.txt")).EnsureSuccess();

        var sql = await story.PsqlAsync(port,
            "CREATE TABLE t(n INTEGER)",
            $"COPY t FROM 's3://{b}/in/' IAM_ROLE '{role}'",
            "SELECT sum(n) FROM t",
            $"UNLOAD ('select n from t') TO 's3://{b}/out/' IAM_ROLE '{role}' PARALLEL OFF",
            $"UNLOAD ('select n + 1 from t') TO 's3://{b}/out/' IAM_ROLE '{role}' PARALLEL OFF ALLOWOVERWRITE");
        var versions = (await Server.AwsAsync("s3api", "list-object-versions", "--bucket", b, "--prefix", "out/")).Json()
            .GetProperty("Versions").EnumerateArray().Select(v => (v.GetProperty("Key").GetString(), v.GetProperty("IsLatest").GetBoolean())).ToList();
        var current = (await Server.AwsAsync("s3", "cp", $"s3://{b}/out/000", "-")).EnsureSuccess().Stdout;

        Assert.True(sql.ExitCode == 0, sql.ToString());
        Assert.Equal("2", sql.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => !l.StartsWith("UNLOAD", StringComparison.Ordinal)));
        Assert.Equal([("out/000", true), ("out/000", false)], versions);
        Assert.Equal("3\n", current.Replace("\r", ""));
    }
}
