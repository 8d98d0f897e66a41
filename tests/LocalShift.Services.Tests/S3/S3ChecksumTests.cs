using System.Text;
using LocalShift.Services.S3;

namespace LocalShift.Services.Tests.S3;

public class S3ChecksumTests
{
    /// <summary>The catalogued check values of each CRC over "123456789" (CRC-32/ISO-HDLC, CRC-32/ISCSI, CRC-64/NVME), and the digests.</summary>
    [Theory]
    [InlineData(S3Checksum.Crc32, "CBF43926")]
    [InlineData(S3Checksum.Crc32C, "E3069283")]
    [InlineData(S3Checksum.Crc64Nvme, "AE8B14860A799888")]
    [InlineData(S3Checksum.Sha1, "F7C3BC1D808E04732ADF679965CCC34CA7AE3441")]
    [InlineData(S3Checksum.Sha256, "15E2B0D3C33891EBB0F1EF609EC419420C20E320CE94C65FBC8C3312448EB225")]
    public void Each_algorithm_gives_its_check_value_big_endian(string algorithm, string hex)
    {
        using var c = S3Checksum.Create(algorithm);
        c.Append(Encoding.ASCII.GetBytes("1234"));
        c.Append(Encoding.ASCII.GetBytes("56789"));

        Assert.Equal(hex, Convert.ToHexString(c.Hash()));
        Assert.Equal(S3Checksum.Length(algorithm), c.Hash().Length);
    }

    /// <summary>
    /// The CRCs (System.IO.Hashing's vectorized folding) against the definition, one bit at a time, at lengths around
    /// the vector widths and at every alignment: CRC-32C and CRC-64/NVME are reflected, start and end with all ones.
    /// </summary>
    [Fact]
    public void The_crcs_agree_with_the_bitwise_definition_at_every_length_and_alignment()
    {
        var data = new byte[70_001];
        new Random(11).NextBytes(data);
        for (var start = 0; start < 17; start++)
            foreach (var length in new[] { 0, 1, 7, 8, 15, 16, 31, 63, 64, 65, 127, 128, 255, 256, 1000, 4096, 69_000 })
            {
                var span = data.AsSpan(start, length);
                Assert.Equal(Bitwise32(0x82F63B78u, span), Convert.ToHexString(Sum(S3Checksum.Crc32C, span)));
                Assert.Equal(Bitwise32(0xEDB88320u, span), Convert.ToHexString(Sum(S3Checksum.Crc32, span)));
                Assert.Equal(Bitwise64(0x9A6C9329AC4BC9B5ul, span), Convert.ToHexString(Sum(S3Checksum.Crc64Nvme, span)));
            }
    }

    private static byte[] Sum(string algorithm, ReadOnlySpan<byte> data)
    {
        using var c = S3Checksum.Create(algorithm);
        c.Append(data);
        return c.Hash();
    }

    private static string Bitwise32(uint poly, ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? poly ^ (crc >> 1) : crc >> 1;
        }
        return (~crc).ToString("X8");
    }

    private static string Bitwise64(ulong poly, ReadOnlySpan<byte> data)
    {
        var crc = ulong.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? poly ^ (crc >> 1) : crc >> 1;
        }
        return (~crc).ToString("X16");
    }

    [Fact]
    public void A_checksum_computed_in_pieces_equals_the_one_computed_at_once()
    {
        var data = new byte[100_003];
        new Random(3).NextBytes(data);
        foreach (var algorithm in S3Checksum.Algorithms)
        {
            using var pieces = S3Checksum.Create(algorithm);
            for (var i = 0; i < data.Length; i += 4097) pieces.Append(data.AsSpan(i, Math.Min(4097, data.Length - i)));
            Assert.Equal(S3Checksum.Base64(algorithm, data), Convert.ToBase64String(pieces.Hash()));
        }
    }

    [Fact]
    public void A_composite_checksum_is_the_checksum_of_the_parts_checksums_with_the_part_count()
    {
        var a = S3Checksum.Base64(S3Checksum.Crc32, "part one"u8);
        var b = S3Checksum.Base64(S3Checksum.Crc32, "part two"u8);
        var raw = Convert.FromBase64String(a).Concat(Convert.FromBase64String(b)).ToArray();

        Assert.Equal(S3Checksum.Base64(S3Checksum.Crc32, raw) + "-2", S3Checksum.Composite(S3Checksum.Crc32, [a, b]));
    }

    [Theory]
    [InlineData("crc64nvme", S3Checksum.Crc64Nvme)]
    [InlineData("Sha256", S3Checksum.Sha256)]
    [InlineData("MD5", null)]
    public void Algorithm_names_are_recognised_in_any_case(string name, string? canonical) =>
        Assert.Equal(canonical, S3Checksum.Canonical(name));
}
