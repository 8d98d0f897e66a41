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
        // The tokens are written into the thread's scratch array (about two tokens in five characters: words, the spaces
        // between them, punctuation), then copied into a list of exactly their number. This loop is kept small (the rare
        // tokens are read by Other) so that the JIT inlines what it calls.
        var scratch = t_scratch ?? new SqlToken[Math.Max(sql.Length / 2 + 8, 256)];
        t_scratch = null;
        if (scratch.Length < sql.Length / 2 + 8) scratch = new SqlToken[sql.Length / 2 + 8];
        var count = 0;
        var i = 0;
        while (i < sql.Length)
        {
            var start = i;
            var c = sql[i];
            SqlTokenKind kind;
            string text;
            // The commonest tokens first, told apart by one look at an ASCII table: a word (not E'…'), whitespace, punctuation.
            var cls = c < 128 ? (CharClass)ClassTable[c] : CharClass.Other;
            if (cls == CharClass.Word && !((c | 0x20) == 'e' && At(sql, i + 1) == '\''))
            {
                // The word's hash (that of Text's cache) is taken as it is read: its characters are looked at once.
                var hash = (2166136261u ^ c) * 16777619u;
                i = WordEnd(sql, i + 1, ref hash);
                kind = SqlTokenKind.Word;
                text = Text(sql, start, i - start, hash);
            }
            else if (cls == CharClass.Space)
            {
                // Whitespace (one space, the commonest token of all, or a line break and its indentation): hashed as read.
                var hash = (2166136261u ^ c) * 16777619u;
                i = SpaceEnd(sql, i + 1, ref hash);
                kind = SqlTokenKind.Whitespace;
                text = i - start == 1 && c == ' ' ? " " : Text(sql, start, i - start, hash);
            }
            else if (cls == CharClass.Punctuation && !(c == '.' && char.IsAsciiDigit(At(sql, i + 1))))
            {
                i++;
                (kind, text) = c switch
                {
                    '(' => (SqlTokenKind.LeftParen, "("),
                    ')' => (SqlTokenKind.RightParen, ")"),
                    ',' => (SqlTokenKind.Comma, ","),
                    ';' => (SqlTokenKind.Semicolon, ";"),
                    _ => (SqlTokenKind.Dot, "."),
                };
            }
            else
            {
                i = Other(sql, i, out kind);
                // A string literal is not kept past its statement (it may be a password): only other texts are shared.
                text = kind == SqlTokenKind.String ? sql.Substring(start, i - start) : Text(sql, start, i - start);
            }
            if (count == scratch.Length) scratch = Grow(scratch);
            scratch[count++] = new SqlToken(kind, text, start);
        }
        var tokens = new List<SqlToken>(count);
        System.Runtime.InteropServices.CollectionsMarshal.SetCount(tokens, count);
        scratch.AsSpan(0, count).CopyTo(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens));
        // The scratch array goes back emptied (a string literal is not kept past its statement), unless it grew too large.
        Array.Clear(scratch, 0, count);
        if (scratch.Length <= 16_384) t_scratch = scratch;
        return tokens;
    }

    /// <summary>
    /// Reads the token at <paramref name="i"/> that is no word, whitespace or punctuation of the ASCII fast paths (a
    /// comment, a string, a quoted identifier, a parameter, a number, an operator, or a word or whitespace that begins
    /// with a character past ASCII), and returns where it ends.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int Other(string sql, int i, out SqlTokenKind kind)
    {
        var c = sql[i];
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
        return i;
    }

    private static SqlToken[] Grow(SqlToken[] scratch)
    {
        var larger = new SqlToken[scratch.Length * 2];
        scratch.CopyTo(larger);
        Array.Clear(scratch);
        return larger;
    }

    /// <summary>
    /// Where the word whose characters before <paramref name="i"/> were read ends (letters, digits, _ and $), adding the
    /// characters read to <paramref name="hash"/> (FNV-1a, as <see cref="Text(string, int, int)"/> takes it).
    /// </summary>
    private static int WordEnd(string text, int i, ref uint hash)
    {
        var h = hash;
        for (; (uint)i < (uint)text.Length; i++)
        {
            var w = text[i];
            if (w < 128)
            {
                if ((uint)(ClassTable[w] - (byte)CharClass.Word) > CharClass.Dollar - CharClass.Word) break;
            }
            else if (!char.IsLetterOrDigit(w)) break;
            h = (h ^ w) * 16777619u;
        }
        hash = h;
        return i;
    }

    /// <summary>Where the whitespace before <paramref name="i"/> ends, its characters added to <paramref name="hash"/>, as <see cref="WordEnd"/>.</summary>
    private static int SpaceEnd(string text, int i, ref uint hash)
    {
        var h = hash;
        for (; (uint)i < (uint)text.Length; i++)
        {
            var w = text[i];
            if (w < 128 ? ClassTable[w] != (byte)CharClass.Space : !char.IsWhiteSpace(w)) break;
            h = (h ^ w) * 16777619u;
        }
        hash = h;
        return i;
    }

    /// <summary>The array a thread's last <see cref="Tokenize"/> wrote its tokens into, emptied, for its next one.</summary>
    [ThreadStatic] private static SqlToken[]? t_scratch;

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

    private enum CharClass : byte { Other, Word, Digit, Dollar, Punctuation, Space }

    /// <summary>
    /// ASCII characters by what they may start or continue: letters and _ start words, digits and $ continue them; the
    /// whitespace characters (those <see cref="char.IsWhiteSpace"/> accepts below 128). Data in the assembly, read without
    /// a bounds check or a class initialisation.
    /// </summary>
    private static ReadOnlySpan<byte> ClassTable =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 0, 0, // \t \n \v \f \r
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        5, 0, 0, 0, 3, 0, 0, 0, 4, 4, 0, 0, 4, 0, 4, 0, // space $ ( ) , .
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 4, 0, 0, 0, 0, // 0-9 ;
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // A-O
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, // P-Z _
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // a-o
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, // p-z
    ];

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
        var hash = 2166136261u;
        foreach (var c in sql.AsSpan(start, length)) hash = (hash ^ (uint)c) * 16777619u;
        return Text(sql, start, length, hash);
    }

    /// <param name="hash">The FNV-1a hash of the text's characters, as the other overload takes it.</param>
    private static string Text(string sql, int start, int length, uint hash)
    {
        if (length > MaxCachedText) return sql.Substring(start, length);
        var span = sql.AsSpan(start, length);
        ref var slot = ref Texts[(hash ^ (hash >> 15)) & (Texts.Length - 1)];
        var cached = slot;
        if (cached is not null && cached.Length == length && Same(span, cached)) return cached;
        var text = span.ToString();
        slot = text;
        return text;
    }

    /// <summary>Character-by-character equality of a short text and a string of its length (no call for a few characters).</summary>
    private static bool Same(ReadOnlySpan<char> text, string cached)
    {
        var other = cached.AsSpan(0, text.Length);
        for (var k = 0; k < text.Length; k++) if (text[k] != other[k]) return false;
        return true;
    }

    private static string? DollarTag(string sql, int i)
    {
        var j = i + 1;
        while (j < sql.Length && (char.IsLetterOrDigit(sql[j]) || sql[j] == '_')) j++;
        return j < sql.Length && sql[j] == '$' ? sql[i..(j + 1)] : null;
    }
}
