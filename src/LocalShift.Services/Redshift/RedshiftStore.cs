using System.Text.Json;
using LocalShift.Sql.Wire.Auth;
using LocalShift.Storage.State;
using System.Data.Common;

namespace LocalShift.Services.Redshift;

/// <summary>
/// Clusters, their role associations and tags in the state store. Deadlines are stored, not timers, so a restart
/// resumes every transition. Each mutation is one write transaction that first settles what is due, then reads,
/// checks and writes: concurrent requests are serialized by the store and can never lose a change.
/// </summary>
public sealed class RedshiftStore
{
    private readonly IStateStore _state;

    /// <summary>The state store the tables live in (the snapshot store shares it).</summary>
    public IStateStore State => _state;

    private long _generation;

    /// <summary>
    /// Increases after every write of the clusters' records (a role associated or removed, a default role set, a
    /// cluster created, changed or deleted): readers that keep what they derived from a cluster compare it.
    /// </summary>
    public long Generation => Interlocked.Read(ref _generation);

    private T Change<T>(Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, T> write)
    {
        try { return _state.Write(write); }
        finally { Interlocked.Increment(ref _generation); }
    }

    private void Change(Action<System.Data.Common.DbConnection, System.Data.Common.DbTransaction> write) =>
        Change<bool>((c, tx) => { write(c, tx); return true; });

    public RedshiftStore(IStateStore state)
    {
        _state = state;
        string[] steps =
        [
            """
                CREATE TABLE redshift_clusters(
                  account_id TEXT NOT NULL,
                  identifier TEXT NOT NULL,
                  region TEXT NOT NULL,
                  node_type TEXT NOT NULL,
                  number_of_nodes INTEGER NOT NULL,
                  master_username TEXT NOT NULL,
                  master_user_password TEXT NOT NULL,
                  db_name TEXT NOT NULL,
                  sql_port INTEGER NOT NULL UNIQUE,
                  status TEXT NOT NULL,
                  create_time INTEGER NOT NULL,
                  available_at INTEGER NOT NULL,
                  gone_at INTEGER,
                  namespace_id TEXT NOT NULL,
                  default_iam_role_arn TEXT,
                  attributes TEXT NOT NULL,
                  PRIMARY KEY(account_id, identifier));
                CREATE TABLE redshift_cluster_roles(
                  account_id TEXT NOT NULL,
                  identifier TEXT NOT NULL,
                  role_arn TEXT NOT NULL,
                  apply_status TEXT NOT NULL,
                  due_at INTEGER,
                  position INTEGER NOT NULL,
                  PRIMARY KEY(account_id, identifier, role_arn),
                  FOREIGN KEY(account_id, identifier) REFERENCES redshift_clusters(account_id, identifier) ON DELETE CASCADE);
                CREATE TABLE redshift_cluster_tags(
                  account_id TEXT NOT NULL,
                  identifier TEXT NOT NULL,
                  key TEXT NOT NULL,
                  value TEXT NOT NULL,
                  position INTEGER NOT NULL,
                  PRIMARY KEY(account_id, identifier, key),
                  FOREIGN KEY(account_id, identifier) REFERENCES redshift_clusters(account_id, identifier) ON DELETE CASCADE);
                """,
            "ALTER TABLE redshift_clusters ADD COLUMN master_password_secret TEXT;",
            RegionKey,
        ];
        // Clear passwords are hashed between steps 2 and 3: step 3 rebuilds the table without the clear column.
        _state.Migrate("redshift", steps[..2]);
        HashMasterPasswords();
        _state.Migrate("redshift", steps);
        // Settling a role association writes its event.
        Events.EventLog.EnsureTable(_state);
    }

    /// <summary>
    /// Step 3: a cluster belongs to its region. The key becomes (account, region, identifier), so one identifier can name
    /// a cluster in each region; rows keep the region they were created in. Their warehouses stay where they were
    /// (<c>regional_folder</c> = 0: <c>clusters/&lt;account&gt;/&lt;cluster&gt;/</c>); clusters created from now on get
    /// a region-qualified folder (see <see cref="Cluster.RegionalFolder"/>).
    /// </summary>
    private const string RegionKey = """
        CREATE TABLE redshift_clusters_v3(
          account_id TEXT NOT NULL,
          region TEXT NOT NULL,
          identifier TEXT NOT NULL,
          node_type TEXT NOT NULL,
          number_of_nodes INTEGER NOT NULL,
          master_username TEXT NOT NULL,
          master_password_secret TEXT NOT NULL,
          db_name TEXT NOT NULL,
          sql_port INTEGER NOT NULL UNIQUE,
          status TEXT NOT NULL,
          create_time INTEGER NOT NULL,
          available_at INTEGER NOT NULL,
          gone_at INTEGER,
          namespace_id TEXT NOT NULL,
          default_iam_role_arn TEXT,
          attributes TEXT NOT NULL,
          regional_folder INTEGER NOT NULL,
          PRIMARY KEY(account_id, region, identifier));
        CREATE TABLE redshift_cluster_roles_v3(
          account_id TEXT NOT NULL,
          region TEXT NOT NULL,
          identifier TEXT NOT NULL,
          role_arn TEXT NOT NULL,
          apply_status TEXT NOT NULL,
          due_at INTEGER,
          position INTEGER NOT NULL,
          PRIMARY KEY(account_id, region, identifier, role_arn),
          FOREIGN KEY(account_id, region, identifier) REFERENCES redshift_clusters_v3(account_id, region, identifier) ON DELETE CASCADE);
        CREATE TABLE redshift_cluster_tags_v3(
          account_id TEXT NOT NULL,
          region TEXT NOT NULL,
          identifier TEXT NOT NULL,
          key TEXT NOT NULL,
          value TEXT NOT NULL,
          position INTEGER NOT NULL,
          PRIMARY KEY(account_id, region, identifier, key),
          FOREIGN KEY(account_id, region, identifier) REFERENCES redshift_clusters_v3(account_id, region, identifier) ON DELETE CASCADE);
        INSERT INTO redshift_clusters_v3
          SELECT account_id, region, identifier, node_type, number_of_nodes, master_username, master_password_secret, db_name,
            sql_port, status, create_time, available_at, gone_at, namespace_id, default_iam_role_arn, attributes, 0
          FROM redshift_clusters;
        INSERT INTO redshift_cluster_roles_v3
          SELECT r.account_id, c.region, r.identifier, r.role_arn, r.apply_status, r.due_at, r.position
          FROM redshift_cluster_roles r JOIN redshift_clusters c USING(account_id, identifier);
        INSERT INTO redshift_cluster_tags_v3
          SELECT t.account_id, c.region, t.identifier, t.key, t.value, t.position
          FROM redshift_cluster_tags t JOIN redshift_clusters c USING(account_id, identifier);
        DROP TABLE redshift_cluster_roles;
        DROP TABLE redshift_cluster_tags;
        DROP TABLE redshift_clusters;
        ALTER TABLE redshift_clusters_v3 RENAME TO redshift_clusters;
        ALTER TABLE redshift_cluster_roles_v3 RENAME TO redshift_cluster_roles;
        ALTER TABLE redshift_cluster_tags_v3 RENAME TO redshift_cluster_tags;
        """;

    /// <summary>
    /// The master password used to be stored in clear (<c>master_user_password</c>): each becomes its hashes, then the
    /// column goes, with the freed bytes zeroed and the log checkpointed so that no copy of the password remains.
    /// </summary>
    private void HashMasterPasswords()
    {
        var clear = _state.Read(c => c.Query(null, "SELECT 1 FROM pragma_table_info('redshift_clusters') WHERE name = 'master_user_password'", _ => 1).Count > 0);
        if (!clear) return;
        Change((c, tx) =>
        {
            c.Exec(tx, "PRAGMA secure_delete = ON");
            var rows = c.Query(tx, "SELECT account_id, identifier, master_username, master_user_password FROM redshift_clusters WHERE master_password_secret IS NULL",
                r => (Account: r.GetString(0), Identifier: r.GetString(1), User: r.GetString(2), Password: r.GetString(3)));
            foreach (var row in rows)
                c.Exec(tx, "UPDATE redshift_clusters SET master_password_secret = $s, master_user_password = '' WHERE account_id = $a AND identifier = $i",
                    ("$s", ClusterEndpointSpec.MasterSecret(row.User, row.Password).ToString()), ("$a", row.Account), ("$i", row.Identifier));
            c.Exec(tx, "ALTER TABLE redshift_clusters DROP COLUMN master_user_password");
        });
        _state.Read(c => c.Exec(null, "PRAGMA wal_checkpoint(TRUNCATE)"));
    }

    /// <summary>The cluster as seen at <paramref name="now"/>, or null when it does not exist in that region (or its deletion is over).</summary>
    public Cluster? Find(string accountId, string region, string identifier, DateTimeOffset now) =>
        _state.Read(c => Load(c, null, accountId, region, identifier)?.At(now));

    /// <summary>The account's clusters in one region as seen at <paramref name="now"/>, ordered by identifier.</summary>
    public List<Cluster> List(string accountId, string region, DateTimeOffset now) =>
        _state.Read(c => LoadAll(c, null, "WHERE account_id=$a AND region=$r", ("$a", accountId), ("$r", region)))
            .Select(x => x.At(now)).OfType<Cluster>().ToList();

    /// <summary>Every cluster of every account and region in a given stored status, as seen at <paramref name="now"/>.</summary>
    public List<Cluster> ListByStatus(string status, DateTimeOffset now) =>
        _state.Read(c => LoadAll(c, null, "WHERE status=$s", ("$s", status)))
            .Select(x => x.At(now)).OfType<Cluster>().ToList();

    /// <summary>
    /// Inserts a new cluster with the next free SQL port at or above <paramref name="portStart"/>.
    /// <paramref name="build"/> receives that port and returns the cluster to store.
    /// </summary>
    public Cluster Create(string accountId, string region, string identifier, DateTimeOffset now, int portStart, int portEnd, Func<int, Cluster> build) =>
        Change((c, tx) =>
        {
            Settle(c, tx, now);
            if (Load(c, tx, accountId, region, identifier) is not null) throw RedshiftErrors.ClusterAlreadyExists();
            var port = NextFreePort(c, tx, portStart, portEnd);
            var cluster = build(port);
            Insert(c, tx, cluster);
            return cluster.At(now)!;
        });

    /// <summary>
    /// Reads the cluster (settled at <paramref name="now"/>) inside the write transaction, lets <paramref name="change"/>
    /// check it and return its new form, and stores that. <paramref name="change"/> throws to abort.
    /// </summary>
    public Cluster Update(string accountId, string region, string identifier, DateTimeOffset now, Func<Cluster, Cluster> change) =>
        Change((c, tx) =>
        {
            Settle(c, tx, now);
            var current = Load(c, tx, accountId, region, identifier)?.At(now) ?? throw RedshiftErrors.ClusterNotFound(identifier);
            var updated = change(current);
            if (updated.AccountId != accountId || updated.Region != region || updated.Identifier != identifier)
                throw new InvalidOperationException("An update cannot move a cluster to another account, region or identifier.");
            c.Exec(tx, "DELETE FROM redshift_clusters WHERE account_id=$a AND region=$r AND identifier=$i",
                ("$a", accountId), ("$r", region), ("$i", identifier));
            Insert(c, tx, updated);
            return updated.At(now) ?? updated;
        });

    /// <summary>Marks a creating cluster available (the lifecycle driver calls this once its endpoint is up).</summary>
    public void MarkAvailable(string accountId, string region, string identifier) =>
        Change((c, tx) => c.Exec(tx,
            "UPDATE redshift_clusters SET status=$s WHERE account_id=$a AND region=$r AND identifier=$i AND status=$creating",
            ("$s", ClusterStatus.Available), ("$a", accountId), ("$r", region), ("$i", identifier), ("$creating", ClusterStatus.Creating)));

    /// <summary>
    /// Moves a cluster's SQL port to the next free one above its current port (when another program holds the port);
    /// returns the new port.
    /// </summary>
    public int MovePort(string accountId, string region, string identifier, int portEnd) =>
        Change((c, tx) =>
        {
            var current = Load(c, tx, accountId, region, identifier) ?? throw RedshiftErrors.ClusterNotFound(identifier);
            var port = NextFreePort(c, tx, current.SqlPort + 1, portEnd);
            c.Exec(tx, "UPDATE redshift_clusters SET sql_port=$p WHERE account_id=$a AND region=$r AND identifier=$i",
                ("$p", port), ("$a", accountId), ("$r", region), ("$i", identifier));
            return port;
        });

    /// <summary>Writes down every transition that is due: settled roles, clusters whose deletion is over (freeing their ports).</summary>
    /// <summary>Settles what is due; the generation moves only when something settled (the lifecycle calls it every tick).</summary>
    public void Settle(DateTimeOffset now)
    {
        if (_state.Write((c, tx) => Settle(c, tx, now))) Interlocked.Increment(ref _generation);
    }

    /// <summary>The earliest stored deadline still ahead (a role settling, a cluster being created or deleted), if any.</summary>
    public DateTimeOffset? NextDeadline() =>
        _state.Read(c =>
        {
            using var cmd = c.Cmd(null, """
                SELECT MIN(t) FROM (
                  SELECT available_at AS t FROM redshift_clusters WHERE status IN ('creating', 'modifying', 'resizing', 'rebooting', 'pausing', 'resuming')
                  UNION ALL SELECT gone_at FROM redshift_clusters WHERE status='deleting'
                  UNION ALL SELECT due_at FROM redshift_cluster_roles WHERE due_at IS NOT NULL)
                """);
            return cmd.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        });

    /// <returns>Whether any record changed.</returns>
    private static bool Settle(DbConnection c, DbTransaction tx, DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        var changed = c.Exec(tx, "DELETE FROM redshift_clusters WHERE status='deleting' AND gone_at <= $now", ("$now", ms));
        RecordRoleEvents(c, tx, ms, ApplyStatus.Removing, Events.EventCatalog.RoleRemoved);
        RecordRoleEvents(c, tx, ms, ApplyStatus.Adding, Events.EventCatalog.RoleInSync);
        changed += c.Exec(tx, "DELETE FROM redshift_cluster_roles WHERE apply_status='removing' AND due_at <= $now", ("$now", ms));
        foreach (var (from, to) in ClusterStatus.Transitions)
            changed += c.Exec(tx, "UPDATE redshift_clusters SET status=$to WHERE status=$from AND available_at <= $now", ("$to", to), ("$from", from), ("$now", ms));
        changed += c.Exec(tx, "UPDATE redshift_cluster_roles SET apply_status='in-sync', due_at=NULL WHERE apply_status='adding' AND due_at <= $now", ("$now", ms));
        return changed > 0;
    }

    /// <summary>Writes the event of every association in <paramref name="status"/> that settles now, dated when it settled.</summary>
    private static void RecordRoleEvents(DbConnection c, DbTransaction tx, long nowMs, string status, Events.EventDefinition definition)
    {
        var due = c.Query(tx, "SELECT account_id, region, identifier, role_arn, due_at FROM redshift_cluster_roles WHERE apply_status=$st AND due_at <= $now",
            r => (Account: r.GetString(0), Region: r.GetString(1), Cluster: r.GetString(2), Role: r.GetString(3), At: DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4))),
            ("$st", status), ("$now", nowMs));
        foreach (var d in due)
            Events.EventLog.Insert(c, tx, Events.RedshiftEvent.Of(definition, d.Account, d.Region, d.Cluster, d.At, cluster: d.Cluster, role: d.Role));
    }

    private static int NextFreePort(DbConnection c, DbTransaction tx, int start, int end)
    {
        var used = c.Query(tx, "SELECT sql_port FROM redshift_clusters WHERE sql_port >= $s ORDER BY sql_port", r => r.GetInt32(0), ("$s", start));
        var port = start;
        foreach (var p in used)
        {
            if (p > port) break;
            if (p == port) port++;
        }
        if (port > end)
            throw new Core.AwsException("ClusterQuotaExceeded", $"No free SQL port is left between {start} and {end}.", 400);
        return port;
    }

    private static void Insert(DbConnection c, DbTransaction tx, Cluster x)
    {
        c.Exec(tx, """
            INSERT INTO redshift_clusters(account_id, identifier, region, node_type, number_of_nodes, master_username,
              master_password_secret, db_name, sql_port, status, create_time, available_at, gone_at, namespace_id,
              default_iam_role_arn, attributes, regional_folder)
            VALUES($a, $i, $region, $node_type, $nodes, $user, $password, $db, $port, $status, $created, $available, $gone,
              $ns, $default, $attributes, $regional)
            """,
            ("$a", x.AccountId), ("$i", x.Identifier), ("$region", x.Region), ("$node_type", x.NodeType), ("$nodes", x.NumberOfNodes),
            ("$user", x.MasterUsername), ("$password", x.MasterPasswordSecret.ToString()), ("$db", x.DbName), ("$port", x.SqlPort),
            ("$status", x.Status), ("$created", x.CreateTime.ToUnixTimeMilliseconds()), ("$available", x.AvailableAt.ToUnixTimeMilliseconds()),
            ("$gone", x.GoneAt?.ToUnixTimeMilliseconds()), ("$ns", x.NamespaceId), ("$default", x.DefaultIamRoleArn),
            ("$attributes", JsonSerializer.Serialize(x.Attributes)), ("$regional", x.RegionalFolder ? 1 : 0));
        for (var n = 0; n < x.Roles.Count; n++)
        {
            var r = x.Roles[n];
            c.Exec(tx, "INSERT INTO redshift_cluster_roles(account_id, region, identifier, role_arn, apply_status, due_at, position) VALUES($a, $r, $i, $arn, $st, $due, $pos)",
                ("$a", x.AccountId), ("$r", x.Region), ("$i", x.Identifier), ("$arn", r.RoleArn), ("$st", r.ApplyStatus),
                ("$due", r.DueAt?.ToUnixTimeMilliseconds()), ("$pos", n));
        }
        for (var n = 0; n < x.Tags.Count; n++)
        {
            var t = x.Tags[n];
            c.Exec(tx, "INSERT INTO redshift_cluster_tags(account_id, region, identifier, key, value, position) VALUES($a, $r, $i, $k, $v, $pos)",
                ("$a", x.AccountId), ("$r", x.Region), ("$i", x.Identifier), ("$k", t.Key), ("$v", t.Value), ("$pos", n));
        }
    }

    private static Cluster? Load(DbConnection c, DbTransaction? tx, string accountId, string region, string identifier) =>
        LoadAll(c, tx, "WHERE account_id=$a AND region=$r AND identifier=$i", ("$a", accountId), ("$r", region), ("$i", identifier)).SingleOrDefault();

    private static List<Cluster> LoadAll(DbConnection c, DbTransaction? tx, string where, params (string, object?)[] args)
    {
        var clusters = c.Query(tx, $"""
            SELECT account_id, identifier, region, node_type, number_of_nodes, master_username, master_password_secret, db_name,
              sql_port, status, create_time, available_at, gone_at, namespace_id, default_iam_role_arn, attributes, regional_folder
            FROM redshift_clusters {where} ORDER BY identifier, account_id, region
            """, r => new Cluster
        {
            AccountId = r.GetString(0),
            Identifier = r.GetString(1),
            Region = r.GetString(2),
            NodeType = r.GetString(3),
            NumberOfNodes = r.GetInt32(4),
            MasterUsername = r.GetString(5),
            MasterPasswordSecret = PgPasswordSecret.Parse(r.GetString(6)),
            DbName = r.GetString(7),
            SqlPort = r.GetInt32(8),
            Status = r.GetString(9),
            CreateTime = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
            AvailableAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)),
            GoneAt = r.IsDBNull(12) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(12)),
            NamespaceId = r.GetString(13),
            DefaultIamRoleArn = r.StringOrNull(14),
            Attributes = JsonSerializer.Deserialize<ClusterAttributes>(r.GetString(15)) ?? new ClusterAttributes(),
            RegionalFolder = r.GetInt64(16) != 0,
        }, args);
        if (clusters.Count == 0) return clusters;
        // Two queries for all the clusters' roles and tags, not two per cluster: a listing of hundreds of clusters
        // (DescribeClusters, the console) would otherwise run hundreds of statements.
        var keys = $"(account_id, region, identifier) IN (SELECT account_id, region, identifier FROM redshift_clusters {where})";
        var roles = c.Query(tx, $"SELECT account_id, region, identifier, role_arn, apply_status, due_at FROM redshift_cluster_roles WHERE {keys} ORDER BY position",
                r => (Key: (r.GetString(0), r.GetString(1), r.GetString(2)),
                      Role: new RoleAssociation(r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)))), args)
            .ToLookup(x => x.Key, x => x.Role);
        var tags = c.Query(tx, $"SELECT account_id, region, identifier, key, value FROM redshift_cluster_tags WHERE {keys} ORDER BY position",
                r => (Key: (r.GetString(0), r.GetString(1), r.GetString(2)), Tag: new ClusterTag(r.GetString(3), r.GetString(4))), args)
            .ToLookup(x => x.Key, x => x.Tag);
        return clusters.Select(x => x with
        {
            Roles = roles[(x.AccountId, x.Region, x.Identifier)].ToList(),
            Tags = tags[(x.AccountId, x.Region, x.Identifier)].ToList(),
        }).ToList();
    }
}
