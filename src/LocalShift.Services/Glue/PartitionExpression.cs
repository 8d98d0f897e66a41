using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LocalShift.Services.Glue.Shapes;

namespace LocalShift.Services.Glue;

/// <summary>
/// GetPartitions' <c>Expression</c>: the SQL-like predicate on partition keys AWS documents (=, &lt;&gt;, !=, &lt;,
/// &gt;, &lt;=, &gt;=, AND, OR, NOT, parentheses, IN, BETWEEN, LIKE, IS [NOT] NULL), lexed and parsed once into a
/// tree whose column references are bound to the table's partition keys. Keys of a numeric type compare as numbers,
/// every other key as text (an ISO date compares correctly as text).
/// </summary>
public abstract record PartitionExpression
{
    /// <summary>True when the partition with these values (in the order of the table's partition keys) matches.</summary>
    public abstract bool Matches(IReadOnlyList<string> values);

    /// <summary>Parses <paramref name="text"/> against the table's partition keys; throws InvalidInputException.</summary>
    public static PartitionExpression Parse(string text, IReadOnlyList<Column> keys) => new Parser(text, keys).ParseAll();

    private static readonly HashSet<string> NumericTypes =
        new(["tinyint", "smallint", "int", "integer", "bigint", "float", "double", "real"], StringComparer.OrdinalIgnoreCase);

    internal static bool IsNumeric(string? type) =>
        type is not null && (NumericTypes.Contains(type) || type.StartsWith("decimal", StringComparison.OrdinalIgnoreCase));

    // ---- The tree ----

    internal sealed record And(PartitionExpression Left, PartitionExpression Right) : PartitionExpression
    {
        public override bool Matches(IReadOnlyList<string> values) => Left.Matches(values) && Right.Matches(values);
    }

    internal sealed record Or(PartitionExpression Left, PartitionExpression Right) : PartitionExpression
    {
        public override bool Matches(IReadOnlyList<string> values) => Left.Matches(values) || Right.Matches(values);
    }

    internal sealed record Not(PartitionExpression Inner) : PartitionExpression
    {
        public override bool Matches(IReadOnlyList<string> values) => !Inner.Matches(values);
    }

    /// <summary>A key's value or a literal.</summary>
    internal abstract record Operand
    {
        public abstract string? Value(IReadOnlyList<string> values);
        public abstract bool Numeric { get; }
    }

    internal sealed record KeyRef(int Index, bool IsNumericKey) : Operand
    {
        public override string? Value(IReadOnlyList<string> values) => Index < values.Count ? values[Index] : null;
        public override bool Numeric => IsNumericKey;
    }

    internal sealed record Literal(string Text) : Operand
    {
        public override string? Value(IReadOnlyList<string> values) => Text;
        public override bool Numeric => false;
    }

    internal sealed record Comparison(Operand Left, string Op, Operand Right) : PartitionExpression
    {
        public override bool Matches(IReadOnlyList<string> values)
        {
            var l = Left.Value(values);
            var r = Right.Value(values);
            if (l is null || r is null) return false;
            int? cmp = Compare(l, r, Left.Numeric || Right.Numeric);
            if (cmp is null) return false;
            return Op switch
            {
                "=" => cmp == 0,
                "<>" or "!=" => cmp != 0,
                "<" => cmp < 0,
                ">" => cmp > 0,
                "<=" => cmp <= 0,
                _ => cmp >= 0,
            };
        }
    }

    internal sealed record In(Operand Subject, IReadOnlyList<Operand> Items) : PartitionExpression
    {
        public override bool Matches(IReadOnlyList<string> values) =>
            Items.Any(i => new Comparison(Subject, "=", i).Matches(values));
    }

    internal sealed record Between(Operand Subject, Operand Low, Operand High) : PartitionExpression
    {
        public override bool Matches(IReadOnlyList<string> values) =>
            new Comparison(Subject, ">=", Low).Matches(values) && new Comparison(Subject, "<=", High).Matches(values);
    }

    internal sealed record Like(Operand Subject, Regex Pattern) : PartitionExpression
    {
        public override bool Matches(IReadOnlyList<string> values) => Subject.Value(values) is { } v && Pattern.IsMatch(v);
    }

    internal sealed record IsNull(Operand Subject) : PartitionExpression
    {
        // A partition value is never null in the catalog; the test is kept so that expressions written for Hive parse.
        public override bool Matches(IReadOnlyList<string> values) => Subject.Value(values) is null;
    }

    private static int? Compare(string l, string r, bool numeric)
    {
        if (!numeric) return string.CompareOrdinal(l, r) switch { < 0 => -1, > 0 => 1, _ => 0 };
        if (decimal.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            && decimal.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out var b))
            return a.CompareTo(b);
        return null;
    }

    // ---- Lexer and parser ----

    private enum Kind { Ident, String, Number, Op, LParen, RParen, Comma, End }

    private readonly record struct Token(Kind Kind, string Text, int At);

    private sealed class Parser
    {
        private readonly string _text;
        private readonly IReadOnlyList<Column> _keys;
        private readonly List<Token> _tokens;
        private int _pos;

        public Parser(string text, IReadOnlyList<Column> keys)
        {
            _text = text;
            _keys = keys;
            _tokens = Lex(text);
        }

        public PartitionExpression ParseAll()
        {
            var e = ParseOr();
            if (Peek.Kind != Kind.End) throw Error($"unexpected '{Peek.Text}'", Peek.At);
            return e;
        }

        private Token Peek => _tokens[_pos];
        private Token Next() => _tokens[_pos++];
        private bool IsWord(string word) => Peek.Kind == Kind.Ident && Peek.Text.Equals(word, StringComparison.OrdinalIgnoreCase);

        private bool TakeWord(string word)
        {
            if (!IsWord(word)) return false;
            _pos++;
            return true;
        }

        private void ExpectWord(string word)
        {
            if (!TakeWord(word)) throw Error($"expected {word}", Peek.At);
        }

        private void Expect(Kind kind, string what)
        {
            if (Peek.Kind != kind) throw Error($"expected {what}", Peek.At);
            _pos++;
        }

        private PartitionExpression ParseOr()
        {
            var left = ParseAnd();
            while (TakeWord("OR")) left = new Or(left, ParseAnd());
            return left;
        }

        private PartitionExpression ParseAnd()
        {
            var left = ParseNot();
            while (TakeWord("AND")) left = new And(left, ParseNot());
            return left;
        }

        private PartitionExpression ParseNot()
        {
            if (TakeWord("NOT")) return new Not(ParseNot());
            if (Peek.Kind == Kind.LParen)
            {
                // A parenthesized predicate; an operand never starts with a parenthesis.
                _pos++;
                var inner = ParseOr();
                Expect(Kind.RParen, "')'");
                return inner;
            }
            return ParsePredicate();
        }

        private PartitionExpression ParsePredicate()
        {
            var subject = ParseOperand();
            if (Peek.Kind == Kind.Op)
            {
                var op = Next().Text;
                return new Comparison(subject, op, ParseOperand());
            }
            if (TakeWord("IS"))
            {
                var negated = TakeWord("NOT");
                ExpectWord("NULL");
                PartitionExpression isNull = new IsNull(subject);
                return negated ? new Not(isNull) : isNull;
            }
            var not = TakeWord("NOT");
            PartitionExpression result;
            if (TakeWord("IN"))
            {
                Expect(Kind.LParen, "'(' after IN");
                var items = new List<Operand> { ParseOperand() };
                while (Peek.Kind == Kind.Comma)
                {
                    _pos++;
                    items.Add(ParseOperand());
                }
                Expect(Kind.RParen, "')'");
                result = new In(subject, items);
            }
            else if (TakeWord("BETWEEN"))
            {
                var low = ParseOperand();
                ExpectWord("AND");
                result = new Between(subject, low, ParseOperand());
            }
            else if (TakeWord("LIKE"))
            {
                var at = Peek.At;
                if (Peek.Kind != Kind.String) throw Error("expected a quoted pattern after LIKE", at);
                result = new Like(subject, LikePattern(Next().Text));
            }
            else throw Error("expected a comparison, IN, BETWEEN, LIKE or IS", Peek.At);
            return not ? new Not(result) : result;
        }

        private Operand ParseOperand()
        {
            var t = Next();
            switch (t.Kind)
            {
                case Kind.String:
                case Kind.Number:
                    return new Literal(t.Text);
                case Kind.Ident:
                    for (var i = 0; i < _keys.Count; i++)
                        if (string.Equals(_keys[i].Name, t.Text, StringComparison.OrdinalIgnoreCase))
                            return new KeyRef(i, IsNumeric(_keys[i].Type));
                    // unverified: AWS's text.
                    throw GlueErrors.InvalidInput($"Unknown column '{t.Text}' in the partition expression: the table's partition keys are {KeyList()}.");
                default:
                    throw Error(t.Kind == Kind.End ? "unexpected end of the expression" : $"unexpected '{t.Text}'", t.At);
            }
        }

        private string KeyList() => _keys.Count == 0 ? "none" : string.Join(", ", _keys.Select(k => k.Name));

        private static Regex LikePattern(string pattern)
        {
            var sb = new StringBuilder("^");
            foreach (var ch in pattern)
                sb.Append(ch switch { '%' => ".*", '_' => ".", _ => Regex.Escape(ch.ToString()) });
            return new Regex(sb.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }

        private Core.AwsException Error(string what, int at) =>
            // unverified: AWS's text.
            GlueErrors.InvalidInput($"Unsupported expression '{_text}': {what} at position {at + 1}.");

        private List<Token> Lex(string s)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < s.Length)
            {
                var ch = s[i];
                if (char.IsWhiteSpace(ch)) { i++; continue; }
                var start = i;
                if (ch == '\'')
                {
                    var sb = new StringBuilder();
                    i++;
                    while (true)
                    {
                        if (i >= s.Length) throw Error("unterminated string", start);
                        if (s[i] == '\'')
                        {
                            if (i + 1 < s.Length && s[i + 1] == '\'') { sb.Append('\''); i += 2; continue; }
                            i++;
                            break;
                        }
                        sb.Append(s[i++]);
                    }
                    tokens.Add(new Token(Kind.String, sb.ToString(), start));
                }
                else if (ch == '`' || ch == '"')
                {
                    var end = s.IndexOf(ch, i + 1);
                    if (end < 0) throw Error("unterminated quoted name", start);
                    tokens.Add(new Token(Kind.Ident, s[(i + 1)..end], start));
                    i = end + 1;
                }
                else if (char.IsDigit(ch) || (ch is '-' or '+' && i + 1 < s.Length && char.IsDigit(s[i + 1])))
                {
                    i++;
                    while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.')) i++;
                    tokens.Add(new Token(Kind.Number, s[start..i], start));
                }
                else if (char.IsLetter(ch) || ch == '_')
                {
                    while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
                    tokens.Add(new Token(Kind.Ident, s[start..i], start));
                }
                else if (ch == '(') { tokens.Add(new Token(Kind.LParen, "(", i++)); }
                else if (ch == ')') { tokens.Add(new Token(Kind.RParen, ")", i++)); }
                else if (ch == ',') { tokens.Add(new Token(Kind.Comma, ",", i++)); }
                else
                {
                    string? op = null;
                    foreach (var candidate in (string[])["<>", "!=", "<=", ">=", "=", "<", ">"])
                        if (string.CompareOrdinal(s, i, candidate, 0, candidate.Length) == 0) { op = candidate; break; }
                    if (op is null) throw Error($"unexpected '{ch}'", i);
                    tokens.Add(new Token(Kind.Op, op, i));
                    i += op.Length;
                }
            }
            tokens.Add(new Token(Kind.End, "", s.Length));
            return tokens;
        }
    }
}
