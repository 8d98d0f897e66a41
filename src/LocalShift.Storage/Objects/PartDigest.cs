using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace LocalShift.Storage.Objects;

/// <summary>
/// The ETag of an object the server writes from a file of its own (UNLOAD's output), as an S3 multipart upload in
/// <see cref="PartSize"/> parts would give it — which is how large files are uploaded (the AWS CLI's threshold and part
/// size are 8 MB too): up to one part, the MD5 of the bytes; above, the MD5 of the parts' MD5s and "-N". The parts are
/// independent, so they are hashed several at once (<see cref="LaneMd5"/>), several times faster than one MD5 over the
/// whole file.
/// </summary>
public static class PartDigest
{
    public const int PartSize = 8 << 20;

    /// <summary>The number of parts of an object of <paramref name="size"/> bytes: 0 when it is a single-part object.</summary>
    public static int PartsOf(long size) => size <= PartSize ? 0 : (int)((size + PartSize - 1) / PartSize);

    /// <summary>The digest of a finished file: the short last part on another core while the whole parts are hashed here.</summary>
    public static FileDigest Compute(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        var size = RandomAccess.GetLength(file);
        var buffer = NewBuffer();
        if (PartsOf(size) == 0) return new FileDigest(size, HashRange(file, 0, size, buffer));
        var whole = (int)(size / PartSize);
        var last = (long)whole * PartSize < size
            ? Task.Run(() => HashRange(file, (long)whole * PartSize, size - (long)whole * PartSize, NewChunkBuffer()))
            : null;
        var parts = new List<byte[]>(whole + 1);
        for (var at = 0; at < whole; at += Batch)
            parts.AddRange(HashParts(Enumerable.Range(at, Math.Min(Batch, whole - at)).Select(i => (file, (long)i * PartSize)).ToList(), buffer));
        if (last is not null) parts.Add(last.GetAwaiter().GetResult());
        return Compose(size, parts);
    }

    private const int Chunk = 512 << 10;

    /// <summary>A read buffer for one MD5 over a range (a short last part, a one-part file).</summary>
    internal static byte[] NewChunkBuffer() => new byte[Chunk];

    /// <summary>A read buffer that holds a chunk of every lane.</summary>
    internal static byte[] NewBuffer() => new byte[Chunk * Math.Max(1, LaneMd5.Lanes)];

    /// <summary>How many parts are hashed at once to go fastest (hash them when this many whole parts are ready).</summary>
    public static int Batch => Math.Max(1, LaneMd5.Lanes);

    /// <summary>The digest of a multipart file from its parts' MD5s, in order.</summary>
    internal static FileDigest Compose(long size, IReadOnlyList<byte[]> parts)
    {
        using var md5s = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        foreach (var p in parts) md5s.AppendData(p);
        return new FileDigest(size, md5s.GetHashAndReset(), parts.Count);
    }

    /// <summary>
    /// Whole parts, from one file or several, at most <see cref="Batch"/>: three or more are hashed in lanes (faster
    /// than one by one even with most lanes idle), fewer one by one.
    /// </summary>
    internal static byte[][] HashParts(IReadOnlyList<(SafeFileHandle File, long Offset)> parts, byte[] buffer) =>
        parts.Count >= 3 ? HashLanes(parts, buffer) : parts.Select(p => HashRange(p.File, p.Offset, PartSize, buffer)).ToArray();

    private static byte[][] HashLanes(IReadOnlyList<(SafeFileHandle File, long Offset)> parts, byte[] buffer)
    {
        var lanes = new LaneMd5();
        for (var offset = 0; offset < PartSize; offset += Chunk)
        {
            for (var l = 0; l < parts.Count; l++) ReadExactly(parts[l].File, parts[l].Offset + offset, buffer.AsSpan(l * Chunk, Chunk));
            lanes.Update(buffer, Chunk, Chunk / 64);
        }
        return lanes.Finish(parts.Count);
    }

    internal static byte[] HashRange(SafeFileHandle file, long start, long length, byte[] buffer)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        for (long done = 0; done < length;)
        {
            var n = (int)Math.Min(buffer.Length, length - done);
            ReadExactly(file, start + done, buffer.AsSpan(0, n));
            md5.AppendData(buffer, 0, n);
            done += n;
        }
        return md5.GetHashAndReset();
    }

    private static void ReadExactly(SafeFileHandle file, long offset, Span<byte> into)
    {
        while (into.Length > 0)
        {
            var n = RandomAccess.Read(file, into, offset);
            if (n <= 0) throw new IOException("The file is shorter than the bytes being hashed.");
            into = into[n..];
            offset += n;
        }
    }
}
