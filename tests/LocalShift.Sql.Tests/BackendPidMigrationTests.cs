using LocalShift.Engine.DuckDb;
using LocalShift.Services.Redshift;
using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Tests;

/// <summary>
/// pg_backend_pid() is each session's own function (its pid written in), no engine variable: a database file an older
/// version wrote keeps cluster-wide definitions over getvariable('localshift_pid'), which are dropped when it opens.
/// </summary>
public sealed class BackendPidMigrationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "localshift-pid-" + Guid.NewGuid().ToString("N"));

    public BackendPidMigrationTests() => Directory.CreateDirectory(_dir);

    private ClusterDatabase Open() => new(new DuckDbEngineFactory(),
        new ClusterEndpointSpec("123456789012", "us-east-1", "pid", "dev", "awsuser", "Passw0rd!", "127.0.0.1", 0), Path.Combine(_dir, "warehouse.duckdb"));

    private static object? Scalar(IPgQuerySession session, string sql)
    {
        using var result = session.Prepare(sql, []).Execute([]);
        Assert.True(result.Read());
        return result.GetValue(0);
    }

    [Fact]
    public void Each_session_answers_its_own_pid_and_an_older_files_definitions_go()
    {
        using (var database = Open())
        using (var session = database.OpenSession(new PgConnectionInfo("awsuser", "dev", 41, new Dictionary<string, string>())))
            // What an older version left in the file: the functions over the engine variable, cluster-wide.
            ((Routing.SqlSession)session).Engine.Execute("CREATE OR REPLACE MACRO main.pg_backend_pid() AS CAST(getvariable('localshift_pid') AS INTEGER)");
        using (var database = Open())
        {
            using var first = database.OpenSession(new PgConnectionInfo("awsuser", "dev", 42, new Dictionary<string, string>()));
            using var second = database.OpenSession(new PgConnectionInfo("awsuser", "dev", 43, new Dictionary<string, string>()));
            Assert.Equal(42, Convert.ToInt32(Scalar(first, "SELECT pg_backend_pid()")));
            Assert.Equal(43, Convert.ToInt32(Scalar(second, "SELECT pg_backend_pid()")));
            var engine = ((Routing.SqlSession)first).Engine;
            using var older = engine.Query("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'pg_backend_pid' AND database_name <> 'temp'");
            Assert.True(older.Read());
            Assert.Equal(0L, Convert.ToInt64(older.GetValue(0)));
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
