namespace LocalShift.Policy.Matching;

/// <summary>
/// A compiled IAM glob: <c>*</c> matches any run of characters (including <c>/</c> and <c>:</c>), <c>?</c> one character.
/// A character preceded by <see cref="Escape"/> is literal (policy variables produce that form for <c>${*}</c>,
/// <c>${?}</c> and substituted values).
/// </summary>
public sealed class WildcardPattern
{
    /// <summary>Marks the next character as literal in pattern text produced by <see cref="PolicyString"/>.</summary>
    public const char Escape = '\u0001';

    private enum Shape : byte { Any, Exact, Prefix, Suffix, General }

    private readonly string text;
    private readonly bool[]? literalMask;
    private readonly bool ignoreCase;
    private readonly Shape shape;
    private readonly string core;

    private WildcardPattern(string text, bool[]? literalMask, bool ignoreCase)
    {
        this.text = text;
        this.literalMask = literalMask;
        this.ignoreCase = ignoreCase;
        core = text;
        if (literalMask is null)
        {
            var stars = text.Count(c => c == '*');
            var hasQuestion = text.Contains('?');
            if (text == "*") shape = Shape.Any;
            else if (stars == 0 && !hasQuestion) shape = Shape.Exact;
            else if (stars == 1 && !hasQuestion && text[^1] == '*') { shape = Shape.Prefix; core = text[..^1]; }
            else if (stars == 1 && !hasQuestion && text[0] == '*') { shape = Shape.Suffix; core = text[1..]; }
            else shape = Shape.General;
        }
        else shape = Shape.General;
    }

    public string Text => text;
    public bool MatchesEverything => shape == Shape.Any;
    public bool HasWildcards => shape != Shape.Exact;

    public static WildcardPattern CaseSensitive(string text) => new(text, null, false);
    public static WildcardPattern CaseInsensitive(string text) => new(text, null, true);

    /// <summary>Compiles pattern text that may contain <see cref="Escape"/> marks.</summary>
    public static WildcardPattern Compile(ReadOnlySpan<char> text, bool ignoreCase)
    {
        if (text.IndexOf(Escape) < 0) return new(text.ToString(), null, ignoreCase);
        var chars = new System.Text.StringBuilder(text.Length);
        var mask = new List<bool>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var literal = text[i] == Escape && i + 1 < text.Length;
            if (literal) i++;
            chars.Append(text[i]);
            mask.Add(literal);
        }
        return new(chars.ToString(), mask.Contains(true) ? [.. mask] : null, ignoreCase);
    }

    public bool IsMatch(ReadOnlySpan<char> value)
    {
        var cmp = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return shape switch
        {
            Shape.Any => true,
            Shape.Exact => value.Equals(core, cmp),
            Shape.Prefix => value.StartsWith(core, cmp),
            Shape.Suffix => value.EndsWith(core, cmp),
            _ => Glob(value),
        };
    }

    private bool IsStar(int i) => text[i] == '*' && (literalMask is null || !literalMask[i]);
    private bool IsQuestion(int i) => text[i] == '?' && (literalMask is null || !literalMask[i]);

    private bool Same(char a, char b) =>
        a == b || (ignoreCase && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));

    // Iterative glob with single backtrack point: linear in practice, no allocation.
    private bool Glob(ReadOnlySpan<char> value)
    {
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < text.Length && IsStar(p)) { star = p++; mark = v; continue; }
            if (p < text.Length && (IsQuestion(p) || Same(text[p], value[v]))) { p++; v++; continue; }
            if (star < 0) return false;
            p = star + 1;
            v = ++mark;
        }
        while (p < text.Length && IsStar(p)) p++;
        return p == text.Length;
    }

    public override string ToString() => text;
}
