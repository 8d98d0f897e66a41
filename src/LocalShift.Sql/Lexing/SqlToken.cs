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
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool Is(string word) => Kind == SqlTokenKind.Word && Text.Length == word.Length && EqualsIgnoringCase(Text, word);

    /// <summary>
    /// Ordinal equality ignoring case, as <see cref="StringComparison.OrdinalIgnoreCase"/> compares, of two strings of one
    /// length: ASCII compared here (the keywords are ASCII), any other character left to the framework's comparison.
    /// </summary>
    private static bool EqualsIgnoringCase(string text, string word)
    {
        for (var k = 0; k < word.Length; k++)
        {
            var c = text[k];
            var w = word[k];
            if (c == w) continue;
            if ((c | w) > 0x7f) return text.Equals(word, StringComparison.OrdinalIgnoreCase);
            var folded = c | 0x20;
            if (folded != (w | 0x20) || (uint)(folded - 'a') > 'z' - 'a') return false;
        }
        return true;
    }

    public bool IsAny(params ReadOnlySpan<string> words)
    {
        foreach (var word in words) if (Is(word)) return true;
        return false;
    }

    /// <summary>The identifier this token names: unquoted words fold to lower case, quoted ones keep their case.</summary>
    public string Identifier => Kind == SqlTokenKind.QuotedIdentifier
        ? Text[1..^1].Replace("\"\"", "\"")
        : Folded(Text);

    /// <summary>Lower-case forms of words already folded, by the word's string (the lexer hands out one string per repeated text).</summary>
    private static readonly Fold?[] Folds = new Fold?[256];

    private sealed record Fold(string Word, string Lower);

    /// <summary><paramref name="word"/> in lower case: itself when it has no upper-case letter (most names), else folded once per word.</summary>
    private static string Folded(string word)
    {
        if (IsLowerAscii(word)) return word;
        ref var slot = ref Folds[System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(word) & (Folds.Length - 1)];
        var fold = slot;
        if (fold is not null && ReferenceEquals(fold.Word, word)) return fold.Lower;
        var lower = word.ToLowerInvariant();
        slot = new Fold(word, lower);
        return lower;
    }

    /// <summary>Whether every character is ASCII and none is an upper-case letter (one pass; names are short).</summary>
    private static bool IsLowerAscii(string word)
    {
        foreach (var c in word)
            if ((uint)(c - 'A') <= 'Z' - 'A' || c > '\x7f') return false;
        return true;
    }

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
