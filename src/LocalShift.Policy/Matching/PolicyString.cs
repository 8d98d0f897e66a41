using System.Text;
using LocalShift.Policy.Evaluation;

namespace LocalShift.Policy.Matching;

/// <summary>
/// A string from a Resource or condition value, with its policy variables (<c>${aws:username}</c>,
/// <c>${aws:PrincipalTag/team, 'none'}</c>, <c>${*}</c>, <c>${?}</c>, <c>${$}</c>) parsed once.
/// Only documents of Version 2012-10-17 have variables; in older ones the text is literal.
/// </summary>
public sealed class PolicyString
{
    private readonly Part[]? parts;

    private PolicyString(string raw, Part[]? parts)
    {
        Raw = raw;
        this.parts = parts;
    }

    public string Raw { get; }
    public bool IsConstant => parts is null;
    /// <summary>The condition keys the variables read, for explaining missing context.</summary>
    public IEnumerable<string> VariableKeys => parts?.Where(p => p.Key is not null).Select(p => p.Key!) ?? [];

    public static PolicyString Literal(string raw) => new(raw, null);

    /// <summary>Parses variables; returns null and an error text when a <c>${</c> is not closed or is empty.</summary>
    public static PolicyString Parse(string raw, bool variablesEnabled, out string? error)
    {
        error = null;
        if (!variablesEnabled || !raw.Contains("${", StringComparison.Ordinal)) return new(raw, null);
        var list = new List<Part>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < raw.Length)
        {
            if (raw[i] == '$' && i + 1 < raw.Length && raw[i + 1] == '{')
            {
                var close = raw.IndexOf('}', i + 2);
                if (close < 0)
                {
                    error = $"the policy variable starting at position {i} is not closed with '}}'";
                    return new(raw, null);
                }
                var inner = raw.AsSpan(i + 2, close - i - 2).Trim();
                if (literal.Length > 0) { list.Add(Part.Text(literal.ToString())); literal.Clear(); }
                if (inner is "*" or "?" or "$") list.Add(Part.Escape(inner[0]));
                else
                {
                    string key;
                    string? fallback = null;
                    var comma = inner.IndexOf(',');
                    if (comma >= 0)
                    {
                        key = inner[..comma].Trim().ToString();
                        var def = inner[(comma + 1)..].Trim();
                        if (def.Length < 2 || def[0] != '\'' || def[^1] != '\'')
                        {
                            error = $"the default of policy variable ${{{inner}}} must be in single quotes";
                            return new(raw, null);
                        }
                        fallback = def[1..^1].ToString();
                    }
                    else key = inner.ToString();
                    if (key.Length == 0)
                    {
                        error = "a policy variable has no key";
                        return new(raw, null);
                    }
                    list.Add(Part.Variable(key, fallback));
                }
                i = close + 1;
                continue;
            }
            literal.Append(raw[i]);
            i++;
        }
        if (literal.Length > 0) list.Add(Part.Text(literal.ToString()));
        return new(raw, [.. list]);
    }

    /// <summary>
    /// Substitutes the variables from the request. Returns false when a variable has neither a value nor a default
    /// (AWS then treats the element as not matching). With <paramref name="escapeWildcards"/>, every <c>*</c> and
    /// <c>?</c> that must stay literal (from <c>${*}</c>, <c>${?}</c> and substituted values) is preceded by
    /// <see cref="WildcardPattern.Escape"/>, the form <see cref="WildcardPattern"/> and <see cref="ArnPattern"/> compile.
    /// </summary>
    public bool TryResolve(RequestContext context, bool escapeWildcards, out string text)
    {
        if (parts is null)
        {
            text = Raw;
            return true;
        }
        if (!TryResolve(context, escapeWildcards, out ReadOnlySpan<char> span))
        {
            text = "";
            return false;
        }
        text = span.ToString();
        return true;
    }

    [ThreadStatic] private static char[]? buffer;

    /// <summary>
    /// Same as the string overload but writes into a per-thread buffer: the span is valid until the next call on
    /// this thread. Lets callers look compiled forms up without allocating.
    /// </summary>
    public bool TryResolve(RequestContext context, bool escapeWildcards, out ReadOnlySpan<char> text)
    {
        if (parts is null)
        {
            text = Raw;
            return true;
        }
        var buf = buffer ??= new char[256];
        var length = 0;
        foreach (var part in parts)
        {
            var value = part.Kind == PartKind.Variable ? context.Single(part.Key!) ?? part.Value : part.Value;
            if (value is null)
            {
                text = default;
                return false;
            }
            var literal = part.Kind != PartKind.Text && escapeWildcards;
            foreach (var c in value)
            {
                if (length + 2 > buf.Length) Array.Resize(ref buf, buf.Length * 2);
                if (literal && c is '*' or '?' or WildcardPattern.Escape) buf[length++] = WildcardPattern.Escape;
                buf[length++] = c;
            }
        }
        buffer = buf;
        text = buf.AsSpan(0, length);
        return true;
    }

    public override string ToString() => Raw;

    private enum PartKind : byte { Text, Escape, Variable }

    private sealed record Part(PartKind Kind, string? Value, string? Key)
    {
        public static Part Text(string s) => new(PartKind.Text, s, null);
        public static Part Escape(char c) => new(PartKind.Escape, c.ToString(), null);
        public static Part Variable(string key, string? fallback) => new(PartKind.Variable, fallback, key);
    }
}
