using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>
/// One of S3's additional checksums, computed incrementally: CRC32 (IEEE), CRC32C (Castagnoli), CRC64NVME, SHA1, SHA256.
/// The value is what S3 headers carry once base64-encoded: the CRC as big-endian bytes, the digest as is.
/// The three CRCs are System.IO.Hashing's, which folds any reflected polynomial with carry-less multiplication over
/// 128-, 256- or 512-bit vectors (PCLMULQDQ/VPCLMULQDQ, ARMv8 PMULL): CRC32 at its default parameters, CRC32C and
/// CRC64NVME through its parameter sets, all at several GB/s on one core. SHA1 and SHA256 are the platform's (OpenSSL,
/// which uses the SHA extensions where the processor has them). A checksum is an <see cref="IBodyDigest"/>, so a staged
/// body is checksummed on another core while it is written.
/// </summary>
public abstract class S3Checksum : IBodyDigest, IDisposable
{
    public const string Crc32 = "CRC32";
    public const string Crc32C = "CRC32C";
    public const string Crc64Nvme = "CRC64NVME";
    public const string Sha1 = "SHA1";
    public const string Sha256 = "SHA256";

    /// <summary>Every algorithm S3 accepts, in the order S3 documents them.</summary>
    public static IReadOnlyList<string> Algorithms { get; } = [Crc32, Crc32C, Crc64Nvme, Sha1, Sha256];

    /// <summary>The algorithm's canonical name for a header or element value in any case; null when it is none of S3's.</summary>
    public static string? Canonical(string? name) =>
        name is null ? null : Algorithms.FirstOrDefault(a => a.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether S3 can give a multipart upload with this algorithm a checksum of the full object (only the CRCs).</summary>
    public static bool SupportsFullObject(string algorithm) => algorithm is Crc32 or Crc32C or Crc64Nvme;

    /// <summary>Whether S3 can give a multipart upload with this algorithm a composite checksum (all but CRC64NVME).</summary>
    public static bool SupportsComposite(string algorithm) => algorithm != Crc64Nvme;

    /// <summary>The length in bytes of a value of this algorithm.</summary>
    public static int Length(string algorithm) => algorithm switch
    {
        Crc32 or Crc32C => 4,
        Crc64Nvme => 8,
        Sha1 => 20,
        _ => 32,
    };

    public static S3Checksum Create(string algorithm) => algorithm switch
    {
        Crc32 => new Crc32Sum(new System.IO.Hashing.Crc32()),
        Crc32C => new Crc32Sum(new System.IO.Hashing.Crc32(Crc32ParameterSet.Crc32C)),
        Crc64Nvme => new Crc64Sum(new Crc64(Crc64ParameterSet.Nvme)),
        Sha1 => new Digest(HashAlgorithmName.SHA1),
        Sha256 => new Digest(HashAlgorithmName.SHA256),
        _ => throw new ArgumentException($"Not an S3 checksum algorithm: {algorithm}", nameof(algorithm)),
    };

    /// <summary>The checksum of <paramref name="data"/> as S3 writes it, base64.</summary>
    public static string Base64(string algorithm, ReadOnlySpan<byte> data)
    {
        using var c = Create(algorithm);
        c.Append(data);
        return Convert.ToBase64String(c.Hash());
    }

    /// <summary>
    /// S3's composite checksum of a multipart object: the algorithm over the concatenated binary checksums of the parts,
    /// base64, then "-" and the number of parts.
    /// </summary>
    public static string Composite(string algorithm, IReadOnlyList<string> partChecksums)
    {
        using var c = Create(algorithm);
        foreach (var p in partChecksums) c.Append(Convert.FromBase64String(p));
        return $"{Convert.ToBase64String(c.Hash())}-{partChecksums.Count}";
    }

    public abstract void Append(ReadOnlySpan<byte> data);

    /// <summary>The value of everything appended so far.</summary>
    public abstract byte[] Hash();

    public virtual void Dispose() => GC.SuppressFinalize(this);

    private sealed class Crc32Sum(System.IO.Hashing.Crc32 crc) : S3Checksum
    {
        public override void Append(ReadOnlySpan<byte> data) => crc.Append(data);

        public override byte[] Hash()
        {
            var v = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v, crc.GetCurrentHashAsUInt32());
            return v;
        }
    }

    private sealed class Crc64Sum(Crc64 crc) : S3Checksum
    {
        public override void Append(ReadOnlySpan<byte> data) => crc.Append(data);

        public override byte[] Hash()
        {
            var v = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(v, crc.GetCurrentHashAsUInt64());
            return v;
        }
    }

    private sealed class Digest(HashAlgorithmName name) : S3Checksum
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(name);

        public override void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);
        public override byte[] Hash() => _hash.GetCurrentHash();

        public override void Dispose()
        {
            _hash.Dispose();
            base.Dispose();
        }
    }
}
