using System.Security.Cryptography;
using LocalShift.Storage.Objects;

namespace LocalShift.Storage.Tests.Objects;

/// <summary>
/// The store keeps buckets, their settings and object records in memory (ObjectStore.Cache.cs): every read after a
/// write returns must see that write, however reads and writes interleave.
/// </summary>
public sealed class ObjectStoreCacheTests : IDisposable
{
    private readonly TempStore _t = new();

    public ObjectStoreCacheTests() => _t.Store.CreateBucket("b", "111111111111", "us-east-1");

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task A_read_after_a_write_returns_sees_it_while_other_readers_fill_the_cache()
    {
        using var stop = new CancellationTokenSource();
        var torn = 0;
        // Readers keep reading the key (and caching what they read) while it is rewritten; every body they open must
        // be the one its record describes.
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var opened = _t.Store.OpenObject("b", "k");
                if (opened is not { } o) continue;
                await using var body = o.Body;
                var bytes = new byte[o.Info.Size];
                await body.ReadExactlyAsync(bytes);
                if (Convert.ToHexStringLower(MD5.HashData(bytes)) != o.Info.ETag) Interlocked.Increment(ref torn);
            }
        })).ToArray();
        try
        {
            for (var i = 0; i < 200; i++)
            {
                var written = await _t.PutAsync("b", "k", BitConverter.GetBytes(i));
                Assert.Equal(written.ETag, _t.Store.FindObject("b", "k")!.ETag);
                if (i % 50 == 49)
                {
                    _t.Store.UpdateAttributes("b", "k", a => a with { ContentType = "text/x-" + i }, touch: false);
                    Assert.Equal("text/x-" + i, _t.Store.FindObject("b", "k")!.Attributes.ContentType);
                }
            }
            _t.Store.DeleteObject("b", "k");
            Assert.Null(_t.Store.FindObject("b", "k"));
            Assert.Null(_t.Store.OpenObject("b", "k"));
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(readers);
        }
        Assert.Equal(0, torn);
    }

    [Fact]
    public void Bucket_policy_settings_versioning_and_deletion_are_seen_at_once()
    {
        Assert.Null(_t.Store.FindBucket("b")!.Policy);
        Assert.Null(_t.Store.GetBucketSetting("b", BucketSetting.Tagging));
        Assert.Equal(BucketVersioning.Unversioned, _t.Store.GetVersioning("b"));

        _t.Store.SetBucketPolicy("b", """{"Version":"2012-10-17","Statement":[]}""");
        _t.Store.SetBucketSetting("b", BucketSetting.Tagging, "[]");
        _t.Store.SetVersioning("b", BucketVersioning.Enabled);

        Assert.NotNull(_t.Store.FindBucket("b")!.Policy);
        Assert.Equal("[]", _t.Store.GetBucketSetting("b", BucketSetting.Tagging));
        Assert.Equal(BucketVersioning.Enabled, _t.Store.GetVersioning("b"));

        _t.Store.SetVersioning("b", BucketVersioning.Suspended);
        _t.Store.DeleteBucket("b");
        Assert.Null(_t.Store.FindBucket("b"));
        Assert.Null(_t.Store.GetBucketSetting("b", BucketSetting.Tagging));
        Assert.Equal(BucketVersioning.Unversioned, _t.Store.GetVersioning("b"));
    }

    [Fact]
    public async Task A_body_larger_than_the_inline_part_is_hashed_whole_by_every_digest()
    {
        // Past DigestPipeline.InlineBytes the chunks go to the digests' workers: the digests must still see every byte in order.
        var body = new byte[(3 << 20) + 12345];
        new Random(7).NextBytes(body);
        using var sha = new IncrementalDigest(HashAlgorithmName.SHA256);
        using var staged = await _t.Store.StageAsync(new TrickleStream(body), [sha]);

        Assert.Equal(body.Length, staged.Size);
        Assert.Equal(MD5.HashData(body), staged.Md5);
        Assert.Equal(SHA256.HashData(body), sha.Hash());
    }

    /// <summary>A stream that hands out odd-sized pieces, as a socket does.</summary>
    private sealed class TrickleStream(byte[] data) : Stream
    {
        private int _at;
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 70_001), data.Length - _at);
            Array.Copy(data, _at, buffer, offset, n);
            _at += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _at; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
