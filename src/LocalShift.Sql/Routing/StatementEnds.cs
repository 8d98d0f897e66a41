using LocalShift.Engine;
using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.Routing;

/// <summary>
/// The semicolons that ended the statements of a session's last Query message. A statement is split off its semicolon
/// before it is parsed, so a parser that runs out of tokens says "at end of input"; PostgreSQL and Redshift parse the
/// message whole and point at the semicolon instead (<c>select 1 +;</c>: <c>syntax error at or near ";"</c>). Only a
/// statement that really ended at its semicolon gets that text: one sent alone without it (psql -c, or a driver's
/// Parse message, which carries no semicolon) keeps "at end of input", as PostgreSQL answers it.
/// </summary>
internal sealed class StatementEnds
{
    private const string AtEnd = "syntax error at end of input";

    private readonly Dictionary<string, int> _semicolons = new(StringComparer.Ordinal);

    /// <summary>Splits a Query message's text into statements and remembers where each one's semicolon stood.</summary>
    public IReadOnlyList<string> Split(string sql)
    {
        _semicolons.Clear();
        var statements = SqlLexer.SplitTerminated(sql);
        var texts = new List<string>(statements.Count);
        foreach (var (text, semicolon) in statements)
        {
            texts.Add(text);
            if (semicolon is { } position) _semicolons.TryAdd(text, position);
        }
        return texts;
    }

    /// <summary>The position of the semicolon that ended this statement of the last Query message, once (null: none).</summary>
    public int? Take(string sql) => _semicolons.Remove(sql, out var position) ? position : null;

    // unverified: PostgreSQL's text and position, taken to be Redshift's (its parser is PostgreSQL's); not checked against a cluster.
    /// <summary>The error a client sees: running out of tokens at a statement's semicolon is an error at the semicolon.</summary>
    public static Exception Explain(Exception e, int? semicolon) =>
        semicolon is { } position && e is PgException { SqlState: SqlState.SyntaxError, Message: AtEnd }
            ? new PgException(SqlState.SyntaxError, "syntax error at or near \";\"") { Position = position }
            : e;
}
