using System.Text;
using LocalShift.Services.S3;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.Tests.S3;

public sealed class S3VersioningServiceTests : IDisposable
{
    private readonly S3Harness _s3 = new();

    public S3VersioningServiceTests()
    {
        _s3.Store.CreateBucket("b", S3Harness.Account, "us-east-1");
        _s3.Store.SetVersioning("b", BucketVersioning.Enabled);
    }

    public void Dispose() => _s3.Dispose();

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Copy_and_unload_see_only_current_objects_of_a_versioned_bucket_and_their_deletes_leave_markers()
    {
        var objects = new S3Objects(_s3.Service.Typed);
        var call = _s3.Call();

        await objects.PutAsync(call, "b", "unload/0000_part_00", new MemoryStream(Utf8("old")));
        await objects.PutAsync(call, "b", "unload/0000_part_00", new MemoryStream(Utf8("new")));
        var listed = await objects.ListAsync(call, "b", "unload/");
        string read;
        await using (var body = await objects.OpenReadAsync(call, "b", "unload/0000_part_00"))
            read = await new StreamReader(body).ReadToEndAsync();
        await objects.DeleteAsync(call, "b", "unload/0000_part_00");
        var afterDelete = await objects.ListAsync(call, "b", "unload/");
        var missing = await Assert.ThrowsAsync<S3Exception>(() => objects.OpenReadAsync(call, "b", "unload/0000_part_00"));

        Assert.Equal(["unload/0000_part_00"], listed.Select(o => o.Key));
        Assert.Equal("new", read);
        Assert.Empty(afterDelete);
        Assert.Equal("NoSuchKey", missing.Code);
        // Newest first: the delete marker, then both written versions.
        Assert.Equal([true, false, false], _s3.Store.ListVersions("b", null, null, null, null, 10).Entries.Select(e => e.Version!.IsDeleteMarker));
    }

    [Fact]
    public async Task Each_versioning_request_asks_for_its_own_action_with_the_version_id_as_condition_key()
    {
        var put = await _s3.SendAsync("PUT", "/b/k", Utf8("body"));
        var versionId = put.Headers["x-amz-version-id"].ToString();
        await _s3.SendAsync("GET", "/b/k?versionId=" + versionId);
        await _s3.SendAsync("GET", "/b?versions");
        await _s3.SendAsync("GET", "/b?versioning");
        await _s3.SendAsync("PUT", "/b?versioning", Utf8("<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>"));
        var deleted = await _s3.SendAsync("DELETE", "/b/k?versionId=" + versionId);

        Assert.Equal(32, versionId.Length);
        Assert.Equal(204, deleted.Status);
        Assert.Equal(versionId, deleted.Headers["x-amz-version-id"].ToString());
        Assert.Equal(["s3:PutObject", "s3:GetObjectVersion", "s3:ListBucketVersions", "s3:GetBucketVersioning", "s3:PutBucketVersioning", "s3:DeleteObjectVersion"],
            _s3.Authorizer.Checks.Select(c => c.Action));
        Assert.Equal([versionId], _s3.Authorizer.Checks[1].Keys!["s3:versionid"]);
        Assert.Equal([versionId], _s3.Authorizer.Checks[5].Keys!["s3:versionid"]);
        Assert.Equal(BucketVersioning.Suspended, _s3.Store.GetVersioning("b"));
    }

    [Theory]
    [InlineData("<VersioningConfiguration><Status>On</Status></VersioningConfiguration>", "MalformedXML")]
    [InlineData("<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Maybe</MfaDelete></VersioningConfiguration>", "MalformedXML")]
    [InlineData("not xml", "MalformedXML")]
    public async Task A_bad_versioning_configuration_is_refused_and_changes_nothing(string body, string code)
    {
        var r = await _s3.SendAsync("PUT", "/b?versioning", Utf8(body));

        Assert.Equal(400, r.Status);
        Assert.Contains($"<Code>{code}</Code>", r.Body);
        Assert.Equal(BucketVersioning.Enabled, _s3.Store.GetVersioning("b"));
    }

    [Fact]
    public async Task A_version_id_marker_needs_a_key_marker_and_must_be_a_version_id()
    {
        await _s3.SendAsync("PUT", "/b/k", Utf8("body"));

        var alone = await _s3.SendAsync("GET", "/b?versions&version-id-marker=null");
        var unknown = await _s3.SendAsync("GET", "/b?versions&key-marker=k&version-id-marker=not-a-version-id");

        Assert.Contains("<Code>InvalidArgument</Code><Message>A version-id marker cannot be specified without a key marker.</Message>", alone.Body);
        Assert.Contains("<Code>InvalidArgument</Code><Message>Invalid version id specified</Message>", unknown.Body);
    }
}
