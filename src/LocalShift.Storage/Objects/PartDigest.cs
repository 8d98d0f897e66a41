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

    /// <summary>The digest of a finished file.</summary>
    public static FileDigest Compute(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        return new Builder(file).Finish(RandomAccess.GetLength(file));
    }

    /// <summary>Hashes a file's whole parts as they become available (the file only ever grows), then the rest.</summary>
    private const int Chunk = 512 << 10;

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

    public sealed class Builder(SafeFileHandle file)
    {
        private readonly List<byte[]> _parts = [];
        private byte[]? _buffer;

        /// <summary>How many whole parts are hashed.</summary>
        public int HashedParts => _parts.Count;

        /// <summary>Hashes the next <paramref name="count"/> whole parts, which must be in the file.</summary>
        public void HashParts(int count)
        {
            while (count > 0)
            {
                var group = Math.Min(count, Batch);
                _parts.AddRange(PartDigest.HashParts(Enumerable.Range(_parts.Count, group).Select(i => (file, (long)i * PartSize)).ToList(), _buffer ??= NewBuffer()));
                count -= group;
            }
        }

        /// <summary>The file is complete at <paramref name="size"/> bytes: hashes what is left and gives the digest.</summary>
        public FileDigest Finish(long size)
        {
            var parts = PartsOf(size);
            if (parts == 0)
                return new FileDigest(size, size == PartSize && _parts.Count == 1 ? _parts[0] : HashRange(0, size));
            var whole = (int)(size / PartSize);
            // The short last part on another core while the whole parts left are hashed here: the writer is done, so
            // the cores it used are free, and this is the only wait left between the write and the object.
            var last = whole < parts ? Task.Run(() => PartDigest.HashRange(file, (long)whole * PartSize, size - (long)whole * PartSize, new byte[Chunk])) : null;
            if (whole > _parts.Count) HashParts(whole - _parts.Count);
            var all = new List<byte[]>(_parts);
            if (last is not null) all.Add(last.GetAwaiter().GetResult());
            return Compose(size, all);
        }

        private byte[] HashRange(long start, long length) => PartDigest.HashRange(file, start, length, _buffer ??= NewBuffer());
    }
}
