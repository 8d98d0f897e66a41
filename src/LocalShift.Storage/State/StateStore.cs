using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace LocalShift.Storage.State;

/// <summary>
/// Control-plane state in one SQLite file (WAL). Each component owns its tables and brings its own
/// numbered migrations; writers are serialized in-process so SQLite never answers "busy".
/// Durability (<c>synchronous=NORMAL</c> in WAL mode): a committed transaction is in the WAL file, in the operating
/// system's cache, before the caller acknowledges the request, so it survives the process dying (kill -9, a crash).
/// It is not fsynced at each commit: an operating-system crash or power loss can roll back the last acknowledged
/// writes (those since the WAL last reached the device: SQLite's checkpoints, the kernel's writeback), never leaving
/// the database torn. <c>synchronous=FULL</c> would fsync every commit inside the writer lock — measured at about 11 ms
/// a commit on this project's disk against 0.7 ms, a ceiling near 90 writes a second for every writer together (S3
/// PUTs included) — so it is not the default; docs/reliability.md has the figures and what else an OS crash can lose.
/// </summary>
public sealed class StateStore : IStateStore, IDisposable
{
    private readonly string _connectionString;
    private readonly Lock _writeLock = new();

    public StateStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var c = Open();
        Exec(c, "PRAGMA journal_mode=WAL;");
        Exec(c, """
            CREATE TABLE IF NOT EXISTS schema_migrations(
              component TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL,
              PRIMARY KEY(component, version));
            """);
    }

    public string Path { get; }

    /// <summary>Applies the component's migrations that have not run yet, in order, each in its own transaction.</summary>
    public void Migrate(string component, params string[] steps)
    {
        lock (_writeLock)
        {
            using var c = Open();
            for (var i = 0; i < steps.Length; i++)
            {
                var version = i + 1;
                using var check = c.CreateCommand();
                check.CommandText = "SELECT 1 FROM schema_migrations WHERE component=$c AND version=$v";
                check.Parameters.AddWithValue("$c", component);
                check.Parameters.AddWithValue("$v", version);
                if (check.ExecuteScalar() is not null) continue;
                using var tx = c.BeginTransaction();
                using (var cmd = c.CreateCommand())
                {
                    cmd.Transaction = tx;
                    cmd.CommandText = steps[i];
                    cmd.ExecuteNonQuery();
                }
                using (var mark = c.CreateCommand())
                {
                    mark.Transaction = tx;
                    mark.CommandText = "INSERT INTO schema_migrations(component, version, applied_at) VALUES($c, $v, datetime('now'))";
                    mark.Parameters.AddWithValue("$c", component);
                    mark.Parameters.AddWithValue("$v", version);
                    mark.ExecuteNonQuery();
                }
                tx.Commit();
            }
        }
    }

    /// <summary>Runs a read on a pooled connection.</summary>
    public T Read<T>(Func<DbConnection, T> read)
    {
        using var c = Open();
        return read(c);
    }

    /// <summary>Runs a write in one transaction; writers are serialized. The transaction commits when the delegate returns.</summary>
    public T Write<T>(Func<DbConnection, DbTransaction, T> write)
    {
        lock (_writeLock)
        {
            using var c = Open();
            using var tx = c.BeginTransaction();
            var result = write(c, tx);
            tx.Commit();
            return result;
        }
    }

    public void Write(Action<DbConnection, DbTransaction> write) =>
        Write<bool>((c, tx) => { write(c, tx); return true; });

    /// <summary>
    /// A passive checkpoint: SQLite syncs the WAL before it copies frames into the database file, and the database file
    /// after. When every frame of the WAL is in the database file (busy 0, checkpointed = log), every commit made before
    /// the call has been synced — by this checkpoint or an earlier one. A reader on an older snapshot can hold frames
    /// back: then false. Passive, so writers are not held up.
    /// </summary>
    public bool MakeDurable()
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        using var r = cmd.ExecuteReader();
        return r.Read() && r.GetInt64(0) == 0 && r.GetInt64(1) >= 0 && r.GetInt64(2) == r.GetInt64(1);
    }

    internal SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        Exec(c, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
        return c;
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => SqliteConnection.ClearAllPools();
}

/// <summary>
/// Commands on a state-store connection with <c>$</c>-named parameters, over ADO.NET's provider-neutral types, so the
/// components that use them name no engine's types.
/// </summary>
public static class StateCommands
{
    /// <summary>Creates a command bound to the transaction with $-named parameters: Cmd(c, tx, "…$a…", ("$a", 1)).</summary>
    public static DbCommand Cmd(this DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (n, v) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = n;
            p.Value = v ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    public static int Exec(this DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = c.Cmd(tx, sql, args);
        return cmd.ExecuteNonQuery();
    }

    public static List<T> Query<T>(this DbConnection c, DbTransaction? tx, string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] args)
    {
        using var cmd = c.Cmd(tx, sql, args);
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read()) list.Add(map(r));
        return list;
    }

    public static string? StringOrNull(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
