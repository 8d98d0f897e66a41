using LocalShift.Sql.Lexing;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Dialect;

/// <summary>
/// Redshift raises <c>division by zero</c> (22012) for <c>x / 0</c> and <c>x % 0</c>; DuckDB answers NULL. Each
/// <c>a / b</c> and <c>a % b</c> becomes <c>ls_div(a, b)</c> / <c>ls_mod(a, b)</c> (macros in
/// <see cref="Catalog.FunctionLibrary"/>) which raise the error when b is 0 and a is not NULL (a NULL dividend gives
/// NULL, as PostgreSQL's strict operators do).
/// <para>
/// The operands are the parse tree's (<see cref="Statement.Divisions"/>: PostgreSQL's precedence, read once by the
/// parser); here they are only wrapped, at the text positions the tree gives, in the tokens the translator passes on.
/// A division whose divisor is a nonzero number is not guarded (the parser leaves it out).
/// </para>
/// </summary>
internal static class DivisionGuard
{
    /// <summary>
    /// Where the guard's text goes in the statement's own tokens, for the translator's splice to write as it passes
    /// them (no token list is copied): <see cref="Opens"/> before the token at a left operand's start, a comma for the
    /// operator at each of <see cref="Operators"/>, and <see cref="Closes"/> parentheses after the token ending at an
    /// offset. Null when there is nothing to guard, or when a site cannot be placed on the tokens (then nothing is
    /// guarded rather than something half, as <see cref="Rewrite"/> does).
    /// </summary>
    internal sealed class Plan
    {
        public required Dictionary<int, string> Opens { get; init; }
        public required HashSet<int> Operators { get; init; }
        public required Dictionary<int, int> Closes { get; init; }
        /// <summary>Where the sites lie in the text: a token wholly before the first operand or after the last has no part in them.</summary>
        public int First { get; init; }
        public int Last { get; init; }

        /// <param name="ordered">
        /// The tokens are all the lexer's of one text, in order (none made by a rewrite): the check of the sites' places
        /// starts at the token holding the first site's start rather than at the first token.
        /// </param>
        public static Plan? For(List<SqlToken> tokens, IReadOnlyList<DivisionSite> divisions, bool ordered = false)
        {
            if (divisions.Count == 0) return null;
            var before = new Dictionary<int, string>();
            var operators = new HashSet<int>();
            var closes = new Dictionary<int, int>();
            var (first, last) = (int.MaxValue, int.MinValue);
            foreach (var site in divisions)
            {
                first = Math.Min(first, site.Start);
                last = Math.Max(last, site.End);
                // A later site with the same left start encloses the earlier ones (a / b / c is ls_div(ls_div(a, b), c)).
                before[site.Start] = (site.Modulo ? "ls_mod(" : "ls_div(") + before.GetValueOrDefault(site.Start);
                operators.Add(site.Operator);
                closes[site.End] = closes.GetValueOrDefault(site.End) + 1;
            }
            var plan = new Plan { Opens = before, Operators = operators, Closes = closes, First = first, Last = last };
            // Placed as the splice will place them: every site's start, operator and end at a token.
            var opened = 0;
            var replaced = 0;
            var closed = 0;
            var all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens);
            if (ordered && all.Length > 0)
            {
                // The last token starting at or before the first site's start: those before it end before it.
                var (lo, hi) = (0, all.Length - 1);
                while (lo < hi)
                {
                    var mid = (lo + hi + 1) >> 1;
                    if (all[mid].Offset <= first) lo = mid;
                    else hi = mid - 1;
                }
                all = all[lo..];
            }
            foreach (var original in all)
            {
                // The statement's own tokens stand in text order: none after the last site's end takes part.
                if (original.Offset >= last) break;
                if (!plan.Holds(original)) continue;
                var (offset, text) = (original.Offset, original.Text);
                var cut = plan.Cut(original);
                if (cut > 0) (offset, text) = (offset + cut, text[cut..]);
                if (before.TryGetValue(offset, out var prefix)) opened += prefix.Length / "ls_div(".Length;
                if (original.Kind == SqlTokenKind.Operator && operators.Contains(offset)) replaced++;
                closed += closes.GetValueOrDefault(offset + text.Length);
            }
            return opened == divisions.Count && replaced == operators.Count && closed == divisions.Count ? plan : null;
        }

        /// <summary>Whether the token may take part in a site: one of the statement's own, significant, within the sites' reach.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public bool Holds(SqlToken token) =>
            token.Offset >= 0 && !token.IsTrivia && token.Offset + token.Text.Length > First && token.Offset < Last;

        /// <summary>Where a left operand starts inside an operator the lexer read as one (the "-" of "y+-a / b"): its length before, or 0.</summary>
        public int Cut(SqlToken token)
        {
            if (token.Kind != SqlTokenKind.Operator || token.Text.Length < 2) return 0;
            for (var cut = 1; cut < token.Text.Length; cut++)
                if (Opens.ContainsKey(token.Offset + cut)) return cut;
            return 0;
        }
    }

    /// <summary>
    /// The statement with its divisions and modulos guarded; the same list when it has none. <paramref name="tokens"/>
    /// carry the offsets of the text the divisions were read from (tokens a rewrite made have none and are passed on).
    /// When a site cannot be placed on the tokens, nothing is guarded rather than something half.
    /// </summary>
    public static List<SqlToken> Rewrite(List<SqlToken> tokens, IReadOnlyList<DivisionSite> divisions)
    {
        if (divisions.Count == 0) return tokens;
        // A later site with the same left start encloses the earlier ones (a / b / c is ls_div(ls_div(a, b), c)).
        var before = new Dictionary<int, List<string>>();
        var operators = new Dictionary<int, bool>();
        var closes = new Dictionary<int, int>();
        // Where the sites lie in the text: a token wholly before the first operand or after the last is passed on as it is.
        var (first, last) = (int.MaxValue, int.MinValue);
        foreach (var site in divisions)
        {
            first = Math.Min(first, site.Start);
            last = Math.Max(last, site.End);
            if (!before.TryGetValue(site.Start, out var names)) before[site.Start] = names = [];
            names.Insert(0, site.Modulo ? "ls_mod" : "ls_div");
            operators[site.Operator] = site.Modulo;
            closes[site.End] = closes.GetValueOrDefault(site.End) + 1;
        }
        var opened = 0;
        var replaced = 0;
        var closed = 0;
        var output = new List<SqlToken>(tokens.Count + divisions.Count * 4);
        foreach (var original in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens))
        {
            var token = original;
            // Whitespace and comments neither start, hold nor end an operand (the sites are at significant tokens).
            if (token.Offset < 0 || token.IsTrivia || token.Offset + token.Text.Length <= first || token.Offset >= last)
            {
                output.Add(token);
                continue;
            }
            // A left operand may start inside an operator the lexer read as one: the "-" of "y+-a / b".
            if (token.Kind == SqlTokenKind.Operator && token.Text.Length > 1)
                for (var cut = 1; cut < token.Text.Length; cut++)
                    if (before.ContainsKey(token.Offset + cut))
                    {
                        output.Add(token with { Text = token.Text[..cut] });
                        token = token with { Text = token.Text[cut..], Offset = token.Offset + cut };
                        break;
                    }
            if (before.TryGetValue(token.Offset, out var prefix))
            {
                foreach (var name in prefix)
                {
                    output.Add(new SqlToken(SqlTokenKind.Word, name));
                    output.Add(new SqlToken(SqlTokenKind.LeftParen, "("));
                }
                opened += prefix.Count;
            }
            if (token.Kind == SqlTokenKind.Operator && operators.ContainsKey(token.Offset))
            {
                // The operator may run together with the right operand's signs ("/-").
                output.Add(new SqlToken(SqlTokenKind.Comma, ","));
                if (token.Text.Length > 1) output.Add(new SqlToken(SqlTokenKind.Operator, token.Text[1..]));
                replaced++;
            }
            else output.Add(token);
            if (closes.TryGetValue(token.Offset + token.Text.Length, out var count))
            {
                for (var c = 0; c < count; c++) output.Add(new SqlToken(SqlTokenKind.RightParen, ")"));
                closed += count;
            }
        }
        return opened == divisions.Count && replaced == operators.Count && closed == divisions.Count ? output : tokens;
    }
}
