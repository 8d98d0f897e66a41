using LocalShift.Sql.Dialect;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Tests;

/// <summary>
/// The translator given the statement's text beside its tokens copies what it does not rewrite from the text in runs;
/// it must write exactly what the token-by-token pass writes, wherever the places of the tree fall (a division opening
/// inside an operator the lexer read as one, a temporal cast around a rewritten call, a TOP's LIMIT, result column
/// names, comments and odd spacing between them).
/// </summary>
public sealed class TranslationTextTests
{
    private static readonly TranslationContext Context = new("u", "dev");

    [Theory]
    [InlineData("select y+-a / b, a % b, a / b / c, a/-b, nvl(a / b, c % d) from t")]
    [InlineData("select top 5 a / b, approximate count(distinct a) from t order by 1")]
    [InlineData("select dateadd(day, -90, getdate())::date, cast(nvl(a, b) as timestamp), x::varchar(3) from t")]
    [InlineData("select avg(a) over (partition by b order by c rows between 6 preceding and current row), count(*), a + 1 from t")]
    [InlineData("/* lead */ select   getdate( ) ,sysdate,current_user  -- tail\n from t where a/b > 0")]
    [InlineData("select g from generate_series(1, 3) g where g / 2 > 0")]
    [InlineData("with d as (select decode(a, 1, 'x', 'y') v, len(s) from t) select v, '20240102'::date from d")]
    [InlineData("create table t2 as select a / b, listagg(s, ',') within group (order by s) from t group by a, b")]
    public void With_the_text_the_translation_is_the_token_passes(string sql)
    {
        var tree = SqlParser.Parse(sql);
        var sites = TranslationSites.Of(tree, StatementAccess.Of(tree));
        var byTokens = RedshiftTranslator.Translate(SqlLexer.Tokenize(sql), sites, Context).Sql;
        var byText = RedshiftTranslator.Translate(sql, SqlLexer.Tokenize(sql), sites, Context).Sql;
        Assert.Equal(byTokens, byText);
        Assert.NotEqual(sql, byText);
    }

    [Fact]
    public void A_statement_with_nothing_to_rewrite_is_its_own_text()
    {
        const string sql = "select a, b  from t -- c\nwhere a = 1";
        var tree = SqlParser.Parse(sql);
        var translated = RedshiftTranslator.Translate(sql, SqlLexer.Tokenize(sql), TranslationSites.Of(tree, StatementAccess.Of(tree)), Context).Sql;
        Assert.Equal(sql, translated);
    }
}
