namespace LocalShift.Storage.Objects;

/// <summary>
/// The size and MD5 of a file's bytes, computed by whoever already read them; with <paramref name="Parts"/> above 0,
/// <paramref name="Md5"/> is the MD5 of its parts' MD5s (see <see cref="PartDigest"/>) and the ETag ends in "-Parts".
/// </summary>
public sealed record FileDigest(long Size, byte[] Md5, int Parts = 0);

/// <summary>
/// Follows a file another writer is appending to (DuckDB's <c>COPY ... TO</c>): waits for it to appear, hashes its
/// parts (<see cref="PartDigest"/>) as they are written and, every <see cref="WritebackEvery"/> bytes, has the kernel
/// start writing them to the device, so that when the writer is done little is left to hash and flush (the flush then
/// runs beside the last hashing). Only valid for a writer that writes strictly sequentially and never goes back over
/// written bytes; the caller knows which writers do.
/// <see cref="FinishAsync"/> gives no digest (the caller then reads the file again) when the file never appeared,
/// was replaced or truncated, or reading it failed.
/// </summary>
public sealed partial class FileTail : IDisposable
{
    /// <summary>How many newly written bytes make the tail ask the kernel to start writing them to the device.</summary>
    public const long WritebackEvery = 16L << 20;
    private readonly string _path;
    private readonly ManualResetEventSlim _done = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly Task<FileDigest?> _task;

    private FileTail(string path)
    {
        _path = Path.GetFullPath(path);
        _task = Task.Factory.StartNew(Follow, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Starts following <paramref name="path"/>, which need not exist yet.</summary>
    public static FileTail Start(string path) => new(path);

    /// <summary>The writer has finished and closed the file: reads the rest and gives the digest, or null (see the class).</summary>
    public async Task<FileDigest?> FinishAsync()
    {
        _done.Set();
        return await _task.ConfigureAwait(false);
    }

    /// <summary>Stops following (the writer failed); waits for the reader to let go of the file.</summary>
    public void Dispose()
    {
        _abort.Cancel();
        _done.Set();
        try { _task.Wait(); } catch (AggregateException) { }
        _done.Dispose();
        _abort.Dispose();
    }

    private FileDigest? Follow()
    {
        FileStream? stream = null, sync = null;
        try
        {
            while (stream is null)
            {
                var finished = _done.IsSet;
                try
                {
                    stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 0);
                }
                catch (FileNotFoundException)
                {
                    if (finished) return null;
                    _done.Wait(2);
                }
                catch (DirectoryNotFoundException)
                {
                    if (finished) return null;
                    _done.Wait(2);
                }
            }
            // Its own handle for the writeback requests.
            sync = new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 0);
            var parts = new PartDigest.Builder(stream.SafeFileHandle);
            long writebackFrom = 0;
            while (!_abort.IsCancellationRequested)
            {
                if (_done.IsSet) break;
                var written = RandomAccess.GetLength(stream.SafeFileHandle);
                // Start the device writes of what is written, without waiting for them: the flush at adoption then
                // finds most pages clean. (A full flush here would also commit the filesystem's journal, which holds
                // up the writer's own appends.)
                if (written - writebackFrom >= WritebackEvery)
                {
                    StartWriteback(sync, writebackFrom, written - writebackFrom);
                    writebackFrom = written;
                }
                // Whole parts are hashed a batch at a time while the writer goes on; the rest once it is done.
                var ready = (int)(written / PartDigest.PartSize) - parts.HashedParts;
                if (ready >= PartDigest.Builder.Batch) parts.HashParts(ready - ready % PartDigest.Builder.Batch);
                else _done.Wait(2);
            }
            if (_abort.IsCancellationRequested) return null;
            // The writer is done: the device flush the store will ask for runs while the rest is hashed, so that the
            // store's own flush then finds every page clean.
            var writer = sync;
            var flushed = Task.Run(() => writer.Flush(flushToDisk: true));
            var size = RandomAccess.GetLength(stream.SafeFileHandle);
            FileDigest digest;
            try { digest = parts.Finish(size); }
            finally { flushed.Wait(); }
            // The bytes hashed must be the whole file, and the file at the path still the one that was read.
            if (RandomAccess.GetLength(stream.SafeFileHandle) != size || !SameFile(stream, _path)) return null;
            return digest;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or AggregateException)
        {
            return null;
        }
        finally
        {
            sync?.Dispose();
            stream?.Dispose();
        }
    }

    /// <summary>Whether the open stream is still the file at <paramref name="path"/> (not renamed over or deleted); Linux only.</summary>
    private static bool SameFile(FileStream stream, string path)
    {
        if (!OperatingSystem.IsLinux()) return false;
        var fd = stream.SafeFileHandle.DangerousGetHandle().ToInt64();
        return new FileInfo($"/proc/self/fd/{fd}").LinkTarget == path;
    }

    private const uint SyncFileRangeWrite = 2;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int fd, long offset, long count, uint flags);

    /// <summary>Linux's <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>: starts the writes, waits for none; a no-op elsewhere or on failure.</summary>
    private static void StartWriteback(FileStream file, long offset, long count)
    {
        if (!OperatingSystem.IsLinux()) return;
        try { _ = SyncFileRange((int)file.SafeFileHandle.DangerousGetHandle(), offset, count, SyncFileRangeWrite); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }
}
