using LocalShift.Engine;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Tests;

/// <summary>
/// What a statement may cost the engine to plan (issue 21): the parser refuses a statement past the cluster's budget
/// with 54001, and any tree it accepts can be walked without overflowing the stack.
/// </summary>
public sealed class PlanningBudgetTests
{
    private static string UnionAll(int terms) => string.Join(" UNION ALL ", Enumerable.Range(0, terms).Select(i => $"SELECT {i} AS x"));

    [Fact]
    public void A_20000_term_union_all_is_refused_with_54001_under_a_1GB_budget()
    {
        var error = Assert.Throws<PgException>(() => SqlParser.Parse(UnionAll(20_000), null, PlanningBudget.For(1L << 30)));
        Assert.Equal("54001", error.SqlState);
        Assert.Equal("statement is too complex", error.Message);
        Assert.Contains("1 GB", error.Detail);
    }

    [Fact]
    public void The_budget_scales_with_the_memory_limit()
    {
        // 24·n² bytes: 2,000 terms take about 96 MB, within 256 MB and past 64 MB.
        Assert.IsType<QueryStatement>(SqlParser.Parse(UnionAll(2_000), null, PlanningBudget.For(256L << 20)));
        Assert.Equal("54001", Assert.Throws<PgException>(() => SqlParser.Parse(UnionAll(2_000), null, PlanningBudget.For(64L << 20))).SqlState);
        // 2 KB per operand: an IN list of 100,000 items takes about 200 MB.
        var inList = "SELECT 1 FROM t WHERE a IN (" + string.Join(",", Enumerable.Range(0, 100_000)) + ")";
        Assert.IsType<QueryStatement>(SqlParser.Parse(inList, null, PlanningBudget.For(256L << 20)));
        Assert.Equal("54001", Assert.Throws<PgException>(() => SqlParser.Parse(inList, null, PlanningBudget.For(128L << 20))).SqlState);
    }

    [Fact]
    public void Long_chains_of_or_joins_and_unions_are_walked_without_recursion()
    {
        var or = "SELECT * FROM t WHERE " + string.Join(" OR ", Enumerable.Range(0, 100_000).Select(i => $"a = {i}")) + " OR a IN (SELECT a FROM last_one)";
        Assert.Equal(["t", "last_one"], StatementAccess.Of(SqlParser.Parse(or)).Relations.Select(r => r.Name.ToString()));
        var joins = "SELECT * FROM t0" + string.Concat(Enumerable.Range(1, 50_000).Select(i => $" JOIN t{i} ON true"));
        Assert.Equal(50_001, StatementAccess.Of(SqlParser.Parse(joins)).Relations.Count);
        var union = string.Join(" UNION ALL ", Enumerable.Range(0, 50_000).Select(i => $"SELECT a FROM t{i}"));
        var relations = StatementAccess.Of(SqlParser.Parse(union)).Relations;
        Assert.Equal(("t0", "t49999"), (relations[0].Name.ToString(), relations[^1].Name.ToString()));
    }

    [Fact]
    public void A_tree_too_deep_to_walk_fails_with_54001_instead_of_ending_the_process()
    {
        // A chain of casts nests each in the next: deeper than any thread's stack can walk recursively.
        var casts = "SELECT a" + string.Concat(Enumerable.Repeat("::int", 300_000)) + " FROM t";
        var tree = SqlParser.Parse(casts);
        var error = Assert.Throws<PgException>(() => StatementAccess.Of(tree));
        Assert.Equal(("54001", "stack depth limit exceeded"), (error.SqlState, error.Message));
    }
}
