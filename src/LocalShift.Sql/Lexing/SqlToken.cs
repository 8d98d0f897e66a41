namespace LocalShift.Sql.Lexing;

public enum SqlTokenKind
{
    Word,
    QuotedIdentifier,
    String,
    Number,
    Parameter,
    Operator,
    LeftParen,
    RightParen,
    Comma,
    Semicolon,
    Dot,
    Whitespace,
    Comment,
}

/// <summary>
/// A lexical token with its exact source text, so statements can be rewritten and put back together, and where it
/// stands in the text it was lexed from (<paramref name="Offset"/>, 0-based; -1 for a token a rewrite made), so that
/// what the parse tree found at a position can be applied to the tokens that a rewrite passed on.
/// </summary>
public readonly record struct SqlToken(SqlTokenKind Kind, string Text, int Offset = -1)
{
    public bool IsTrivia => Kind is SqlTokenKind.Whitespace or SqlTokenKind.Comment;

    /// <summary>True for an unquoted word equal (ignoring case) to <paramref name="word"/>.</summary>
    public bool Is(string word) => Kind == SqlTokenKind.Word && Text.Equals(word, StringComparison.OrdinalIgnoreCase);

    public bool IsAny(params ReadOnlySpan<string> words)
    {
        foreach (var word in words) if (Is(word)) return true;
        return false;
    }

    /// <summary>The identifier this token names: unquoted words fold to lower case, quoted ones keep their case.</summary>
    public string Identifier => Kind == SqlTokenKind.QuotedIdentifier
        ? Text[1..^1].Replace("\"\"", "\"")
        : Text.ToLowerInvariant();

    /// <summary>The value of a string literal.</summary>
    public string StringValue
    {
        get
        {
            if (Text.StartsWith('$')) { var tag = Text.IndexOf('$', 1) + 1; return Text[tag..^tag]; }
            if (Text[0] is 'E' or 'e') return Text[2..^1].Replace("''", "'").Replace("\\'", "'").Replace("\\\\", "\\");
            return Text[1..^1].Replace("''", "'");
        }
    }

    public override string ToString() => Text;
}
