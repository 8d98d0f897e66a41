using System.Text;
using LocalShift.Storage.Objects;

namespace LocalShift.Storage.Tests.Objects;

public sealed class ObjectStoreVersioningTests : IDisposable
{
    private readonly TempStore _t = new();

    public ObjectStoreVersioningTests() => _t.Store.CreateBucket("b", "111111111111", "us-east-1");

    public void Dispose() => _t.Dispose();

    private Task<ObjectInfo> Put(string key, string body) => _t.PutAsync("b", key, Encoding.UTF8.GetBytes(body));

    private int BlobFiles() => _t.BlobFilesOnceDurable();

    private List<(string Key, string VersionId, bool Marker, bool Latest)> AllVersions(string? prefix = null) =>
        _t.Store.ListVersions("b", prefix, null, null, null, 1000).Entries
            .Select(e => (e.Version!.Info.Key, e.Version.Info.VersionId ?? "null", e.Version.IsDeleteMarker, e.Version.IsLatest)).ToList();

    private async Task<string> ReadVersion(string key, string versionId)
    {
        var opened = _t.Store.OpenVersion("b", key, versionId) ?? throw new KeyNotFoundException(versionId);
        await using var body = opened.Body!;
        return await new StreamReader(body).ReadToEndAsync();
    }

    [Fact]
    public async Task A_bucket_without_versioning_replaces_and_deletes_as_before()
    {
        var first = await Put("k", "one");
        await Put("k", "two");
        var deleted = _t.Store.DeleteObject("b", "k");

        Assert.Null(first.VersionId);
        Assert.Equal(BucketVersioning.Unversioned, _t.Store.GetVersioning("b"));
        Assert.False(deleted.Versioned);
        Assert.Empty(AllVersions());
        Assert.Equal(0, BlobFiles());
    }

    [Fact]
    public async Task Enabled_keeps_every_version_and_a_delete_adds_a_marker_that_hides_the_key()
    {
        var unversioned = await Put("k", "before versioning");
        _t.Store.SetVersioning("b", BucketVersioning.Enabled);
        var v1 = await Put("k", "one");
        var v2 = await Put("k", "two");
        var marker = _t.Store.DeleteObject("b", "k");

        Assert.Null(unversioned.VersionId);
        Assert.NotNull(v1.VersionId);
        Assert.NotEqual(v1.VersionId, v2.VersionId);
        Assert.True(marker.DeleteMarker);
        Assert.Null(_t.Store.FindObject("b", "k"));
        Assert.Empty(_t.Store.List("b", null, null, null, 1000).Entries);
        Assert.Equal(marker.VersionId, _t.Store.FindLatestDeleteMarker("b", "k")!.Info.VersionId);
        Assert.Equal(
            [("k", marker.VersionId!, true, true), ("k", v2.VersionId!, false, false), ("k", v1.VersionId!, false, false), ("k", "null", false, false)],
            AllVersions());
        Assert.Equal("one", await ReadVersion("k", v1.VersionId!));
        Assert.Equal("before versioning", await ReadVersion("k", "null"));
        Assert.Equal(3, BlobFiles());
    }

    [Fact]
    public async Task Removing_the_marker_or_the_current_version_makes_the_one_before_it_current()
    {
        _t.Store.SetVersioning("b", BucketVersioning.Enabled);
        var v1 = await Put("k", "one");
        var v2 = await Put("k", "two");
        var marker = _t.Store.DeleteObject("b", "k");

        var removedMarker = _t.Store.Delete("b", "k", marker.VersionId);
        var afterMarker = _t.Store.FindObject("b", "k");
        _t.Store.Delete("b", "k", v2.VersionId);
        var afterV2 = _t.Store.FindObject("b", "k");

        Assert.True(removedMarker.DeleteMarker);
        Assert.Equal(v2.VersionId, afterMarker!.VersionId);
        Assert.Equal(v1.VersionId, afterV2!.VersionId);
        Assert.Equal([("k", v1.VersionId!, false, true)], AllVersions());
        Assert.Equal(1, BlobFiles());
    }

    [Fact]
    public async Task Suspended_writes_the_null_version_replacing_the_earlier_null_version_only()
    {
        await Put("k", "null one");
        _t.Store.SetVersioning("b", BucketVersioning.Enabled);
        var v1 = await Put("k", "versioned");
        _t.Store.SetVersioning("b", BucketVersioning.Suspended);
        var suspended = await Put("k", "null two");
        var marker = _t.Store.DeleteObject("b", "k");

        Assert.Null(suspended.VersionId);
        Assert.True(marker.DeleteMarker);
        Assert.Null(marker.VersionId);
        // The suspended delete's marker is the null version now: both null objects are gone, the versioned one stays.
        Assert.Equal([("k", "null", true, true), ("k", v1.VersionId!, false, false)], AllVersions());
        Assert.Equal(1, BlobFiles());
    }

    [Fact]
    public async Task Version_pages_with_key_and_version_markers_cover_every_version_once_and_roll_up_prefixes()
    {
        _t.Store.SetVersioning("b", BucketVersioning.Enabled);
        foreach (var key in new[] { "a", "b", "dir/x", "dir/y", "c" })
            for (var i = 0; i < 3; i++) await Put(key, key + i);
        _t.Store.DeleteObject("b", "c");

        var seen = new List<string>();
        string? keyMarker = null, versionMarker = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var page = _t.Store.ListVersions("b", null, "/", keyMarker, versionMarker, 2);
            seen.AddRange(page.Entries.Select(e => e.CommonPrefix ?? e.Version!.Info.Key + "@" + e.Version.Info.VersionId));
            if (!page.IsTruncated) break;
            var last = page.Entries[^1];
            (keyMarker, versionMarker) = last.Version is { } v ? (v.Info.Key, v.Info.VersionId) : (last.CommonPrefix, null);
        }

        var expected = AllVersions().Where(v => !v.Key.StartsWith("dir/", StringComparison.Ordinal)).Select(v => v.Key + "@" + v.VersionId).ToList();
        expected.Add("dir/");
        Assert.Equal(expected, seen);
        Assert.Equal(16, AllVersions().Count);
        Assert.Equal(6, AllVersions("dir/").Count);
    }

    [Fact]
    public async Task A_listing_resumes_after_a_marker_version_that_was_deleted_meanwhile()
    {
        _t.Store.SetVersioning("b", BucketVersioning.Enabled);
        foreach (var key in new[] { "a", "b" })
            for (var i = 0; i < 3; i++) await Put(key, key + i);

        var removed = new List<string>();
        string? keyMarker = null, versionMarker = null;
        for (var pages = 0; pages < 10; pages++)
        {
            var page = _t.Store.ListVersions("b", null, null, keyMarker, versionMarker, 2);
            foreach (var v in page.Entries.Select(e => e.Version!.Info))
            {
                _t.Store.Delete("b", v.Key, v.VersionId);
                removed.Add(v.Key);
            }
            if (!page.IsTruncated) break;
            (keyMarker, versionMarker) = (page.Entries[^1].Version!.Info.Key, page.Entries[^1].Version!.Info.VersionId);
        }

        Assert.Equal(["a", "a", "a", "b", "b", "b"], removed);
        Assert.Empty(AllVersions());
    }

    [Fact]
    public async Task Versions_survive_a_restart_and_keep_the_bucket_from_being_deleted()
    {
        _t.Store.SetVersioning("b", BucketVersioning.Enabled);
        await Put("k", "one");
        await Put("k", "two");
        _t.Store.DeleteObject("b", "k");

        _t.Reopen();
        var notEmpty = Assert.Throws<ObjectStoreException>(() => _t.Store.DeleteBucket("b"));
        foreach (var v in AllVersions()) _t.Store.Delete("b", v.Key, v.VersionId);
        _t.Store.DeleteBucket("b");

        Assert.Equal(ObjectStoreError.BucketNotEmpty, notEmpty.Error);
        Assert.Equal(0, BlobFiles());
        _t.Store.CreateBucket("b", "111111111111", "us-east-1");
        Assert.Equal(BucketVersioning.Unversioned, _t.Store.GetVersioning("b"));
    }

    [Fact]
    public async Task Versions_read_after_a_restart_are_the_bytes_written()
    {
        _t.Store.SetVersioning("b", BucketVersioning.Enabled);
        var v1 = await Put("k", "one");
        await Put("k", "two");

        _t.Reopen();

        Assert.Equal(BucketVersioning.Enabled, _t.Store.GetVersioning("b"));
        Assert.Equal("one", await ReadVersion("k", v1.VersionId!));
        Assert.Equal("two", Encoding.UTF8.GetString(await _t.GetAsync("b", "k")));
    }

    [Theory]
    [InlineData("null", true)]
    [InlineData("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrH", true)]
    [InlineData("", false)]
    [InlineData("short", false)]
    [InlineData("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrH", false)]
    [InlineData("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHX", false)]
    public void Only_null_and_ids_of_the_issued_form_are_well_formed(string id, bool wellFormed) =>
        Assert.Equal(wellFormed, ObjectStore.IsWellFormedVersionId(id));

    [Fact]
    public void Issued_version_ids_are_well_formed_and_never_start_with_a_dash()
    {
        for (var i = 0; i < 200; i++)
        {
            var id = ObjectStore.NewVersionId(DateTime.UtcNow.Ticks + i);
            Assert.True(ObjectStore.IsWellFormedVersionId(id), id);
            Assert.True(char.IsAsciiLetterOrDigit(id[0]), id);
        }
    }
}
