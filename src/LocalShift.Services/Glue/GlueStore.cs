using System.Text.Json;
using LocalShift.Aws.Operations;
using LocalShift.Services.Glue.Shapes;
using LocalShift.Storage.State;
using System.Data.Common;

namespace LocalShift.Services.Glue;

/// <summary>One account's Data Catalog in one region.</summary>
public sealed record CatalogKey(string AccountId, string Region);

/// <summary>A database as stored: the input document as the client gave it, and when it was created.</summary>
public sealed record StoredDatabase(string Name, DatabaseInput Input, DateTimeOffset CreateTime);

/// <summary>A table as stored: the input document as the client gave it, its times, creator and current version.</summary>
public sealed record StoredTable(
    string DatabaseName, string Name, TableInput Input, DateTimeOffset CreateTime, DateTimeOffset UpdateTime, string CreatedBy, long Version);

/// <summary>A partition as stored: its values and the input document as the client gave it.</summary>
public sealed record StoredPartition(List<string> Values, PartitionInput Input, DateTimeOffset CreateTime);

/// <summary>
/// The Glue Data Catalog in the state store. Documents (DatabaseInput, TableInput, PartitionInput) are kept as the
/// JSON of their records, so every member a client gives comes back as given. Deleting a database deletes its tables,
/// their versions and partitions (foreign keys with ON DELETE CASCADE); tags go with the resource they belong to.
/// Tables and partition lists read are kept, parsed, while no write to the catalog has committed since
/// (<see cref="Generation"/>): a statement over an external table reads the same table and partitions again and again,
/// and parsing their documents each time cost it about a millisecond. The callers' authorization is not kept: every
/// operation is still decided (and logged) as it is made; only the documents are not parsed again.
/// </summary>
public sealed class GlueStore
{
    private readonly IStateStore _state;
    private long _generation;

    /// <summary>The tables read (or found missing) and the generation they were read at.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(CatalogKey, string Database, string Table), (long Generation, StoredTable? Table)> _tables = new();

    /// <summary>Each table's partitions as read (values parsed, documents parsed when first needed) and the generation they were read at.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(CatalogKey, string Database, string Table), (long Generation, PartitionRow[] Rows)> _partitions = new();

    /// <summary>Tables whose lists are kept at most (more: all are forgotten); a table of more partitions than <see cref="MaxKeptPartitions"/> is never kept.</summary>
    private const int MaxKeptTables = 256;
    private const int MaxKeptPartitions = 10_000;

    /// <summary>A partition as read: its values, its document (parsed the first time it is asked for) and when it was created.</summary>
    private sealed class PartitionRow(List<string> values, string document, long created)
    {
        private StoredPartition? _parsed;
        public List<string> Values { get; } = values;
        public StoredPartition Partition => _parsed ??= new StoredPartition(Values, Parse<PartitionInput>(document), FromMs(created));
    }

    /// <summary>Increases with every write to the catalog (after it commits, or fails); what is kept from before is read again.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Every write goes through here so that <see cref="Generation"/> moves after it.</summary>
    private T Change<T>(Func<DbConnection, DbTransaction, T> write)
    {
        try { return _state.Write(write); }
        finally { Interlocked.Increment(ref _generation); }
    }

    private void Change(Action<DbConnection, DbTransaction> write) => Change<bool>((c, tx) => { write(c, tx); return true; });

    public GlueStore(IStateStore state)
    {
        _state = state;
        _state.Migrate("glue",
            """
            CREATE TABLE glue_databases(
              account_id TEXT NOT NULL,
              region TEXT NOT NULL,
              name TEXT NOT NULL,
              document TEXT NOT NULL,
              create_time INTEGER NOT NULL,
              PRIMARY KEY(account_id, region, name));
            CREATE TABLE glue_tables(
              account_id TEXT NOT NULL,
              region TEXT NOT NULL,
              database_name TEXT NOT NULL,
              name TEXT NOT NULL,
              document TEXT NOT NULL,
              create_time INTEGER NOT NULL,
              update_time INTEGER NOT NULL,
              created_by TEXT NOT NULL,
              version INTEGER NOT NULL,
              PRIMARY KEY(account_id, region, database_name, name),
              FOREIGN KEY(account_id, region, database_name) REFERENCES glue_databases(account_id, region, name) ON DELETE CASCADE);
            CREATE TABLE glue_table_versions(
              account_id TEXT NOT NULL,
              region TEXT NOT NULL,
              database_name TEXT NOT NULL,
              table_name TEXT NOT NULL,
              version INTEGER NOT NULL,
              document TEXT NOT NULL,
              update_time INTEGER NOT NULL,
              PRIMARY KEY(account_id, region, database_name, table_name, version),
              FOREIGN KEY(account_id, region, database_name, table_name) REFERENCES glue_tables(account_id, region, database_name, name) ON DELETE CASCADE);
            CREATE TABLE glue_partitions(
              account_id TEXT NOT NULL,
              region TEXT NOT NULL,
              database_name TEXT NOT NULL,
              table_name TEXT NOT NULL,
              partition_values TEXT NOT NULL,
              document TEXT NOT NULL,
              create_time INTEGER NOT NULL,
              PRIMARY KEY(account_id, region, database_name, table_name, partition_values),
              FOREIGN KEY(account_id, region, database_name, table_name) REFERENCES glue_tables(account_id, region, database_name, name) ON DELETE CASCADE);
            CREATE TABLE glue_tags(
              resource_arn TEXT NOT NULL,
              key TEXT NOT NULL,
              value TEXT NOT NULL,
              PRIMARY KEY(resource_arn, key));
            """);
    }

    // ---- Databases ----

    public void CreateDatabase(CatalogKey catalog, StoredDatabase database, string arn, IReadOnlyDictionary<string, string> tags) =>
        Change((c, tx) =>
        {
            if (LoadDatabase(c, tx, catalog, database.Name) is not null) throw GlueErrors.DatabaseAlreadyExists();
            c.Exec(tx, "INSERT INTO glue_databases VALUES($a, $r, $n, $d, $t)",
                ("$a", catalog.AccountId), ("$r", catalog.Region), ("$n", database.Name), ("$d", Json(database.Input)), ("$t", Ms(database.CreateTime)));
            AddTags(c, tx, arn, tags);
        });

    public StoredDatabase? FindDatabase(CatalogKey catalog, string name) => _state.Read(c => LoadDatabase(c, null, catalog, name));

    /// <summary>The catalog's databases, ordered by name.</summary>
    public List<StoredDatabase> ListDatabases(CatalogKey catalog) =>
        _state.Read(c => c.Query(null, "SELECT name, document, create_time FROM glue_databases WHERE account_id=$a AND region=$r ORDER BY name",
            ReadDatabase, ("$a", catalog.AccountId), ("$r", catalog.Region)));

    public void UpdateDatabase(CatalogKey catalog, string name, DatabaseInput input) =>
        Change((c, tx) =>
        {
            var n = c.Exec(tx, "UPDATE glue_databases SET document=$d WHERE account_id=$a AND region=$r AND name=$n",
                ("$d", Json(input)), ("$a", catalog.AccountId), ("$r", catalog.Region), ("$n", name));
            if (n == 0) throw GlueErrors.DatabaseNotFound(name);
        });

    /// <summary>Deletes the database with its tables, versions, partitions and the tags of all of them.</summary>
    public void DeleteDatabase(CatalogKey catalog, string name, string databaseArn, Func<string, string> tableArn) =>
        Change((c, tx) =>
        {
            var tables = c.Query(tx, "SELECT name FROM glue_tables WHERE account_id=$a AND region=$r AND database_name=$n",
                r => r.GetString(0), ("$a", catalog.AccountId), ("$r", catalog.Region), ("$n", name));
            var n = c.Exec(tx, "DELETE FROM glue_databases WHERE account_id=$a AND region=$r AND name=$n",
                ("$a", catalog.AccountId), ("$r", catalog.Region), ("$n", name));
            if (n == 0) throw GlueErrors.DatabaseNotFound(name);
            c.Exec(tx, "DELETE FROM glue_tags WHERE resource_arn=$arn", ("$arn", databaseArn));
            foreach (var t in tables) c.Exec(tx, "DELETE FROM glue_tags WHERE resource_arn=$arn", ("$arn", tableArn(t)));
        });

    // ---- Tables ----

    public void CreateTable(CatalogKey catalog, StoredTable table, string? databaseDisplayName = null) =>
        Change((c, tx) =>
        {
            if (LoadDatabase(c, tx, catalog, table.DatabaseName) is null) throw GlueErrors.DatabaseNotFound(databaseDisplayName ?? table.DatabaseName);
            if (LoadTable(c, tx, catalog, table.DatabaseName, table.Name) is not null) throw GlueErrors.TableAlreadyExists();
            c.Exec(tx, "INSERT INTO glue_tables VALUES($a, $r, $db, $n, $d, $ct, $ut, $by, $v)",
                ("$a", catalog.AccountId), ("$r", catalog.Region), ("$db", table.DatabaseName), ("$n", table.Name), ("$d", Json(table.Input)),
                ("$ct", Ms(table.CreateTime)), ("$ut", Ms(table.UpdateTime)), ("$by", table.CreatedBy), ("$v", table.Version));
        });

    public StoredTable? FindTable(CatalogKey catalog, string database, string name)
    {
        // The generation before the read: a write committing during it makes the entry stale at once.
        var generation = Generation;
        var key = (catalog, database, name);
        if (_tables.TryGetValue(key, out var kept) && kept.Generation == generation) return kept.Table;
        var table = _state.Read(c => LoadTable(c, null, catalog, database, name));
        if (_tables.Count >= MaxKeptTables) _tables.Clear();
        _tables[key] = (generation, table);
        return table;
    }

    /// <summary>The database's tables, ordered by name.</summary>
    public List<StoredTable> ListTables(CatalogKey catalog, string database) =>
        _state.Read(c => c.Query(null,
            "SELECT database_name, name, document, create_time, update_time, created_by, version FROM glue_tables WHERE account_id=$a AND region=$r AND database_name=$db ORDER BY name",
            ReadTable, ("$a", catalog.AccountId), ("$r", catalog.Region), ("$db", database)));

    /// <summary>
    /// Replaces the table's document in one transaction: <paramref name="change"/> sees the current table (and may
    /// throw); the version it replaces is archived unless <paramref name="skipArchive"/>.
    /// </summary>
    public StoredTable UpdateTable(CatalogKey catalog, string database, string name, bool skipArchive, Func<StoredTable, StoredTable> change) =>
        Change((c, tx) =>
        {
            var current = LoadTable(c, tx, catalog, database, name) ?? throw GlueErrors.TableNotFound(name);
            var updated = change(current);
            if (!skipArchive)
                c.Exec(tx, "INSERT OR REPLACE INTO glue_table_versions VALUES($a, $r, $db, $n, $v, $d, $ut)",
                    ("$a", catalog.AccountId), ("$r", catalog.Region), ("$db", database), ("$n", name), ("$v", current.Version),
                    ("$d", Json(current.Input)), ("$ut", Ms(current.UpdateTime)));
            c.Exec(tx, "UPDATE glue_tables SET document=$d, update_time=$ut, version=$v WHERE account_id=$a AND region=$r AND database_name=$db AND name=$n",
                ("$d", Json(updated.Input)), ("$ut", Ms(updated.UpdateTime)), ("$v", updated.Version),
                ("$a", catalog.AccountId), ("$r", catalog.Region), ("$db", database), ("$n", name));
            return updated;
        });

    /// <summary>The table's current version and its archived ones, newest first.</summary>
    public List<StoredTable> ListTableVersions(CatalogKey catalog, string database, string name) =>
        _state.Read(c =>
        {
            var current = LoadTable(c, null, catalog, database, name) ?? throw GlueErrors.TableNotFound(name);
            var archived = c.Query(null,
                "SELECT version, document, update_time FROM glue_table_versions WHERE account_id=$a AND region=$r AND database_name=$db AND table_name=$n ORDER BY version DESC",
                r => current with
                {
                    Version = r.GetInt64(0),
                    Input = Parse<TableInput>(r.GetString(1)),
                    UpdateTime = FromMs(r.GetInt64(2)),
                },
                ("$a", catalog.AccountId), ("$r", catalog.Region), ("$db", database), ("$n", name));
            return archived.Where(v => v.Version != current.Version).Prepend(current).ToList();
        });

    /// <summary>Deletes the table with its versions, partitions and tags; false when it does not exist.</summary>
    public bool DeleteTable(CatalogKey catalog, string database, string name, string tableArn) =>
        Change((c, tx) =>
        {
            var n = c.Exec(tx, "DELETE FROM glue_tables WHERE account_id=$a AND region=$r AND database_name=$db AND name=$n",
                ("$a", catalog.AccountId), ("$r", catalog.Region), ("$db", database), ("$n", name));
            c.Exec(tx, "DELETE FROM glue_tags WHERE resource_arn=$arn", ("$arn", tableArn));
            return n > 0;
        });

    // ---- Partitions ----

    /// <summary>
    /// Inserts each partition that does not exist yet, in one transaction; returns the values of those that already
    /// existed (a partition given twice in one call exists the second time).
    /// </summary>
    public List<List<string>> CreatePartitions(CatalogKey catalog, string database, string table, IReadOnlyList<StoredPartition> partitions) =>
        Change((c, tx) =>
        {
            if (LoadTable(c, tx, catalog, database, table) is null) throw GlueErrors.TableNotFound(table);
            var existing = new List<List<string>>();
            foreach (var p in partitions)
            {
                var n = c.Exec(tx, "INSERT OR IGNORE INTO glue_partitions VALUES($a, $r, $db, $t, $v, $d, $ct)",
                    ("$a", catalog.AccountId), ("$r", catalog.Region), ("$db", database), ("$t", table), ("$v", Json(p.Values)),
                    ("$d", Json(p.Input)), ("$ct", Ms(p.CreateTime)));
                if (n == 0) existing.Add(p.Values);
            }
            return existing;
        });

    public StoredPartition? FindPartition(CatalogKey catalog, string database, string table, IReadOnlyList<string> values) =>
        _state.Read(c => c.Query(null,
            "SELECT partition_values, document, create_time FROM glue_partitions WHERE account_id=$a AND region=$r AND database_name=$db AND table_name=$t AND partition_values=$v",
            ReadPartition, ("$a", catalog.AccountId), ("$r", catalog.Region), ("$db", database), ("$t", table), ("$v", Json(values))).SingleOrDefault());

    /// <summary>
    /// The table's partitions, ordered by their values; with <paramref name="matches"/>, only those whose values it
    /// accepts, decided on the values alone so that the documents of the others are never parsed (a table of many
    /// partitions read for one of them costs one small JSON array per partition, not one document). The list is kept
    /// while the catalog does not change, its documents parsed once each, when first asked for.
    /// </summary>
    public List<StoredPartition> ListPartitions(CatalogKey catalog, string database, string table, Func<List<string>, bool>? matches = null)
    {
        var generation = Generation;
        var key = (catalog, database, table);
        if (!_partitions.TryGetValue(key, out var kept) || kept.Generation != generation)
        {
            var rows = _state.Read(c => c.Query(null,
                "SELECT partition_values, document, create_time FROM glue_partitions WHERE account_id=$a AND region=$r AND database_name=$db AND table_name=$t ORDER BY partition_values",
                r => new PartitionRow(Parse<List<string>>(r.GetString(0)), r.GetString(1), r.GetInt64(2)),
                ("$a", catalog.AccountId), ("$r", catalog.Region), ("$db", database), ("$t", table))).ToArray();
            kept = (generation, rows);
            if (rows.Length <= MaxKeptPartitions)
            {
                if (_partitions.Count >= MaxKeptTables) _partitions.Clear();
                _partitions[key] = kept;
            }
        }
        var result = new List<StoredPartition>();
        foreach (var row in kept.Rows)
            if (matches is null || matches(row.Values)) result.Add(row.Partition);
        return result;
    }

    /// <summary>Replaces a partition (its values may change); throws when it does not exist or the new values are taken.</summary>
    public void UpdatePartition(CatalogKey catalog, string database, string table, IReadOnlyList<string> values, StoredPartition updated) =>
        Change((c, tx) =>
        {
            var key = Json(values);
            var newKey = Json(updated.Values);
            if (newKey != key && c.Query(tx,
                    "SELECT 1 FROM glue_partitions WHERE account_id=$a AND region=$r AND database_name=$db AND table_name=$t AND partition_values=$v",
                    _ => 1, ("$a", catalog.AccountId), ("$r", catalog.Region), ("$db", database), ("$t", table), ("$v", newKey)).Count > 0)
                throw GlueErrors.PartitionAlreadyExists();
            var n = c.Exec(tx,
                "UPDATE glue_partitions SET partition_values=$nv, document=$d WHERE account_id=$a AND region=$r AND database_name=$db AND table_name=$t AND partition_values=$v",
                ("$nv", newKey), ("$d", Json(updated.Input)),
                ("$a", catalog.AccountId), ("$r", catalog.Region), ("$db", database), ("$t", table), ("$v", key));
            if (n == 0) throw GlueErrors.PartitionNotFound();
        });

    /// <summary>Deletes a partition; false when it does not exist.</summary>
    public bool DeletePartition(CatalogKey catalog, string database, string table, IReadOnlyList<string> values) =>
        Change((c, tx) => c.Exec(tx,
            "DELETE FROM glue_partitions WHERE account_id=$a AND region=$r AND database_name=$db AND table_name=$t AND partition_values=$v",
            ("$a", catalog.AccountId), ("$r", catalog.Region), ("$db", database), ("$t", table), ("$v", Json(values))) > 0);

    // ---- Tags ----

    public Dictionary<string, string> GetTags(string arn) =>
        _state.Read(c => c.Query(null, "SELECT key, value FROM glue_tags WHERE resource_arn=$arn ORDER BY key",
            r => KeyValuePair.Create(r.GetString(0), r.GetString(1)), ("$arn", arn))).ToDictionary();

    public void AddTags(string arn, IReadOnlyDictionary<string, string> tags) => Change((c, tx) => AddTags(c, tx, arn, tags));

    public void RemoveTags(string arn, IEnumerable<string> keys) =>
        Change((c, tx) =>
        {
            foreach (var k in keys) c.Exec(tx, "DELETE FROM glue_tags WHERE resource_arn=$arn AND key=$k", ("$arn", arn), ("$k", k));
        });

    private static void AddTags(DbConnection c, DbTransaction tx, string arn, IReadOnlyDictionary<string, string> tags)
    {
        foreach (var (k, v) in tags)
            c.Exec(tx, "INSERT OR REPLACE INTO glue_tags VALUES($arn, $k, $v)", ("$arn", arn), ("$k", k), ("$v", v));
    }

    // ---- Rows ----

    private static StoredDatabase? LoadDatabase(DbConnection c, DbTransaction? tx, CatalogKey catalog, string name) =>
        c.Query(tx, "SELECT name, document, create_time FROM glue_databases WHERE account_id=$a AND region=$r AND name=$n",
            ReadDatabase, ("$a", catalog.AccountId), ("$r", catalog.Region), ("$n", name)).SingleOrDefault();

    private static StoredTable? LoadTable(DbConnection c, DbTransaction? tx, CatalogKey catalog, string database, string name) =>
        c.Query(tx,
            "SELECT database_name, name, document, create_time, update_time, created_by, version FROM glue_tables WHERE account_id=$a AND region=$r AND database_name=$db AND name=$n",
            ReadTable, ("$a", catalog.AccountId), ("$r", catalog.Region), ("$db", database), ("$n", name)).SingleOrDefault();

    private static StoredDatabase ReadDatabase(DbDataReader r) =>
        new(r.GetString(0), Parse<DatabaseInput>(r.GetString(1)), FromMs(r.GetInt64(2)));

    private static StoredTable ReadTable(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), Parse<TableInput>(r.GetString(2)), FromMs(r.GetInt64(3)), FromMs(r.GetInt64(4)), r.GetString(5), r.GetInt64(6));

    private static StoredPartition ReadPartition(DbDataReader r) =>
        new(Parse<List<string>>(r.GetString(0)), Parse<PartitionInput>(r.GetString(1)), FromMs(r.GetInt64(2)));

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, OperationBinding.Options);
    private static T Parse<T>(string json) => JsonSerializer.Deserialize<T>(json, OperationBinding.Options)!;
    private static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
