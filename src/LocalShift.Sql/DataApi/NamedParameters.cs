using System.Globalization;
using LocalShift.Engine;
using LocalShift.Services.RedshiftData;
using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.DataApi;

/// <summary>
/// The Data API's named parameters: <c>:name</c> in the statement becomes <c>$n</c>, bound to the named value as an
/// untyped literal, so the engine casts it where it is used (<c>id = :id</c> compares as a number), as Redshift does
/// with the text values the API carries. Read from the statement's tokens: a colon inside a string, a quoted name, a
/// comment or a <c>::</c> cast is not a parameter.
/// </summary>
public static class NamedParameters
{
    /// <summary>The statement with <c>$n</c> in place of each <c>:name</c>, and the values in <c>$n</c> order.</summary>
    public static (string Sql, List<string> Values) Bind(string sql, IReadOnlyList<NamedParameter> parameters)
    {
        var tokens = SqlLexer.Tokenize(sql);
        if (tokens.Any(t => t.Kind == SqlTokenKind.Parameter))
            // unverified: Redshift's text; the Data API binds names only.
            throw new PgException(SqlState.SyntaxError, "positional parameters ($1) are not supported by the Data API; use :name parameters");
        var order = new List<string>();
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var next = i + 1 < tokens.Count ? tokens[i + 1] : default;
            if (token.Kind == SqlTokenKind.Operator && token.Text.EndsWith(':') && !token.Text.EndsWith("::", StringComparison.Ordinal)
                && next.Kind == SqlTokenKind.Word)
            {
                var name = next.Text;
                var at = order.IndexOf(name);
                if (at < 0)
                {
                    if (!parameters.Any(p => p.Name == name))
                        // unverified: the Data API's text.
                        throw new PgException(SqlState.UndefinedParameter, $"no value was given for the parameter :{name}");
                    order.Add(name);
                    at = order.Count - 1;
                }
                text.Append(token.Text[..^1]).Append('$').Append((at + 1).ToString(CultureInfo.InvariantCulture));
                i++;
                continue;
            }
            text.Append(token.Text);
        }
        return (text.ToString(), order.Select(n => parameters.First(p => p.Name == n).Value).ToList());
    }
}
