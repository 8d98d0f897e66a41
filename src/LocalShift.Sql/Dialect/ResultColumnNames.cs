using LocalShift.Sql.Lexing;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Dialect;

/// <summary>
/// Gives unaliased select-list items the names PostgreSQL (and so Redshift) gives them: a function call is named
/// after the function (<c>count</c>), a cast after the type (<c>int4</c>), CASE is <c>case</c>, anything else is
/// <c>?column?</c>. DuckDB would name them after the expression text (<c>count_star()</c>), which clients see.
/// </summary>
internal static class ResultColumnNames
{
    private static readonly HashSet<string> ClauseWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "FROM", "INTO", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "UNION", "INTERSECT", "EXCEPT", "OFFSET", "WINDOW", "QUALIFY", "FETCH",
    };

    private static readonly HashSet<string> NotAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        "NULL", "TRUE", "FALSE", "END", "IS", "NOT", "AND", "OR", "IN", "LIKE", "ILIKE", "BETWEEN", "AS", "ESCAPE", "SIMILAR",
    };

    /// <summary>
    /// The token after a statement's WITH list (<c>WITH [RECURSIVE] name [(columns)] AS (query) [, …]</c>), where its
    /// main query starts, or -1 when the list is not of that shape.
    /// </summary>
    private static int AfterWithList(List<SqlToken> tokens, int with)
    {
        var i = NextSignificant(tokens, with);
        if (i >= 0 && tokens[i].Is("RECURSIVE")) i = NextSignificant(tokens, i);
        while (i >= 0 && tokens[i].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
        {
            i = NextSignificant(tokens, i);
            if (i >= 0 && tokens[i].Kind == SqlTokenKind.LeftParen) i = NextSignificant(tokens, MatchParen(tokens, i));
            if (i < 0 || !tokens[i].Is("AS")) return -1;
            i = NextSignificant(tokens, i);
            if (i < 0 || tokens[i].Kind != SqlTokenKind.LeftParen) return -1;
            i = NextSignificant(tokens, MatchParen(tokens, i));
            if (i < 0 || tokens[i].Kind != SqlTokenKind.Comma) return i;
            i = NextSignificant(tokens, i);
        }
        return -1;
    }

    public static List<SqlToken> AddNames(List<SqlToken> tokens)
    {
        var first = NextSignificant(tokens, -1);
        if (first >= 0 && tokens[first].Is("WITH")) first = AfterWithList(tokens, first);
        if (first < 0 || !tokens[first].Is("SELECT")) return tokens;
        var start = NextSignificant(tokens, first);
        while (start >= 0 && tokens[start].IsAny("DISTINCT", "ALL", "TOP"))
        {
            var after = NextSignificant(tokens, start);
            if (tokens[start].Is("TOP") && after >= 0) after = NextSignificant(tokens, after);
            if (tokens[start].Is("DISTINCT") && after >= 0 && tokens[after].Is("ON"))
            {
                var open = NextSignificant(tokens, after);
                after = open >= 0 ? NextSignificant(tokens, MatchParen(tokens, open)) : -1;
            }
            start = after;
        }
        if (start < 0) return tokens;
        var end = tokens.Count;
        var depth = 0;
        for (var i = start; i < tokens.Count; i++)
        {
            if (tokens[i].Kind == SqlTokenKind.LeftParen) depth++;
            else if (tokens[i].Kind == SqlTokenKind.RightParen) depth--;
            else if (depth == 0 && (tokens[i].Kind == SqlTokenKind.Semicolon || (tokens[i].Kind == SqlTokenKind.Word && ClauseWords.Contains(tokens[i].Text) && !IsWithinGroup(tokens, i))))
            {
                end = i;
                break;
            }
        }

        var output = tokens.Take(start).ToList();
        var itemStart = start;
        depth = 0;
        for (var i = start; i <= end; i++)
        {
            var atComma = i < end && tokens[i].Kind == SqlTokenKind.Comma && depth == 0;
            if (i < end && tokens[i].Kind == SqlTokenKind.LeftParen) depth++;
            else if (i < end && tokens[i].Kind == SqlTokenKind.RightParen) depth--;
            if (!atComma && i < end) continue;
            var item = tokens.GetRange(itemStart, i - itemStart);
            output.AddRange(item);
            if (NameOf(SqlLexer.Significant(item)) is { } name)
            {
                var trailing = output.Count;
                while (trailing > 0 && output[trailing - 1].IsTrivia) trailing--;
                output.Insert(trailing, new SqlToken(SqlTokenKind.QuotedIdentifier, " AS " + QuoteIdentifier(name)));
            }
            if (atComma) output.Add(tokens[i]);
            itemStart = i + 1;
        }
        output.AddRange(tokens.Skip(end));
        return output;
    }

    private static bool IsWithinGroup(List<SqlToken> tokens, int i) =>
        tokens[i].Is("GROUP") && PreviousSignificant(tokens, i) is var previous && previous >= 0 && tokens[previous].Is("WITHIN");

    private static string? NameOf(List<SqlToken> s)
    {
        if (s.Count == 0) return null;
        var last = s[^1];
        if (last.Text == "*") return null;
        if (s.Count >= 2 && s[^2].Is("AS")) return null;
        if (s.Count >= 2 && last.Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier && !NotAliases.Contains(last.Text))
        {
            var previous = s[^2];
            if (previous.Kind is SqlTokenKind.RightParen or SqlTokenKind.Number or SqlTokenKind.String or SqlTokenKind.Parameter or SqlTokenKind.QuotedIdentifier
                || (previous.Kind == SqlTokenKind.Word && !NotAliases.Contains(previous.Text)))
                return null; // "expr alias"
        }
        if (IsColumnReference(s)) return null;
        if (s.Count == 1 && s[0].Kind == SqlTokenKind.Word)
            return s[0].Text.ToUpperInvariant() switch
            {
                "SYSDATE" => "timestamp",
                "CURRENT_USER" or "SESSION_USER" or "CURRENT_DATE" or "CURRENT_TIMESTAMP" or "CURRENT_TIME" or "LOCALTIMESTAMP" or "USER" or "CURRENT_USER_ID" => s[0].Text.ToLowerInvariant(),
                "TRUE" or "FALSE" => "bool",
                _ => "?column?",
            };
        var cast = LastTopLevelCast(s);
        if (cast >= 0) return TypeName(s.Skip(cast + 1).ToList());
        if (s[0].Is("CASE")) return "case";
        if (s[0].Kind == SqlTokenKind.Word && s.Count >= 3 && s[1].Kind == SqlTokenKind.LeftParen && EndOfCall(s, MatchParen(s, 1)) == s.Count - 1)
        {
            if (s[0].Is("CAST"))
            {
                var asAt = s.FindLastIndex(t => t.Is("AS"));
                return asAt > 0 ? TypeName(s.GetRange(asAt + 1, s.Count - asAt - 2)) : "?column?";
            }
            return s[0].Text.ToLowerInvariant();
        }
        return "?column?";
    }

    /// <summary>A call may go on with WITHIN GROUP (...), FILTER (...) and OVER (...) or OVER name; returns where it ends.</summary>
    private static int EndOfCall(List<SqlToken> s, int close)
    {
        var i = close;
        while (i + 1 < s.Count)
        {
            if (s[i + 1].Is("WITHIN") && i + 3 < s.Count && s[i + 2].Is("GROUP") && s[i + 3].Kind == SqlTokenKind.LeftParen) i = MatchParen(s, i + 3);
            else if (s[i + 1].Is("FILTER") && i + 2 < s.Count && s[i + 2].Kind == SqlTokenKind.LeftParen) i = MatchParen(s, i + 2);
            else if (s[i + 1].IsAny("IGNORE", "RESPECT") && i + 2 < s.Count && s[i + 2].Is("NULLS")) i += 2;
            else if (s[i + 1].Is("OVER") && i + 2 < s.Count)
                i = s[i + 2].Kind == SqlTokenKind.LeftParen ? MatchParen(s, i + 2) : i + 2;
            else break;
        }
        return i;
    }

    private static bool IsColumnReference(List<SqlToken> s)
    {
        for (var i = 0; i < s.Count; i++)
        {
            var expectName = i % 2 == 0;
            if (expectName && s[i].Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) return false;
            if (!expectName && s[i].Kind != SqlTokenKind.Dot) return false;
        }
        return s.Count % 2 == 1 && (s.Count > 1 || s[0].Kind == SqlTokenKind.QuotedIdentifier || !IsKeywordValue(s[0]));
    }

    private static bool IsKeywordValue(SqlToken token) =>
        token.IsAny("SYSDATE", "CURRENT_USER", "CURRENT_USER_ID", "SESSION_USER", "CURRENT_DATE", "CURRENT_TIMESTAMP", "CURRENT_TIME", "LOCALTIMESTAMP", "USER", "TRUE", "FALSE", "NULL");

    private static int LastTopLevelCast(List<SqlToken> s)
    {
        var depth = 0;
        var found = -1;
        for (var i = 0; i < s.Count; i++)
        {
            if (s[i].Kind == SqlTokenKind.LeftParen) depth++;
            else if (s[i].Kind == SqlTokenKind.RightParen) depth--;
            else if (depth == 0 && s[i].Text == "::") found = i;
            else if (depth == 0 && s[i].Kind == SqlTokenKind.Operator && found >= 0) return -1; // a cast inside a larger expression
        }
        return found;
    }

    /// <summary>PostgreSQL's internal name of a type as written in a cast.</summary>
    private static string TypeName(List<SqlToken> type)
    {
        var words = type.TakeWhile(t => t.Kind == SqlTokenKind.Word).Select(t => t.Text.ToLowerInvariant()).ToList();
        var name = string.Join(' ', words);
        return name switch
        {
            "int" or "integer" or "int4" => "int4",
            "bigint" or "int8" => "int8",
            "smallint" or "int2" => "int2",
            "varchar" or "character varying" or "nvarchar" => "varchar",
            "char" or "character" or "nchar" or "bpchar" => "bpchar",
            "bool" or "boolean" => "bool",
            "float" or "float8" or "double precision" or "double" => "float8",
            "real" or "float4" => "float4",
            "decimal" or "numeric" => "numeric",
            "timestamp without time zone" => "timestamp",
            "timestamp with time zone" => "timestamptz",
            "" => "?column?",
            _ => words[0],
        };
    }
}
