using LocalShift.Engine;
using LocalShift.Engine.DuckDb;

namespace LocalShift.Sql.Tests;

/// <summary>
/// The engine catalog capability (<see cref="IEngineCatalog"/>), run on the DuckDB engine: what the set-up checks,
/// the system views and psql's answers learn about tables, views, columns and functions, asked through the contract.
/// </summary>
public sealed class EngineCatalogTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "localshift-catalog-" + Guid.NewGuid().ToString("N"));
    private readonly DuckDbEngine _engine;
    private readonly IEngineSession _session;

    public EngineCatalogTests()
    {
        Directory.CreateDirectory(_dir);
        _engine = new DuckDbEngine(Path.Combine(_dir, "warehouse.duckdb"), Path.Combine(_dir, "staging"));
        _session = _engine.OpenSession();
        _session.Execute("CREATE SCHEMA s; CREATE TABLE s.t (id INTEGER NOT NULL, name VARCHAR, amount DECIMAL(10,2)); CREATE VIEW s.v AS SELECT id FROM s.t");
        _session.DefineFunctions([EngineFunction.Of("twice", "x", "x * 2")]);
    }

    public void Dispose()
    {
        _session.Dispose();
        _engine.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private List<string> Rows(string sql)
    {
        var rows = new List<string>();
        using var result = _session.Query(sql);
        while (result.Read()) rows.Add(string.Join('|', Enumerable.Range(0, result.Columns.Count).Select(i => result.GetValue(i)?.ToString() ?? "NULL")));
        return rows;
    }

    [Fact]
    public void Existence_of_tables_views_and_functions_is_of_the_clusters_own_database()
    {
        var catalog = _session.Catalog;
        Assert.True(catalog.HasTable("s", "t"));
        Assert.False(catalog.HasTable("s", "v"));
        Assert.False(catalog.HasTable("s", "missing"));
        Assert.False(catalog.HasTable("public", "t"));
        Assert.True(catalog.HasView("s", "v"));
        Assert.False(catalog.HasView("s", "t"));
        Assert.True(catalog.HasFunction("main", "twice"));
        Assert.False(catalog.HasFunction("main", "thrice"));
        // A name with a quote is a name, not SQL.
        Assert.False(catalog.HasTable("s", "t' OR '1'='1"));
        // The session's temporary table is not the cluster's.
        _session.Execute("CREATE TEMP TABLE tmp (x INTEGER)");
        Assert.False(catalog.HasTable("main", "tmp"));
    }

    [Fact]
    public void Columns_come_in_their_order_and_a_missing_table_has_none()
    {
        Assert.Equal(["id", "name", "amount"], _session.Catalog.Columns("s", "t"));
        Assert.Empty(_session.Catalog.Columns("s", "missing"));
    }

    [Fact]
    public void A_tables_id_is_the_one_the_tables_relation_shows_and_a_temporary_table_is_found_only_as_such()
    {
        var id = _session.Catalog.TableId("s", "t", temporary: false);
        Assert.NotNull(id);
        Assert.Equal([$"{id}|t|False|3"], Rows($"SELECT table_oid, table_name, temporary, column_count FROM {_session.Catalog.Relation(CatalogRelation.Tables)} r " +
                                              "WHERE schema_name = 's'"));
        Assert.Null(_session.Catalog.TableId("s", "missing", temporary: false));
        _session.Execute("CREATE TEMP TABLE t (x INTEGER)");
        var temporary = _session.Catalog.TableId("s", "t", temporary: true);
        Assert.NotNull(temporary);
        Assert.NotEqual(id, temporary);
    }

    [Fact]
    public void The_relations_have_the_contracts_columns()
    {
        var catalog = _session.Catalog;
        var view = Assert.Single(Rows($"SELECT view_name, sql FROM {catalog.Relation(CatalogRelation.Views)} r WHERE schema_name = 's' AND NOT internal"));
        Assert.StartsWith("v|", view);
        Assert.Contains("SELECT id FROM s.t", view, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["id|1|INTEGER|False", "name|2|VARCHAR|True", "amount|3|DECIMAL(10,2)|True"],
            Rows($"SELECT column_name, column_index, data_type, is_nullable FROM {catalog.Relation(CatalogRelation.Columns)} r " +
                 "WHERE schema_name = 's' AND table_name = 't' ORDER BY column_index"));
        Assert.Equal(["twice"], Rows($"SELECT DISTINCT function_name FROM {catalog.Relation(CatalogRelation.Functions)} r WHERE function_name = 'twice'"));
        Assert.Single(Rows($"SELECT database_name, schema_name, table_name, table_oid, estimated_size FROM {catalog.Relation(CatalogRelation.Tables)} r WHERE table_name = 't' AND NOT temporary"));
    }

    [Theory]
    [InlineData("read_text", true)]
    [InlineData("duckdb_settings", true)]
    [InlineData("query_table", true)]
    [InlineData("getenv", true)]
    [InlineData("upper", false)]
    [InlineData("readings", false)]
    public void The_engines_own_functions_are_named_by_the_engine(string name, bool engine) =>
        Assert.Equal(engine, _session.Catalog.IsEngineFunction(name));

    [Theory]
    [InlineData("duckdb_tables", true)]
    [InlineData("pg_settings", true)]
    [InlineData("sqlite_master", true)]
    [InlineData("read_log", false)]
    [InlineData("pg_secret", false)]
    public void The_engines_own_relations_are_named_by_the_engine(string name, bool engine) =>
        Assert.Equal(engine, _session.Catalog.IsEngineRelation(name));
}
