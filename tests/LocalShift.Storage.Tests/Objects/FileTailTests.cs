using System.Security.Cryptography;
using LocalShift.Storage.Objects;

namespace LocalShift.Storage.Tests.Objects;

/// <summary>A file hashed while another writer appends to it, then adopted by the store without a second read.</summary>
public sealed class FileTailTests : IDisposable
{
    private readonly TempStore _t = new();

    public FileTailTests() => _t.Store.CreateBucket("b", "111111111111", "us-east-1");

    public void Dispose() => _t.Dispose();

    private static byte[] Bytes(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task A_file_appended_in_pieces_after_the_tail_started_gets_the_multipart_etag_of_all_its_bytes()
    {
        var folder = _t.Store.Files.CreateScratchFolder();
        var path = Path.Combine(folder, "data");
        // More than one writeback interval and more whole parts than one batch, written in uneven pieces with pauses, so
        // the tail catches up mid-write.
        var body = Bytes(Math.Max((int)FileTail.WritebackEvery, (PartDigest.Batch + 2) * PartDigest.PartSize) + 5_000_123);
        using var tail = FileTail.Start(path);
        await Task.Delay(20);
        await using (var writer = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1))
        {
            for (var at = 0; at < body.Length;)
            {
                var n = Math.Min(body.Length - at, 3_000_017);
                await writer.WriteAsync(body.AsMemory(at, n));
                at += n;
                if (at % 4 == 0) await Task.Delay(5);
            }
        }
        var digest = await tail.FinishAsync();

        Assert.NotNull(digest);
        Assert.Equal(body.Length, digest.Size);
        using (var staged = await _t.Store.AdoptAsync(path, digest))
        {
            Assert.False(File.Exists(path));
            var info = _t.Store.Commit("b", "k", staged, ObjectAttributes.Empty);
            Assert.Equal(PartDigestTests.ExpectedETag(body), info.ETag);
        }
        Assert.Equal(body, await _t.GetAsync("b", "k"));
    }

    [Fact]
    public async Task Files_written_at_once_share_the_lanes_and_each_gets_its_own_etag()
    {
        var folder = _t.Store.Files.CreateScratchFolder();
        // Together more whole parts than one batch, so batches mix the files' parts; one file of exactly one part, one
        // of one part and a byte, a small one, and one that never appears.
        var bodies = new[]
        {
            Bytes(PartDigest.Batch / 2 * PartDigest.PartSize + 3_000_001), Bytes((PartDigest.Batch / 2 + 3) * PartDigest.PartSize + 17),
            Bytes(PartDigest.PartSize), Bytes(PartDigest.PartSize + 1), Bytes(1_234),
        };
        var paths = bodies.Select((_, i) => Path.Combine(folder, $"slice_{i}")).Append(Path.Combine(folder, "slice_never")).ToList();
        using var tail = FileTail.Start(paths);
        await Task.WhenAll(bodies.Select(async (body, i) =>
        {
            await Task.Delay(5 * i);
            await using var writer = new FileStream(paths[i], FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1);
            for (var at = 0; at < body.Length;)
            {
                var n = Math.Min(body.Length - at, 2_500_009);
                await writer.WriteAsync(body.AsMemory(at, n));
                at += n;
                await Task.Delay(1);
            }
        }));
        var digests = await tail.FinishAllAsync();

        Assert.Equal(paths.Count, digests.Length);
        Assert.Null(digests[^1]);
        for (var i = 0; i < bodies.Length; i++)
        {
            var digest = digests[i];
            Assert.NotNull(digest);
            Assert.Equal(bodies[i].Length, digest.Size);
            using var staged = await _t.Store.AdoptAsync(paths[i], digest);
            Assert.Equal(PartDigestTests.ExpectedETag(bodies[i]), _t.Store.Commit("b", $"k{i}", staged, ObjectAttributes.Empty).ETag);
        }
    }

    [Fact]
    public async Task A_file_that_never_appears_gives_no_digest()
    {
        using var tail = FileTail.Start(Path.Combine(_t.Store.Files.CreateScratchFolder(), "data"));
        Assert.Null(await tail.FinishAsync());
    }

    [Fact]
    public async Task A_file_replaced_after_the_tail_opened_it_gives_no_digest()
    {
        var folder = _t.Store.Files.CreateScratchFolder();
        var path = Path.Combine(folder, "data");
        await File.WriteAllBytesAsync(path, Bytes(1000));
        using var tail = FileTail.Start(path);
        await Task.Delay(50);
        await File.WriteAllBytesAsync(path + ".new", Bytes(1000));
        File.Move(path + ".new", path, overwrite: true);
        Assert.Null(await tail.FinishAsync());
    }

    [Fact]
    public async Task A_digest_whose_size_is_not_the_files_is_ignored_and_the_file_read_again()
    {
        var path = Path.Combine(_t.Store.Files.CreateScratchFolder(), "data");
        var body = Bytes(4096);
        await File.WriteAllBytesAsync(path, body);
        using var staged = await _t.Store.AdoptAsync(path, new FileDigest(100, new byte[16]));
        Assert.Equal(4096, staged.Size);
        Assert.Equal(MD5.HashData(body), staged.Md5);
    }

    [Fact]
    public void A_tail_stopped_before_the_writer_finished_lets_go_of_the_file()
    {
        var folder = _t.Store.Files.CreateScratchFolder();
        var path = Path.Combine(folder, "data");
        File.WriteAllBytes(path, Bytes(1000));
        var tail = FileTail.Start(path);
        tail.Dispose();
        Directory.Delete(folder, recursive: true);
        Assert.False(Directory.Exists(folder));
    }
}
