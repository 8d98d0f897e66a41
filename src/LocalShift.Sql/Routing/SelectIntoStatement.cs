using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.Routing;

/// <summary>
/// <c>SELECT list INTO [TEMP | TEMPORARY] [TABLE] name FROM ...</c>, Redshift's (and PostgreSQL's) other spelling of
/// CREATE TABLE ... AS: the INTO clause of the outermost SELECT moves to the front, nothing else changes.
/// </summary>
internal static class SelectIntoStatement
{
    /// <summary>The statement as <c>CREATE [TEMP] TABLE name AS SELECT ...</c>; null when its INTO is not where it belongs.</summary>
    public static string? CreateTableAs(List<SqlToken> tokens)
    {
        var depth = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind == SqlTokenKind.LeftParen) depth++;
            else if (token.Kind == SqlTokenKind.RightParen) depth--;
            if (depth != 0 || !token.Is("INTO")) continue;
            var at = Next(tokens, i);
            var temporary = false;
            if (at >= 0 && tokens[at].IsAny("TEMP", "TEMPORARY")) { temporary = true; at = Next(tokens, at); }
            if (at >= 0 && tokens[at].Is("TABLE")) at = Next(tokens, at);
            if (at < 0 || tokens[at].Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) return null;
            var nameStart = at;
            var nameEnd = at;
            while (Next(tokens, nameEnd) is var dot and >= 0 && tokens[dot].Kind == SqlTokenKind.Dot && Next(tokens, dot) is var part and >= 0)
                nameEnd = part;
            var name = SqlLexer.Join(tokens.GetRange(nameStart, nameEnd - nameStart + 1));
            var query = SqlLexer.Join(tokens.Take(i)) + " " + SqlLexer.Join(tokens.Skip(nameEnd + 1));
            return $"CREATE {(temporary ? "TEMP " : "")}TABLE {name} AS {query.Trim()}";
        }
        return null;
    }

    private static int Next(List<SqlToken> tokens, int i)
    {
        for (var j = i + 1; j < tokens.Count; j++)
            if (!tokens[j].IsTrivia) return j;
        return -1;
    }
}
