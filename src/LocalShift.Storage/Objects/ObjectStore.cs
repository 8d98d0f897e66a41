using System.Text.Json;
using LocalShift.Storage.State;
using System.Data.Common;

namespace LocalShift.Storage.Objects;

/// <summary>
/// The S3 object store: bytes as files under <c>&lt;data-dir&gt;/s3/</c> (see <see cref="BlobFiles"/>), records in the
/// shared SQLite state store. Metadata lives in SQLite rather than sidecar files because one transaction then switches
/// an object from its old bytes to its new ones (no half-updated pair of files), and an index on the UTF-8 key gives
/// S3's listing order and prefix seeks without walking directories.
/// A write is: stage (temp file, flushed) → rename to a fresh blob id → commit the record → delete the replaced blob
/// once the record is durable (<see cref="Retire"/>). A crash at any point leaves the old object or the new one; stray
/// files are swept at start.
/// </summary>
public sealed partial class ObjectStore : IObjectStore
{
    private readonly IStateStore _state;
    private readonly TimeProvider _time;

    public ObjectStore(IStateStore state, string root, TimeProvider? time = null)
    {
        _state = state;
        _time = time ?? TimeProvider.System;
        Files = new BlobFiles(root);
        _state.Migrate("s3",
            """
            CREATE TABLE s3_buckets(
              name TEXT PRIMARY KEY, owner_account TEXT NOT NULL, region TEXT NOT NULL, created INTEGER NOT NULL, policy TEXT);
            CREATE TABLE s3_objects(
              bucket TEXT NOT NULL, key BLOB NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
              last_modified INTEGER NOT NULL, attrs TEXT NOT NULL, PRIMARY KEY(bucket, key)) WITHOUT ROWID;
            CREATE TABLE s3_uploads(
              upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key BLOB NOT NULL, initiated INTEGER NOT NULL,
              initiator TEXT NOT NULL, attrs TEXT NOT NULL);
            CREATE INDEX s3_uploads_by_key ON s3_uploads(bucket, key, initiated);
            CREATE TABLE s3_parts(
              upload_id TEXT NOT NULL REFERENCES s3_uploads(upload_id) ON DELETE CASCADE, part_number INTEGER NOT NULL,
              blob TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL, last_modified INTEGER NOT NULL,
              PRIMARY KEY(upload_id, part_number));
            """);
        MigrateVersioning();
        MigrateBucketSettings();
        MigratePartChecksums();
        MigratePublications();
        SweepPublications();
        var referenced = _state.Read(c =>
            c.Query(null, "SELECT blob FROM s3_objects UNION SELECT blob FROM s3_parts UNION SELECT blob FROM s3_versions WHERE blob IS NOT NULL",
                r => r.GetString(0)).ToHashSet());
        // A blob no record names may still be named by a record that an OS crash would bring back (a replaced blob
        // retired just before a restart): only once the records are durable are the unnamed blobs removed.
        if (_state.MakeDurable()) Files.Sweep(referenced);
        else Files.SweepTemporary();
        _reaper = _time.CreateTimer(_ => Reap(), null, ReapInterval, ReapInterval);
    }

    public BlobFiles Files { get; }

    public string CreateScratchFolder() => Files.CreateScratchFolder();

    private DateTimeOffset Now => _time.GetUtcNow();

    // ---- buckets ----

    /// <summary>Creates a bucket. Names are global across accounts, as in S3.</summary>
    /// <returns>The bucket, and whether it was created (false: the caller already owned it).</returns>
    public (BucketInfo Bucket, bool Created) CreateBucket(string name, string ownerAccount, string region)
    {
        var made = _state.Write((c, tx) =>
        {
            var existing = FindBucket(c, tx, name);
            if (existing is not null)
            {
                if (existing.OwnerAccount != ownerAccount) throw new ObjectStoreException(ObjectStoreError.BucketAlreadyExists);
                return (existing, false);
            }
            var created = Now;
            c.Exec(tx, "INSERT INTO s3_buckets(name, owner_account, region, created) VALUES($n,$o,$r,$t)",
                ("$n", name), ("$o", ownerAccount), ("$r", region), ("$t", created.ToUnixTimeMilliseconds()));
            return (new BucketInfo(name, ownerAccount, region, DateTimeOffset.FromUnixTimeMilliseconds(created.ToUnixTimeMilliseconds()), null), true);
        });
        if (made.Item2) BucketWritten();
        return made;
    }

    public BucketInfo? FindBucket(string name) => Cached(_buckets, name, n => _state.Read(c => FindBucket(c, null, n)));

    public BucketInfo GetBucket(string name) => FindBucket(name) ?? throw new ObjectStoreException(ObjectStoreError.NoSuchBucket);

    public IReadOnlyList<BucketInfo> ListBuckets(string ownerAccount) => _state.Read(c =>
        c.Query(null, "SELECT name, owner_account, region, created, policy FROM s3_buckets WHERE owner_account=$o ORDER BY name",
            ReadBucket, ("$o", ownerAccount)));

    /// <summary>Deletes an empty bucket; in-progress multipart uploads go with it.</summary>
    public void DeleteBucket(string name)
    {
        var blobs = _state.Write((c, tx) =>
        {
            _ = FindBucket(c, tx, name) ?? throw new ObjectStoreException(ObjectStoreError.NoSuchBucket);
            // Noncurrent versions and delete markers keep a bucket from being deleted, as in S3.
            using (var any = c.Cmd(tx, "SELECT 1 FROM s3_objects WHERE bucket=$b UNION ALL SELECT 1 FROM s3_versions WHERE bucket=$b LIMIT 1", ("$b", name)))
                if (any.ExecuteScalar() is not null) throw new ObjectStoreException(ObjectStoreError.BucketNotEmpty);
            var partBlobs = c.Query(tx, "SELECT p.blob FROM s3_parts p JOIN s3_uploads u ON u.upload_id=p.upload_id WHERE u.bucket=$b",
                r => r.GetString(0), ("$b", name));
            c.Exec(tx, "DELETE FROM s3_uploads WHERE bucket=$b", ("$b", name));
            c.Exec(tx, "DELETE FROM s3_buckets WHERE name=$b", ("$b", name));
            c.Exec(tx, "DELETE FROM s3_bucket_versioning WHERE bucket=$b", ("$b", name));
            return partBlobs;
        });
        BucketWritten();
        Retire(blobs);
    }

    /// <summary>Sets (or with null removes) the bucket policy document.</summary>
    public void SetBucketPolicy(string name, string? policy)
    {
        _state.Write((c, tx) =>
        {
            if (c.Exec(tx, "UPDATE s3_buckets SET policy=$p WHERE name=$b", ("$p", policy), ("$b", name)) == 0)
                throw new ObjectStoreException(ObjectStoreError.NoSuchBucket);
        });
        BucketWritten();
    }

    private static BucketInfo? FindBucket(DbConnection c, DbTransaction? tx, string name) =>
        c.Query(tx, "SELECT name, owner_account, region, created, policy FROM s3_buckets WHERE name=$n", ReadBucket, ("$n", name))
            .FirstOrDefault();

    private static BucketInfo ReadBucket(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)), r.StringOrNull(4));

    // ---- objects ----

    /// <summary>
    /// Writes a body to a flushed temporary file, feeding <paramref name="digests"/> (checksums to verify or store) on the
    /// way; nothing is visible until <see cref="Commit"/>.
    /// </summary>
    public Task<StagedBlob> StageAsync(Stream body, IReadOnlyList<IBodyDigest>? digests = null, CancellationToken ct = default, long? expectedLength = null) =>
        Files.StageAsync(body, digests, ct, expectedLength);

    /// <summary>Takes over a finished local file as a staged body (moved in, not copied); see <see cref="BlobFiles.AdoptAsync"/>.</summary>
    public Task<StagedBlob> AdoptAsync(string file, CancellationToken ct = default) => Files.AdoptAsync(file, ct);

    /// <summary>Takes over a finished local file whose size and MD5 are already known (see <see cref="BlobFiles.AdoptAsync(string, FileDigest, CancellationToken)"/>).</summary>
    public Task<StagedBlob> AdoptAsync(string file, FileDigest? digest, CancellationToken ct = default) => Files.AdoptAsync(file, digest, ct);

    /// <summary>
    /// Makes a staged body the current object at <paramref name="key"/>, atomically: replacing the previous one in a bucket
    /// without versioning, keeping it as a noncurrent version in a versioned one (see <see cref="UpsertObject"/>).
    /// </summary>
    public ObjectInfo Commit(string bucket, string key, StagedBlob staged, ObjectAttributes attributes, string? etag = null)
    {
        var keyBytes = ObjectKeys.Encode(key);
        etag ??= staged.ETag;
        var blob = staged.Promote();
        var modified = DateTimeOffset.FromUnixTimeMilliseconds(Now.ToUnixTimeMilliseconds());
        (string? VersionId, List<string> Freed) written;
        try
        {
            written = _state.Write((c, tx) =>
            {
                _ = FindBucket(c, tx, bucket) ?? throw new ObjectStoreException(ObjectStoreError.NoSuchBucket);
                return UpsertObject(c, tx, bucket, keyBytes, blob, staged.Size, etag, modified, attributes);
            });
        }
        catch
        {
            Files.Delete(blob);
            throw;
        }
        Written(bucket, key);
        Retire(written.Freed);
        return new ObjectInfo(bucket, key, staged.Size, etag, modified, attributes, blob, written.VersionId);
    }

    /// <summary>
    /// Writes the current object of a key as the bucket's versioning state says: without versioning it replaces the
    /// previous object; with versioning enabled it gets a new version id and the previous one becomes noncurrent; with
    /// versioning suspended it is the "null" version, replacing any earlier null version but keeping versions with ids.
    /// </summary>
    /// <returns>The new version id (null for the null version) and the blobs no version refers to any more.</returns>
    private static (string? VersionId, List<string> Freed) UpsertObject(DbConnection c, DbTransaction tx, string bucket, byte[] key,
        string blob, long size, string etag, DateTimeOffset modified, ObjectAttributes attributes)
    {
        var versioning = Versioning(c, tx, bucket);
        var freed = new List<string>();
        var stamp = NextStamp();
        var versionId = versioning == BucketVersioning.Enabled ? NewVersionId(stamp) : null;
        if (versioning == BucketVersioning.Unversioned)
        {
            using var old = c.Cmd(tx, "SELECT blob FROM s3_objects WHERE bucket=$b AND key=$k", ("$b", bucket), ("$k", key));
            if (old.ExecuteScalar() is string replaced) freed.Add(replaced);
        }
        else RetireCurrent(c, tx, bucket, key, replaceNullVersion: versioning == BucketVersioning.Suspended, freed);
        c.Exec(tx, """
            INSERT INTO s3_objects(bucket, key, blob, size, etag, last_modified, attrs, version_id, version_stamp) VALUES($b,$k,$blob,$s,$e,$m,$a,$v,$st)
            ON CONFLICT(bucket, key) DO UPDATE SET blob=excluded.blob, size=excluded.size, etag=excluded.etag,
              last_modified=excluded.last_modified, attrs=excluded.attrs, version_id=excluded.version_id, version_stamp=excluded.version_stamp
            """,
            ("$b", bucket), ("$k", key), ("$blob", blob), ("$s", size), ("$e", etag),
            ("$m", modified.ToUnixTimeMilliseconds()), ("$a", JsonSerializer.Serialize(attributes)), ("$v", versionId), ("$st", stamp));
        return (versionId, freed);
    }

    public ObjectInfo? FindObject(string bucket, string key)
    {
        var keyBytes = ObjectKeys.Encode(key);
        return Cached(_objects, (bucket, key), _ => _state.Read(c => c.Query(null,
            "SELECT " + ObjectColumns + " FROM s3_objects WHERE bucket=$b AND key=$k",
            r => ReadObject(bucket, r), ("$b", bucket), ("$k", keyBytes)).FirstOrDefault()));
    }

    /// <summary>Finds an object and opens its bytes; the open file stays readable even if the object is replaced meanwhile.</summary>
    public (ObjectInfo Info, FileStream Body)? OpenObject(string bucket, string key)
    {
        for (var attempt = 0; ; attempt++)
        {
            var info = FindObject(bucket, key);
            if (info is null) return null;
            try
            {
                return (info, Files.OpenRead(info.BlobId));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException && attempt < 5)
            {
                // Replaced between the lookup and the open: look again (and not in the cache, whatever it holds).
                Written(bucket, key);
            }
        }
    }

    /// <summary>
    /// Deletes the current object of a key: removed in a bucket without versioning, hidden behind a new delete marker in a
    /// versioned one (see <see cref="Delete"/>).
    /// </summary>
    public DeleteOutcome DeleteObject(string bucket, string key) => Delete(bucket, key, null);

    /// <summary>Replaces an object's attributes (tags, or metadata on a copy onto itself) without touching its bytes.</summary>
    public ObjectInfo UpdateAttributes(string bucket, string key, Func<ObjectAttributes, ObjectAttributes> update, bool touch)
    {
        var keyBytes = ObjectKeys.Encode(key);
        var updated = _state.Write((c, tx) =>
        {
            var info = c.Query(tx, "SELECT " + ObjectColumns + " FROM s3_objects WHERE bucket=$b AND key=$k",
                r => ReadObject(bucket, r), ("$b", bucket), ("$k", keyBytes)).FirstOrDefault()
                ?? throw new ObjectStoreException(ObjectStoreError.NoSuchKey);
            var attrs = update(info.Attributes);
            var modified = touch ? DateTimeOffset.FromUnixTimeMilliseconds(Now.ToUnixTimeMilliseconds()) : info.LastModified;
            c.Exec(tx, "UPDATE s3_objects SET attrs=$a, last_modified=$m WHERE bucket=$b AND key=$k",
                ("$a", JsonSerializer.Serialize(attrs)), ("$m", modified.ToUnixTimeMilliseconds()), ("$b", bucket), ("$k", keyBytes));
            return info with { Attributes = attrs, LastModified = modified };
        });
        Written(bucket, key);
        return updated;
    }

    /// <summary>The columns <see cref="ReadObject"/> reads, in its order.</summary>
    private const string ObjectColumns = "key, blob, size, etag, last_modified, attrs, version_id";

    private static ObjectInfo ReadObject(string bucket, DbDataReader r) => new(
        bucket,
        ObjectKeys.Decode((byte[])r.GetValue(0)),
        r.GetInt64(2),
        r.GetString(3),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
        JsonSerializer.Deserialize<ObjectAttributes>(r.GetString(5)) ?? ObjectAttributes.Empty,
        r.GetString(1),
        r.StringOrNull(6));
}
