using System.Security.Cryptography;
using LocalShift.Storage.Objects;

namespace LocalShift.Storage.Tests.Objects;

/// <summary>
/// Staging hands a body larger than one chunk to its digests on other cores while it is written: every digest must
/// still see every byte in order, and a failure on either side must leave no file behind.
/// </summary>
public sealed class StagingDigestTests : IDisposable
{
    private readonly TempStore _t = new();

    public void Dispose() => _t.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64 * 1024)]
    [InlineData(64 * 1024 + 1)]
    [InlineData(256 * 1024 - 1)]
    [InlineData(256 * 1024)]
    [InlineData(256 * 1024 + 1)]
    [InlineData(1024 * 1024 - 1)]
    [InlineData(1024 * 1024)]
    [InlineData(1024 * 1024 + 1)]
    [InlineData(5 * 1024 * 1024 + 12_345)]
    public async Task Every_digest_sees_every_byte_in_order_whatever_the_size_and_the_read_sizes(int size)
    {
        var body = new byte[size];
        new Random(size).NextBytes(body);
        using var sha = new IncrementalDigest(HashAlgorithmName.SHA256);
        using var sha1 = new IncrementalDigest(HashAlgorithmName.SHA1);

        using var staged = await _t.Store.StageAsync(new TricklingStream(body), [sha, sha1]);

        Assert.Equal(size, staged.Size);
        Assert.Equal(MD5.HashData(body), staged.Md5);
        Assert.Equal(SHA256.HashData(body), sha.Hash());
        Assert.Equal(SHA1.HashData(body), sha1.Hash());
        _t.Store.CreateBucket("b", "111111111111", "us-east-1");
        _t.Store.Commit("b", "k", staged, ObjectAttributes.Empty);
        Assert.Equal(body, await _t.GetAsync("b", "k"));
    }

    [Fact]
    public async Task A_body_that_fails_after_several_chunks_leaves_no_file_and_the_digests_idle()
    {
        var digest = new CountingDigest();
        await Assert.ThrowsAsync<IOException>(() => _t.Store.StageAsync(new TricklingStream(new byte[3 * 1024 * 1024], failAt: 2 * 1024 * 1024 + 7), [digest]));

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_t.S3Root, "tmp")));
        var seen = digest.Bytes;
        await Task.Delay(50);
        Assert.Equal(seen, digest.Bytes); // no worker still running over returned buffers
    }

    [Fact]
    public async Task A_digest_that_throws_fails_the_staging_and_leaves_no_file()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _t.Store.StageAsync(new TricklingStream(new byte[2 * 1024 * 1024]), [new ThrowingDigest()]));

        Assert.IsType<NotSupportedException>(e.InnerException);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_t.S3Root, "tmp")));
    }

    [Fact]
    public async Task A_checksum_that_fails_past_the_inline_bytes_while_read_back_fails_the_staging_and_leaves_no_file()
    {
        // Past the first MiB the checksums read the body back from the file during its flush: their failure there is
        // still the staging's, reported as the inline one is.
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _t.Store.StageAsync(new TricklingStream(new byte[3 * 1024 * 1024]), [new ThrowingDigest(after: 2 * 1024 * 1024)]));

        Assert.IsType<NotSupportedException>(e.InnerException);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_t.S3Root, "tmp")));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.5, 0)]
    [InlineData(0.9, 0)]
    [InlineData(0.0, -3 * 1024 * 1024)] // declared longer than sent: the digests still end with the body
    [InlineData(0.5, 5 * 1024 * 1024)] // declared shorter than sent
    public async Task Digests_that_follow_the_writer_while_the_body_arrives_see_every_byte_in_order(double startAt, int declaredMinusSent)
    {
        // A large body with a declared length: its checksums read it back behind the writer, from the given fraction on.
        _t.Store.Files.Schedule = new DigestSchedule { FixedStartFraction = startAt };
        var size = 9 * 1024 * 1024 + 4_321;
        var body = new byte[size];
        new Random(size).NextBytes(body);
        using var sha = new IncrementalDigest(HashAlgorithmName.SHA256);
        using var sha1 = new IncrementalDigest(HashAlgorithmName.SHA1);

        using var staged = await _t.Store.StageAsync(new TricklingStream(body), [sha, sha1], expectedLength: size - declaredMinusSent);

        Assert.Equal(size, staged.Size);
        Assert.Equal(MD5.HashData(body), staged.Md5);
        Assert.Equal(SHA256.HashData(body), sha.Hash());
        Assert.Equal(SHA1.HashData(body), sha1.Hash());
    }

    [Fact]
    public async Task A_body_that_fails_while_its_digests_follow_the_writer_leaves_no_file_and_the_digests_idle()
    {
        _t.Store.Files.Schedule = new DigestSchedule { FixedStartFraction = 0 };
        var digest = new CountingDigest();
        var size = 10 * 1024 * 1024;
        await Assert.ThrowsAsync<IOException>(() =>
            _t.Store.StageAsync(new TricklingStream(new byte[size], failAt: 6 * 1024 * 1024 + 7), [digest], expectedLength: size));

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_t.S3Root, "tmp")));
        var seen = digest.Bytes;
        Assert.True(seen <= 6 * 1024 * 1024 + 7, $"{seen} bytes digested of a body that failed at 6 MiB");
        await Task.Delay(50);
        Assert.Equal(seen, digest.Bytes); // no reader still running over a closed file
    }

    [Fact]
    public async Task A_checksum_that_fails_while_following_the_writer_fails_the_staging_and_leaves_no_file()
    {
        _t.Store.Files.Schedule = new DigestSchedule { FixedStartFraction = 0 };
        var size = 10 * 1024 * 1024;
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _t.Store.StageAsync(new TricklingStream(new byte[size]), [new ThrowingDigest(after: 1024 * 1024)], expectedLength: size));

        Assert.IsType<NotSupportedException>(e.InnerException);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_t.S3Root, "tmp")));
    }

    [Fact]
    public void The_schedule_starts_earlier_after_digests_that_outlast_the_flush_and_later_after_ones_that_do_not()
    {
        var schedule = new DigestSchedule();
        long big = 64L << 20;
        Assert.False(schedule.StartNow(big, big - 1)); // at first: once the body is written
        Assert.True(schedule.StartNow(big, big));

        for (var i = 0; i < 4; i++) schedule.Record(big, receiveMs: 200, lateMs: 20); // the digest ended 20 ms after the flush
        Assert.InRange(schedule.Lead, 0.15, 0.25);
        Assert.True(schedule.StartNow(big, (long)(big * 0.85)));
        Assert.False(schedule.StartNow(big, big / 2));
        Assert.False(schedule.StartNow(1L << 20, 1)); // a small body is left to its flush

        // Each kind of digest learns its own lead: a slow one's does not make a fast one start early.
        var shared = new DigestSchedule();
        using var sha256 = new IncrementalDigest(HashAlgorithmName.SHA256);
        var slow = shared.For([sha256]);
        var fast = shared.For([new CountingDigest()]);
        slow.Record(big, receiveMs: 200, lateMs: 20);
        Assert.Same(slow, shared.For([sha256]));
        Assert.True(slow.Lead > 0);
        Assert.Equal(0, fast.Lead);

        for (var i = 0; i < 10; i++) schedule.Record(big, receiveMs: 200, lateMs: -30);
        Assert.Equal(0, schedule.Lead);
        schedule.Record(1L << 20, receiveMs: 5, lateMs: 50); // small bodies do not move it
        Assert.Equal(0, schedule.Lead);
    }

    /// <summary>Gives the body in reads of varying small sizes, as a socket does; optionally fails at an offset.</summary>
    private sealed class TricklingStream(byte[] body, int failAt = -1) : LocalShift.Core.ForwardReadStream
    {
        private readonly Random _sizes = new(5);
        private int _at;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            await Task.Yield();
            if (failAt >= 0 && _at >= failAt) throw new IOException("connection reset");
            var n = Math.Min(Math.Min(buffer.Length, _sizes.Next(1, 70_000)), body.Length - _at);
            if (failAt >= 0) n = Math.Min(n, failAt - _at);
            body.AsSpan(_at, n).CopyTo(buffer.Span);
            _at += n;
            return n;
        }
    }

    private sealed class CountingDigest : IBodyDigest
    {
        private long _bytes;
        public long Bytes => Interlocked.Read(ref _bytes);
        public void Append(ReadOnlySpan<byte> data) => Interlocked.Add(ref _bytes, data.Length);
    }

    private sealed class ThrowingDigest(long after = 0) : IBodyDigest
    {
        private long _seen;

        public void Append(ReadOnlySpan<byte> data)
        {
            _seen += data.Length;
            if (_seen > after) throw new NotSupportedException("digest broke");
        }
    }
}
