using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using ArmCrc32 = System.Runtime.Intrinsics.Arm.Crc32;

namespace LocalShift.Services.S3;

/// <summary>
/// One of S3's additional checksums, computed incrementally: CRC32 (IEEE), CRC32C (Castagnoli), CRC64NVME, SHA1, SHA256.
/// The value is what S3 headers carry once base64-encoded: the CRC as big-endian bytes, the digest as is.
/// CRC32 is System.IO.Hashing's (vectorized with carry-less multiplication); CRC32C uses the processor's CRC32C
/// instruction (SSE4.2 or ARMv8 CRC); CRC64NVME, which neither offers, runs slicing-by-8 tables.
/// </summary>
public abstract class S3Checksum : IDisposable
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
        Crc32 => new Crc32Ieee(),
        Crc32C => new Crc32Castagnoli(),
        Crc64Nvme => new Crc64NvmeChecksum(),
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

    private sealed class Crc32Ieee : S3Checksum
    {
        private readonly System.IO.Hashing.Crc32 _crc = new();

        public override void Append(ReadOnlySpan<byte> data) => _crc.Append(data);

        public override byte[] Hash()
        {
            var v = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v, _crc.GetCurrentHashAsUInt32());
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

    /// <summary>CRC-32C (reflected polynomial 0x82F63B78), the processor's instruction where it has one.</summary>
    public sealed class Crc32Castagnoli : S3Checksum
    {
        private const uint Poly = 0x82F63B78u;
        private static readonly uint[] Table = SlicingTables32(Poly);
        private uint _crc = 0xFFFFFFFFu;

        public override void Append(ReadOnlySpan<byte> data) => _crc = Update(_crc, data);

        public override byte[] Hash()
        {
            var v = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v, ~_crc);
            return v;
        }

        public static uint Update(uint crc, ReadOnlySpan<byte> data)
        {
            if (Sse42.X64.IsSupported)
            {
                ulong c = crc;
                var words = MemoryMarshal.Cast<byte, ulong>(data);
                foreach (var w in words) c = Sse42.X64.Crc32(c, w);
                crc = (uint)c;
                foreach (var b in data[(words.Length * 8)..]) crc = Sse42.Crc32(crc, b);
                return crc;
            }
            if (ArmCrc32.Arm64.IsSupported)
            {
                var words = MemoryMarshal.Cast<byte, ulong>(data);
                foreach (var w in words) crc = ArmCrc32.Arm64.ComputeCrc32C(crc, w);
                foreach (var b in data[(words.Length * 8)..]) crc = ArmCrc32.ComputeCrc32C(crc, b);
                return crc;
            }
            return Software(crc, data);
        }

        /// <summary>The table-driven form, for processors without the instruction (and to check the instruction against).</summary>
        public static uint Software(uint crc, ReadOnlySpan<byte> data)
        {
            var t = Table;
            while (data.Length >= 8)
            {
                var lo = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
                var hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
                crc = t[7 * 256 + (lo & 0xFF)] ^ t[6 * 256 + ((lo >> 8) & 0xFF)] ^ t[5 * 256 + ((lo >> 16) & 0xFF)] ^ t[4 * 256 + (lo >> 24)]
                    ^ t[3 * 256 + (hi & 0xFF)] ^ t[2 * 256 + ((hi >> 8) & 0xFF)] ^ t[256 + ((hi >> 16) & 0xFF)] ^ t[hi >> 24];
                data = data[8..];
            }
            foreach (var b in data) crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return crc;
        }

        private static uint[] SlicingTables32(uint poly)
        {
            var t = new uint[8 * 256];
            for (uint i = 0; i < 256; i++)
            {
                var c = i;
                for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? poly ^ (c >> 1) : c >> 1;
                t[i] = c;
            }
            for (var s = 1; s < 8; s++)
                for (var i = 0; i < 256; i++)
                {
                    var prev = t[(s - 1) * 256 + i];
                    t[s * 256 + i] = (prev >> 8) ^ t[prev & 0xFF];
                }
            return t;
        }
    }

    /// <summary>
    /// CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5, initial and final XOR all ones): 16-byte blocks folded with
    /// carry-less multiplication (PCLMULQDQ) where the processor has it, the last 16 bytes and the tail by slicing-by-8.
    /// </summary>
    public sealed class Crc64NvmeChecksum : S3Checksum
    {
        private const ulong Poly = 0x9A6C9329AC4BC9B5ul;
        private static readonly ulong[] Table = SlicingTables64(Poly);
        // A reflected 128-bit block A·x^64 + B (A in the low half, the earlier bytes) followed by 128 more bits is
        // A·x^192 + B·x^128; a reflected carry-less product carries an extra x, hence x^191 and x^127 (mod P).
        private static readonly System.Runtime.Intrinsics.Vector128<ulong> Fold =
            System.Runtime.Intrinsics.Vector128.Create(ReflectedPowerMod(191), ReflectedPowerMod(127));
        private ulong _crc = ulong.MaxValue;

        public override void Append(ReadOnlySpan<byte> data) => _crc = Update(_crc, data);

        /// <summary>The register after <paramref name="data"/>, folded in 16-byte blocks when the processor can.</summary>
        public static ulong Update(ulong crc, ReadOnlySpan<byte> data) =>
            Pclmulqdq.IsSupported && Sse2.IsSupported && data.Length >= 64 ? Folded(crc, data) : Tables(crc, data);

        /// <summary>The table-driven form alone, to check the folded one against.</summary>
        public static ulong Software(ulong crc, ReadOnlySpan<byte> data) => Tables(crc, data);

        private static ulong Folded(ulong crc, ReadOnlySpan<byte> data)
        {
            var blocks = data.Length / 16;
            ref var start = ref MemoryMarshal.GetReference(data);
            // The register XORed into the first 8 bytes: the CRC of the bytes from a zero register is the same.
            var x = Unsafe.ReadUnaligned<System.Runtime.Intrinsics.Vector128<ulong>>(ref start)
                ^ System.Runtime.Intrinsics.Vector128.Create(crc, 0ul);
            for (var i = 1; i < blocks; i++)
            {
                var d = Unsafe.ReadUnaligned<System.Runtime.Intrinsics.Vector128<ulong>>(ref Unsafe.Add(ref start, i * 16));
                x = Pclmulqdq.CarrylessMultiply(x, Fold, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, Fold, 0x11) ^ d;
            }
            // x is congruent to everything read so far: the table finishes it from a zero register.
            Span<byte> last = stackalloc byte[16];
            Unsafe.WriteUnaligned(ref last[0], x);
            return Tables(Tables(0, last), data[(blocks * 16)..]);
        }

        /// <summary>x^n mod P, as a reflected 64-bit value (bit i is the coefficient of x^(63-i)).</summary>
        private static ulong ReflectedPowerMod(int n)
        {
            var normal = ReverseBits(Poly); // bit j is the coefficient of x^j; x^64 implied
            ulong r = 1;
            for (var i = 0; i < n; i++)
            {
                var carry = r >> 63;
                r <<= 1;
                if (carry != 0) r ^= normal;
            }
            return ReverseBits(r);
        }

        private static ulong ReverseBits(ulong v)
        {
            ulong r = 0;
            for (var i = 0; i < 64; i++) r |= ((v >> i) & 1) << (63 - i);
            return r;
        }

        public override byte[] Hash()
        {
            var v = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(v, ~_crc);
            return v;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static ulong Tables(ulong crc, ReadOnlySpan<byte> data)
        {
            var t = Table.AsSpan();
            var words = MemoryMarshal.Cast<byte, ulong>(data);
            foreach (var word in words)
            {
                var w = crc ^ (BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word));
                crc = t[7 * 256 + (int)(w & 0xFF)] ^ t[6 * 256 + (int)((w >> 8) & 0xFF)] ^ t[5 * 256 + (int)((w >> 16) & 0xFF)]
                    ^ t[4 * 256 + (int)((w >> 24) & 0xFF)] ^ t[3 * 256 + (int)((w >> 32) & 0xFF)] ^ t[2 * 256 + (int)((w >> 40) & 0xFF)]
                    ^ t[256 + (int)((w >> 48) & 0xFF)] ^ t[(int)(w >> 56)];
            }
            foreach (var b in data[(words.Length * 8)..]) crc = t[(int)((crc ^ b) & 0xFF)] ^ (crc >> 8);
            return crc;
        }

        private static ulong[] SlicingTables64(ulong poly)
        {
            var t = new ulong[8 * 256];
            for (ulong i = 0; i < 256; i++)
            {
                var c = i;
                for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? poly ^ (c >> 1) : c >> 1;
                t[i] = c;
            }
            for (var s = 1; s < 8; s++)
                for (var i = 0; i < 256; i++)
                {
                    var prev = t[(s - 1) * 256 + i];
                    t[s * 256 + i] = (prev >> 8) ^ t[(int)(prev & 0xFF)];
                }
            return t;
        }
    }
}
