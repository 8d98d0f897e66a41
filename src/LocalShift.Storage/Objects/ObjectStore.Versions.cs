using System.Security.Cryptography;
using System.Text;
using LocalShift.Storage.State;
using System.Data.Common;

namespace LocalShift.Storage.Objects;

/// <summary>
/// S3 versioning. The current object of every key stays in <c>s3_objects</c>, so listings, reads, COPY and UNLOAD see a
/// versioned bucket exactly like any other; <c>s3_versions</c> holds the rest: noncurrent versions and delete markers.
/// Versions are ordered by their stamp, a process-wide increasing number given at creation and carried inside the
/// version id, so that a listing can resume after a version that was deleted meanwhile (what tools emptying a bucket do:
/// list a page, delete it, list from the page's markers). A key whose newest version is a delete marker has no row in
/// <c>s3_objects</c>.
/// Invariant kept by every write: when a key has no current object, its newest row in <c>s3_versions</c>, if any, is a
/// delete marker (<see cref="PromoteNewest"/> restores it after a version is removed).
/// </summary>
public sealed partial class ObjectStore
{
    /// <summary>How S3 spells the version id of the null version (objects written without versioning, or while suspended).</summary>
    public const string NullVersionId = "null";

    private const int VersionIdLength = 32;

    /// <summary>A listing cursor that still includes every version of its key.</summary>
    private const long WholeKey = long.MaxValue;

    /// <summary>A listing cursor past every version of its key.</summary>
    private const long AfterKey = long.MinValue;

    private static long _lastStamp;

    /// <summary>A stamp greater than every earlier one of this process (and than those stored, see <see cref="StampsAfter"/>).</summary>
    private static long NextStamp()
    {
        while (true)
        {
            var last = Volatile.Read(ref _lastStamp);
            var next = Math.Max(last + 1, DateTime.UtcNow.Ticks);
            if (Interlocked.CompareExchange(ref _lastStamp, next, last) == last) return next;
        }
    }

    private static void StampsAfter(long stored)
    {
        while (true)
        {
            var last = Volatile.Read(ref _lastStamp);
            if (last >= stored || Interlocked.CompareExchange(ref _lastStamp, stored, last) == last) return;
        }
    }

    /// <summary>Versioning's tables, a migration of its own so that it stays independent of other S3 schema steps.</summary>
    private void MigrateVersioning()
    {
        _state.Migrate("s3-versioning",
            """
            ALTER TABLE s3_objects ADD COLUMN version_id TEXT;
            ALTER TABLE s3_objects ADD COLUMN version_stamp INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE s3_versions(
              seq INTEGER PRIMARY KEY AUTOINCREMENT, bucket TEXT NOT NULL, key BLOB NOT NULL, version_id TEXT, stamp INTEGER NOT NULL,
              delete_marker INTEGER NOT NULL, blob TEXT, size INTEGER NOT NULL, etag TEXT NOT NULL,
              last_modified INTEGER NOT NULL, attrs TEXT NOT NULL);
            CREATE INDEX s3_versions_by_key ON s3_versions(bucket, key, stamp);
            CREATE TABLE s3_bucket_versioning(bucket TEXT PRIMARY KEY, status TEXT NOT NULL);
            """);
        StampsAfter(_state.Read(c =>
        {
            using var cmd = c.Cmd(null, "SELECT MAX(s) FROM (SELECT MAX(version_stamp) AS s FROM s3_objects UNION ALL SELECT MAX(stamp) FROM s3_versions)");
            return cmd.ExecuteScalar() is long max ? max : 0;
        }));
    }

    /// <summary>
    /// A new version id for a version made at <paramref name="stamp"/>: 32 characters of [A-Za-z0-9._] (16 random bytes, then
    /// the stamp), starting with a letter or digit so that a CLI never reads it as an option.
    /// </summary>
    public static string NewVersionId(long stamp)
    {
        var bytes = new byte[24];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(16), stamp);
        while (true)
        {
            RandomNumberGenerator.Fill(bytes.AsSpan(0, 16));
            var id = Convert.ToBase64String(bytes).Replace('+', '.').Replace('/', '_');
            if (char.IsAsciiLetterOrDigit(id[0])) return id;
        }
    }

    /// <summary>The stamp inside a well-formed version id (not "null").</summary>
    private static long StampOf(string versionId)
    {
        var bytes = Convert.FromBase64String(versionId.Replace('.', '+').Replace('_', '/'));
        return System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(16));
    }

    /// <summary>Whether a client's version id could name a version at all: "null", or an id of the form LocalShift gives out.</summary>
    public static bool IsWellFormedVersionId(string versionId) =>
        versionId == NullVersionId
        || (versionId.Length == VersionIdLength && versionId.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_'));

    public BucketVersioning GetVersioning(string bucket) => Cached(_versioning, bucket, b => _state.Read(c => Versioning(c, null, b)));

    /// <summary>Enables or suspends versioning; a bucket can never return to unversioned.</summary>
    public void SetVersioning(string bucket, BucketVersioning state)
    {
        if (state == BucketVersioning.Unversioned) throw new ArgumentOutOfRangeException(nameof(state));
        _state.Write((c, tx) =>
        {
            _ = FindBucket(c, tx, bucket) ?? throw new ObjectStoreException(ObjectStoreError.NoSuchBucket);
            c.Exec(tx, "INSERT INTO s3_bucket_versioning(bucket, status) VALUES($b,$s) ON CONFLICT(bucket) DO UPDATE SET status=excluded.status",
                ("$b", bucket), ("$s", state.ToString()));
        });
        BucketWritten();
    }

    private static BucketVersioning Versioning(DbConnection c, DbTransaction? tx, string bucket)
    {
        using var cmd = c.Cmd(tx, "SELECT status FROM s3_bucket_versioning WHERE bucket=$b", ("$b", bucket));
        return cmd.ExecuteScalar() is string s ? Enum.Parse<BucketVersioning>(s) : BucketVersioning.Unversioned;
    }

    /// <summary>
    /// Makes room for a new newest version of a versioned key: the current object becomes noncurrent, except that the null
    /// version is replaced (its bytes freed) when <paramref name="replaceNullVersion"/> (versioning suspended), wherever it is.
    /// </summary>
    private static void RetireCurrent(DbConnection c, DbTransaction tx, string bucket, byte[] key, bool replaceNullVersion, List<string> freed)
    {
        var current = c.Query(tx, "SELECT blob, version_id FROM s3_objects WHERE bucket=$b AND key=$k",
            r => (Blob: r.GetString(0), VersionId: r.StringOrNull(1)), ("$b", bucket), ("$k", key)).FirstOrDefault();
        if (current.Blob is not null)
        {
            if (replaceNullVersion && current.VersionId is null) freed.Add(current.Blob);
            else
                c.Exec(tx, """
                    INSERT INTO s3_versions(bucket, key, version_id, stamp, delete_marker, blob, size, etag, last_modified, attrs)
                    SELECT bucket, key, version_id, version_stamp, 0, blob, size, etag, last_modified, attrs FROM s3_objects WHERE bucket=$b AND key=$k
                    """, ("$b", bucket), ("$k", key));
            c.Exec(tx, "DELETE FROM s3_objects WHERE bucket=$b AND key=$k", ("$b", bucket), ("$k", key));
        }
        if (!replaceNullVersion) return;
        freed.AddRange(c.Query(tx, "DELETE FROM s3_versions WHERE bucket=$b AND key=$k AND version_id IS NULL RETURNING blob",
            r => r.StringOrNull(0), ("$b", bucket), ("$k", key)).OfType<string>());
    }

    /// <summary>After a version was removed: when the key has no current object and its newest version is an object, that version becomes current.</summary>
    private static void PromoteNewest(DbConnection c, DbTransaction tx, string bucket, byte[] key)
    {
        using (var cur = c.Cmd(tx, "SELECT 1 FROM s3_objects WHERE bucket=$b AND key=$k", ("$b", bucket), ("$k", key)))
            if (cur.ExecuteScalar() is not null) return;
        var newest = c.Query(tx, "SELECT seq, delete_marker FROM s3_versions WHERE bucket=$b AND key=$k ORDER BY stamp DESC LIMIT 1",
            r => (Seq: r.GetInt64(0), Marker: r.GetInt64(1) != 0), ("$b", bucket), ("$k", key)).FirstOrDefault();
        if (newest.Seq == 0 || newest.Marker) return;
        c.Exec(tx, """
            INSERT INTO s3_objects(bucket, key, blob, size, etag, last_modified, attrs, version_id, version_stamp)
            SELECT bucket, key, blob, size, etag, last_modified, attrs, version_id, stamp FROM s3_versions WHERE seq=$s
            """, ("$s", newest.Seq));
        c.Exec(tx, "DELETE FROM s3_versions WHERE seq=$s", ("$s", newest.Seq));
    }

    /// <summary>
    /// S3's DeleteObject. Without a version id: in a bucket that never had versioning the object is removed; with versioning
    /// enabled a delete marker with a new version id becomes the newest version; with versioning suspended a delete marker
    /// becomes the null version (replacing an earlier null version). With a version id ("null" included) that version is
    /// removed for good; removing the newest version makes the one before it current. A version id that names nothing
    /// deletes nothing and succeeds, as deleting a missing key does (unverified for versions: AWS's answer not captured).
    /// </summary>
    public DeleteOutcome Delete(string bucket, string key, string? versionId)
    {
        var keyBytes = ObjectKeys.Encode(key);
        var modified = Now.ToUnixTimeMilliseconds();
        var (outcome, freed) = _state.Write((c, tx) =>
        {
            _ = FindBucket(c, tx, bucket) ?? throw new ObjectStoreException(ObjectStoreError.NoSuchBucket);
            var freed = new List<string>();
            if (versionId is null)
            {
                var versioning = Versioning(c, tx, bucket);
                if (versioning == BucketVersioning.Unversioned)
                {
                    freed.AddRange(c.Query(tx, "DELETE FROM s3_objects WHERE bucket=$b AND key=$k RETURNING blob",
                        r => r.GetString(0), ("$b", bucket), ("$k", keyBytes)));
                    return (new DeleteOutcome(null, false, false), freed);
                }
                RetireCurrent(c, tx, bucket, keyBytes, replaceNullVersion: versioning == BucketVersioning.Suspended, freed);
                var stamp = NextStamp();
                var markerId = versioning == BucketVersioning.Enabled ? NewVersionId(stamp) : null;
                c.Exec(tx, """
                    INSERT INTO s3_versions(bucket, key, version_id, stamp, delete_marker, blob, size, etag, last_modified, attrs)
                    VALUES($b, $k, $v, $st, 1, NULL, 0, '', $m, '{}')
                    """, ("$b", bucket), ("$k", keyBytes), ("$v", markerId), ("$st", stamp), ("$m", modified));
                return (new DeleteOutcome(markerId, true, true), freed);
            }

            var id = versionId == NullVersionId ? null : versionId;
            var currentBlob = c.Query(tx, "DELETE FROM s3_objects WHERE bucket=$b AND key=$k AND version_id IS $v RETURNING blob",
                r => r.GetString(0), ("$b", bucket), ("$k", keyBytes), ("$v", id)).FirstOrDefault();
            var wasMarker = false;
            if (currentBlob is not null) freed.Add(currentBlob);
            else
            {
                var removed = c.Query(tx, "DELETE FROM s3_versions WHERE bucket=$b AND key=$k AND version_id IS $v RETURNING delete_marker, blob",
                    r => (Marker: r.GetInt64(0) != 0, Blob: r.StringOrNull(1)), ("$b", bucket), ("$k", keyBytes), ("$v", id));
                foreach (var (marker, blob) in removed)
                {
                    wasMarker |= marker;
                    if (blob is not null) freed.Add(blob);
                }
            }
            PromoteNewest(c, tx, bucket, keyBytes);
            return (new DeleteOutcome(id, wasMarker, true), freed);
        });
        Written(bucket, key);
        Retire(freed);
        return outcome;
    }

    /// <summary>The version columns, in <see cref="ReadVersion"/>'s order; a delete marker reads with an empty blob id.</summary>
    private const string VersionColumns = """
        v.key, COALESCE(v.blob, ''), v.size, v.etag, v.last_modified, v.attrs, v.version_id, v.delete_marker,
        (NOT EXISTS(SELECT 1 FROM s3_objects o WHERE o.bucket=v.bucket AND o.key=v.key)
         AND v.stamp=(SELECT MAX(w.stamp) FROM s3_versions w WHERE w.bucket=v.bucket AND w.key=v.key))
        """;

    private static ObjectVersion ReadVersion(string bucket, DbDataReader r) =>
        new(ReadObject(bucket, r), r.GetInt64(7) != 0, r.GetInt64(8) != 0);

    /// <summary>The version of a key with this id ("null" for the null version), or null when there is none.</summary>
    public ObjectVersion? FindVersion(string bucket, string key, string versionId)
    {
        var keyBytes = ObjectKeys.Encode(key);
        var id = versionId == NullVersionId ? null : versionId;
        return _state.Read(c =>
        {
            var current = c.Query(null, "SELECT " + ObjectColumns + " FROM s3_objects WHERE bucket=$b AND key=$k AND version_id IS $v",
                r => ReadObject(bucket, r), ("$b", bucket), ("$k", keyBytes), ("$v", id)).FirstOrDefault();
            if (current is not null) return new ObjectVersion(current, false, true);
            return c.Query(null, "SELECT " + VersionColumns + " FROM s3_versions v WHERE v.bucket=$b AND v.key=$k AND v.version_id IS $v",
                r => ReadVersion(bucket, r), ("$b", bucket), ("$k", keyBytes), ("$v", id)).FirstOrDefault();
        });
    }

    /// <summary>The delete marker that hides a key (its newest version), or null when the key has a current object or no versions.</summary>
    public ObjectVersion? FindLatestDeleteMarker(string bucket, string key)
    {
        var keyBytes = ObjectKeys.Encode(key);
        return _state.Read(c => c.Query(null,
                "SELECT " + VersionColumns + " FROM s3_versions v WHERE v.bucket=$b AND v.key=$k ORDER BY v.stamp DESC LIMIT 1",
                r => ReadVersion(bucket, r), ("$b", bucket), ("$k", keyBytes))
            .FirstOrDefault(v => v.IsDeleteMarker && v.IsLatest));
    }

    /// <summary>
    /// Finds a version and opens its bytes (null body for a delete marker). The open file stays readable if the version is
    /// deleted meanwhile; null when there is no such version.
    /// </summary>
    public (ObjectVersion Version, FileStream? Body)? OpenVersion(string bucket, string key, string versionId)
    {
        for (var attempt = 0; ; attempt++)
        {
            var version = FindVersion(bucket, key, versionId);
            if (version is null) return null;
            if (version.IsDeleteMarker) return (version, null);
            try
            {
                return (version, Files.OpenRead(version.Info.BlobId));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException && attempt < 5)
            {
                // Deleted between the lookup and the open: look again.
            }
        }
    }

    /// <summary>
    /// ListObjectVersions: every version and delete marker of the keys starting with <paramref name="prefix"/>, in key order
    /// (UTF-8 bytes) and newest first within a key, after the (<paramref name="keyMarker"/>, <paramref name="versionIdMarker"/>)
    /// position (a key marker alone skips all of that key's versions). Keys containing <paramref name="delimiter"/> after the
    /// prefix roll up into common prefixes; at most <paramref name="maxKeys"/> entries, versions and prefixes together.
    /// The version id marker need not exist any more: its stamp says where it was. Only a "null" marker is looked up; when
    /// the null version is gone the listing goes on after the key (where a null version written before versioning sits;
    /// unverified against AWS, whose ids are opaque).
    /// </summary>
    public VersionListPage ListVersions(string bucket, string? prefix, string? delimiter, string? keyMarker, string? versionIdMarker, int maxKeys)
    {
        var prefixBytes = ObjectKeys.EncodeLoose(prefix);
        var delimiterBytes = ObjectKeys.EncodeLoose(delimiter);
        var markerBytes = ObjectKeys.EncodeLoose(keyMarker);
        var upper = ObjectKeys.UpperBound(prefixBytes);
        var entries = new List<VersionListEntry>();
        if (maxKeys <= 0) return new VersionListPage(entries, false);

        return _state.Read(c =>
        {
            // The cursor: rows with key > cursorKey, or key = cursorKey and ord < cursorOrd.
            byte[] cursorKey = prefixBytes;
            var cursorOrd = WholeKey;
            if (markerBytes.Length > 0 && ObjectKeys.Compare(markerBytes, prefixBytes) >= 0)
            {
                cursorKey = markerBytes;
                cursorOrd = versionIdMarker is null ? AfterKey : VersionOrd(c, bucket, markerBytes, versionIdMarker);
            }

            while (entries.Count <= maxKeys)
            {
                var sql = new StringBuilder("""
                    SELECT * FROM (
                      SELECT key, blob, size, etag, last_modified, attrs, version_id, 0 AS marker, 1 AS latest, version_stamp AS ord
                        FROM s3_objects WHERE bucket=$b AND key >= $cur
                      UNION ALL
                      SELECT
                    """).Append(' ').Append(VersionColumns).Append("""
                    , v.stamp FROM s3_versions v WHERE v.bucket=$b AND v.key >= $cur)
                    WHERE (key > $cur OR ord < $ord)
                    """);
                if (upper is not null) sql.Append(" AND key < $up");
                sql.Append(" ORDER BY key, ord DESC LIMIT ").Append(ListBatch);
                var args = new List<(string, object?)> { ("$b", bucket), ("$cur", cursorKey), ("$ord", cursorOrd) };
                if (upper is not null) args.Add(("$up", upper));
                var batch = c.Query(null, sql.ToString(), r => (Key: (byte[])r.GetValue(0), Ord: r.GetInt64(9), Version: ReadVersion(bucket, r)), [.. args]);
                if (batch.Count == 0) break;
                var reseek = false;
                foreach (var (key, ord, version) in batch)
                {
                    var rollup = RollUp(key, prefixBytes, delimiterBytes);
                    if (rollup is null)
                    {
                        entries.Add(new VersionListEntry(version, null));
                        (cursorKey, cursorOrd) = (key, ord);
                    }
                    else
                    {
                        // A common prefix at or before the key marker was listed on an earlier page.
                        if (ObjectKeys.Compare(rollup, markerBytes) > 0) entries.Add(new VersionListEntry(null, ObjectKeys.Decode(rollup)));
                        var next = ObjectKeys.UpperBound(rollup);
                        if (next is null) return VersionPage(entries, maxKeys);
                        (cursorKey, cursorOrd) = (next, WholeKey);
                        reseek = true;
                    }
                    if (entries.Count > maxKeys || reseek) break;
                }
                if (!reseek && batch.Count < ListBatch) break;
            }
            return VersionPage(entries, maxKeys);
        });
    }

    /// <summary>Where a version sits among its key's versions, for resuming a listing after it.</summary>
    private static long VersionOrd(DbConnection c, string bucket, byte[] key, string versionId)
    {
        if (versionId != NullVersionId) return StampOf(versionId);
        using var cmd = c.Cmd(null, """
            SELECT version_stamp FROM s3_objects WHERE bucket=$b AND key=$k AND version_id IS NULL
            UNION ALL SELECT stamp FROM s3_versions WHERE bucket=$b AND key=$k AND version_id IS NULL
            """, ("$b", bucket), ("$k", key));
        return cmd.ExecuteScalar() is long stamp ? stamp : AfterKey;
    }

    private static VersionListPage VersionPage(List<VersionListEntry> entries, int maxKeys)
    {
        var truncated = entries.Count > maxKeys;
        if (truncated) entries.RemoveRange(maxKeys, entries.Count - maxKeys);
        return new VersionListPage(entries, truncated);
    }
}
