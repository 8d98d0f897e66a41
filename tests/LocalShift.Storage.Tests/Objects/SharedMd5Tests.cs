using System.Security.Cryptography;
using LocalShift.Storage.Objects;

namespace LocalShift.Storage.Tests.Objects;

/// <summary>
/// Bodies staged at the same time share one MD5 worker that hashes their chunks side by side in lanes
/// (<see cref="SharedMd5"/>): every body's MD5 must still be its own, whatever the others do — end early, fail,
/// be cancelled — and a failed body must leave nothing behind.
/// </summary>
public sealed class SharedMd5Tests : IDisposable
{
    private readonly TempStore _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task Concurrent_bodies_of_unequal_sizes_each_get_their_own_MD5_while_others_fail_or_are_cancelled()
    {
        Assert.True(BlobFiles.UseSharedMd5 || !Md5Lanes.Vectorized);
        var random = new Random(14);
        var sizes = new[] { 0, 1, 65_536, 65_537, 262_143, 262_144, 262_145, 1 << 20, (1 << 20) + 1, 3_000_017 }
            .Concat(Enumerable.Range(0, 14).Select(_ => random.Next(0, 3 << 20))).ToArray();
        var bodies = sizes.Select((s, i) => { var b = new byte[s]; new Random(i).NextBytes(b); return b; }).ToArray();
        var hashedBefore = SharedMd5.Shared.ChunksHashed;
        using var cancel = new CancellationTokenSource();
        var good = bodies.Select((b, i) => Task.Run(() => _t.Store.StageAsync(new Trickle(b, i), null, default, b.Length))).ToArray();
        var failing = Enumerable.Range(0, 6).Select(i => Task.Run(() => _t.Store.StageAsync(new Trickle(new byte[2 << 20], 100 + i, failAt: 300_000 * (i + 1)), null, default, 2 << 20))).ToArray();
        var cancelled = Enumerable.Range(0, 3).Select(i => Task.Run(() => _t.Store.StageAsync(new Trickle(new byte[3 << 20], 200 + i, slow: true), null, cancel.Token, 3 << 20))).ToArray();
        cancel.CancelAfter(150);

        for (var i = 0; i < good.Length; i++)
        {
            using var staged = await good[i];
            Assert.Equal(bodies[i].Length, staged.Size);
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(bodies[i])), staged.Md5Hex);
        }
        if (Md5Lanes.Vectorized) Assert.True(SharedMd5.Shared.ChunksHashed - hashedBefore >= 40, "the bodies went through the lanes");
        foreach (var f in failing) await Assert.ThrowsAsync<IOException>(() => f);
        foreach (var c in cancelled) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_t.S3Root, "tmp")));

        // The worker is still there for the next body.
        var after = new byte[777_777];
        new Random(3).NextBytes(after);
        using var last = await _t.Store.StageAsync(new Trickle(after, 9), null, default, after.Length);
        Assert.Equal(MD5.HashData(after), last.Md5);
    }

    /// <summary>Gives the body in reads of varying sizes, as a socket does; optionally fails at an offset or reads slowly.</summary>
    private sealed class Trickle(byte[] body, int seed, int failAt = -1, bool slow = false) : LocalShift.Core.ForwardReadStream
    {
        private readonly Random _sizes = new(seed);
        private int _at;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (slow) await Task.Delay(5, ct);
            else await Task.Yield();
            if (failAt >= 0 && _at >= failAt) throw new IOException("connection reset");
            var n = Math.Min(Math.Min(buffer.Length, _sizes.Next(1, 200_000)), body.Length - _at);
            if (failAt >= 0) n = Math.Min(n, failAt - _at);
            body.AsSpan(_at, n).CopyTo(buffer.Span);
            _at += n;
            return n;
        }
    }
}
