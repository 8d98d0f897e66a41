using LocalShift.Engine;
using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.RolePath;

/// <summary>A forward cursor over a statement's significant tokens, for the option lists of COPY, UNLOAD and GRANT ASSUMEROLE.</summary>
public sealed class StatementReader(IReadOnlyList<SqlToken> tokens, int position = 0)
{
    public int Position { get; set; } = position;
    public bool AtEnd => Position >= tokens.Count || tokens[Position].Kind == SqlTokenKind.Semicolon;
    public SqlToken Peek(int ahead = 0) => Position + ahead < tokens.Count ? tokens[Position + ahead] : new SqlToken(SqlTokenKind.Semicolon, ";");
    public SqlToken Next() => AtEnd ? throw SyntaxError() : tokens[Position++];
    public IReadOnlyList<SqlToken> Tokens => tokens;

    public bool Accept(string word)
    {
        if (!Peek().Is(word)) return false;
        Position++;
        return true;
    }

    public bool Accept(SqlTokenKind kind)
    {
        if (Peek().Kind != kind) return false;
        Position++;
        return true;
    }

    public void Expect(string word)
    {
        if (!Accept(word)) throw SyntaxError();
    }

    public void Expect(SqlTokenKind kind)
    {
        if (!Accept(kind)) throw SyntaxError();
    }

    /// <summary>A string literal, after an optional AS.</summary>
    public string String(string option)
    {
        Accept("AS");
        var token = Peek();
        if (token.Kind != SqlTokenKind.String)
            throw new PgException(SqlState.SyntaxError, $"{option} requires a quoted string argument, at or near \"{token.Text}\"");
        Position++;
        return token.StringValue;
    }

    /// <summary>An integer, after an optional AS.</summary>
    public long Integer(string option)
    {
        Accept("AS");
        var token = Peek();
        if (token.Kind != SqlTokenKind.Number || !long.TryParse(token.Text, out var value))
            throw new PgException(SqlState.SyntaxError, $"{option} requires an integer argument, at or near \"{token.Text}\"");
        Position++;
        return value;
    }

    /// <summary>The identifier at the cursor, with an optional schema: (schema or null, name).</summary>
    public (string? Schema, string Name) QualifiedName()
    {
        var first = Next();
        if (first.Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) throw SyntaxError(first);
        if (Peek().Kind != SqlTokenKind.Dot) return (null, first.Identifier);
        Position++;
        var second = Next();
        if (second.Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) throw SyntaxError(second);
        return (first.Identifier, second.Identifier);
    }

    public PgException SyntaxError() => SyntaxError(Peek());

    public static PgException SyntaxError(SqlToken at) => at.Kind == SqlTokenKind.Semicolon
        ? new PgException(SqlState.SyntaxError, "syntax error at end of input")
        : new PgException(SqlState.SyntaxError, $"syntax error at or near \"{at.Text}\"");
}
