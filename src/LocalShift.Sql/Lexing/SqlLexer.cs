namespace LocalShift.Sql.Lexing;

/// <summary>
/// Splits SQL into tokens the way PostgreSQL's scanner does for what matters here: quoted strings ('', E'',
/// $tag$), quoted identifiers, comments, parameters ($1) and punctuation. Never fails: unterminated text
/// becomes one token and the engine reports the syntax error.
/// </summary>
public static class SqlLexer
{
    public static List<SqlToken> Tokenize(string sql)
    {
        // About two tokens in five characters (words, the spaces between them, punctuation): one allocation, seldom two.
        // The tokens are written into the list's own array (its count set ahead, cut back at the end).
        var tokens = new List<SqlToken>(sql.Length / 2 + 8);
        System.Runtime.InteropServices.CollectionsMarshal.SetCount(tokens, tokens.Capacity);
        var written = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens);
        var count = 0;
        var i = 0;
        while (i < sql.Length)
        {
            var start = i;
            var c = sql[i];
            SqlTokenKind kind;
            // The commonest tokens first, told apart by one look at an ASCII table: a word (not E'…'), one space, punctuation.
            var kind0 = c < 128 ? Classes[c] : CharClass.Other;
            if (kind0 == CharClass.Word && !((c is 'E' or 'e') && At(sql, i + 1) == '\''))
            {
                i++;
                while (i < sql.Length && (sql[i] is var w && (w < 128 ? Classes[w] is CharClass.Word or CharClass.Digit or CharClass.Dollar : char.IsLetterOrDigit(w)))) i++;
                Add(ref written, ref count, tokens, new SqlToken(SqlTokenKind.Word, Text(sql, start, i - start), start));
                continue;
            }
            if (c == ' ' && (i + 1 == sql.Length || !char.IsWhiteSpace(sql[i + 1])))
            {
                // One space, the commonest token of all: the same string every time.
                i++;
                Add(ref written, ref count, tokens, new SqlToken(SqlTokenKind.Whitespace, " ", start));
                continue;
            }
            if (kind0 == CharClass.Punctuation && !(c == '.' && char.IsAsciiDigit(At(sql, i + 1))))
            {
                i++;
                Add(ref written, ref count, tokens, c switch
                {
                    '(' => new SqlToken(SqlTokenKind.LeftParen, "(", start),
                    ')' => new SqlToken(SqlTokenKind.RightParen, ")", start),
                    ',' => new SqlToken(SqlTokenKind.Comma, ",", start),
                    ';' => new SqlToken(SqlTokenKind.Semicolon, ";", start),
                    _ => new SqlToken(SqlTokenKind.Dot, ".", start),
                });
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                while (i < sql.Length && char.IsWhiteSpace(sql[i])) i++;
                kind = SqlTokenKind.Whitespace;
            }
            else if (c == '-' && At(sql, i + 1) == '-')
            {
                while (i < sql.Length && sql[i] != '\n') i++;
                kind = SqlTokenKind.Comment;
            }
            else if (c == '/' && At(sql, i + 1) == '*')
            {
                var depth = 0;
                do
                {
                    if (sql[i] == '/' && At(sql, i + 1) == '*') { depth++; i += 2; }
                    else if (sql[i] == '*' && At(sql, i + 1) == '/') { depth--; i += 2; }
                    else i++;
                } while (i < sql.Length && depth > 0);
                kind = SqlTokenKind.Comment;
            }
            else if (c == '\'' || ((c is 'E' or 'e') && At(sql, i + 1) == '\''))
            {
                var escapes = c != '\'';
                i += escapes ? 2 : 1;
                while (i < sql.Length)
                {
                    if (escapes && sql[i] == '\\') { i += 2; continue; }
                    if (sql[i] == '\'')
                    {
                        if (At(sql, i + 1) == '\'') { i += 2; continue; }
                        i++;
                        break;
                    }
                    i++;
                }
                kind = SqlTokenKind.String;
            }
            else if (c == '"')
            {
                i++;
                while (i < sql.Length)
                {
                    if (sql[i] == '"')
                    {
                        if (At(sql, i + 1) == '"') { i += 2; continue; }
                        i++;
                        break;
                    }
                    i++;
                }
                kind = SqlTokenKind.QuotedIdentifier;
            }
            else if (c == '$' && char.IsAsciiDigit(At(sql, i + 1)))
            {
                i++;
                while (i < sql.Length && char.IsAsciiDigit(sql[i])) i++;
                kind = SqlTokenKind.Parameter;
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var end = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + tag.Length;
                kind = SqlTokenKind.String;
            }
            else if (char.IsAsciiLetter(c) || c == '_' || (c > '\x7f' && char.IsLetter(c)))
            {
                i++;
                while (i < sql.Length && (sql[i] is var w && (char.IsAsciiLetterOrDigit(w) || w is '_' or '$' || (w > '\x7f' && char.IsLetterOrDigit(w))))) i++;
                kind = SqlTokenKind.Word;
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(At(sql, i + 1))))
            {
                while (i < sql.Length && (char.IsAsciiDigit(sql[i]) || sql[i] == '.')) i++;
                if (i < sql.Length && sql[i] is 'e' or 'E' && (char.IsAsciiDigit(At(sql, i + 1)) || (At(sql, i + 1) is '+' or '-' && char.IsAsciiDigit(At(sql, i + 2)))))
                {
                    i += 2;
                    while (i < sql.Length && char.IsAsciiDigit(sql[i])) i++;
                }
                kind = SqlTokenKind.Number;
            }
            else
            {
                i++;
                kind = c switch
                {
                    '(' => SqlTokenKind.LeftParen,
                    ')' => SqlTokenKind.RightParen,
                    ',' => SqlTokenKind.Comma,
                    ';' => SqlTokenKind.Semicolon,
                    '.' => SqlTokenKind.Dot,
                    _ => SqlTokenKind.Operator,
                };
                // Square brackets stand alone, as in PostgreSQL's scanner ("a[1]::int" is "]" then "::").
                if (kind == SqlTokenKind.Operator && c is not ('[' or ']'))
                    while (i < sql.Length && "+-*/<>=~!@#%^&|`?:".Contains(sql[i]) && !(sql[i] == '-' && At(sql, i + 1) == '-')) i++;
            }
            // A string literal is not kept past its statement (it may be a password): only other texts are shared.
            Add(ref written, ref count, tokens, new SqlToken(kind, kind == SqlTokenKind.String ? sql.Substring(start, i - start) : Text(sql, start, i - start), start));
        }
        System.Runtime.InteropServices.CollectionsMarshal.SetCount(tokens, count);
        return tokens;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Add(ref Span<SqlToken> written, ref int count, List<SqlToken> tokens, SqlToken token)
    {
        if (count == written.Length)
        {
            System.Runtime.InteropServices.CollectionsMarshal.SetCount(tokens, count * 2);
            written = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens);
        }
        written[count++] = token;
    }

    /// <summary>Splits on top-level semicolons; blank statements are dropped.</summary>
    public static List<string> SplitStatements(string sql) => SplitTerminated(sql).ConvertAll(s => s.Text);

    /// <summary>
    /// Splits on top-level semicolons, blank statements dropped; each statement trimmed, with the 1-based position of
    /// the semicolon that ends it counted from the statement's first character (null for a last statement without one),
    /// so that an error at that semicolon can point at it as PostgreSQL does.
    /// </summary>
    public static List<(string Text, int? Semicolon)> SplitTerminated(string sql)
    {
        var statements = new List<(string, int?)>();
        var current = new System.Text.StringBuilder();
        var significant = false;
        void Add(bool terminated)
        {
            var text = current.ToString();
            var leading = text.Length - text.TrimStart().Length;
            statements.Add((text.Trim(), terminated ? text.Length - leading + 1 : null));
        }
        foreach (var token in Tokenize(sql))
        {
            if (token.Kind == SqlTokenKind.Semicolon)
            {
                if (significant) Add(terminated: true);
                current.Clear();
                significant = false;
                continue;
            }
            current.Append(token.Text);
            if (!token.IsTrivia) significant = true;
        }
        if (significant) Add(terminated: false);
        return statements;
    }

    /// <summary>The tokens without whitespace and comments.</summary>
    public static List<SqlToken> Significant(IEnumerable<SqlToken> tokens)
    {
        var significant = tokens is IReadOnlyCollection<SqlToken> all ? new List<SqlToken>(all.Count) : [];
        foreach (var token in tokens) if (!token.IsTrivia) significant.Add(token);
        return significant;
    }

    public static string Join(IEnumerable<SqlToken> tokens) => string.Concat(tokens.Select(t => t.Text));

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private enum CharClass : byte { Other, Word, Digit, Dollar, Punctuation }

    /// <summary>ASCII characters by what they may start or continue: letters and _ start words, digits and $ continue them.</summary>
    private static readonly CharClass[] Classes = MakeClasses();

    private static CharClass[] MakeClasses()
    {
        var classes = new CharClass[128];
        for (var c = 0; c < 128; c++)
            classes[c] = char.IsAsciiLetter((char)c) || c == '_' ? CharClass.Word
                : char.IsAsciiDigit((char)c) ? CharClass.Digit
                : c == '$' ? CharClass.Dollar
                : c is '(' or ')' or ',' or ';' or '.' ? CharClass.Punctuation
                : CharClass.Other;
        return classes;
    }

    /// <summary>
    /// Texts of short tokens already handed out, by a hash of their characters: keywords, column names, punctuation and
    /// indentation repeat within a statement and across statements, and a repeat costs no new string. A slot holds the
    /// last text that hashed to it (strings are immutable, so threads may share and overwrite slots freely).
    /// </summary>
    private static readonly string?[] Texts = new string?[1024];

    private const int MaxCachedText = 32;

    private static string Text(string sql, int start, int length)
    {
        if (length > MaxCachedText) return sql.Substring(start, length);
        var span = sql.AsSpan(start, length);
        var hash = 2166136261u;
        foreach (var c in span) hash = (hash ^ (uint)c) * 16777619u;
        ref var slot = ref Texts[(hash ^ (hash >> 15)) & (Texts.Length - 1)];
        var cached = slot;
        if (cached is not null && span.SequenceEqual(cached)) return cached;
        var text = span.ToString();
        slot = text;
        return text;
    }

    private static string? DollarTag(string sql, int i)
    {
        var j = i + 1;
        while (j < sql.Length && (char.IsLetterOrDigit(sql[j]) || sql[j] == '_')) j++;
        return j < sql.Length && sql[j] == '$' ? sql[i..(j + 1)] : null;
    }
}
