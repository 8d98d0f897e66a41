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

    /// <summary>The stores' timers: <see cref="HeldTimers.Fire"/> runs the pass that deletes retired blobs.</summary>
    public HeldTimers Clock { get; } = new();

    /// <summary>Opens the store again over the same directory, as a restarted process would.</summary>
    public ObjectStore Reopen() => Store = new ObjectStore(State, S3Root, Clock);

    /// <summary>The blob files on disk once replaced and deleted objects' blobs have been deleted (the records are durable).</summary>
    public int BlobFilesOnceDurable()
    {
        Clock.Fire();
        var blobs = Path.Combine(S3Root, "blobs");
        return Directory.Exists(blobs) ? Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).Count() : 0;
    }

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

/// <summary>
/// The system's clock with timers that run only when <see cref="Fire"/> is called, so a test decides when a store's
/// periodic pass runs.
/// </summary>
public sealed class HeldTimers : TimeProvider
{
    private readonly List<Held> _timers = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var t = new Held(callback, state);
        lock (_timers) _timers.Add(t);
        return t;
    }

    /// <summary>Runs every timer's callback once, on this thread.</summary>
    public void Fire()
    {
        Held[] all;
        lock (_timers) all = [.. _timers];
        foreach (var t in all) t.Run();
    }

    private sealed class Held(TimerCallback callback, object? state) : ITimer
    {
        private bool _disposed;
        public void Run() { if (!_disposed) callback(state); }
        public bool Change(TimeSpan dueTime, TimeSpan period) => !_disposed;
        public void Dispose() => _disposed = true;
        public ValueTask DisposeAsync() { _disposed = true; return ValueTask.CompletedTask; }
    }
}
