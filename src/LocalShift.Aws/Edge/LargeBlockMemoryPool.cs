using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace LocalShift.Aws.Edge;

/// <summary>
/// Kestrel's connection buffers in blocks of <see cref="BlockSize"/> rather than its default 4 KiB. The socket transport
/// receives into the free part of its pipe's last block, so with 4 KiB blocks a 1 MiB PUT body arrived in about 256
/// <c>recv</c> calls, each a pass through the socket layer (about a tenth of a 1 MiB PUT's CPU on this machine, measured
/// with <c>perf</c>; docs/benchmarks.md, eleventh session — s3hot14); with 64 KiB blocks it takes about 16, and the
/// handler copies the body out of 16 segments instead of 256. A kept-alive connection waiting for its next request holds
/// no block (Kestrel waits for data before it rents one), so idle connections cost what they did.
/// </summary>
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;

    /// <summary>
    /// The most blocks kept for reuse (16 MiB: 16 connections each with a 1 MiB body in its pipe); more are left to the
    /// collector when returned.
    /// </summary>
    private const int MaxFree = 256;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;
    private volatile bool _disposed;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // The pipes never ask for more than MaxBufferSize; anyone else who does gets an array of their own.
        if (minBufferSize > BlockSize) return new Block(null, GC.AllocateUninitializedArray<byte>(minBufferSize, pinned: true));
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            block.Lease();
            return block;
        }
        return new Block(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
    }

    private void Return(Block block)
    {
        if (_disposed || Interlocked.Increment(ref _freeCount) > MaxFree)
        {
            Interlocked.Decrement(ref _freeCount);
            return;
        }
        _free.Enqueue(block);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
    }

    private sealed class Block(LargeBlockMemoryPool? pool, byte[] array) : IMemoryOwner<byte>
    {
        private int _returned;

        public Memory<byte> Memory => array;

        public void Lease() => Volatile.Write(ref _returned, 0);

        /// <summary>Returns the block once, however often it is disposed: a block queued twice would be leased to two owners.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0) pool?.Return(this);
        }
    }
}

/// <summary>Gives Kestrel a <see cref="LargeBlockMemoryPool"/> wherever it asks for a pool (registered by the server's host).</summary>
public sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}
