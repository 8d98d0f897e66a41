using System.Text.Json;
using LocalShift.Storage.State;

namespace LocalShift.Storage.Objects;

/// <summary>
/// Publications: a writer that puts several objects which only mean something together (an UNLOAD's files and its
/// manifest) records the keys before its first put and ends the record after its last. A publication left open by a
/// killed server is undone when the store next opens, before any client can read it: every named object put since the
/// publication began is removed (in a versioned bucket, that version, so the one before it is current again); objects
/// older than the publication are left alone. A failed or cancelled writer undoes its own publication the same way.
/// The record is in the state store, so it is as durable as the objects it names.
/// </summary>
public sealed partial class ObjectStore
{
    private void MigratePublications() =>
        _state.Migrate("s3-publications",
            """
            CREATE TABLE s3_publications(
              id TEXT PRIMARY KEY, bucket TEXT NOT NULL, keys TEXT NOT NULL, started INTEGER NOT NULL);
            """);

    /// <summary>Records that <paramref name="keys"/> of <paramref name="bucket"/> are about to be put; returns its id.</summary>
    public string BeginPublication(string bucket, IReadOnlyCollection<string> keys)
    {
        var id = Guid.NewGuid().ToString("N");
        // The store's stamps only grow, and every put takes a new one: what has a later stamp was put after this.
        var started = NextStamp();
        _state.Write((c, tx) => c.Exec(tx, "INSERT INTO s3_publications(id, bucket, keys, started) VALUES($i, $b, $k, $s)",
            ("$i", id), ("$b", bucket), ("$k", JsonSerializer.Serialize(keys)), ("$s", started)));
        return id;
    }

    /// <summary>Every object of the publication is in: forget the record.</summary>
    public void EndPublication(string id) =>
        _state.Write((c, tx) => c.Exec(tx, "DELETE FROM s3_publications WHERE id=$i", ("$i", id)));

    /// <summary>Removes what the publication put so far, then its record. Returns the number of objects removed.</summary>
    public int AbandonPublication(string id)
    {
        var found = _state.Read(c => c.Query(null, "SELECT bucket, keys, started FROM s3_publications WHERE id=$i",
            r => (Bucket: r.GetString(0), Keys: r.GetString(1), Started: r.GetInt64(2)), ("$i", id)).FirstOrDefault());
        if (found.Bucket is null) return 0;
        var removed = 0;
        if (FindBucket(found.Bucket) is not null)
        {
            var versioned = GetVersioning(found.Bucket) != BucketVersioning.Unversioned;
            foreach (var key in JsonSerializer.Deserialize<List<string>>(found.Keys) ?? [])
            {
                var current = _state.Read(c => c.Query(null, "SELECT version_id, version_stamp FROM s3_objects WHERE bucket=$b AND key=$k",
                    r => (Found: true, VersionId: r.IsDBNull(0) ? null : r.GetString(0), Stamp: r.GetInt64(1)),
                    ("$b", found.Bucket), ("$k", ObjectKeys.Encode(key))).FirstOrDefault());
                if (!current.Found || current.Stamp <= found.Started) continue;
                Delete(found.Bucket, key, current.VersionId ?? (versioned ? NullVersionId : null));
                removed++;
            }
        }
        EndPublication(id);
        return removed;
    }

    /// <summary>The publications a killed server left open, undone (at open, before anyone reads).</summary>
    private void SweepPublications()
    {
        foreach (var id in _state.Read(c => c.Query(null, "SELECT id FROM s3_publications", r => r.GetString(0)).ToList()))
            AbandonPublication(id);
    }
}
