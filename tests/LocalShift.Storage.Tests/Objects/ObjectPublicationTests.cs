using System.Text;
using LocalShift.Storage.Objects;

namespace LocalShift.Storage.Tests.Objects;

/// <summary>An UNLOAD's files are published together: a kill or a failure before the end leaves none of them.</summary>
public sealed class ObjectPublicationTests : IDisposable
{
    private readonly TempStore _t = new();

    public ObjectPublicationTests() => _t.Store.CreateBucket("b", "111111111111", "us-east-1");

    public void Dispose() => _t.Dispose();

    private Task<ObjectInfo> Put(string key, string body) => _t.PutAsync("b", key, Encoding.UTF8.GetBytes(body));

    private List<string> Keys() => _t.Store.List("b", null, null, null, 1000).Entries.Select(e => e.Object!.Key).ToList();

    [Fact]
    public async Task A_publication_left_open_by_a_killed_server_is_undone_when_the_store_opens_again()
    {
        await Put("other", "kept");
        await Put("out/0000_part_00", "an earlier unload's file");
        _t.Store.BeginPublication("b", ["out/0000_part_00", "out/0001_part_00", "out/manifest"]);
        await Put("out/0000_part_00", "new");
        await Put("out/0001_part_00", "new");
        // Killed before the manifest: nothing of the publication completes.
        _t.Reopen();

        Assert.Equal(["other"], Keys());
        Assert.Equal("kept", Encoding.UTF8.GetString(await _t.GetAsync("b", "other")));
    }

    [Fact]
    public async Task Objects_put_before_the_publication_began_stay_and_a_completed_one_is_kept()
    {
        await Put("out/manifest", "before");
        using (var publication = new ObjectPublication(_t.Store, _t.Store.BeginPublication("b", ["out/0000_part_00", "out/manifest"])))
        {
            await Put("out/0000_part_00", "new");
            publication.Complete();
        }
        _t.Reopen();

        Assert.Equal(["out/0000_part_00", "out/manifest"], Keys());
        Assert.Equal("before", Encoding.UTF8.GetString(await _t.GetAsync("b", "out/manifest")));
    }

    [Fact]
    public async Task A_failed_writer_disposing_its_publication_removes_what_it_put_and_a_versioned_bucket_gets_its_previous_version_back()
    {
        _t.Store.SetVersioning("b", BucketVersioning.Enabled);
        var before = await Put("out/0000_part_00", "before");
        using (new ObjectPublication(_t.Store, _t.Store.BeginPublication("b", ["out/0000_part_00", "out/0001_part_00"])))
        {
            await Put("out/0000_part_00", "new");
            await Put("out/0001_part_00", "new");
        }

        Assert.Equal(["out/0000_part_00"], Keys());
        Assert.Equal(before.VersionId, _t.Store.FindObject("b", "out/0000_part_00")!.VersionId);
        Assert.Equal("before", Encoding.UTF8.GetString(await _t.GetAsync("b", "out/0000_part_00")));
    }
}
