using LocalShift.Engine;
using LocalShift.Engine.DuckDb;
using LocalShift.Services.Redshift;
using LocalShift.Sql.Wire;
using LocalShift.Sql.Wire.Types;

namespace LocalShift.Sql.Tests;

/// <summary>
/// A materialized view outlives a restart of its cluster: its rows, its definition (REFRESH still recomputes it),
/// its owner (only they refresh it) and its staleness.
/// </summary>
public sealed class MaterializedViewRestartTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "localshift-mv-" + Guid.NewGuid().ToString("N"));

    public MaterializedViewRestartTests() => Directory.CreateDirectory(_dir);

    private ClusterDatabase Open() => new(new DuckDbEngineFactory(),
        new ClusterEndpointSpec("123456789012", "us-east-1", "mv", "dev", "awsuser", "Passw0rd!", "127.0.0.1", 0), Path.Combine(_dir, "warehouse.duckdb"));

    private static IPgQuerySession Connect(ClusterDatabase database, string user, int pid) =>
        database.OpenSession(new PgConnectionInfo(user, "dev", pid, new Dictionary<string, string>()));

    private static List<string> Run(IPgQuerySession session, string sql)
    {
        var rows = new List<string>();
        using var result = session.Prepare(sql, []).Execute([]);
        if (result.Columns is not { } columns) return rows;
        while (result.Read())
            rows.Add(string.Join('|', Enumerable.Range(0, columns.Count).Select(i => result.GetValue(i) is { } v ? PgTextFormat.Format(v, columns[i].TypeOid) : "NULL")));
        return rows;
    }

    [Fact]
    public void A_materialized_view_keeps_its_rows_definition_owner_and_staleness_across_a_restart()
    {
        using (var database = Open())
        {
            using (var admin = Connect(database, "awsuser", 1))
            {
                Run(admin, "CREATE TABLE events (kind VARCHAR(10), n INT)");
                Run(admin, "INSERT INTO events VALUES ('a', 1), ('a', 2), ('b', 5)");
                Run(admin, "CREATE USER mia PASSWORD 'Mia12345x'");
                Run(admin, "CREATE USER ned PASSWORD 'Ned12345x'");
                Run(admin, "GRANT SELECT ON events TO mia");
            }
            using var mia = Connect(database, "mia", 2);
            Run(mia, "CREATE MATERIALIZED VIEW totals AUTO REFRESH YES AS SELECT kind, sum(n) AS total FROM events GROUP BY kind");
        }
        using (var database = Open())
        {
            using (var admin = Connect(database, "awsuser", 3))
            {
                Assert.Equal(["a|3", "b|5"], Run(admin, "SELECT kind, total FROM totals ORDER BY kind"));
                Run(admin, "INSERT INTO events VALUES ('c', 9)");
                Assert.Equal(["totals|mia|t|t"], Run(admin, "SELECT name, user_name, is_stale, autorefresh FROM svv_mv_info"));
                Assert.Equal("cannot change materialized view \"totals\"", Assert.Throws<PgException>(() => Run(admin, "DELETE FROM totals")).Message);
            }
            using (var ned = Connect(database, "ned", 4))
                Assert.Equal("must be owner of relation totals", Assert.Throws<PgException>(() => Run(ned, "REFRESH MATERIALIZED VIEW totals")).Message);
            using var mia = Connect(database, "mia", 5);
            Run(mia, "REFRESH MATERIALIZED VIEW totals");
            Assert.Equal(["a|3", "b|5", "c|9"], Run(mia, "SELECT kind, total FROM totals ORDER BY kind"));
            Assert.Equal(["f"], Run(mia, "SELECT is_stale FROM svv_mv_info WHERE name = 'totals'"));
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
