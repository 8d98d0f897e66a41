using System.Security.Cryptography;

namespace LocalShift.Storage.Objects;

/// <summary>The size and MD5 of a file's bytes, computed by whoever already read them.</summary>
public sealed record FileDigest(long Size, byte[] Md5);

/// <summary>
/// Follows a file another writer is appending to (DuckDB's <c>COPY ... TO</c>): waits for it to appear, hashes the
/// bytes as they arrive and, every <see cref="FlushEvery"/> bytes, flushes what is written to the device in the
/// background, so that when the writer is done only the tail is left to hash and flush. Only valid for a writer that
/// writes strictly sequentially and never goes back over written bytes; the caller knows which writers do.
/// <see cref="FinishAsync"/> gives no digest (the caller then reads the file again) when the file never appeared,
/// was replaced or truncated, or reading it failed.
/// </summary>
public sealed class FileTail : IDisposable
{
    public const long FlushEvery = 32L << 20;
    private const int BufferSize = 1 << 20;
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
        Task flushing = Task.CompletedTask;
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
            // Its own handle for the flushes, which run beside the reads (a stream is not for two threads at once).
            sync = new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 0);
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            var buffer = new byte[BufferSize];
            long size = 0, flushedTo = 0;
            while (!_abort.IsCancellationRequested)
            {
                // Read whether or not the writer said it is done: after it is, one more pass to the end finishes.
                var finished = _done.IsSet;
                int n;
                while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    md5.AppendData(buffer, 0, n);
                    size += n;
                    if (size - flushedTo >= FlushEvery && flushing.IsCompleted)
                    {
                        flushedTo = size;
                        var handle = sync;
                        flushing = Task.Run(() => handle.Flush(flushToDisk: true));
                    }
                }
                if (finished) break;
                _done.Wait(2);
            }
            flushing.Wait();
            if (_abort.IsCancellationRequested) return null;
            // The bytes hashed must be the whole file, and the file at the path still the one that was read.
            if (stream.Length != size || !SameFile(stream, _path)) return null;
            return new FileDigest(size, md5.GetHashAndReset());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or AggregateException)
        {
            return null;
        }
        finally
        {
            try { flushing.Wait(); } catch (AggregateException) { }
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
}
