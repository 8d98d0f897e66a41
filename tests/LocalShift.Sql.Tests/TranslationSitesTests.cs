using LocalShift.Sql.Dialect;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Tests;

/// <summary>
/// What the tree places in a statement's text (divisions, table-function aliases), moved through the text edits of the
/// external-table and external-function paths, as the engine then gets the statement.
/// </summary>
public sealed class TranslationSitesTests
{
    private static readonly TranslationContext Context = new("u", "dev");

    private static string Edited(string sql, params (string Old, string New)[] replacements)
    {
        var tree = SqlParser.Parse(sql);
        var edits = new List<(int Start, int End, string Text)>();
        var text = sql;
        foreach (var (old, replacement) in replacements) edits.Add((sql.IndexOf(old, StringComparison.Ordinal), sql.IndexOf(old, StringComparison.Ordinal) + old.Length, replacement));
        foreach (var (start, end, replacement) in edits.OrderByDescending(e => e.Start)) text = text[..start] + replacement + text[end..];
        return RedshiftTranslator.Translate(text, TranslationSites.Of(tree, StatementAccess.Of(tree)).Through(edits), Context).Sql;
    }

    [Fact]
    public void An_external_table_query_names_a_series_column_and_guards_its_divisions() =>
        Assert.Equal("SELECT g, ls_div(a , b) AS \"?column?\" FROM \"ls_view_1\" AS \"ext\", generate_series(1, 3) g(g)",
            Edited("SELECT g, a / b FROM s.ext, generate_series(1, 3) g", ("s.ext", "\"ls_view_1\" AS \"ext\"")));

    [Fact]
    public void A_division_of_a_rewritten_call_wraps_the_whole_replacement() =>
        Assert.Equal("SELECT ls_div(CAST(host(x) AS INT) , n) AS \"?column?\" FROM t",
            Edited("SELECT f(x) / n FROM t", ("f(", "CAST(host("), (")", ") AS INT)")));

    [Fact]
    public void A_division_inside_a_replaced_range_is_left_to_its_replacement() =>
        Assert.Equal("SELECT 1 AS \"?column?\", ls_div(c , d) AS \"?column?\"",
            Edited("SELECT a / b, c / d", ("a / b", "1")));
}

/// <summary>A cast to a date or time type writes its operand into the engine's text once (it is evaluated once per row).</summary>
public sealed class TemporalCastTranslationTests
{
    [Theory]
    [InlineData("SELECT CAST(random() AS date)")]
    [InlineData("SELECT random()::timestamp FROM t")]
    [InlineData("SELECT CAST(random() AS time), 1")]
    public void A_cast_operand_appears_once(string sql)
    {
        var engine = RedshiftTranslator.Translate(sql, new TranslationContext("u", "dev")).Sql;
        Assert.Equal(1, engine.Split("random()").Length - 1);
        Assert.Contains("typeof(", engine);
    }
}
