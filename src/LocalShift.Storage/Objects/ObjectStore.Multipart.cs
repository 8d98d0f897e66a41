using System.Security.Cryptography;
using System.Text.Json;
using LocalShift.Storage.State;
using System.Data.Common;

namespace LocalShift.Storage.Objects;

public sealed partial class ObjectStore
{
    /// <summary>S3's minimum size of every part but the last.</summary>
    public const long MinPartSize = 5L * 1024 * 1024;

    public UploadInfo CreateUpload(string bucket, string key, ObjectAttributes attributes, string initiatorArn)
    {
        var keyBytes = ObjectKeys.Encode(key);
        // URL-safe base64, never starting with '-' or '_': the AWS CLI would take an upload id starting with '-' for an option.
        string id;
        do id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)).Replace('+', '-').Replace('/', '_');
        while (!char.IsAsciiLetterOrDigit(id[0]));
        var initiated = DateTimeOffset.FromUnixTimeMilliseconds(Now.ToUnixTimeMilliseconds());
        _state.Write((c, tx) =>
        {
            _ = FindBucket(c, tx, bucket) ?? throw new ObjectStoreException(ObjectStoreError.NoSuchBucket);
            c.Exec(tx, "INSERT INTO s3_uploads(upload_id, bucket, key, initiated, initiator, attrs) VALUES($u,$b,$k,$t,$i,$a)",
                ("$u", id), ("$b", bucket), ("$k", keyBytes), ("$t", initiated.ToUnixTimeMilliseconds()), ("$i", initiatorArn),
                ("$a", JsonSerializer.Serialize(attributes)));
        });
        return new UploadInfo(id, bucket, key, initiated, initiatorArn, attributes);
    }

    /// <summary>The upload with this id for this bucket and key; NoSuchUpload otherwise.</summary>
    public UploadInfo GetUpload(string bucket, string key, string uploadId) =>
        _state.Read(c => FindUpload(c, null, bucket, key, uploadId)) ?? throw new ObjectStoreException(ObjectStoreError.NoSuchUpload);

    /// <summary>Part checksums (base64, of the upload's algorithm) live beside the parts; the column came with checksums.</summary>
    private void MigratePartChecksums() =>
        _state.Migrate("s3-checksums", "ALTER TABLE s3_parts ADD COLUMN checksum TEXT;");

    public PartInfo CommitPart(UploadInfo upload, int partNumber, StagedBlob staged, string? checksum = null)
    {
        var blob = staged.Promote();
        var modified = DateTimeOffset.FromUnixTimeMilliseconds(Now.ToUnixTimeMilliseconds());
        string? replaced;
        try
        {
            replaced = _state.Write((c, tx) =>
            {
                _ = FindUpload(c, tx, upload.Bucket, upload.Key, upload.UploadId) ?? throw new ObjectStoreException(ObjectStoreError.NoSuchUpload);
                string? old;
                using (var cmd = c.Cmd(tx, "SELECT blob FROM s3_parts WHERE upload_id=$u AND part_number=$n", ("$u", upload.UploadId), ("$n", partNumber)))
                    old = cmd.ExecuteScalar() as string;
                c.Exec(tx, "INSERT OR REPLACE INTO s3_parts(upload_id, part_number, blob, size, etag, last_modified, checksum) VALUES($u,$n,$b,$s,$e,$m,$c)",
                    ("$u", upload.UploadId), ("$n", partNumber), ("$b", blob), ("$s", staged.Size), ("$e", staged.Md5Hex),
                    ("$m", modified.ToUnixTimeMilliseconds()), ("$c", checksum));
                return old;
            });
        }
        catch
        {
            Files.Delete(blob);
            throw;
        }
        if (replaced is not null) Retire([replaced]);
        return new PartInfo(partNumber, staged.Size, staged.Md5Hex, modified, blob, checksum);
    }

    public IReadOnlyList<PartInfo> ListParts(string uploadId) => _state.Read(c => ReadParts(c, null, uploadId));

    /// <summary>In-progress uploads of a bucket in key order, then initiation order.</summary>
    public IReadOnlyList<UploadInfo> ListUploads(string bucket, string? prefix) => _state.Read(c =>
    {
        var prefixBytes = ObjectKeys.EncodeLoose(prefix);
        return c.Query(null, "SELECT upload_id, bucket, key, initiated, initiator, attrs FROM s3_uploads WHERE bucket=$b AND key >= $p ORDER BY key, initiated",
                ReadUpload, ("$b", bucket), ("$p", prefixBytes))
            .Where(u => ObjectKeys.EncodeLoose(u.Key).AsSpan().StartsWith(prefixBytes))
            .ToList();
    });

    /// <summary>
    /// Joins the named parts into the object (ETag: MD5 of the parts' MD5s, then "-N"). The parts are copied into one new
    /// blob, so the object is a single file like any other and the upload's parts are deleted afterwards. The object
    /// remembers its parts' sizes and checksums. <paramref name="digest"/>, if any, is fed the joined bytes on their way to
    /// the new blob (a checksum of the whole object); <paramref name="finish"/> completes the attributes from the
    /// chosen parts once the bytes are staged, and may refuse the completion by throwing.
    /// </summary>
    public async Task<ObjectInfo> CompleteUploadAsync(UploadInfo upload, IReadOnlyList<CompletedPart> parts, CancellationToken ct = default,
        IBodyDigest? digest = null, Func<IReadOnlyList<PartInfo>, ObjectAttributes, ObjectAttributes>? finish = null)
    {
        if (parts.Count == 0) throw new ObjectStoreException(ObjectStoreError.InvalidPart, "You must specify at least one part");
        for (var i = 1; i < parts.Count; i++)
            if (parts[i].PartNumber <= parts[i - 1].PartNumber) throw new ObjectStoreException(ObjectStoreError.InvalidPartOrder);
        var stored = ListParts(upload.UploadId).ToDictionary(p => p.PartNumber);
        var chosen = new List<PartInfo>(parts.Count);
        foreach (var p in parts)
        {
            if (!stored.TryGetValue(p.PartNumber, out var part) || !string.Equals(part.ETag, p.ETag.Trim('"'), StringComparison.OrdinalIgnoreCase))
                throw new ObjectStoreException(ObjectStoreError.InvalidPart);
            chosen.Add(part);
        }
        for (var i = 0; i < chosen.Count - 1; i++)
            if (chosen[i].Size < MinPartSize) throw new ObjectStoreException(ObjectStoreError.EntityTooSmall);

        using var md5s = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        foreach (var p in chosen) md5s.AppendData(Convert.FromHexString(p.ETag));
        var etag = $"{Convert.ToHexStringLower(md5s.GetHashAndReset())}-{chosen.Count}";

        await using var joined = new PartsStream(Files, chosen);
        using var staged = await Files.StageAsync(joined, digest is null ? null : [digest], ct);
        var keyBytes = ObjectKeys.Encode(upload.Key);
        var attributes = upload.Attributes with
        {
            CompletedUploadId = upload.UploadId,
            PartSizes = chosen.Select(p => p.Size).ToList(),
            PartChecksums = chosen.All(p => p.Checksum is not null) ? chosen.Select(p => p.Checksum!).ToList() : null,
        };
        if (finish is not null) attributes = finish(chosen, attributes);
        var blob = staged.Promote();
        var modified = DateTimeOffset.FromUnixTimeMilliseconds(Now.ToUnixTimeMilliseconds());
        (string? VersionId, List<string> Freed, List<string> PartBlobs) done;
        try
        {
            done = _state.Write((c, tx) =>
            {
                _ = FindUpload(c, tx, upload.Bucket, upload.Key, upload.UploadId) ?? throw new ObjectStoreException(ObjectStoreError.NoSuchUpload);
                var partBlobs = ReadParts(c, tx, upload.UploadId).Select(p => p.BlobId).ToList();
                var (versionId, freed) = UpsertObject(c, tx, upload.Bucket, keyBytes, blob, staged.Size, etag, modified, attributes);
                c.Exec(tx, "DELETE FROM s3_uploads WHERE upload_id=$u", ("$u", upload.UploadId));
                return (versionId, freed, partBlobs);
            });
        }
        catch
        {
            Files.Delete(blob);
            throw;
        }
        Written(upload.Bucket, upload.Key);
        Retire(done.Freed);
        Retire(done.PartBlobs);
        return new ObjectInfo(upload.Bucket, upload.Key, staged.Size, etag, modified, attributes, blob, done.VersionId);
    }

    public void AbortUpload(UploadInfo upload)
    {
        var blobs = _state.Write((c, tx) =>
        {
            var partBlobs = ReadParts(c, tx, upload.UploadId).Select(p => p.BlobId).ToList();
            if (c.Exec(tx, "DELETE FROM s3_uploads WHERE upload_id=$u", ("$u", upload.UploadId)) == 0)
                throw new ObjectStoreException(ObjectStoreError.NoSuchUpload);
            return partBlobs;
        });
        Retire(blobs);
    }

    private static UploadInfo? FindUpload(DbConnection c, DbTransaction? tx, string bucket, string key, string uploadId)
    {
        var u = c.Query(tx, "SELECT upload_id, bucket, key, initiated, initiator, attrs FROM s3_uploads WHERE upload_id=$u",
            ReadUpload, ("$u", uploadId)).FirstOrDefault();
        return u is not null && u.Bucket == bucket && u.Key == key ? u : null;
    }

    private static List<PartInfo> ReadParts(DbConnection c, DbTransaction? tx, string uploadId) =>
        c.Query(tx, "SELECT part_number, size, etag, last_modified, blob, checksum FROM s3_parts WHERE upload_id=$u ORDER BY part_number",
            r => new PartInfo(r.GetInt32(0), r.GetInt64(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)), r.GetString(4), r.StringOrNull(5)),
            ("$u", uploadId));

    private static UploadInfo ReadUpload(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), ObjectKeys.Decode((byte[])r.GetValue(2)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)),
        r.GetString(4), JsonSerializer.Deserialize<ObjectAttributes>(r.GetString(5)) ?? ObjectAttributes.Empty);

    /// <summary>Reads the chosen parts one after another, opening each file only when its turn comes.</summary>
    private sealed class PartsStream(BlobFiles files, IReadOnlyList<PartInfo> parts) : LocalShift.Core.ForwardReadStream
    {
        private int _index;
        private FileStream? _current;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            while (_index < parts.Count)
            {
                _current ??= files.OpenRead(parts[_index].BlobId);
                var n = await _current.ReadAsync(buffer, ct);
                if (n > 0) return n;
                await _current.DisposeAsync();
                _current = null;
                _index++;
            }
            return 0;
        }


        public override async ValueTask DisposeAsync()
        {
            if (_current is not null) await _current.DisposeAsync();
            await base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _current?.Dispose();
            base.Dispose(disposing);
        }
    }
}
