using System.Text.Json;
using LocalShift.Sql.Wire.Auth;
using LocalShift.Storage.State;
using System.Data.Common;

namespace LocalShift.Services.Redshift.Snapshots;

/// <summary>
/// Manual cluster snapshots in the state store, keyed by (account, region, snapshot identifier) as AWS keys them. A
/// snapshot's status is a stored deadline (<see cref="ClusterSnapshot.AvailableAt"/>), so a restart changes nothing.
/// </summary>
public sealed class SnapshotStore
{
    private readonly IStateStore _state;

    public SnapshotStore(IStateStore state)
    {
        _state = state;
        // A component of its own: its migration steps never interleave with the cluster tables' steps.
        _state.Migrate("redshift_snapshots", """
            CREATE TABLE redshift_snapshots(
              account_id TEXT NOT NULL,
              region TEXT NOT NULL,
              snapshot_identifier TEXT NOT NULL,
              cluster_identifier TEXT NOT NULL,
              snapshot_type TEXT NOT NULL,
              create_time INTEGER NOT NULL,
              available_at INTEGER NOT NULL,
              cluster_create_time INTEGER NOT NULL,
              node_type TEXT NOT NULL,
              number_of_nodes INTEGER NOT NULL,
              master_username TEXT NOT NULL,
              master_password_secret TEXT NOT NULL,
              db_name TEXT NOT NULL,
              attributes TEXT NOT NULL,
              manual_retention INTEGER NOT NULL,
              tags TEXT NOT NULL,
              size_bytes INTEGER NOT NULL,
              PRIMARY KEY(account_id, region, snapshot_identifier));
            """);
    }

    public ClusterSnapshot? Find(string accountId, string region, string snapshotIdentifier) =>
        _state.Read(c => Load(c, null, "WHERE account_id=$a AND region=$r AND snapshot_identifier=$s",
            ("$a", accountId), ("$r", region), ("$s", snapshotIdentifier)).SingleOrDefault());

    /// <summary>The account's snapshots in one region, oldest first (then by identifier).</summary>
    public List<ClusterSnapshot> List(string accountId, string region) =>
        _state.Read(c => Load(c, null, "WHERE account_id=$a AND region=$r", ("$a", accountId), ("$r", region)));

    /// <summary>Stores a new snapshot; its identifier must be free in the account and region.</summary>
    public void Add(ClusterSnapshot snapshot) =>
        _state.Write((c, tx) =>
        {
            if (Load(c, tx, "WHERE account_id=$a AND region=$r AND snapshot_identifier=$s",
                    ("$a", snapshot.AccountId), ("$r", snapshot.Region), ("$s", snapshot.SnapshotIdentifier)).Count > 0)
                throw RedshiftErrors.SnapshotAlreadyExists();
            c.Exec(tx, """
                INSERT INTO redshift_snapshots(account_id, region, snapshot_identifier, cluster_identifier, snapshot_type, create_time,
                  available_at, cluster_create_time, node_type, number_of_nodes, master_username, master_password_secret, db_name,
                  attributes, manual_retention, tags, size_bytes)
                VALUES($a, $r, $s, $c, $type, $created, $available, $cluster_created, $node_type, $nodes, $user, $secret, $db,
                  $attributes, $retention, $tags, $size)
                """,
                ("$a", snapshot.AccountId), ("$r", snapshot.Region), ("$s", snapshot.SnapshotIdentifier), ("$c", snapshot.ClusterIdentifier),
                ("$type", snapshot.SnapshotType), ("$created", snapshot.CreateTime.ToUnixTimeMilliseconds()),
                ("$available", snapshot.AvailableAt.ToUnixTimeMilliseconds()), ("$cluster_created", snapshot.ClusterCreateTime.ToUnixTimeMilliseconds()),
                ("$node_type", snapshot.NodeType), ("$nodes", snapshot.NumberOfNodes), ("$user", snapshot.MasterUsername),
                ("$secret", snapshot.MasterPasswordSecret.ToString()), ("$db", snapshot.DbName),
                ("$attributes", JsonSerializer.Serialize(snapshot.Attributes)), ("$retention", snapshot.ManualSnapshotRetentionPeriod),
                ("$tags", JsonSerializer.Serialize(snapshot.Tags)), ("$size", snapshot.SizeBytes));
        });

    /// <summary>Records the size of the warehouse copy once it is written.</summary>
    public void SetSize(string accountId, string region, string snapshotIdentifier, long sizeBytes) =>
        _state.Write((c, tx) => c.Exec(tx, "UPDATE redshift_snapshots SET size_bytes=$size WHERE account_id=$a AND region=$r AND snapshot_identifier=$s",
            ("$size", sizeBytes), ("$a", accountId), ("$r", region), ("$s", snapshotIdentifier)));

    /// <summary>
    /// Removes a snapshot after <paramref name="check"/> (which throws to refuse) has seen it; returns what was removed,
    /// or null when there is no such snapshot.
    /// </summary>
    public ClusterSnapshot? Remove(string accountId, string region, string snapshotIdentifier, Action<ClusterSnapshot>? check = null) =>
        _state.Write((c, tx) =>
        {
            var found = Load(c, tx, "WHERE account_id=$a AND region=$r AND snapshot_identifier=$s",
                ("$a", accountId), ("$r", region), ("$s", snapshotIdentifier)).SingleOrDefault();
            if (found is null) return null;
            check?.Invoke(found);
            c.Exec(tx, "DELETE FROM redshift_snapshots WHERE account_id=$a AND region=$r AND snapshot_identifier=$s",
                ("$a", accountId), ("$r", region), ("$s", snapshotIdentifier));
            return found;
        });

    private static List<ClusterSnapshot> Load(DbConnection c, DbTransaction? tx, string where, params (string, object?)[] args) =>
        c.Query(tx, $"""
            SELECT account_id, region, snapshot_identifier, cluster_identifier, snapshot_type, create_time, available_at,
              cluster_create_time, node_type, number_of_nodes, master_username, master_password_secret, db_name, attributes,
              manual_retention, tags, size_bytes
            FROM redshift_snapshots {where} ORDER BY create_time, snapshot_identifier
            """, r => new ClusterSnapshot
        {
            AccountId = r.GetString(0),
            Region = r.GetString(1),
            SnapshotIdentifier = r.GetString(2),
            ClusterIdentifier = r.GetString(3),
            SnapshotType = r.GetString(4),
            CreateTime = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
            AvailableAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
            ClusterCreateTime = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)),
            NodeType = r.GetString(8),
            NumberOfNodes = r.GetInt32(9),
            MasterUsername = r.GetString(10),
            MasterPasswordSecret = PgPasswordSecret.Parse(r.GetString(11)),
            DbName = r.GetString(12),
            Attributes = JsonSerializer.Deserialize<ClusterAttributes>(r.GetString(13)) ?? new ClusterAttributes(),
            ManualSnapshotRetentionPeriod = r.GetInt32(14),
            Tags = JsonSerializer.Deserialize<List<ClusterTag>>(r.GetString(15)) ?? [],
            SizeBytes = r.GetInt64(16),
        }, args);
}
