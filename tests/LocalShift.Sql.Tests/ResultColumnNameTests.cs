using LocalShift.Engine.DuckDb;
using LocalShift.Services.Redshift;
using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Tests;

public sealed class ResultColumnNameTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "localshift-names-" + Guid.NewGuid().ToString("N"));
    private readonly ClusterDatabase _database;
    private readonly IPgQuerySession _session;

    public ResultColumnNameTests()
    {
        Directory.CreateDirectory(_dir);
        _database = new ClusterDatabase(new DuckDbEngineFactory(), new ClusterEndpointSpec("123456789012", "us-east-1", "names", "dev", "awsuser", "Passw0rd!", "127.0.0.1", 0),
            Path.Combine(_dir, "warehouse.duckdb"));
        _session = _database.OpenSession(new PgConnectionInfo("awsuser", "dev", 1, new Dictionary<string, string>()));
        using var _ = _session.Prepare("create table t(a int, b varchar(10))", []).Execute([]);
    }

    [Theory]
    [InlineData("select count(*) from t", "count")]
    [InlineData("select 1", "?column?")]
    [InlineData("select 'x'::varchar", "varchar")]
    [InlineData("select cast(1 as integer)", "int4")]
    [InlineData("select nvl(b, 'z') from t", "nvl")]
    [InlineData("select version()", "version")]
    [InlineData("select case when a > 1 then 1 end from t", "case")]
    [InlineData("select a as renamed from t", "renamed")]
    [InlineData("select a renamed from t", "renamed")]
    [InlineData("select t.a from t", "a")]
    [InlineData("select a + 1 from t", "?column?")]
    [InlineData("select sysdate", "timestamp")]
    [InlineData("select current_user", "current_user")]
    [InlineData("select max(a) from t", "max")]
    [InlineData("select listagg(b, ',') within group (order by b) from t", "listagg")]
    [InlineData("select percentile_cont(0.5) within group (order by a) from t", "percentile_cont")]
    [InlineData("select ratio_to_report(a) over () from t", "ratio_to_report")]
    [InlineData("select trunc(sysdate)", "trunc")]
    [InlineData("select to_char(1.5, '9.99')", "to_char")]
    [InlineData("select json_extract_path_text('{}', 'a')", "json_extract_path_text")]
    [InlineData("select regexp_replace(b, 'x', 'y') from t", "regexp_replace")]
    // The main query after a WITH list is named the same way (it was left to the engine: "count_star()").
    [InlineData("with x as (select a from t) select count(*) from x", "count")]
    [InlineData("with x(c) as (select a from t), y as (select 1 as d) select max(c) from x, y", "max")]
    [InlineData("with recursive r(n) as (select 1) select nvl(n, 0) from r", "nvl")]
    // A set operation's first branch names the columns, also in parentheses (the engine named this one "1").
    [InlineData("(select 1) union all (select 2)", "?column?")]
    [InlineData("with x as (select a from t) (select count(*) from x) union all select 1", "count")]
    // A cast of a named operand keeps its name (Redshift's CAST and CONVERT pages); of a literal, the type's.
    [InlineData("select a::integer from t", "a")]
    [InlineData("select convert(varchar(30), getdate())", "getdate")]
    [InlineData("select 1 + 1::int", "?column?")]
    public void Unaliased_columns_are_named_as_postgresql_names_them(string sql, string expected)
    {
        using var result = _session.Prepare(sql, []).Execute([]);
        Assert.Equal(expected, result.Columns![0].Name);
    }

    public void Dispose()
    {
        _session.Dispose();
        _database.Dispose();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
