using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;

namespace LocalShift.Storage.Objects;

/// <summary>
/// The object bytes on disk. A body is first written to <c>tmp/</c> and flushed to the device, then renamed into
/// <c>blobs/xx/&lt;id&gt;</c> under a fresh random id, so a reader only ever opens complete files. Blob names are ids,
/// never keys: no key can name a path.
/// </summary>
public sealed class BlobFiles
{
    private const int CopyBufferSize = 1 << 20;

    /// <summary>
    /// The largest body whose additional digests run on the request's thread while it is written, rather than over the
    /// file during its flush: below this the hand-over to another thread and the read back cost more than the hashing.
    /// </summary>
    internal const int DigestedInlineBytes = 64 * 1024;
    private readonly string _tmp;
    private readonly string _blobs;

    public BlobFiles(string root)
    {
        Root = Path.GetFullPath(root);
        _tmp = Path.Combine(Root, "tmp");
        _blobs = Path.Combine(Root, "blobs");
        Directory.CreateDirectory(_tmp);
        Directory.CreateDirectory(_blobs);
    }

    public string Root { get; }

    /// <summary>When a large body's additional digests start reading it back (tests fix it; see <see cref="DigestSchedule"/>).</summary>
    internal DigestSchedule Schedule { get; set; } = DigestSchedule.Shared;

    /// <summary>
    /// Whether the ETag's MD5 of staged bodies of a declared length up to <see cref="SharedMd5MaxBytes"/> (a 1 MiB PUT,
    /// the CLI's 8 MiB parts) runs in the shared AVX2 lanes (<see cref="SharedMd5"/>): on with AVX2,
    /// off with <c>LOCALSHIFT_MD5_LANES=0</c> (to compare) or without AVX2 (each body's own MD5, as before).
    /// </summary>
    internal const long SharedMd5MaxBytes = 16L << 20;

    internal static bool UseSharedMd5 { get; set; } = Md5Lanes.Vectorized && Environment.GetEnvironmentVariable("LOCALSHIFT_MD5_LANES") != "0";

    /// <summary>
    /// Copies <paramref name="source"/> to a flushed temporary file, computing its MD5 and feeding
    /// <paramref name="digests"/> on the way. MD5 (the ETag) of the first <see cref="DigestPipeline.InlineBytes"/> is
    /// computed on the request's thread; past them it runs on another core while the body is written
    /// (<see cref="DigestPipeline"/>). The other digests (an additional checksum, a signed payload's SHA-256) read the
    /// body back from the file while it is flushed to the device (<see cref="DigestWrittenAsync"/>): on a machine whose cores
    /// are all busy receiving, writing and hashing MD5, the device's round trip is when a core is free. That holds for a
    /// 1 MiB body too: hashed inline after MD5, SHA1/SHA256 (~0.6 ms a MiB) added about 10% to its PUT; during the
    /// flush they cost the read from the page cache. Only a body of at most <see cref="DigestedInlineBytes"/> is given to
    /// them here, where a hand-over costs more than the hashing. The
    /// writes go to the page cache on the request's thread (an async file write on Unix is the same write on another
    /// thread, a hop per chunk), and the flush to the device waits in <see cref="FlushQueue"/> without holding a thread.
    /// For a large body whose length is declared (<paramref name="expectedLength"/>, which only schedules work) the
    /// read-back may start while the body still arrives, following the writer, when the flush alone is too short to hide
    /// it (<see cref="DigestSchedule"/>). The digests have seen every byte when this returns.
    /// </summary>
    public async Task<StagedBlob> StageAsync(Stream source, IReadOnlyList<IBodyDigest>? digests = null, CancellationToken ct = default, long? expectedLength = null)
    {
        var path = Path.Combine(_tmp, Guid.NewGuid().ToString("N") + ".tmp");
        using var md5 = new IncrementalDigest(HashAlgorithmName.MD5);
        digests ??= [];
        byte[]? lanesDigest = null;
        async Task LanesDigestAsync(SharedMd5.Body body) => lanesDigest = await body.CompleteAsync() ?? throw new InvalidOperationException("The body's MD5 was abandoned.");
        var started = Stopwatch.GetTimestamp();
        try
        {
            long size = 0, inline = 0;
            // The other digests read the body back behind the writer: once it is written, or for a large body with a
            // declared length while it still arrives, early enough to end about with the flush (DigestSchedule).
            var schedule = Schedule.For(digests);
            var early = digests.Count > 0 && expectedLength > 0;
            var extent = new WrittenExtent();
            Task<long[]>? readBack = null;
            // MD5 in the shared lanes (SharedMd5) for a body declared at most SharedMd5MaxBytes long, unless it is one
            // small chunk. A larger body or one of unknown length (or no AVX2): its own MD5 (OpenSSL) beside the write,
            // as a lone body in the lanes runs the scalar path, two thirds of OpenSSL's speed, and would set its pace.
            var lanes = UseSharedMd5 && expectedLength is > 0 and <= SharedMd5MaxBytes ? SharedMd5.Shared.Open() : null;
            var inlineMd5 = lanes is null;
            await using (var pipeline = new DigestPipeline(lanes is null ? [md5] : []))
            try
            {
                // Read and write: the digests past the inline bytes read the file back through the same handle.
                await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None))
                {
                    try
                    {
                        while (true)
                        {
                            var chunk = await pipeline.RentAsync(ct);
                            var n = chunk.Length = await FillAsync(source, chunk.Buffer, ct);
                            if (n > 0)
                            {
                                if (lanes is not null)
                                {
                                    // A body of one small chunk is hashed here; any other goes to the shared lanes chunk by chunk.
                                    if (size == 0 && n <= DigestedInlineBytes && n < DigestPipeline.ChunkSize)
                                    {
                                        inlineMd5 = true;
                                        md5.Append(chunk.Span);
                                    }
                                    else lanes.Submit(chunk);
                                }
                                // MD5 of a small body is computed here, with no hand-over to other cores; of a large one's first bytes too.
                                else if (size < DigestPipeline.InlineBytes) pipeline.AppendInline(chunk);
                                else pipeline.Publish(chunk);
                                // The other digests read the body back during the flush, unless it is tiny and ends here.
                                if (size == 0 && n <= DigestedInlineBytes && n < DigestPipeline.ChunkSize)
                                {
                                    AppendInline(digests, chunk.Span);
                                    inline = n;
                                }
                                file.Write(chunk.Span);
                            }
                            chunk.Release();
                            size += n;
                            var last = n < DigestPipeline.ChunkSize;
                            if (readBack is null && size > inline && digests.Count > 0
                                && (last || early && schedule.StartNow(expectedLength!.Value, size)))
                            {
                                var from = inline;
                                readBack = Task.WhenAll(digests.Select(d => Task.Run(() => DigestWrittenAsync(file, from, extent, d, ct), CancellationToken.None)));
                            }
                            extent.Advance(size, last);
                            if (last) break;
                        }
                    }
                    catch
                    {
                        // Nothing may read the file once it is closed: the readers stop at what was written, then the error.
                        extent.Advance(size, complete: true, failed: true);
                        if (readBack is not null) try { await readBack; } catch (Exception) { /* the body's own error is the one to report */ }
                        throw;
                    }
                    var written = Stopwatch.GetTimestamp();
                    var flushed = FlushQueue.Shared.FlushAsync(file);
                    try
                    {
                        // Both awaited even when one fails: nothing may read the file once it is closed.
                        var hashed = lanes is null || inlineMd5 || size == 0 ? pipeline.CompleteAsync() : LanesDigestAsync(lanes);
                        await Task.WhenAll(hashed, readBack ?? Task.CompletedTask);
                    }
                    finally
                    {
                        // The file stays open until it is on the device, even when a digest failed.
                        var onDevice = await flushed;
                        if (readBack is { IsCompletedSuccessfully: true } && early)
                        {
                            var digested = readBack.Result.Max();
                            schedule.Record(size, Stopwatch.GetElapsedTime(started, written).TotalMilliseconds,
                                Stopwatch.GetElapsedTime(onDevice, digested).TotalMilliseconds);
                        }
                    }
                }
            }
            finally
            {
                // No chunk may go back to the shared pool while the lanes may still read it (a failed or cancelled body).
                if (lanes is not null) try { await lanes.Abandon(); } catch (Exception) { /* reported by the body's own await */ }
            }
            return new StagedBlob(this, path, size, lanesDigest ?? md5.Hash());
        }
        catch
        {
            TryDelete(path);
            throw;
        }
    }

    private static void AppendInline(IReadOnlyList<IBodyDigest> digests, ReadOnlySpan<byte> bytes)
    {
        try
        {
            foreach (var d in digests) d.Append(bytes);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException("A digest of the body failed.", e);
        }
    }

    /// <summary>
    /// Gives <paramref name="digest"/> the bytes of <paramref name="file"/> from <paramref name="from"/> on, as the writer
    /// reports them written (<paramref name="extent"/>), read back from the page cache they were just written to (a read
    /// into one pooled buffer; the body is not held in memory twice).
    /// </summary>
    private static async Task<long> DigestWrittenAsync(FileStream file, long from, WrittenExtent extent, IBodyDigest digest, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(DigestPipeline.ChunkSize);
        try
        {
            var handle = file.SafeFileHandle;
            for (var at = from; ;)
            {
                var (written, complete, failed) = await extent.WaitBeyondAsync(at);
                if (failed) return 0;
                if (at >= written && complete) return Stopwatch.GetTimestamp();
                while (at < written)
                {
                    ct.ThrowIfCancellationRequested();
                    var n = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(DigestPipeline.ChunkSize, written - at)), at);
                    if (n == 0) throw new IOException("The staged file is shorter than what was written to it.");
                    try
                    {
                        digest.Append(buffer.AsSpan(0, n));
                    }
                    catch (Exception e)
                    {
                        throw new InvalidOperationException("A digest of the body failed.", e);
                    }
                    at += n;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    private static async ValueTask<int> FillAsync(Stream source, Memory<byte> buffer, CancellationToken ct)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await source.ReadAsync(buffer[filled..], ct);
            if (n == 0) break;
            filled += n;
        }
        return filled;
    }

    /// <summary>
    /// A folder for a caller's scratch files on the store's filesystem, so that <see cref="AdoptAsync"/> of a file
    /// written there is a rename, not a copy. Removed by the start-up sweep if a crash leaves it behind.
    /// </summary>
    public string CreateScratchFolder()
    {
        var path = Path.Combine(_tmp, Guid.NewGuid().ToString("N") + ".d");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// Takes over a finished local file as a staged body: moves it in (a rename on the same filesystem, a copy
    /// otherwise), computes its MD5 and flushes it to the device. The caller's file is gone afterwards.
    /// </summary>
    public async Task<StagedBlob> AdoptAsync(string file, CancellationToken ct = default)
    {
        var path = Path.Combine(_tmp, Guid.NewGuid().ToString("N") + ".tmp");
        File.Move(file, path);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            long size = 0;
            await using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1, FileOptions.Asynchronous | FileOptions.SequentialScan))
            {
                // The bytes are already written: flush them to the device while they are hashed, not after.
                var flushed = Task.Run(() =>
                {
                    using var sync = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1);
                    sync.Flush(flushToDisk: true);
                }, CancellationToken.None);
                try
                {
                    int n;
                    while ((n = await stream.ReadAsync(buffer.AsMemory(0, CopyBufferSize), ct)) > 0)
                    {
                        md5.AppendData(buffer, 0, n);
                        size += n;
                    }
                }
                finally
                {
                    await flushed;
                }
            }
            return new StagedBlob(this, path, size, md5.GetHashAndReset());
        }
        catch
        {
            TryDelete(path);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// <see cref="AdoptAsync(string, CancellationToken)"/> for a file the server wrote itself, whose ETag is that of a
    /// multipart upload when it is large (<see cref="PartDigest"/>): moves it in and flushes it to the device, without
    /// reading it again when the caller computed its digest while it was written (<see cref="FileTail"/>). Without a
    /// digest, or with one whose size is not the file's, the file is hashed here.
    /// </summary>
    public async Task<StagedBlob> AdoptAsync(string file, FileDigest? digest, CancellationToken ct = default)
    {
        var path = Path.Combine(_tmp, Guid.NewGuid().ToString("N") + ".tmp");
        File.Move(file, path);
        try
        {
            var flushed = Task.Run(() =>
            {
                using var sync = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1);
                sync.Flush(flushToDisk: true);
            }, CancellationToken.None);
            // Without a digest of these very bytes, hashed here while the flush runs.
            if (digest is null || new FileInfo(path).Length != digest.Size) digest = await Task.Run(() => PartDigest.Compute(path), ct);
            await flushed;
            return new StagedBlob(this, path, digest.Size, digest.Md5, digest.Parts);
        }
        catch
        {
            TryDelete(path);
            throw;
        }
    }

    /// <summary>Moves a staged file to its permanent name; returns the new blob id.</summary>
    internal string Promote(StagedBlob staged)
    {
        var id = Guid.NewGuid().ToString("N");
        var target = PathOf(id);
        // The 256 folders exist after the first few writes: a rename, and a mkdir only when one is missing.
        try
        {
            File.Move(staged.TempPath, target);
        }
        catch (DirectoryNotFoundException) when (File.Exists(staged.TempPath))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(staged.TempPath, target);
        }
        return id;
    }

    public FileStream OpenRead(string blobId) =>
        new(PathOf(blobId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public void Delete(string blobId) => TryDelete(PathOf(blobId));

    /// <summary>Removes what a crash can leave behind: temporary files, and blobs no record points to.</summary>
    public void Sweep(ISet<string> referenced)
    {
        SweepTemporary();
        foreach (var f in Directory.EnumerateFiles(_blobs, "*", SearchOption.AllDirectories))
            if (!referenced.Contains(Path.GetFileName(f))) TryDelete(f);
    }

    /// <summary>Removes staged files and scratch folders a crash left behind (none of them is an object's bytes).</summary>
    public void SweepTemporary()
    {
        foreach (var f in Directory.EnumerateFiles(_tmp)) TryDelete(f);
        foreach (var d in Directory.EnumerateDirectories(_tmp))
        {
            try { Directory.Delete(d, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private string PathOf(string blobId)
    {
        // Ids are 32 hex digits we made; anything else is a corrupt record, never a path to follow.
        if (blobId.Length != 32 || !blobId.All(char.IsAsciiHexDigitLower)) throw new InvalidOperationException("Corrupt blob id.");
        return Path.Combine(_blobs, blobId[..2], blobId);
    }

    internal static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A body written and flushed to a temporary file, not yet visible as an object. Disposing discards it unless it was committed.</summary>
public sealed class StagedBlob : IDisposable
{
    private readonly BlobFiles _files;

    internal StagedBlob(BlobFiles files, string tempPath, long size, byte[] md5, int parts = 0)
    {
        _files = files;
        TempPath = tempPath;
        Size = size;
        Md5 = md5;
        Parts = parts;
    }

    internal string TempPath { get; }
    public long Size { get; }
    public byte[] Md5 { get; }
    public string Md5Hex => Convert.ToHexStringLower(Md5);

    /// <summary>Above 0: <see cref="Md5"/> is the MD5 of this many parts' MD5s (<see cref="PartDigest"/>).</summary>
    public int Parts { get; }

    /// <summary>The ETag of an object made of these bytes.</summary>
    public string ETag => Parts > 0 ? $"{Md5Hex}-{Parts}" : Md5Hex;
    internal bool Promoted { get; private set; }

    internal string Promote()
    {
        if (Promoted) throw new InvalidOperationException("Already committed.");
        var id = _files.Promote(this);
        Promoted = true;
        return id;
    }

    public void Dispose()
    {
        if (!Promoted) BlobFiles.TryDelete(TempPath);
    }
}

/// <summary>How far a staged file has been written, for readers that follow the writer (<see cref="BlobFiles.StageAsync"/>).</summary>
internal sealed class WrittenExtent
{
    private readonly Lock _gate = new();
    private long _written;
    private bool _complete, _failed;
    private TaskCompletionSource? _waiter;

    /// <summary>The writer has written <paramref name="written"/> bytes; with <paramref name="complete"/>, all it will.</summary>
    public void Advance(long written, bool complete = false, bool failed = false)
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            _written = written;
            _complete |= complete;
            _failed |= failed;
            waiter = _waiter;
            _waiter = null;
        }
        waiter?.TrySetResult();
    }

    /// <summary>Waits until more than <paramref name="at"/> bytes are written, or the writer is done.</summary>
    public async ValueTask<(long Written, bool Complete, bool Failed)> WaitBeyondAsync(long at)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_written > at || _complete) return (_written, _complete, _failed);
                _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }
            await wait;
        }
    }
}
