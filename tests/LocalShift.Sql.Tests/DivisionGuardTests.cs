using LocalShift.Sql.Dialect;

namespace LocalShift.Sql.Tests;

/// <summary>
/// The operands of / and % the guard wraps: the parse tree's (PostgreSQL's precedence). The case file
/// arithmetic_and_errors.test runs such queries against the engine; this shows the operands chosen, which a wrong
/// split would change.
/// </summary>
public sealed class DivisionGuardTests
{
    [Theory]
    [InlineData("SELECT a * - b / c",
        "SELECT ls_div(a * - b , c) AS \"?column?\"")]
    [InlineData("SELECT a / b / c, a / b * c / d",
        "SELECT ls_div(ls_div(a , b) , c) AS \"?column?\", ls_div(ls_div(a , b) * c , d) AS \"?column?\"")]
    [InlineData("SELECT x - a / b + 1",
        "SELECT x - ls_div(a , b) + 1 AS \"?column?\"")]
    [InlineData("SELECT -a / b",
        "SELECT ls_div(-a , b) AS \"?column?\"")]
    [InlineData("SELECT f(x) / g(y) OVER (PARTITION BY w) FROM t",
        "SELECT ls_div(f(x) , g(y) OVER (PARTITION BY w)) AS \"?column?\" FROM t")]
    [InlineData("SELECT listagg(s) WITHIN GROUP (ORDER BY s) / 2, count(*) FILTER (WHERE z) % n FROM t",
        "SELECT string_agg(s, '' ORDER BY s) / 2 AS \"?column?\", ls_mod(count(*) FILTER (WHERE z) , n) AS \"?column?\" FROM t")]
    [InlineData("SELECT 'a/b', a // b, 6 /* / */ / 3",
        "SELECT 'a/b' AS \"?column?\", a // b AS \"?column?\", 6 /* / */ / 3 AS \"?column?\"")]
    [InlineData("SELECT x::double precision / y::numeric(5,2), 'epoch'::timestamp with time zone",
        "SELECT ls_div(x::double precision , y::numeric(5,2)) AS \"?column?\", 'epoch'::timestamp with time zone AS \"timestamptz\"")]
    [InlineData("SELECT t.a / 2, t.a % 7, a / 0, a / 0.0",
        "SELECT t.a / 2 AS \"?column?\", t.a % 7 AS \"?column?\", ls_div(a , 0) AS \"?column?\", ls_div(a , 0.0) AS \"?column?\"")]
    [InlineData("SELECT CASE WHEN a THEN 1 END / CASE WHEN b THEN 2 ELSE 3 END",
        "SELECT ls_div(CASE WHEN a THEN 1 END , CASE WHEN b THEN 2 ELSE 3 END) AS \"?column?\"")]
    [InlineData("SELECT a /-b, a % + b, 2 ^ 3 / x ^ 2",
        "SELECT ls_div(a ,-b) AS \"?column?\", ls_mod(a , + b) AS \"?column?\", ls_div(2 ^ 3 , x ^ 2) AS \"?column?\"")]
    // "%+" is one operator to PostgreSQL's scanner (it holds a %), as it is to the parser: no modulo to guard.
    [InlineData("SELECT a %+ b",
        "SELECT a %+ b AS \"?column?\"")]
    // A left operand that starts inside an operator the lexer read whole ("+-").
    [InlineData("SELECT y+-a / b",
        "SELECT y+ls_div(-a , b) AS \"?column?\"")]
    [InlineData("SELECT * FROM t WHERE x IN (1) AND y / z = 1 OR NOT (p) / q > 0",
        "SELECT * FROM t WHERE x IN (1) AND ls_div(y , z) = 1 OR NOT ls_div((p) , q) > 0")]
    [InlineData("SELECT nvl(a, 1) / nvl(b, 0), dateadd(day, a / b, d)",
        "SELECT ls_div(coalesce(a, 1) , coalesce(b, 0)) AS \"?column?\", (CAST(d AS TIMESTAMP) + (ls_div(a , b)) * INTERVAL '1 day') AS \"dateadd\"")]
    [InlineData("SELECT CAST(a AS INT) / CAST(b AS INT), x / (SELECT max(y) FROM t), INTERVAL '1 day' / n",
        "SELECT ls_div(CAST(a AS INT) , CAST(b AS INT)) AS \"?column?\", ls_div(x , (SELECT max(y) FROM t)) AS \"?column?\", ls_div(INTERVAL '1 day' , n) AS \"?column?\"")]
    [InlineData("SELECT \"Q\".\"x y\" / s.t.u",
        "SELECT ls_div(\"Q\".\"x y\" , s.t.u) AS \"?column?\"")]
    [InlineData("SELECT - 2 ^ 2 / x, y - 2 / x, (-a) / b FROM t WHERE CASE WHEN p THEN 1 END - 2 / x > 0",
        "SELECT ls_div(- 2 ^ 2 , x) AS \"?column?\", y - ls_div(2 , x) AS \"?column?\", ls_div((-a) , b) AS \"?column?\" FROM t WHERE CASE WHEN p THEN 1 END - ls_div(2 , x) > 0")]
    public void Divisions_are_guarded_with_their_whole_operands(string redshift, string duckDb) =>
        Assert.Equal(duckDb, RedshiftTranslator.Translate(redshift, new TranslationContext("u", "dev")).Sql);
}
