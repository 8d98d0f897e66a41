namespace LocalShift.Storage.Objects;

/// <summary>
/// The size and MD5 of a file's bytes, computed by whoever already read them; with <paramref name="Parts"/> above 0,
/// <paramref name="Md5"/> is the MD5 of its parts' MD5s (see <see cref="PartDigest"/>) and the ETag ends in "-Parts".
/// </summary>
public sealed record FileDigest(long Size, byte[] Md5, int Parts = 0);

/// <summary>
/// Follows files other writers are appending to (DuckDB's <c>COPY ... TO</c>, one file or one per writer thread): waits
/// for each to appear, hashes their parts (<see cref="PartDigest"/>) as they are written and, every
/// <see cref="WritebackEvery"/> bytes, has the kernel start writing them to the device, so that when the writers are
/// done little is left to hash and flush (the flush then runs beside the last hashing). The parts of all the files share
/// the hashing lanes: a batch takes whole parts from any of them, so several files cost no more than one of their total
/// size. Only valid for writers that write strictly sequentially and never go back over written bytes; the caller knows
/// which writers do. A file gets no digest (the caller then reads it again) when it never appeared, was replaced or
/// truncated, or reading it failed.
/// </summary>
public sealed partial class FileTail : IDisposable
{
    /// <summary>How many newly written bytes make the tail ask the kernel to start writing them to the device.</summary>
    public const long WritebackEvery = 16L << 20;
    private readonly string[] _paths;
    private readonly ManualResetEventSlim _done = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly Task<FileDigest?[]> _task;

    private FileTail(string[] paths)
    {
        _paths = paths.Select(Path.GetFullPath).ToArray();
        _task = Task.Factory.StartNew(Follow, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Starts following <paramref name="path"/>, which need not exist yet.</summary>
    public static FileTail Start(string path) => new([path]);

    /// <summary>Starts following files written at the same time (none need exist yet, and some may never).</summary>
    public static FileTail Start(IEnumerable<string> paths) => new(paths.ToArray());

    /// <summary>The writer has finished and closed the file: reads the rest and gives the digest, or null (see the class).</summary>
    public async Task<FileDigest?> FinishAsync() => (await FinishAllAsync())[0];

    /// <summary>The writers have finished: each file's digest, in the order given, or null (see the class).</summary>
    public async Task<FileDigest?[]> FinishAllAsync()
    {
        _done.Set();
        return await _task.ConfigureAwait(false);
    }

    /// <summary>Stops following (the writer failed); waits for the reader to let go of the files.</summary>
    public void Dispose()
    {
        _abort.Cancel();
        _done.Set();
        try { _task.Wait(); } catch (AggregateException) { }
        _done.Dispose();
        _abort.Dispose();
    }

    /// <summary>One file being followed: its handles, how far writeback was asked for, and its whole parts' MD5s so far.</summary>
    private sealed class Followed(string path, FileStream stream, FileStream sync)
    {
        public string Path { get; } = path;
        public FileStream Stream { get; } = stream;
        public FileStream Sync { get; } = sync;
        public long WritebackFrom { get; set; }
        public List<byte[]> Parts { get; } = [];
    }

    private FileDigest?[] Follow()
    {
        var files = new Followed?[_paths.Length];
        var buffer = PartDigest.NewBuffer();
        try
        {
            while (!_abort.IsCancellationRequested)
            {
                var finished = _done.IsSet;
                for (var i = 0; i < files.Length; i++) files[i] ??= TryOpen(_paths[i]);
                if (finished) break;
                var ready = new List<(Followed File, int Part)>();
                foreach (var file in files)
                {
                    if (file is null) continue;
                    var written = RandomAccess.GetLength(file.Stream.SafeFileHandle);
                    // Start the device writes of what is written, without waiting for them: the flush at adoption then
                    // finds most pages clean. (A full flush here would also commit the filesystem's journal, which holds
                    // up the writer's own appends.)
                    if (written - file.WritebackFrom >= WritebackEvery)
                    {
                        StartWriteback(file.Sync, file.WritebackFrom, written - file.WritebackFrom);
                        file.WritebackFrom = written;
                    }
                    for (var part = file.Parts.Count; part < written / PartDigest.PartSize; part++) ready.Add((file, part));
                }
                // Whole parts are hashed a full batch at a time while the writers go on; the rest once they are done.
                if (ready.Count >= PartDigest.Batch) Hash(ready.Take(ready.Count - ready.Count % PartDigest.Batch).ToList(), buffer);
                else _done.Wait(2);
            }
            if (_abort.IsCancellationRequested) return new FileDigest?[files.Length];

            // The writers are done. The device flushes the store will ask for run while the rest is hashed (so that the
            // store's own flushes find every page clean), and so do the short last parts and one-part files, on other
            // cores, while the whole parts left are hashed here.
            var open = files.Where(f => f is not null).Cast<Followed>().ToList();
            var flushed = open.Select(f => Task.Run(() => f.Sync.Flush(flushToDisk: true))).ToList();
            var sizes = open.ToDictionary(f => f, f => RandomAccess.GetLength(f.Stream.SafeFileHandle));
            var lastParts = new Dictionary<Followed, Task<byte[]>>();
            var left = new List<(Followed File, int Part)>();
            foreach (var file in open)
            {
                var size = sizes[file];
                var whole = (int)(size / PartDigest.PartSize);
                if (PartDigest.PartsOf(size) == 0)
                {
                    if (!(size == PartDigest.PartSize && file.Parts.Count == 1))
                        lastParts[file] = Task.Run(() => PartDigest.HashRange(file.Stream.SafeFileHandle, 0, size, PartDigest.NewChunkBuffer()));
                    continue;
                }
                if (whole * (long)PartDigest.PartSize < size)
                    lastParts[file] = Task.Run(() => PartDigest.HashRange(file.Stream.SafeFileHandle, whole * (long)PartDigest.PartSize, size - whole * (long)PartDigest.PartSize, PartDigest.NewChunkBuffer()));
                for (var part = file.Parts.Count; part < whole; part++) left.Add((file, part));
            }
            try { Hash(left, buffer); }
            finally { Task.WaitAll([.. flushed, .. lastParts.Values]); }

            var digests = new FileDigest?[files.Length];
            for (var i = 0; i < files.Length; i++)
            {
                if (files[i] is not { } file) continue;
                var size = sizes[file];
                // The bytes hashed must be the whole file, and the file at the path still the one that was read.
                if (RandomAccess.GetLength(file.Stream.SafeFileHandle) != size || !SameFile(file.Stream, file.Path)) continue;
                digests[i] = PartDigest.PartsOf(size) == 0
                    ? new FileDigest(size, lastParts.TryGetValue(file, out var one) ? one.Result : file.Parts[0])
                    : PartDigest.Compose(size, lastParts.TryGetValue(file, out var last) ? [.. file.Parts, last.Result] : file.Parts);
            }
            return digests;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or AggregateException)
        {
            return new FileDigest?[files.Length];
        }
        finally
        {
            foreach (var file in files)
            {
                file?.Sync.Dispose();
                file?.Stream.Dispose();
            }
        }
    }

    /// <summary>Hashes whole parts, a batch of lanes at a time, each batch taking them in order from any of the files.</summary>
    private static void Hash(List<(Followed File, int Part)> parts, byte[] buffer)
    {
        for (var at = 0; at < parts.Count; at += PartDigest.Batch)
        {
            var batch = parts.Skip(at).Take(PartDigest.Batch).ToList();
            var hashes = PartDigest.HashParts(batch.Select(p => (p.File.Stream.SafeFileHandle, (long)p.Part * PartDigest.PartSize)).ToList(), buffer);
            // In order within each file: a file's parts come in ascending order, each right after those hashed before.
            for (var j = 0; j < batch.Count; j++) batch[j].File.Parts.Add(hashes[j]);
        }
    }

    /// <summary>The file opened for reading and for writeback requests, or null while it does not exist.</summary>
    private static Followed? TryOpen(string path)
    {
        if (!File.Exists(path)) return null;
        FileStream? stream = null;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 0);
            // Its own handle for the writeback requests and the flush.
            var sync = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 0);
            return new Followed(path, stream, sync);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            stream?.Dispose();
            return null;
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
