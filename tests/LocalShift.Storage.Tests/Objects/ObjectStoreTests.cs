using System.Security.Cryptography;
using System.Text;
using LocalShift.Storage.Objects;

namespace LocalShift.Storage.Tests.Objects;

public sealed class ObjectStoreTests : IDisposable
{
    private readonly TempStore _t = new();

    public ObjectStoreTests() => _t.Store.CreateBucket("b", "111111111111", "us-east-1");

    public void Dispose() => _t.Dispose();

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/absolute/path")]
    [InlineData("a/../../b")]
    [InlineData("..")]
    [InlineData("back\\slash\\..\\..")]
    [InlineData("nul\0inside")]
    [InlineData("spaces and + and %2F and %")]
    [InlineData("ünïcødé/日本語/😀")]
    [InlineData("trailing/")]
    [InlineData("//double//slashes")]
    public async Task Any_key_round_trips_and_stays_inside_the_store(string key)
    {
        var body = Encoding.UTF8.GetBytes("content of " + key);
        await _t.PutAsync("b", key, body);

        Assert.Equal(body, await _t.GetAsync("b", key));
        Assert.Equal([key], _t.Store.List("b", null, null, null, 1000).Entries.Select(e => e.Position));
        var outside = Directory.EnumerateFiles(_t.DataDir, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(_t.S3Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("state.db", StringComparison.Ordinal));
        Assert.Empty(outside);
    }

    [Fact]
    public async Task Key_of_1024_utf8_bytes_is_stored_and_1025_is_refused()
    {
        var key = new string('é', 512); // 2 bytes each
        await _t.PutAsync("b", key, [1, 2, 3]);
        Assert.Equal([1, 2, 3], await _t.GetAsync("b", key));

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => _t.PutAsync("b", key + "x", [1]));
        Assert.Equal(ObjectStoreError.KeyTooLong, error.Error);
    }

    [Fact]
    public async Task Listing_is_in_utf8_byte_order_not_utf16_order()
    {
        // U+FF21 (EF BC A1 in UTF-8) sorts after U+1F600 in UTF-16 code units but before it in UTF-8 bytes (F0 ...).
        string[] keys = ["a", "B", "😀", "Ａ", "é", "a/b", "a0", "\u007f"];
        foreach (var k in keys) await _t.PutAsync("b", k, [0]);

        var listed = _t.Store.List("b", null, null, null, 1000).Entries.Select(e => e.Position).ToList();

        var expected = keys.OrderBy(k => k, Comparer<string>.Create((x, y) =>
            Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)))).ToList();
        Assert.Equal(expected, listed);
        Assert.Equal(["B", "a", "a/b", "a0", "\u007f", "é", "Ａ", "😀"], listed);
    }

    [Fact]
    public async Task Delimiter_rolls_keys_up_into_common_prefixes_and_pages_continue_after_them()
    {
        foreach (var k in new[] { "logs/2024/a", "logs/2024/b", "logs/2025/a", "logs/readme", "logs/z/1", "other" })
            await _t.PutAsync("b", k, [0]);

        var first = _t.Store.List("b", "logs/", "/", null, 2);
        Assert.Equal(["logs/2024/", "logs/2025/"], first.Entries.Select(e => e.Position));
        Assert.All(first.Entries, e => Assert.Null(e.Object));
        Assert.True(first.IsTruncated);

        var second = _t.Store.List("b", "logs/", "/", first.Entries[^1].Position, 2);
        Assert.Equal(["logs/readme", "logs/z/"], second.Entries.Select(e => e.Position));
        Assert.False(second.IsTruncated);
    }

    [Fact]
    public async Task Pages_of_a_large_listing_cover_every_key_once()
    {
        var keys = Enumerable.Range(0, 2500).Select(i => $"k/{i:D5}").ToList();
        foreach (var k in keys) await _t.PutAsync("b", k, []);

        var seen = new List<string>();
        string? marker = null;
        while (true)
        {
            var page = _t.Store.List("b", "k/", null, marker, 1000);
            seen.AddRange(page.Entries.Select(e => e.Position));
            if (!page.IsTruncated) break;
            marker = page.Entries[^1].Position;
        }
        Assert.Equal(keys, seen);
    }

    [Fact]
    public async Task Overwrite_replaces_the_bytes_and_leaves_one_file()
    {
        await _t.PutAsync("b", "k", Encoding.UTF8.GetBytes("old"));
        var info = await _t.PutAsync("b", "k", Encoding.UTF8.GetBytes("new"));

        Assert.Equal("new", Encoding.UTF8.GetString(await _t.GetAsync("b", "k")));
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes("new"))), info.ETag);
        Assert.Equal(1, _t.BlobFilesOnceDurable());
    }

    [Fact]
    public async Task A_reader_of_the_old_object_keeps_reading_it_while_it_is_replaced()
    {
        var old = new byte[100_000];
        Random.Shared.NextBytes(old);
        await _t.PutAsync("b", "k", old);
        var opened = _t.Store.OpenObject("b", "k")!.Value;

        await _t.PutAsync("b", "k", [9, 9, 9]);

        await using var body = opened.Body;
        var ms = new MemoryStream();
        await body.CopyToAsync(ms);
        Assert.Equal(old, ms.ToArray());
        Assert.Equal([9, 9, 9], await _t.GetAsync("b", "k"));
    }

    [Fact]
    public async Task A_body_that_fails_midway_leaves_the_previous_object_and_no_stray_file()
    {
        await _t.PutAsync("b", "k", Encoding.UTF8.GetBytes("old"));

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            using var staged = await _t.Store.StageAsync(new FailingStream(50_000));
            _t.Store.Commit("b", "k", staged, ObjectAttributes.Empty);
        });

        Assert.Equal("old", Encoding.UTF8.GetString(await _t.GetAsync("b", "k")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_t.S3Root, "tmp")));
    }

    [Fact]
    public async Task Staged_but_uncommitted_bodies_are_invisible_and_swept_at_restart()
    {
        await _t.PutAsync("b", "k", Encoding.UTF8.GetBytes("kept"));
        var staged = await _t.Store.StageAsync(new MemoryStream(new byte[1000])); // the process "dies" before commit
        _ = staged;
        Directory.CreateDirectory(Path.Combine(_t.S3Root, "blobs", "ff"));
        File.WriteAllBytes(Path.Combine(_t.S3Root, "blobs", "ff", "ffffffffffffffffffffffffffffffff"), [1]); // renamed, never committed

        _t.Reopen();

        Assert.Equal("kept", Encoding.UTF8.GetString(await _t.GetAsync("b", "k")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_t.S3Root, "tmp")));
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_t.S3Root, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_adopted_file_becomes_the_object_without_a_copy_and_left_over_scratch_folders_are_swept()
    {
        var scratch = _t.Store.Files.CreateScratchFolder();
        var file = Path.Combine(scratch, "part");
        var body = Encoding.UTF8.GetBytes("unloaded rows\n");
        await File.WriteAllBytesAsync(file, body);
        var size = new FileInfo(file).Length;

        using (var staged = await _t.Store.AdoptAsync(file))
        {
            var o = _t.Store.Commit("b", "out/part", staged, ObjectAttributes.Empty);
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(body)), o.ETag);
            Assert.Equal(size, o.Size);
        }
        Assert.False(File.Exists(file)); // moved in, not copied
        Assert.Equal(body, await _t.GetAsync("b", "out/part"));

        var leftOver = _t.Store.Files.CreateScratchFolder(); // the process "dies" mid-UNLOAD
        File.WriteAllBytes(Path.Combine(leftOver, "part"), [1]);
        _t.Reopen();
        Assert.False(Directory.Exists(leftOver));
        Assert.Equal(body, await _t.GetAsync("b", "out/part"));
    }

    [Fact]
    public async Task Objects_and_metadata_survive_a_restart()
    {
        var attrs = new ObjectAttributes { ContentType = "text/csv", Metadata = new Dictionary<string, string> { ["owner"] = "me" } };
        await _t.PutAsync("b", "data.csv", Encoding.UTF8.GetBytes("a,b\n"), attrs);

        _t.Reopen();

        var info = _t.Store.FindObject("b", "data.csv")!;
        Assert.Equal("text/csv", info.Attributes.ContentType);
        Assert.Equal("me", info.Attributes.Metadata["owner"]);
        Assert.Equal(Encoding.UTF8.GetBytes("a,b\n"), await _t.GetAsync("b", "data.csv"));
    }

    [Fact]
    public async Task Buckets_are_global_and_deleting_needs_an_empty_bucket()
    {
        Assert.False(_t.Store.CreateBucket("b", "111111111111", "us-east-1").Created);
        Assert.Equal(ObjectStoreError.BucketAlreadyExists,
            Assert.Throws<ObjectStoreException>(() => _t.Store.CreateBucket("b", "222222222222", "us-east-1")).Error);

        await _t.PutAsync("b", "k", [1]);
        Assert.Equal(ObjectStoreError.BucketNotEmpty, Assert.Throws<ObjectStoreException>(() => _t.Store.DeleteBucket("b")).Error);
        _t.Store.DeleteObject("b", "k");
        _t.Store.DeleteBucket("b");
        Assert.Null(_t.Store.FindBucket("b"));
    }

    [Fact]
    public async Task Multipart_joins_parts_in_order_with_the_md5_of_md5s_etag()
    {
        var upload = _t.Store.CreateUpload("b", "big", ObjectAttributes.Empty, "arn:aws:iam::111111111111:root");
        var p1 = new byte[ObjectStore.MinPartSize];
        Random.Shared.NextBytes(p1);
        byte[] p2 = [116, 97, 105, 108];
        using (var s = await _t.Store.StageAsync(new MemoryStream(p2))) _t.Store.CommitPart(upload, 2, s);
        using (var s = await _t.Store.StageAsync(new MemoryStream(p1))) _t.Store.CommitPart(upload, 1, s);

        var info = await _t.Store.CompleteUploadAsync(upload,
            [new CompletedPart(1, $"\"{Convert.ToHexStringLower(MD5.HashData(p1))}\""), new CompletedPart(2, Convert.ToHexStringLower(MD5.HashData(p2)))]);

        var expectedEtag = Convert.ToHexStringLower(MD5.HashData(MD5.HashData(p1).Concat(MD5.HashData(p2)).ToArray())) + "-2";
        Assert.Equal(expectedEtag, info.ETag);
        Assert.Equal(p1.Concat(p2).ToArray(), await _t.GetAsync("b", "big"));
        Assert.Empty(_t.Store.ListUploads("b", null));
        Assert.Equal(1, _t.BlobFilesOnceDurable());
    }

    [Fact]
    public void Upload_ids_never_start_with_a_dash_the_aws_cli_would_read_as_an_option()
    {
        // One in 32 random ids would start with '-' or '_' if nothing prevented it; 400 ids miss that with odds ~1e-6.
        var ids = Enumerable.Range(0, 400).Select(i => _t.Store.CreateUpload("b", $"k{i}", ObjectAttributes.Empty, "x").UploadId).ToList();
        Assert.All(ids, id => Assert.True(char.IsAsciiLetterOrDigit(id[0]), id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task Multipart_refuses_small_parts_wrong_order_and_unknown_parts()
    {
        var upload = _t.Store.CreateUpload("b", "k", ObjectAttributes.Empty, "x");
        string etag1, etag2;
        using (var s = await _t.Store.StageAsync(new MemoryStream([1]))) etag1 = _t.Store.CommitPart(upload, 1, s).ETag;
        using (var s = await _t.Store.StageAsync(new MemoryStream([2]))) etag2 = _t.Store.CommitPart(upload, 2, s).ETag;

        async Task<ObjectStoreError> Fails(params CompletedPart[] parts) =>
            (await Assert.ThrowsAsync<ObjectStoreException>(() => _t.Store.CompleteUploadAsync(upload, parts))).Error;

        Assert.Equal(ObjectStoreError.EntityTooSmall, await Fails(new CompletedPart(1, etag1), new CompletedPart(2, etag2)));
        Assert.Equal(ObjectStoreError.InvalidPartOrder, await Fails(new CompletedPart(2, etag2), new CompletedPart(1, etag1)));
        Assert.Equal(ObjectStoreError.InvalidPart, await Fails(new CompletedPart(1, etag2)));
        Assert.Equal(ObjectStoreError.InvalidPart, await Fails(new CompletedPart(3, etag1)));

        _t.Store.AbortUpload(upload);
        Assert.Equal(ObjectStoreError.NoSuchUpload, Assert.Throws<ObjectStoreException>(() => _t.Store.GetUpload("b", "k", upload.UploadId)).Error);
        Assert.Equal(0, _t.BlobFilesOnceDurable());
    }

    /// <summary>Gives some bytes, then fails like a dropped connection.</summary>
    private sealed class FailingStream(int failAfter) : Stream
    {
        private int _given;
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_given >= failAfter) throw new IOException("connection reset");
            var n = Math.Min(count, failAfter - _given);
            _given += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
