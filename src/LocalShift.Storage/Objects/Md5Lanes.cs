using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LocalShift.Storage.Objects;

/// <summary>
/// The running MD5 (RFC 1321) of one message: its four state words, how many bytes it has seen and the bytes of its
/// last, incomplete 64-byte block. Advanced by <see cref="Md5Lanes.Update"/>, side by side with up to seven others.
/// </summary>
public sealed class Md5State
{
    internal uint A = 0x67452301, B = 0xefcdab89, C = 0x98badcfe, D = 0x10325476;
    internal long Length;
    internal readonly byte[] Tail = GC.AllocateArray<byte>(64, pinned: true); // read through a pointer by the lanes
    internal int TailLength;

    /// <summary>How many bytes were hashed so far.</summary>
    public long BytesHashed => Length;
}

/// <summary>
/// MD5 of up to eight independent messages at once, one per 32-bit lane of a <see cref="Vector256{T}"/> (AVX2). One
/// message's MD5 is a serial chain (each step needs the previous one's result), so a core runs it far below its width;
/// eight messages share the instructions instead, each lane its own message at its own address, length and position
/// (as the S3 PUTs in flight at one time are). Messages of different lengths are fine: a lane whose data is used up
/// leaves the step and the others go on. With one message only, or without AVX2, a scalar path runs.
/// </summary>
public static unsafe class Md5Lanes
{
    public const int Width = 8;

    /// <summary>Whether the lanes run in vectors here (else every message goes through the scalar path).</summary>
    public static bool Vectorized => Avx2.IsSupported;

    private static readonly uint[] K = Enumerable.Range(0, 64).Select(i => (uint)(long)Math.Floor(Math.Abs(Math.Sin(i + 1)) * 4294967296.0)).ToArray();
    private static readonly byte[] Idle = GC.AllocateArray<byte>(64, pinned: true);

    /// <summary>
    /// Appends <paramref name="data"/>[i] to the message of <paramref name="states"/>[i], for up to <see cref="Width"/>
    /// messages (distinct states). Whole blocks of all messages are hashed side by side; each message's last
    /// incomplete block waits in its state for more data or <see cref="Finish"/>.
    /// </summary>
    public static void Update(ReadOnlySpan<Md5State> states, ReadOnlySpan<ReadOnlyMemory<byte>> data)
    {
        var n = states.Length;
        if (n > Width || data.Length != n) throw new ArgumentException($"1 to {Width} states, each with its data.");
        if (n == 0) return;
        Span<System.Buffers.MemoryHandle> pins = new System.Buffers.MemoryHandle[n];
        var ptr = stackalloc byte*[Width];
        var remaining = stackalloc long[Width]; // whole blocks still to hash from ptr[i] in the current segment
        var body = stackalloc byte*[Width];     // the data's whole blocks after the tail block
        var bodyBlocks = stackalloc long[Width];
        var rest = stackalloc int[Width];       // the data's bytes past its whole blocks
        try
        {
            for (var i = 0; i < n; i++)
            {
                var s = states[i];
                pins[i] = data[i].Pin();
                var p = (byte*)pins[i].Pointer;
                var len = data[i].Length;
                s.Length += len;
                ptr[i] = null;
                remaining[i] = 0;
                // First the tail block, if this data completes it.
                if (s.TailLength > 0)
                {
                    var take = Math.Min(64 - s.TailLength, len);
                    new ReadOnlySpan<byte>(p, take).CopyTo(s.Tail.AsSpan(s.TailLength));
                    s.TailLength += take;
                    p += take;
                    len -= take;
                    if (s.TailLength == 64)
                    {
                        s.TailLength = 0;
                        ptr[i] = (byte*)Unsafe.AsPointer(ref s.Tail[0]); // pinned: allocated on the pinned heap
                        remaining[i] = 1;
                    }
                }
                body[i] = p;
                bodyBlocks[i] = len / 64;
                rest[i] = len % 64;
            }
            Run(states, ptr, remaining);
            for (var i = 0; i < n; i++)
            {
                ptr[i] = body[i];
                remaining[i] = bodyBlocks[i];
            }
            Run(states, ptr, remaining);
            for (var i = 0; i < n; i++)
            {
                if (rest[i] == 0) continue;
                var s = states[i];
                new ReadOnlySpan<byte>(body[i] + bodyBlocks[i] * 64, rest[i]).CopyTo(s.Tail.AsSpan(s.TailLength));
                s.TailLength += rest[i];
            }
        }
        finally
        {
            foreach (var h in pins) h.Dispose();
        }
    }

    /// <summary>Appends one message's data (the scalar path unless called with others).</summary>
    public static void Update(Md5State state, ReadOnlyMemory<byte> data) => Update([state], [data]);

    /// <summary>Pads the message and gives its digest; the state is spent.</summary>
    public static byte[] Finish(Md5State state)
    {
        var pad = new byte[128];
        state.Tail.AsSpan(0, state.TailLength).CopyTo(pad);
        pad[state.TailLength] = 0x80;
        var blocks = state.TailLength < 56 ? 1 : 2;
        BinaryPrimitives.WriteUInt64LittleEndian(pad.AsSpan(blocks * 64 - 8), (ulong)state.Length * 8);
        fixed (byte* p = pad)
        {
            var a = state.A; var b = state.B; var c = state.C; var d = state.D;
            for (var k = 0; k < blocks; k++) ScalarBlock((uint*)(p + 64 * k), ref a, ref b, ref c, ref d);
            var digest = new byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(0), a);
            BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(4), b);
            BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(8), c);
            BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(12), d);
            state.TailLength = 0;
            return digest;
        }
    }

    /// <summary>Hashes remaining[i] blocks from ptr[i] into each state, lanes side by side while two or more have blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run(ReadOnlySpan<Md5State> states, byte** ptr, long* remaining)
    {
        var n = states.Length;
        var state = stackalloc uint[4 * Width];
        var lanes = stackalloc byte*[Width];
        var advance = stackalloc nint[Width];
        while (true)
        {
            var active = 0;
            long step = long.MaxValue;
            var only = -1;
            for (var i = 0; i < n; i++)
                if (remaining[i] > 0)
                {
                    active++;
                    only = i;
                    step = Math.Min(step, remaining[i]);
                }
            if (active == 0) return;
            if (active == 1 || !Avx2.IsSupported)
            {
                // Scalar: each lane on its own, all its blocks.
                for (var i = 0; i < n; i++)
                {
                    if (remaining[i] == 0) continue;
                    var s = states[i];
                    uint a = s.A, b = s.B, c = s.C, d = s.D;
                    for (long k = 0; k < remaining[i]; k++) ScalarBlock((uint*)(ptr[i] + 64 * k), ref a, ref b, ref c, ref d);
                    s.A = a; s.B = b; s.C = c; s.D = d;
                    remaining[i] = 0;
                }
                return;
            }
            fixed (byte* idle = Idle)
                for (var l = 0; l < Width; l++)
                {
                    var on = l < n && remaining[l] > 0;
                    lanes[l] = on ? ptr[l] : idle;
                    advance[l] = on ? 64 : 0;
                    if (on)
                    {
                        var s = states[l];
                        state[l] = s.A; state[Width + l] = s.B; state[2 * Width + l] = s.C; state[3 * Width + l] = s.D;
                    }
                }
            Compress8(state, lanes, advance, step);
            for (var l = 0; l < n; l++)
            {
                if (remaining[l] == 0) continue;
                var s = states[l];
                s.A = state[l]; s.B = state[Width + l]; s.C = state[2 * Width + l]; s.D = state[3 * Width + l];
                ptr[l] += step * 64;
                remaining[l] -= step;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotl(Vector256<uint> x, [System.Diagnostics.CodeAnalysis.ConstantExpected] byte n) => (x << n) | (x >>> (32 - n));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Step(Vector256<uint> a, Vector256<uint> b, Vector256<uint> f, Vector256<uint> x, uint k, [System.Diagnostics.CodeAnalysis.ConstantExpected] byte s) =>
        b + Rotl(a + x + Vector256.Create(k) + f, s); // f (on the chain) added last

    /// <summary>The 16 words of one block of each of eight lanes: two 8 x 8 transposes (unpack, unpack, permute).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(byte** lanes, int half, Vector256<uint>* m)
    {
        var r0 = Vector256.Load((uint*)lanes[0] + half);
        var r1 = Vector256.Load((uint*)lanes[1] + half);
        var r2 = Vector256.Load((uint*)lanes[2] + half);
        var r3 = Vector256.Load((uint*)lanes[3] + half);
        var r4 = Vector256.Load((uint*)lanes[4] + half);
        var r5 = Vector256.Load((uint*)lanes[5] + half);
        var r6 = Vector256.Load((uint*)lanes[6] + half);
        var r7 = Vector256.Load((uint*)lanes[7] + half);
        var t0 = Avx2.UnpackLow(r0, r1).AsUInt64(); var t1 = Avx2.UnpackHigh(r0, r1).AsUInt64();
        var t2 = Avx2.UnpackLow(r2, r3).AsUInt64(); var t3 = Avx2.UnpackHigh(r2, r3).AsUInt64();
        var t4 = Avx2.UnpackLow(r4, r5).AsUInt64(); var t5 = Avx2.UnpackHigh(r4, r5).AsUInt64();
        var t6 = Avx2.UnpackLow(r6, r7).AsUInt64(); var t7 = Avx2.UnpackHigh(r6, r7).AsUInt64();
        var u0 = Avx2.UnpackLow(t0, t2).AsUInt32(); var u1 = Avx2.UnpackHigh(t0, t2).AsUInt32();
        var u2 = Avx2.UnpackLow(t1, t3).AsUInt32(); var u3 = Avx2.UnpackHigh(t1, t3).AsUInt32();
        var u4 = Avx2.UnpackLow(t4, t6).AsUInt32(); var u5 = Avx2.UnpackHigh(t4, t6).AsUInt32();
        var u6 = Avx2.UnpackLow(t5, t7).AsUInt32(); var u7 = Avx2.UnpackHigh(t5, t7).AsUInt32();
        var w = m + half;
        w[0] = Avx2.Permute2x128(u0, u4, 0x20); w[4] = Avx2.Permute2x128(u0, u4, 0x31);
        w[1] = Avx2.Permute2x128(u1, u5, 0x20); w[5] = Avx2.Permute2x128(u1, u5, 0x31);
        w[2] = Avx2.Permute2x128(u2, u6, 0x20); w[6] = Avx2.Permute2x128(u2, u6, 0x31);
        w[3] = Avx2.Permute2x128(u3, u7, 0x20); w[7] = Avx2.Permute2x128(u3, u7, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs a few hundred times a second: tier 0 would be 10x slower
    private static void Compress8(uint* state, byte** lanes, nint* advance, long blocks)
    {
        var a = Vector256.Load(state);
        var b = Vector256.Load(state + Width);
        var c = Vector256.Load(state + 2 * Width);
        var d = Vector256.Load(state + 3 * Width);
        var m = stackalloc Vector256<uint>[16];
        fixed (uint* k = K)
            for (long block = 0; block < blocks; block++)
            {
                Transpose(lanes, 0, m);
                Transpose(lanes, 8, m);
                for (var l = 0; l < Width; l++) lanes[l] += advance[l];
                Vector256<uint> a0 = a, b0 = b, c0 = c, d0 = d;
                for (var i = 0; i < 16; i += 4)
                {
                    a = Step(a, b, (b & c) | Vector256.AndNot(d, b), m[i], k[i], 7);
                    d = Step(d, a, (a & b) | Vector256.AndNot(c, a), m[i + 1], k[i + 1], 12);
                    c = Step(c, d, (d & a) | Vector256.AndNot(b, d), m[i + 2], k[i + 2], 17);
                    b = Step(b, c, (c & d) | Vector256.AndNot(a, c), m[i + 3], k[i + 3], 22);
                }
                for (var i = 16; i < 32; i += 4)
                {
                    a = Step(a, b, (b & d) | Vector256.AndNot(c, d), m[(5 * i + 1) & 15], k[i], 5);
                    d = Step(d, a, (a & c) | Vector256.AndNot(b, c), m[(5 * i + 6) & 15], k[i + 1], 9);
                    c = Step(c, d, (d & b) | Vector256.AndNot(a, b), m[(5 * i + 11) & 15], k[i + 2], 14);
                    b = Step(b, c, (c & a) | Vector256.AndNot(d, a), m[(5 * i + 16) & 15], k[i + 3], 20);
                }
                for (var i = 32; i < 48; i += 4)
                {
                    a = Step(a, b, b ^ c ^ d, m[(3 * i + 5) & 15], k[i], 4);
                    d = Step(d, a, a ^ b ^ c, m[(3 * i + 8) & 15], k[i + 1], 11);
                    c = Step(c, d, d ^ a ^ b, m[(3 * i + 11) & 15], k[i + 2], 16);
                    b = Step(b, c, c ^ d ^ a, m[(3 * i + 14) & 15], k[i + 3], 23);
                }
                for (var i = 48; i < 64; i += 4)
                {
                    a = Step(a, b, c ^ (b | ~d), m[(7 * i) & 15], k[i], 6);
                    d = Step(d, a, b ^ (a | ~c), m[(7 * i + 7) & 15], k[i + 1], 10);
                    c = Step(c, d, a ^ (d | ~b), m[(7 * i + 14) & 15], k[i + 2], 15);
                    b = Step(b, c, d ^ (c | ~a), m[(7 * i + 21) & 15], k[i + 3], 21);
                }
                a += a0; b += b0; c += c0; d += d0;
            }
        a.Store(state);
        b.Store(state + Width);
        c.Store(state + 2 * Width);
        d.Store(state + 3 * Width);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint S(uint a, uint b, uint f, uint x, uint k, int s) => b + BitOperations.RotateLeft(a + x + k + f, s);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScalarBlock(uint* x, ref uint a0, ref uint b0, ref uint c0, ref uint d0)
    {
        uint a = a0, b = b0, c = c0, d = d0;
        fixed (uint* k = K)
        {
            for (var i = 0; i < 16; i += 4)
            {
                a = S(a, b, (b & c) | (~b & d), x[i], k[i], 7);
                d = S(d, a, (a & b) | (~a & c), x[i + 1], k[i + 1], 12);
                c = S(c, d, (d & a) | (~d & b), x[i + 2], k[i + 2], 17);
                b = S(b, c, (c & d) | (~c & a), x[i + 3], k[i + 3], 22);
            }
            for (var i = 16; i < 32; i += 4)
            {
                a = S(a, b, (b & d) | (c & ~d), x[(5 * i + 1) & 15], k[i], 5);
                d = S(d, a, (a & c) | (b & ~c), x[(5 * i + 6) & 15], k[i + 1], 9);
                c = S(c, d, (d & b) | (a & ~b), x[(5 * i + 11) & 15], k[i + 2], 14);
                b = S(b, c, (c & a) | (d & ~a), x[(5 * i + 16) & 15], k[i + 3], 20);
            }
            for (var i = 32; i < 48; i += 4)
            {
                a = S(a, b, b ^ c ^ d, x[(3 * i + 5) & 15], k[i], 4);
                d = S(d, a, a ^ b ^ c, x[(3 * i + 8) & 15], k[i + 1], 11);
                c = S(c, d, d ^ a ^ b, x[(3 * i + 11) & 15], k[i + 2], 16);
                b = S(b, c, c ^ d ^ a, x[(3 * i + 14) & 15], k[i + 3], 23);
            }
            for (var i = 48; i < 64; i += 4)
            {
                a = S(a, b, c ^ (b | ~d), x[(7 * i) & 15], k[i], 6);
                d = S(d, a, b ^ (a | ~c), x[(7 * i + 7) & 15], k[i + 1], 10);
                c = S(c, d, a ^ (d | ~b), x[(7 * i + 14) & 15], k[i + 2], 15);
                b = S(b, c, d ^ (c | ~a), x[(7 * i + 21) & 15], k[i + 3], 21);
            }
        }
        a0 += a; b0 += b; c0 += c; d0 += d;
    }
}
