using System.Text;
using LocalShift.Storage.Objects;
using LocalShift.Storage.State;

namespace LocalShift.Storage.Tests.Objects;

/// <summary>
/// Issue 21's audit: under <c>synchronous=NORMAL</c> an OS crash can roll back the last commits; an overwrite whose new
/// record rolled back must still find its previous bytes, so a replaced blob is deleted only once the record that
/// replaced it is durable. An OS crash cannot be made here; what it leaves can: the database file without the WAL's
/// unsynced tail, and the blob files.
/// </summary>
public sealed class RetiredBlobTests : IDisposable
{
    private readonly TempStore _t = new();

    public RetiredBlobTests() => _t.Store.CreateBucket("b", "111111111111", "us-east-1");

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task An_overwritten_object_reads_whole_after_an_os_crash_that_loses_the_new_record()
    {
        await _t.PutAsync("b", "k", Encoding.UTF8.GetBytes("old"));
        Assert.True(_t.State.MakeDurable()); // the first record is in the database file
        await _t.PutAsync("b", "k", Encoding.UTF8.GetBytes("new"));

        Assert.Equal("new", Encoding.UTF8.GetString(await _t.GetAsync("b", "k")));
        Assert.Equal("old", await ReadAfterOsCrashAsync("k"));

        // Once the pass has made the new record durable, the old bytes go, and a crash then keeps the new object.
        Assert.Equal(1, _t.BlobFilesOnceDurable());
        Assert.Equal("new", await ReadAfterOsCrashAsync("k"));
    }

    [Fact]
    public async Task A_deleted_object_reads_whole_after_an_os_crash_that_loses_the_delete()
    {
        await _t.PutAsync("b", "gone", Encoding.UTF8.GetBytes("still here"));
        Assert.True(_t.State.MakeDurable());
        _t.Store.DeleteObject("b", "gone");

        Assert.Null(_t.Store.FindObject("b", "gone"));
        Assert.Equal("still here", await ReadAfterOsCrashAsync("gone"));
        Assert.Equal(0, _t.BlobFilesOnceDurable());
        Assert.Null(await ReadAfterOsCrashAsync("gone"));
    }

    /// <summary>
    /// Copies the data directory as an OS crash that lost the WAL's unsynced commits would leave it (the database file
    /// and the blobs, no WAL), opens a store over the copy as the restarted server would, and reads the key.
    /// </summary>
    private async Task<string?> ReadAfterOsCrashAsync(string key)
    {
        var copy = Path.Combine(Path.GetTempPath(), "ls-crash-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(copy);
            File.Copy(Path.Combine(_t.DataDir, "state.db"), Path.Combine(copy, "state.db"));
            foreach (var f in Directory.EnumerateFiles(Path.Combine(_t.S3Root, "blobs"), "*", SearchOption.AllDirectories))
            {
                var to = Path.Combine(copy, "s3", Path.GetRelativePath(_t.S3Root, f));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(f, to);
            }
            using var state = new StateStore(Path.Combine(copy, "state.db"));
            var store = new ObjectStore(state, Path.Combine(copy, "s3"), new HeldTimers());
            if (store.OpenObject("b", key) is not { } opened) return null;
            await using var body = opened.Body;
            return await new StreamReader(body).ReadToEndAsync();
        }
        finally
        {
            try { Directory.Delete(copy, true); } catch (IOException) { }
        }
    }
}
