using LocalShift.Sql.Dialect;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Tests;

/// <summary>
/// The translator rewrites what the tree places (<see cref="Statement.Rewrites"/>) and nothing else: a word that only
/// looks like a rewritten call, type or keyword is passed on as written.
/// </summary>
public sealed class RewriteSitesTests
{
    private static readonly TranslationContext Context = new("alice", "dev");

    private static string Translated(string sql) => RedshiftTranslator.Translate(sql, Context).Sql;

    [Theory]
    // Calls, nested in each other's arguments and in a division's operands.
    [InlineData("select nvl(a, nvl(b, 0)) x from t", "select coalesce(a, coalesce(b, 0)) x from t")]
    [InlineData("select nvl(a / b, 1) x from t", "select coalesce(ls_div(a , b), 1) x from t")]
    [InlineData("select dateadd(day, 1, d) x from t", "select (CAST(d AS TIMESTAMP) + (1) * INTERVAL '1 day') x from t")]
    [InlineData("select listagg(b, ',') within group (order by b) over (partition by a) x from t",
        "select string_agg(b, ',' order by b) over (partition by a) x from t")]
    [InlineData("select avg(a) filter (where a > len(b)) x from t",
        "select cast_to_type(CASE WHEN cast_to_type(0.5, sum(a) FILTER (where a > length(b))) = 0.5 THEN avg(a) FILTER (where a > length(b)) ELSE trunc(avg(a) FILTER (where a > length(b))) END, sum(a) FILTER (where a > length(b))) x from t")]
    [InlineData("select ratio_to_report(a) over (partition by nvl(b, '')) x from t",
        "select (CAST(a AS DOUBLE) / sum(a) OVER (partition by coalesce(b, ''))) x from t")]
    // Qualified or quoted names, and words in other places, are not Redshift's functions.
    [InlineData("select s.nvl(a, b) x, \"nvl\"(a, b) y from t", "select s.nvl(a, b) x, \"nvl\"(a, b) y from t")]
    [InlineData("select nvl x, t.sysdate y from t", "select nvl x, t.sysdate y from t")]
    // Casts and types.
    [InlineData("select cast(b as varchar(3)) x from t", "select left(CAST(b AS VARCHAR), 3) x from t")]
    [InlineData("select convert(varchar(max), a) x from t", "select CAST(a AS VARCHAR) x from t")]
    [InlineData("select a::super x, b::varbyte y from t", "select a::JSON x, b::BLOB y from t")]
    [InlineData("select '\\x4142'::varbyte x", "select unhex('4142') x")]
    [InlineData("select '20240102'::date x", "select '2024-01-02'::date x")]
    // Value keywords.
    [InlineData("select sysdate x, current_user y, user z", "select CAST(current_timestamp AS TIMESTAMP) x, 'alice' y, 'alice' z")]
    [InlineData("select tablename, notnull from pg_table_def", "select tablename, \"notnull\" from pg_table_def")]
    // TOP n is its query's LIMIT, in a subquery too; APPROXIMATE is exact.
    [InlineData("select top 2 a from t order by a;", "select  a from t order by a LIMIT 2;")]
    [InlineData("select a from t where a in (select top 1 a from t where b = a / c)",
        "select a from t where a in (select  a from t where b = ls_div(a , c) LIMIT 1)")]
    [InlineData("select approximate count(distinct a) n from t", "select  count(distinct a) n from t")]
    public void Rewrites_stand_where_the_tree_puts_them(string redshift, string duckDb) =>
        Assert.Equal(duckDb, Translated(redshift));

    [Fact]
    public void A_create_table_keeps_its_column_tokens_so_their_types_and_defaults_are_rewritten()
    {
        var translated = RedshiftTranslator.Translate("create table t (a super, b varchar(max) encode zstd, c timestamp default getdate(), d bigint identity(1, 1)) diststyle all",
            Context);
        var sql = translated.Sql.TrimEnd();
        Assert.StartsWith("create table t (a JSON, b VARCHAR CHECK (CASE WHEN strlen(CAST(\"b\" AS VARCHAR)) > 65535 ", sql);
        Assert.EndsWith(", c timestamp default CAST(date_trunc('second', current_timestamp) AS TIMESTAMP), d bigint DEFAULT nextval('\"t_d_seq\"'))", sql);
        Assert.StartsWith("CREATE OR REPLACE SEQUENCE \"t_d_seq\" START WITH 1 INCREMENT BY 1", translated.PreStatements[0]);
    }

    [Fact]
    public void The_parser_places_each_site_once_even_after_reading_ahead()
    {
        // "((select 1) + nvl(a, b))" is first tried as a subquery, then read as an expression: one site for nvl.
        var tree = SqlParser.Parse("select ((select 1) + nvl(a, b)) from t");
        Assert.Single(tree.Rewrites, site => site is { Kind: RewriteKind.Call, Name: "NVL" });
    }
}
