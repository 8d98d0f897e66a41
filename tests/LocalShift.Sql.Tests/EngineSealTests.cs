using LocalShift.Engine;
using LocalShift.Engine.DuckDb;

namespace LocalShift.Sql.Tests;

/// <summary>
/// The engine's own wall: whatever SQL text reaches DuckDB, it reads and writes no file of the host but those in the
/// engine's staging folder, loads no extension and changes no engine setting. Laid out as a data dir is: the object
/// store and the state database beside the cluster's folder.
/// </summary>
public sealed class EngineSealTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "localshift-seal-" + Guid.NewGuid().ToString("N"));
    private readonly string _clusterDir;
    private readonly string _blob;
    private readonly string _stateDb;
    private DuckDbEngine _engine;
    private IEngineSession _session;

    public EngineSealTests()
    {
        _clusterDir = Path.Combine(_dataDir, "clusters", "123456789012", "seal");
        Directory.CreateDirectory(_clusterDir);
        _blob = Path.Combine(_dataDir, "s3", "blobs", "ab", "abcdef");
        Directory.CreateDirectory(Path.GetDirectoryName(_blob)!);
        File.WriteAllText(_blob, "secret,object\n1,2\n");
        _stateDb = Path.Combine(_dataDir, "state.db");
        File.WriteAllText(_stateDb, "a,b\n1,2\n");
        _engine = Open();
        _session = _engine.OpenSession();
        _session.Execute("CREATE TABLE t AS SELECT 1 AS a");
    }

    private DuckDbEngine Open() => new(Path.Combine(_clusterDir, "warehouse.duckdb"), Path.Combine(_clusterDir, "staging"),
        "SET GLOBAL TimeZone = 'UTC'; SET GLOBAL integer_division = true");

    public void Dispose()
    {
        _session.Dispose();
        _engine.Dispose();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    private string Expand(string sql) => sql.Replace("{data}", _dataDir).Replace("{cluster}", _clusterDir).Replace("{blob}", _blob)
        .Replace("{state}", _stateDb).Replace("{staging}", _engine.StagingDirectory);

    private PgException Refused(string sql)
    {
        var e = Assert.Throws<PgException>(() => Run(Expand(sql)));
        Assert.Equal(SqlState.InsufficientPrivilege, e.SqlState);
        Assert.StartsWith("permission denied", e.Message);
        Assert.DoesNotContain(_dataDir, e.Message);
        Assert.DoesNotContain("/etc", e.Message);
        Assert.DoesNotContain("/tmp", e.Message);
        Assert.DoesNotContain(".duckdb", e.Message);
        return e;
    }

    private void Run(string sql)
    {
        using var result = _session.Query(sql);
        while (result.Read()) { }
    }

    [Theory]
    [InlineData("SELECT content FROM read_text('/etc/hostname')")]
    [InlineData("SELECT * FROM read_csv('/etc/hostname')")]
    [InlineData("SELECT * FROM read_csv_auto('/etc/passwd')")]
    [InlineData("SELECT * FROM read_parquet('/etc/hostname')")]
    [InlineData("SELECT * FROM read_json('/etc/hostname')")]
    [InlineData("SELECT * FROM read_blob('/etc/hostname')")]
    [InlineData("SELECT * FROM glob('/etc/*')")]
    [InlineData("SELECT * FROM sniff_csv('/etc/hostname')")]
    [InlineData("SELECT * FROM parquet_metadata('/etc/hostname')")]
    [InlineData("SELECT * FROM read_text('/proc/self/environ')")]
    [InlineData("SELECT * FROM read_text('file:///etc/hostname')")]
    [InlineData("SELECT * FROM read_csv('{blob}')")]
    [InlineData("SELECT * FROM read_blob('{blob}')")]
    [InlineData("SELECT * FROM read_text('{state}')")]
    [InlineData("SELECT * FROM read_csv('{state}')")]
    [InlineData("SELECT * FROM glob('{data}/*')")]
    [InlineData("SELECT * FROM glob('{data}/s3/**')")]
    [InlineData("SELECT * FROM glob('{cluster}/*')")]
    [InlineData("SELECT * FROM read_text('{staging}/../../../../state.db')")]
    [InlineData("SELECT * FROM read_csv('https://example.com/x.csv')")]
    public void Reading_a_host_file_is_refused(string sql)
    {
        var e = Refused(sql);
        Assert.Equal("permission denied: SQL statements cannot read or write files on the server", e.Message);
    }

    [Theory]
    [InlineData("COPY t TO '/tmp/localshift-seal-escape.csv'")]
    [InlineData("COPY t TO '{data}/s3/blobs/ab/planted'")]
    [InlineData("COPY t TO '{state}' (FORMAT csv, USE_TMP_FILE false)")]
    [InlineData("COPY t FROM '/etc/hostname'")]
    [InlineData("COPY t FROM '{blob}'")]
    [InlineData("EXPORT DATABASE '/tmp/localshift-seal-export'")]
    [InlineData("EXPORT DATABASE '{data}/export'")]
    [InlineData("IMPORT DATABASE '/tmp'")]
    [InlineData("ATTACH '/tmp/localshift-seal-attach.duckdb' AS y")]
    [InlineData("ATTACH '{state}' AS y")]
    [InlineData("INSTALL httpfs")]
    public void Writing_or_attaching_a_host_file_is_refused(string sql)
    {
        Refused(sql);
        Assert.False(File.Exists("/tmp/localshift-seal-escape.csv"));
        Assert.False(Directory.Exists("/tmp/localshift-seal-export"));
        Assert.False(Directory.Exists(Path.Combine(_dataDir, "export")));
        Assert.False(File.Exists(Path.Combine(_dataDir, "s3", "blobs", "ab", "planted")));
        Assert.Equal("a,b\n1,2\n", File.ReadAllText(_stateDb));
    }

    [Theory]
    [InlineData("LOAD httpfs")]
    [InlineData("LOAD '/tmp/x.duckdb_extension'")]
    public void Loading_an_extension_is_refused(string sql) => Refused(sql);

    [Theory]
    [InlineData("SET enable_external_access = true", "enable_external_access")]
    [InlineData("SET enable_external_access = false", "enable_external_access")]
    [InlineData("RESET enable_external_access", "enable_external_access")]
    [InlineData("SET GLOBAL enable_external_access = true", "enable_external_access")]
    [InlineData("SET allowed_directories = ['/']", "allowed_directories")]
    [InlineData("SET allowed_paths = ['/etc/hostname']", "allowed_paths")]
    [InlineData("SET lock_configuration = false", "lock_configuration")]
    [InlineData("SET autoload_known_extensions = true", "autoload_known_extensions")]
    [InlineData("SET threads = 1", "threads")]
    [InlineData("SET memory_limit = '10MB'", "memory_limit")]
    [InlineData("SET temp_directory = '/tmp'", "temp_directory")]
    [InlineData("SET TimeZone = 'Asia/Tokyo'", "TimeZone")]
    [InlineData("SET GLOBAL integer_division = false", "integer_division")]
    [InlineData("SET profiling_output = '/tmp/p.json'", "profiling_output")]
    [InlineData("PRAGMA threads = 1", "threads")]
    [InlineData("PRAGMA memory_limit = '10MB'", "memory_limit")]
    [InlineData("PRAGMA log_query_path = '/tmp/q.log'", "log_query_path")]
    [InlineData("PRAGMA default_collation = 'nocase'", "default_collation")]
    public void Changing_an_engine_setting_is_refused(string sql, string setting)
    {
        var e = Refused(sql);
        Assert.Equal($"permission denied to set parameter \"{setting}\"", e.Message);
    }

    [Fact]
    public void A_refused_setting_stays_refused_in_every_session()
    {
        using var other = _engine.OpenSession();
        var e = Assert.Throws<PgException>(() => other.Execute("SET enable_external_access = true"));
        Assert.Equal(SqlState.InsufficientPrivilege, e.SqlState);
        var read = Assert.Throws<PgException>(() => other.Execute("SELECT * FROM read_text('/etc/hostname')"));
        Assert.Equal(SqlState.InsufficientPrivilege, read.SqlState);
    }

    [Fact]
    public void The_staging_folder_can_be_read_and_written()
    {
        var folder = Path.Combine(_engine.StagingDirectory, "unload-1");
        Directory.CreateDirectory(folder);
        _session.Execute($"COPY (SELECT 1 AS a, 'x' AS b) TO '{folder}/data.csv' (HEADER true)");
        _session.Execute($"COPY (SELECT 2 AS a) TO '{folder}/data.parquet' (FORMAT parquet)");
        using var result = _session.Query($"SELECT (SELECT count(*) FROM read_csv('{folder}/data.csv')), " +
            $"(SELECT CAST(sum(a) AS BIGINT) FROM read_parquet('{folder}/*.parquet')), (SELECT count(*) FROM glob('{folder}/*'))");
        Assert.True(result.Read());
        Assert.Equal(1L, Convert.ToInt64(result.GetValue(0)));
        Assert.Equal(2L, Convert.ToInt64(result.GetValue(1)));
        Assert.Equal(2L, Convert.ToInt64(result.GetValue(2)));
        Assert.StartsWith(_clusterDir, _engine.StagingDirectory);
    }

    [Fact]
    public void A_link_in_the_staging_folder_to_a_file_outside_it_is_refused()
    {
        // Why COPY copies an object's file into its staging folder rather than linking it there.
        if (!OperatingSystem.IsLinux()) return;
        using var body = new FileStream(_blob, FileMode.Open, FileAccess.Read);
        var toBlob = Path.Combine(_engine.StagingDirectory, "000000.data");
        File.CreateSymbolicLink(toBlob, _blob);
        var toDescriptor = Path.Combine(_engine.StagingDirectory, "000001.data");
        File.CreateSymbolicLink(toDescriptor, $"/proc/self/fd/{body.SafeFileHandle.DangerousGetHandle()}");
        Refused($"SELECT * FROM read_csv('{toBlob}')");
        Refused($"SELECT * FROM read_csv('{toDescriptor}')");
        Refused($"COPY t TO '{toBlob}' (USE_TMP_FILE false)");
        Assert.Equal("secret,object\n1,2\n", File.ReadAllText(_blob));
    }

    [Fact]
    public void Session_state_that_is_not_an_engine_setting_still_works()
    {
        _session.Execute("CREATE SCHEMA IF NOT EXISTS public");
        _session.Execute("SET search_path = 'public,main'");
        _session.Execute("SET VARIABLE localshift_pid = 7");
        _session.Execute("ATTACH IF NOT EXISTS ':memory:' AS __localshift_fn");
        _session.Execute("CREATE OR REPLACE MACRO __localshift_fn.main.twice(x INTEGER) AS x * 2");
        using var result = _session.Query("SELECT getvariable('localshift_pid'), __localshift_fn.main.twice(3), current_setting('TimeZone'), 7 / 2");
        Assert.True(result.Read());
        Assert.Equal(7, Convert.ToInt32(result.GetValue(0)));
        Assert.Equal(6, Convert.ToInt32(result.GetValue(1)));
        Assert.Equal("UTC", result.GetValue(2));
        Assert.Equal(3L, Convert.ToInt64(result.GetValue(3)));
    }

    [Fact]
    public void A_reopened_engine_keeps_its_data_and_drops_staging_leftovers()
    {
        _session.Execute("INSERT INTO t VALUES (2)");
        _session.Execute("CHECKPOINT");
        _session.Execute("INSERT INTO t VALUES (3)");
        var leftover = Path.Combine(_engine.StagingDirectory, "copy-crashed");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "000000.data"), "x");
        _session.Dispose();
        _engine.Dispose();

        _engine = Open();
        _session = _engine.OpenSession();
        using (var result = _session.Query("SELECT count(*) FROM t"))
        {
            Assert.True(result.Read());
            Assert.Equal(3L, Convert.ToInt64(result.GetValue(0)));
        }
        Assert.False(Directory.Exists(leftover));
        Refused("SELECT * FROM read_text('/etc/hostname')");
    }

    [Fact]
    public void An_in_memory_engine_is_sealed_with_a_staging_folder_of_its_own()
    {
        string staging;
        using (var engine = new DuckDbEngine(":memory:"))
        using (var session = engine.OpenSession())
        {
            staging = engine.StagingDirectory;
            Assert.True(Directory.Exists(staging));
            var e = Assert.Throws<PgException>(() => session.Execute("SELECT * FROM read_text('/etc/hostname')"));
            Assert.Equal(SqlState.InsufficientPrivilege, e.SqlState);
            session.Execute($"COPY (SELECT 1) TO '{staging}/one.csv'");
        }
        Assert.False(Directory.Exists(staging));
    }
}
