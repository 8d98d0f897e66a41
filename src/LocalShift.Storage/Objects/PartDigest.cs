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
    public sealed class Builder(SafeFileHandle file)
    {
        private const int Chunk = 512 << 10;
        private readonly List<byte[]> _parts = [];
        private byte[]? _buffer;

        /// <summary>How many whole parts are hashed.</summary>
        public int HashedParts => _parts.Count;

        /// <summary>How many parts it hashes at once to go fastest (hash them when this many whole parts are ready).</summary>
        public static int Batch => Math.Max(1, LaneMd5.Lanes);

        /// <summary>Hashes the next <paramref name="count"/> whole parts, which must be in the file.</summary>
        public void HashParts(int count)
        {
            while (count > 0)
            {
                var group = Math.Min(count, Batch);
                // Three or more: the lanes beat hashing them one by one even with most lanes idle.
                if (group >= 3) _parts.AddRange(HashLanes(_parts.Count, group));
                else for (var i = 0; i < group; i++) _parts.Add(HashRange((long)_parts.Count * PartSize, PartSize));
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
            var last = whole < parts ? Task.Run(() => HashRange((long)whole * PartSize, size - (long)whole * PartSize, new byte[Chunk])) : null;
            if (whole > _parts.Count) HashParts(whole - _parts.Count);
            var all = new List<byte[]>(_parts);
            if (last is not null) all.Add(last.GetAwaiter().GetResult());
            using var md5s = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            foreach (var p in all) md5s.AppendData(p);
            return new FileDigest(size, md5s.GetHashAndReset(), parts);
        }

        private byte[][] HashLanes(int first, int count)
        {
            _buffer ??= new byte[Chunk * LaneMd5.Lanes];
            var lanes = new LaneMd5();
            for (var offset = 0; offset < PartSize; offset += Chunk)
            {
                for (var l = 0; l < count; l++) ReadExactly((long)(first + l) * PartSize + offset, _buffer.AsSpan(l * Chunk, Chunk));
                lanes.Update(_buffer, Chunk, Chunk / 64);
            }
            return lanes.Finish(count);
        }

        private byte[] HashRange(long start, long length) => HashRange(start, length, _buffer ??= new byte[Chunk * Math.Max(1, LaneMd5.Lanes)]);

        private byte[] HashRange(long start, long length, byte[] buffer)
        {
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            for (long done = 0; done < length;)
            {
                var n = (int)Math.Min(buffer.Length, length - done);
                ReadExactly(start + done, buffer.AsSpan(0, n));
                md5.AppendData(buffer, 0, n);
                done += n;
            }
            return md5.GetHashAndReset();
        }

        private void ReadExactly(long offset, Span<byte> into)
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
}
