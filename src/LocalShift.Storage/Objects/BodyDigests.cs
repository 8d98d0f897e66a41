using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace LocalShift.Storage.Objects;

/// <summary>
/// A digest of a body being staged (<see cref="BlobFiles.StageAsync"/>): it is given every byte, in order, by one
/// thread at a time, and is read once staging has finished.
/// </summary>
public interface IBodyDigest
{
    void Append(ReadOnlySpan<byte> data);
}

/// <summary>A digest of the platform's (<see cref="IncrementalHash"/>): the MD5 of an ETag, a payload's SHA-256.</summary>
public sealed class IncrementalDigest(HashAlgorithmName algorithm) : IBodyDigest, IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(algorithm);

    public void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    /// <summary>The digest of everything appended so far.</summary>
    public byte[] Hash() => _hash.GetCurrentHash();

    public void Dispose() => _hash.Dispose();
}

/// <summary>
/// Feeds the bytes of a body to its digests on other cores while the caller writes them: the caller fills pooled
/// chunks (<see cref="RentAsync"/>), hands each to every digest (<see cref="Publish"/>), and each digest runs through
/// the chunks in order on a worker of its own. Chunks come back to the caller's pool once every digest and the caller
/// are done with them, so at most <see cref="ChunkCount"/> chunks of <see cref="ChunkSize"/> bytes are in use per body
/// however fast it arrives. The longest digest (MD5, at well under a core's memory bandwidth) then sets the pace instead
/// of the sum of all digests and the write.
/// </summary>
internal sealed class DigestPipeline : IAsyncDisposable
{
    public const int ChunkSize = 256 * 1024;
    public const int ChunkCount = 6;

    /// <summary>
    /// How many bytes of a body are hashed on the writer's thread before the rest goes to the workers: at 16 concurrent
    /// 1 MiB PUTs the cores are already shared among requests, and a hand-over per body costs more than it saves.
    /// </summary>
    public const int InlineBytes = 1 << 20;

    private readonly IReadOnlyList<IBodyDigest> _digests;
    private readonly List<Chunk> _chunks = new(ChunkCount);
    private readonly Channel<Chunk> _free = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(ChunkCount) { SingleReader = true });
    private Channel<Chunk>[]? _queues;
    private Task[]? _workers;
    private Exception? _fault;

    public DigestPipeline(IReadOnlyList<IBodyDigest> digests) => _digests = digests;

    /// <summary>
    /// A free chunk, waiting while every chunk is still with a digest. Chunks are rented from the shared pool only when
    /// none is free: a body hashed inline uses one, so 16 concurrent small PUTs hold 16 buffers, not 96 (more than the
    /// shared pool keeps, and each one past it a fresh large-object allocation).
    /// </summary>
    public ValueTask<Chunk> RentAsync(CancellationToken ct)
    {
        if (_free.Reader.TryRead(out var free)) return ValueTask.FromResult(free);
        if (_chunks.Count < ChunkCount)
        {
            var chunk = new Chunk(this);
            _chunks.Add(chunk);
            return ValueTask.FromResult(chunk);
        }
        return _free.Reader.ReadAsync(ct);
    }

    /// <summary>Gives the chunk's bytes to every digest. The caller still holds it and must <see cref="Chunk.Release"/> it.</summary>
    public void Publish(Chunk chunk)
    {
        if (_workers is null) Start();
        Interlocked.Add(ref chunk.Holders, _digests.Count);
        foreach (var q in _queues!) q.Writer.TryWrite(chunk);
    }

    /// <summary>
    /// Appends a chunk to every digest here, on the caller's thread: for a body's first bytes, where handing them to
    /// other cores would cost more than it saves. Only before anything was <see cref="Publish"/>ed, so the digests see
    /// the bytes in order.
    /// </summary>
    public void AppendInline(Chunk chunk)
    {
        if (_workers is not null) throw new InvalidOperationException("Chunks were already published.");
        try
        {
            foreach (var d in _digests) d.Append(chunk.Span);
        }
        catch (Exception e)
        {
            // As a worker's failure is reported (CompleteAsync): one error for a digest that failed, wherever it ran.
            throw new InvalidOperationException("A digest of the body failed.", e);
        }
    }

    /// <summary>Waits until every digest has seen every published chunk; throws what a digest threw.</summary>
    public async Task CompleteAsync()
    {
        if (_workers is null) return;
        foreach (var q in _queues!) q.Writer.TryComplete();
        await Task.WhenAll(_workers);
        if (_fault is not null) throw new InvalidOperationException("A digest of the body failed.", _fault);
    }

    private void Start()
    {
        _queues = new Channel<Chunk>[_digests.Count];
        _workers = new Task[_digests.Count];
        for (var i = 0; i < _digests.Count; i++)
        {
            var queue = _queues[i] = Channel.CreateUnbounded<Chunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var digest = _digests[i];
            _workers[i] = Task.Run(() => RunAsync(digest, queue.Reader));
        }
    }

    private async Task RunAsync(IBodyDigest digest, ChannelReader<Chunk> chunks)
    {
        while (await chunks.WaitToReadAsync())
            while (chunks.TryRead(out var chunk))
            {
                try
                {
                    if (_fault is null) digest.Append(chunk.Span);
                }
                catch (Exception e)
                {
                    // Keep releasing chunks, or the writer would wait for a free one for ever; reported by CompleteAsync.
                    Interlocked.CompareExchange(ref _fault, e, null);
                }
                finally
                {
                    chunk.Release();
                }
            }
    }

    public async ValueTask DisposeAsync()
    {
        // No worker may still read a buffer when it goes back to the shared pool.
        if (_workers is not null)
        {
            foreach (var q in _queues!) q.Writer.TryComplete();
            try { await Task.WhenAll(_workers); }
            catch (Exception) { /* reported by CompleteAsync, or the body failed first */ }
        }
        foreach (var c in _chunks) c.ReturnBuffer();
    }

    /// <summary>A pooled buffer and the number of parties (the writer, the digests) still using it.</summary>
    internal sealed class Chunk(DigestPipeline owner)
    {
        private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        internal int Holders = 1;

        public int Length { get; set; }
        public Memory<byte> Buffer => _buffer.AsMemory(0, ChunkSize);
        public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);
        public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

        /// <summary>One party is done; the last one puts the chunk back in the writer's pool.</summary>
        public void Release()
        {
            if (Interlocked.Decrement(ref Holders) != 0) return;
            Holders = 1;
            Length = 0;
            owner._free.Writer.TryWrite(this);
        }

        internal void ReturnBuffer()
        {
            if (_buffer is null) return;
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
