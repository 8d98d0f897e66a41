using LocalShift.Sql.Lexing;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Dialect;

/// <summary>
/// In PostgreSQL and Redshift, the alias of a function in FROM that returns one column names that column as well as
/// the relation: <c>SELECT g FROM generate_series(1, 3) g</c> reads the numbers. The engine would take <c>g</c> for
/// the whole row. Each such alias without a column list gets one naming the column after itself (<c>g(g)</c>), at the
/// alias's place in the tree.
/// </summary>
internal static class TableFunctionColumns
{
    /// <summary>Redshift's set-returning functions that return a single column (unnest: of one array).</summary>
    private static bool ReturnsOneColumn(FunctionExpr call) =>
        call.Name.Parts.Count == 1 && (call.Name.Name == "generate_series" || call.Name.Name == "unnest" && call.Arguments.Count == 1);

    /// <summary>Where the aliases that get a column list stand in the statement's text.</summary>
    public static IReadOnlyList<int> Aliases(StatementAccess access)
    {
        if (access.TableFunctions.Count == 0) return [];
        List<int>? positions = null;
        foreach (var from in access.TableFunctions)
            if (from.Alias is { Columns.Count: 0 } alias && ReturnsOneColumn(from.Function)) (positions ??= []).Add(alias.Position);
        return positions ?? (IReadOnlyList<int>)[];
    }

    /// <summary>The statement's tokens with the column lists added at <paramref name="aliases"/>; the same list when there are none.</summary>
    public static List<SqlToken> Name(List<SqlToken> tokens, IReadOnlyList<int> aliases)
    {
        if (aliases.Count == 0) return tokens;
        var output = new List<SqlToken>(tokens.Count + aliases.Count * 3);
        foreach (var token in tokens)
        {
            output.Add(token);
            if (token.Offset >= 0 && token.Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier && aliases.Contains(token.Offset))
            {
                output.Add(new SqlToken(SqlTokenKind.LeftParen, "("));
                output.Add(token with { Offset = -1 });
                output.Add(new SqlToken(SqlTokenKind.RightParen, ")"));
            }
        }
        return output;
    }
}
