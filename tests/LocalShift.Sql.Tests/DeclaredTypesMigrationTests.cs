using LocalShift.Engine.DuckDb;
using LocalShift.Services.Redshift;
using LocalShift.Sql.Copy;
using LocalShift.Sql.Wire;
using LocalShift.Sql.Wire.Types;

namespace LocalShift.Sql.Tests;

/// <summary>
/// A data dir written before the declared types were kept in one place holds its CHAR/VARCHAR widths in
/// __localshift.column_widths: opened again, the cluster keeps them (for COPY and pg_table_def).
/// </summary>
public sealed class DeclaredTypesMigrationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "localshift-migration-" + Guid.NewGuid().ToString("N"));
    private string DatabasePath => Path.Combine(_dir, "warehouse.duckdb");

    public DeclaredTypesMigrationTests() => Directory.CreateDirectory(_dir);

    private ClusterDatabase Open() => new(new DuckDbEngineFactory(),
        new ClusterEndpointSpec("123456789012", "us-east-1", "migration", "dev", "awsuser", "Passw0rd!", "127.0.0.1", 0), DatabasePath);

    private static List<string> Run(IPgQuerySession session, string sql)
    {
        var rows = new List<string>();
        using var result = session.Prepare(sql, []).Execute([]);
        if (result.Columns is not { } columns) return rows;
        while (result.Read())
            rows.Add(string.Join('|', Enumerable.Range(0, columns.Count).Select(i => result.GetValue(i) is { } v ? PgTextFormat.Format(v, columns[i].TypeOid) : "NULL")));
        return rows;
    }

    /// <summary>What LocalShift keeps inside the cluster's database, which no user statement may name: run on the engine itself.</summary>
    private static void Internal(IPgQuerySession session, string sql) => ((Routing.SqlSession)session).Engine.Execute(sql);

    private static object? InternalScalar(IPgQuerySession session, string sql)
    {
        using var result = ((Routing.SqlSession)session).Engine.Query(sql);
        return result.Read() ? result.GetValue(0) : null;
    }

    [Fact]
    public void Widths_recorded_by_an_older_version_are_kept()
    {
        using (var database = Open())
        using (var session = database.OpenSession(new PgConnectionInfo("awsuser", "dev", 1, new Dictionary<string, string>())))
        {
            Run(session, "CREATE TABLE legacy (id INT, name VARCHAR(12), code CHAR(2))");
            Run(session, "CREATE TABLE gone (x VARCHAR(3))");
            Run(session, "DROP TABLE gone");
            // What the older version left: widths in their own table, no declared types.
            Internal(session, "DELETE FROM __localshift.column_attributes");
            Internal(session, "CREATE TABLE __localshift.column_widths(schema_name VARCHAR NOT NULL, table_name VARCHAR NOT NULL, column_name VARCHAR NOT NULL, type VARCHAR NOT NULL, width INTEGER NOT NULL)");
            Internal(session, "INSERT INTO __localshift.column_widths VALUES ('public', 'legacy', 'name', 'varchar', 12), ('public', 'legacy', 'code', 'char', 2), ('public', 'gone', 'x', 'varchar', 3)");
        }
        using (var database = Open())
        using (var session = database.OpenSession(new PgConnectionInfo("awsuser", "dev", 2, new Dictionary<string, string>())))
        {
            Assert.Equal(["code|character(2)", "id|integer", "name|character varying(12)"],
                Run(session, "SELECT \"column\", type FROM pg_table_def WHERE tablename = 'legacy' ORDER BY 1"));
            Assert.Equal(["0"], Run(session, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'column_widths'"));
            Assert.Equal(0L, Convert.ToInt64(InternalScalar(session, "SELECT count(*) FROM __localshift.column_attributes WHERE table_name = 'gone'")));
            var widths = ColumnWidths.Of(((Routing.SqlSession)session).Engine, "public", "legacy");
            Assert.Equal(new ColumnWidth("varchar", 12), widths["name"]);
            Assert.Equal(new ColumnWidth("char", 2), widths["code"]);
            Assert.False(widths.ContainsKey("id"));
        }
        // A third start finds nothing left to move.
        using (var database = Open())
        using (var session = database.OpenSession(new PgConnectionInfo("awsuser", "dev", 3, new Dictionary<string, string>())))
            Assert.Equal(2L, Convert.ToInt64(InternalScalar(session, "SELECT count(*) FROM __localshift.column_attributes WHERE table_name = 'legacy'")));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
