using LocalShift.Storage.Objects;
using LocalShift.Storage.State;

namespace LocalShift.Storage.Tests.Objects;

/// <summary>An object store in a fresh temporary data directory, deleted afterwards.</summary>
public sealed class TempStore : IDisposable
{
    public TempStore()
    {
        DataDir = Path.Combine(Path.GetTempPath(), "ls-s3-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDir);
        State = new StateStore(Path.Combine(DataDir, "state.db"));
        Store = Reopen();
    }

    public string DataDir { get; }
    public string S3Root => Path.Combine(DataDir, "s3");
    public StateStore State { get; }
    public ObjectStore Store { get; private set; }

    /// <summary>Opens the store again over the same directory, as a restarted process would.</summary>
    public ObjectStore Reopen() => Store = new ObjectStore(State, S3Root);

    public async Task<ObjectInfo> PutAsync(string bucket, string key, byte[] body, ObjectAttributes? attrs = null)
    {
        using var staged = await Store.StageAsync(new MemoryStream(body));
        return Store.Commit(bucket, key, staged, attrs ?? ObjectAttributes.Empty);
    }

    public async Task<byte[]> GetAsync(string bucket, string key)
    {
        var opened = Store.OpenObject(bucket, key) ?? throw new KeyNotFoundException(key);
        await using var body = opened.Body;
        var ms = new MemoryStream();
        await body.CopyToAsync(ms);
        return ms.ToArray();
    }

    public void Dispose()
    {
        State.Dispose();
        try { Directory.Delete(DataDir, true); } catch (IOException) { }
    }
}
