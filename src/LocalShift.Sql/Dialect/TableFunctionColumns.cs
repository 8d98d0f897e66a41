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

    /// <summary>The statement's tokens with the column lists added; the same list when there is nothing to add.</summary>
    public static List<SqlToken> Name(List<SqlToken> tokens, StatementAccess access)
    {
        if (access.TableFunctions.Count == 0) return tokens;
        HashSet<int>? positions = null;
        foreach (var from in access.TableFunctions)
            if (from.Alias is { Columns.Count: 0 } alias && ReturnsOneColumn(from.Function)) (positions ??= []).Add(alias.Position);
        if (positions is null) return tokens;
        var output = new List<SqlToken>(tokens.Count + positions.Count * 3);
        var offset = 0;
        foreach (var token in tokens)
        {
            output.Add(token);
            if (positions.Contains(offset) && token.Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
            {
                output.Add(new SqlToken(SqlTokenKind.LeftParen, "("));
                output.Add(token);
                output.Add(new SqlToken(SqlTokenKind.RightParen, ")"));
            }
            offset += token.Text.Length;
        }
        return output;
    }
}
