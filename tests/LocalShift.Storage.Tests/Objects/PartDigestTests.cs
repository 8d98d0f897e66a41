using System.Security.Cryptography;
using LocalShift.Storage.Objects;

namespace LocalShift.Storage.Tests.Objects;

/// <summary>
/// The multipart-style ETag of files the server writes, checked against the definition computed plainly with the
/// platform's MD5: each 8 MiB part hashed alone, then the MD5 of those digests and "-N".
/// </summary>
public sealed class PartDigestTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("partdigest-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static byte[] Bytes(long size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The ETag by the definition, as the AWS CLI's multipart upload of 8 MiB parts would make it.</summary>
    internal static string ExpectedETag(byte[] body)
    {
        if (body.Length <= PartDigest.PartSize) return Convert.ToHexStringLower(MD5.HashData(body));
        var parts = body.Chunk(PartDigest.PartSize).Select(MD5.HashData).ToList();
        return $"{Convert.ToHexStringLower(MD5.HashData(parts.SelectMany(p => p).ToArray()))}-{parts.Count}";
    }

    private static string ETag(FileDigest d) => Convert.ToHexStringLower(d.Md5) + (d.Parts > 0 ? $"-{d.Parts}" : "");

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(PartDigest.PartSize - 1)]
    [InlineData(PartDigest.PartSize)]
    [InlineData(PartDigest.PartSize + 1)]
    [InlineData(2L * PartDigest.PartSize)]
    [InlineData(3L * PartDigest.PartSize + 12_345)]
    [InlineData(21L * PartDigest.PartSize + 7)] // more whole parts than one batch of lanes holds
    public void A_finished_files_digest_is_the_multipart_etag_of_8_MiB_parts(long size)
    {
        var body = Bytes(size, (int)(size % 100_000));
        var path = Path.Combine(_folder, "f");
        File.WriteAllBytes(path, body);

        var digest = PartDigest.Compute(path);

        Assert.Equal(size, digest.Size);
        Assert.Equal(ExpectedETag(body), ETag(digest));
        Assert.Equal(size > PartDigest.PartSize ? (int)((size + PartDigest.PartSize - 1) / PartDigest.PartSize) : 0, digest.Parts);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    public void Every_lane_of_the_simd_md5_agrees_with_the_platform_md5(int width)
    {
        // Without the instructions for this width, the other width (or one-by-one MD5) is what runs here.
        if (width == 16 && LaneMd5.Lanes < 16 || LaneMd5.Lanes == 0) return;
        const int length = 64 * 37;
        var data = Bytes((long)length * width, 7);
        var lanes = new LaneMd5(width);
        // Fed in uneven runs of blocks, as the tail feeds it.
        for (var block = 0; block < length / 64;)
        {
            var run = Math.Min(length / 64 - block, block % 5 + 1);
            var slice = new byte[length * width];
            for (var l = 0; l < width; l++) Array.Copy(data, l * length + block * 64, slice, l * length, run * 64);
            lanes.Update(slice, length, run);
            block += run;
        }
        var digests = lanes.Finish(width);
        for (var l = 0; l < width; l++)
            Assert.Equal(MD5.HashData(data.AsSpan(l * length, length)), digests[l]);
    }

    [Fact]
    public void The_simd_md5_of_empty_messages_is_the_md5_of_nothing()
    {
        if (LaneMd5.Lanes == 0) return;
        var digests = new LaneMd5().Finish(2);
        Assert.All(digests, d => Assert.Equal(MD5.HashData([]), d));
    }
}
