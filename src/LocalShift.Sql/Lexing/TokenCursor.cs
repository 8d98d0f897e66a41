namespace LocalShift.Sql.Lexing;

/// <summary>Small navigation helpers over a token list (trivia included).</summary>
public static class TokenCursor
{
    /// <summary>Index of the next non-trivia token after <paramref name="index"/>, or -1.</summary>
    public static int NextSignificant(IReadOnlyList<SqlToken> tokens, int index)
    {
        for (var i = index + 1; i < tokens.Count; i++) if (!tokens[i].IsTrivia) return i;
        return -1;
    }

    /// <summary>Index of the previous non-trivia token before <paramref name="index"/>, or -1.</summary>
    public static int PreviousSignificant(IReadOnlyList<SqlToken> tokens, int index)
    {
        for (var i = index - 1; i >= 0; i--) if (!tokens[i].IsTrivia) return i;
        return -1;
    }

    /// <summary>Index of the parenthesis closing the one at <paramref name="open"/> (or the last token).</summary>
    public static int MatchParen(IReadOnlyList<SqlToken> tokens, int open)
    {
        var depth = 0;
        for (var i = open; i < tokens.Count; i++)
        {
            if (tokens[i].Kind == SqlTokenKind.LeftParen) depth++;
            else if (tokens[i].Kind == SqlTokenKind.RightParen && --depth == 0) return i;
        }
        return tokens.Count - 1;
    }

    /// <summary>Splits tokens between <paramref name="from"/> and <paramref name="to"/> (exclusive) at top-level commas.</summary>
    public static List<List<SqlToken>> SplitTopLevel(IReadOnlyList<SqlToken> tokens, int from, int to)
    {
        var parts = new List<List<SqlToken>>();
        var current = new List<SqlToken>();
        var depth = 0;
        for (var i = from; i < to; i++)
        {
            var token = tokens[i];
            if (token.Kind == SqlTokenKind.LeftParen) depth++;
            else if (token.Kind == SqlTokenKind.RightParen) depth--;
            else if (token.Kind == SqlTokenKind.Comma && depth == 0)
            {
                parts.Add(current);
                current = [];
                continue;
            }
            current.Add(token);
        }
        if (current.Any(t => !t.IsTrivia) || parts.Count > 0) parts.Add(current);
        return parts;
    }

    /// <summary>Quotes an identifier for DuckDB/PostgreSQL.</summary>
    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    /// <summary>Quotes a string literal.</summary>
    public static string QuoteLiteral(string value) => "'" + value.Replace("'", "''") + "'";
}
