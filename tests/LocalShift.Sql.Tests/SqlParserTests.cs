using LocalShift.Engine;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Tests;

/// <summary>The parse tree: what it finds in a statement, and the syntax errors PostgreSQL would give.</summary>
public sealed class SqlParserTests
{
    private static List<string> Relations(string sql) =>
        StatementAccess.Of(SqlParser.Parse(sql)).Relations.Select(r => $"{r.Name}:{r.Use}").ToList();

    private static List<string> Functions(string sql) =>
        StatementAccess.Of(SqlParser.Parse(sql)).Functions.Select(f => (f.Table ? "table " : "") + f.Name).ToList();

    private static PgException SyntaxError(string sql) => Assert.Throws<PgException>(() => SqlParser.Parse(sql));

    [Fact]
    public void Every_relation_in_every_position_is_found()
    {
        const string sql = """
            WITH recent AS (SELECT * FROM s.orders WHERE day > (SELECT max(day) FROM calendar))
            SELECT r.id, (SELECT name FROM customers c WHERE c.id = r.customer),
                   CASE WHEN EXISTS (SELECT 1 FROM flags) THEN 1 END
            FROM recent r JOIN items USING (id) LEFT JOIN (SELECT * FROM prices) p ON p.id = r.id
            WHERE r.id IN (SELECT id FROM allowed) AND r.id = ANY (SELECT id FROM more)
            UNION ALL SELECT id, NULL, NULL FROM archive
            """;
        Assert.Equal(
            ["s.orders:Select", "calendar:Select", "customers:Select", "flags:Select", "items:Select", "prices:Select", "allowed:Select", "more:Select", "archive:Select"],
            Relations(sql));
    }

    [Fact]
    public void A_cte_hides_a_table_only_where_it_is_visible()
    {
        Assert.Empty(Relations("WITH t AS (SELECT 1) SELECT * FROM t"));
        Assert.Equal(["t:Select"], Relations("WITH a AS (SELECT * FROM t), t AS (SELECT 1) SELECT * FROM a"));
        Assert.Equal(["t:Select"], Relations("SELECT * FROM (WITH t AS (SELECT 1) SELECT * FROM t) x, t"));
        Assert.Equal(["t:Select"], Relations("WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r, t"));
    }

    [Fact]
    public void Writes_name_their_target_and_their_sources()
    {
        Assert.Equal(["t:Insert", "u:Select"], Relations("INSERT INTO t (a, b) SELECT a, b FROM u"));
        Assert.Equal(["t:Update", "u:Select", "v:Select"], Relations("UPDATE t SET a = (SELECT max(a) FROM u) FROM v WHERE t.id = v.id"));
        Assert.Equal(["t:Delete", "u:Select"], Relations("DELETE FROM t USING u WHERE t.id = u.id"));
        Assert.Equal(["t:Truncate"], Relations("TRUNCATE t"));
        Assert.Equal(["s:Select", "t:Update", "t:Insert"],
            Relations("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)"));
        Assert.Equal(["x:Create", "r:References", "l:Select"], Relations("CREATE TABLE x (id INT REFERENCES r (id), LIKE l)"));
        Assert.Equal(["v:Create", "t:Select"], Relations("CREATE VIEW v AS SELECT * FROM t"));
        Assert.Equal(["t:Own"], Relations("COMMENT ON COLUMN t.c IS 'x'"));
    }

    [Fact]
    public void Functions_are_found_in_every_clause()
    {
        Assert.Equal(["lower", "count", "table read_csv"],
            Functions("SELECT lower(a) FROM t WHERE b = (SELECT count(*) FROM read_csv('/etc/passwd'))"));
        Assert.Equal(["rank", "coalesce"], Functions("SELECT rank() OVER (PARTITION BY coalesce(a, 0) ORDER BY b) FROM t"));
        Assert.Equal(["now"], Functions("CREATE TABLE t (a TIMESTAMP DEFAULT now())"));
    }

    [Fact]
    public void Redshift_forms_parse()
    {
        string[] statements =
        [
            "SELECT TOP 10 * FROM t ORDER BY 1",
            "SELECT listagg(name, ',') WITHIN GROUP (ORDER BY name) FROM t",
            "SELECT APPROXIMATE COUNT(DISTINCT a) FROM t",
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) OVER (PARTITION BY g) FROM t",
            "SELECT a FROM t MINUS SELECT a FROM u",
            "SELECT DATEADD(day, 5, '2024-02-26'::date), DATEDIFF(month, a, b), CONVERT(varchar(10), a) FROM t",
            "SELECT EXTRACT(year FROM d), POSITION('a' IN s), SUBSTRING(s FROM 2 FOR 3), TRIM(BOTH 'x' FROM s) FROM t",
            "SELECT a::numeric(18,2), CAST(b AS character varying(10)), c::timestamp without time zone, d::int[] FROM t",
            "SELECT x=-1, 2*-3, - - 4, 8 / 2 ^ 2, NOT a IS NULL, a IS NOT DISTINCT FROM b FROM t",
            "SELECT INTERVAL '1 day', DATE '2024-01-01', TIMESTAMP '2024-01-01 00:00:00', CURRENT_DATE, SYSDATE, current_user",
            "SELECT first_value(a IGNORE NULLS) OVER (ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t",
            "SELECT a FROM t GROUP BY ROLLUP (a, b), CUBE (c), GROUPING SETS ((a), ()) HAVING count(*) > 1 QUALIFY row_number() OVER () = 1",
            "CREATE TEMP TABLE IF NOT EXISTS t (a INT IDENTITY(1,1) ENCODE az64 DISTKEY, b VARCHAR(MAX) NOT NULL DEFAULT 'x', PRIMARY KEY (a)) DISTSTYLE KEY COMPOUND SORTKEY (a, b)",
            "CREATE TABLE t2 DISTKEY(a) AS SELECT * FROM t",
            "ALTER TABLE t ALTER DISTSTYLE EVEN",
            "SELECT * FROM pg_get_iam_role_by_user('dave') res(username text, iam_role text, cmd text)",
            "SELECT ((SELECT 1) + 1)",
            "SELECT $1::int, a[1], (r).f FROM t",
        ];
        foreach (var sql in statements) SqlParser.Parse(sql);
    }

    private static string Shape(Expr e) => e switch
    {
        BinaryExpr b => $"({Shape(b.Left)} {b.Operator} {Shape(b.Right)})",
        UnaryExpr u => $"({u.Operator} {Shape(u.Operand)})",
        IsExpr i => $"({Shape(i.Operand)} IS {(i.Not ? "NOT " : "")}{i.Test})",
        BetweenExpr b => $"({Shape(b.Operand)} BETWEEN {Shape(b.Low)} AND {Shape(b.High)})",
        LikeExpr l => $"({Shape(l.Operand)} {(l.Not ? "NOT " : "")}{l.Operator} {Shape(l.Pattern)})",
        LiteralExpr l => l.Text,
        ColumnExpr c => string.Join('.', c.Parts),
        _ => e.GetType().Name,
    };

    private static string ShapeOf(string expression) =>
        Shape(((SelectCore)((QueryStatement)SqlParser.Parse("SELECT " + expression)).Query.Body).Items[0].Expression);

    [Theory]
    [InlineData("1 + 2 * 3", "(1 + (2 * 3))")]
    [InlineData("10 - 6 / 2 * 3", "(10 - ((6 / 2) * 3))")]
    [InlineData("8 / 2 ^ 2", "(8 / (2 ^ 2))")]
    [InlineData("-2 ^ 2", "((- 2) ^ 2)")]
    [InlineData("a OR b AND NOT c = 1", "(a OR (b AND (NOT (c = 1))))")]
    [InlineData("NOT a IS NULL", "(NOT (a IS NULL))")]
    [InlineData("a || b = c", "((a || b) = c)")]
    [InlineData("x BETWEEN 1 AND 2 AND y", "((x BETWEEN 1 AND 2) AND y)")]
    [InlineData("a NOT LIKE 'x%' OR b", "((a NOT LIKE x%) OR b)")]
    [InlineData("a = 1 IS NOT TRUE", "((a = 1) IS NOT TRUE)")]
    [InlineData("a - b - c", "((a - b) - c)")]
    public void Expressions_follow_postgresql_precedence(string expression, string shape) => Assert.Equal(shape, ShapeOf(expression));

    [Fact]
    public void Syntax_errors_name_the_token_and_its_position()
    {
        var e = SyntaxError("attach '/tmp/y.duckdb'");
        Assert.Equal(SqlState.SyntaxError, e.SqlState);
        Assert.Equal("syntax error at or near \"attach\"", e.Message);
        Assert.Equal(1, e.Position);

        e = SyntaxError("SELECT a FROM t WHERE");
        Assert.Equal("syntax error at end of input", e.Message);
        Assert.Equal(22, e.Position);

        e = SyntaxError("SELECT * FROM t  ORDER a");
        Assert.Equal("syntax error at or near \"a\"", e.Message);
        Assert.Equal(24, e.Position);

        Assert.Equal("syntax error at or near \"'/etc/hostname'\"", SyntaxError("SELECT * FROM '/etc/hostname'").Message);
        Assert.Equal("syntax error at or near \"MACRO\"", SyntaxError("CREATE MACRO m() AS 1").Message);
    }

    [Fact]
    public void An_unloaded_query_cannot_leave_its_parentheses()
    {
        Assert.Throws<PgException>(() => SqlParser.ParseQuery("select 1) to '/tmp/x' (format csv); select (1"));
        Assert.Throws<PgException>(() => SqlParser.ParseQuery("select 1; attach '/tmp/y'"));
        SqlParser.ParseQuery("select a from t where b = 'x'");
    }

    [Fact]
    public void Nesting_too_deep_is_an_error_not_a_crash()
    {
        var deep = "SELECT " + new string('(', 5000) + "1" + new string(')', 5000);
        var e = Assert.Throws<PgException>(() => SqlParser.Parse(deep));
        Assert.Equal("54001", e.SqlState);
    }

    [Theory]
    [InlineData("select 1 +;", "select 1 +", 11)]
    [InlineData("  select 1 + ;  ", "select 1 +", 12)]
    [InlineData("select 1", "select 1", null)]
    [InlineData("select ';' -- ;", "select ';' -- ;", null)]
    public void A_statement_split_off_keeps_where_its_semicolon_stood(string sql, string text, int? semicolon)
    {
        var (split, at) = Assert.Single(LocalShift.Sql.Lexing.SqlLexer.SplitTerminated(sql));
        Assert.Equal(text, split);
        Assert.Equal(semicolon, at);
    }

    [Fact]
    public void Each_statement_of_several_counts_its_semicolon_from_its_own_start()
    {
        var statements = LocalShift.Sql.Lexing.SqlLexer.SplitTerminated("select 1;\n  select 2 *; select 3");
        Assert.Equal([("select 1", (int?)9), ("select 2 *", 11), ("select 3", null)], statements);
    }
}
