using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.Dialect;

/// <summary>
/// Redshift raises <c>division by zero</c> (22012) for <c>x / 0</c> and <c>x % 0</c>; DuckDB answers NULL. Each
/// <c>a / b</c> and <c>a % b</c> becomes <c>ls_div(a, b)</c> / <c>ls_mod(a, b)</c> (macros in
/// <see cref="Catalog.FunctionLibrary"/>) which raise the error when b is 0 and a is not NULL (a NULL dividend gives
/// NULL, as PostgreSQL's strict operators do).
/// <para>
/// The operands are found at the token level with PostgreSQL's precedence: an operand is a factor (unary signs, then
/// a primary: literal, typed literal such as <c>INTERVAL '1 day'</c>, possibly qualified name, function call with its
/// <c>WITHIN GROUP</c>/<c>FILTER</c>/<c>OVER</c>, <c>CASE ... END</c>, parenthesised expression or subquery; then
/// <c>::type</c> casts, <c>[...]</c> subscripts and <c>^</c> powers, which bind tighter than <c>/</c>). The left operand
/// runs back over the term's earlier factors joined by <c>*</c>, <c>/</c>, <c>%</c> (they associate to the left).
/// A division whose operands do not read that way is left as it is (DuckDB then gives NULL for a zero divisor).
/// </para>
/// </summary>
internal static class DivisionGuard
{
    /// <summary>Words that are never an operand on their own (clause keywords, operators spelled as words).</summary>
    private static readonly HashSet<string> NotOperands = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "FROM", "WHERE", "GROUP", "ORDER", "BY", "HAVING", "LIMIT", "OFFSET", "UNION", "INTERSECT", "EXCEPT", "MINUS", "JOIN",
        "ON", "USING", "AS", "CASE", "WHEN", "THEN", "ELSE", "END", "AND", "OR", "NOT", "IN", "IS", "LIKE", "ILIKE", "SIMILAR", "BETWEEN",
        "DISTINCT", "ALL", "ANY", "SOME", "EXISTS", "VALUES", "RETURNING", "INTO", "SET", "TOP", "WITH", "ESCAPE", "ASC", "DESC", "NULLS",
        "OVER", "PARTITION", "ROWS", "RANGE", "FILTER", "WITHIN", "LATERAL", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "NATURAL",
        "QUALIFY", "WINDOW", "FOR", "CREATE", "TABLE", "INSERT", "UPDATE", "DELETE", "DEFAULT", "CHECK", "COLLATE", "TO", "FETCH", "DO",
        "INTERVAL", "SYMMETRIC", "ISNULL", "NOTNULL", "UNIQUE", "PRIMARY", "REFERENCES", "CONSTRAINT",
    };

    /// <summary>Words that are not a function's name when a parenthesis follows them (<c>IN (...)</c>, <c>AND (...)</c>).</summary>
    private static readonly HashSet<string> NotFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "FROM", "WHERE", "BY", "HAVING", "LIMIT", "OFFSET", "UNION", "INTERSECT", "EXCEPT", "MINUS", "JOIN", "ON", "USING", "AS",
        "CASE", "WHEN", "THEN", "ELSE", "AND", "OR", "NOT", "IN", "IS", "LIKE", "ILIKE", "SIMILAR", "BETWEEN", "DISTINCT", "ALL", "ANY",
        "SOME", "EXISTS", "VALUES", "RETURNING", "INTO", "SET", "TOP", "WITH", "ESCAPE", "OVER", "FILTER", "WITHIN", "GROUP", "PARTITION",
        "LATERAL", "TABLE", "DEFAULT", "CHECK", "DO", "SYMMETRIC", "ARRAY",
    };

    private static readonly HashSet<string> TypedLiterals = new(StringComparer.OrdinalIgnoreCase)
    {
        "INTERVAL", "DATE", "TIMESTAMP", "TIMESTAMPTZ", "TIME", "TIMETZ",
    };

    /// <summary>The statement with its divisions and modulos guarded; the same list when it has none.</summary>
    public static List<SqlToken> Rewrite(List<SqlToken> tokens)
    {
        var any = false;
        foreach (var token in tokens)
            if (DivisionOperator(token) is not null) { any = true; break; }
        if (!any) return tokens;

        // Significant tokens and, for each, its index in the full list (insertions are placed by the latter).
        var at = new List<int>();
        for (var i = 0; i < tokens.Count; i++) if (!tokens[i].IsTrivia) at.Add(i);
        var s = at.Select(i => tokens[i]).ToList();
        var match = Matches(s);
        var before = new Dictionary<int, List<SqlToken>>();
        var after = new Dictionary<int, int>();
        var replaced = new Dictionary<int, (string Name, string Signs)>();
        for (var p = 0; p < s.Count; p++)
        {
            if (DivisionOperator(s[p]) is not { } op) continue;
            var end = RightOperand(s, match, p);
            var start = LeftOperand(s, match, p);
            if (end < 0 || start < 0) continue;
            // A divisor that is a nonzero number needs no guard (x % 3 in a filter stays as fast as it was).
            if (s[end].Kind == SqlTokenKind.Number && NonZero(s[end].Text) && Enumerable.Range(p + 1, end - p - 1).All(k => IsSignToken(s[k]))) continue;
            if (!before.TryGetValue(start, out var prefix)) before[start] = prefix = [];
            // A later operator with the same left start encloses the earlier ones.
            prefix.InsertRange(0, [new SqlToken(SqlTokenKind.Word, op.Name), new SqlToken(SqlTokenKind.LeftParen, "(")]);
            after[end] = after.GetValueOrDefault(end) + 1;
            replaced[p] = op;
        }
        if (replaced.Count == 0) return tokens;

        var output = new List<SqlToken>(tokens.Count + replaced.Count * 4);
        var next = 0;
        for (var k = 0; k < s.Count; k++)
        {
            var index = at[k];
            while (next < index) output.Add(tokens[next++]);
            if (before.TryGetValue(k, out var prefix)) output.AddRange(prefix);
            if (replaced.TryGetValue(k, out var op))
            {
                output.Add(new SqlToken(SqlTokenKind.Comma, ","));
                if (op.Signs.Length > 0) output.Add(new SqlToken(SqlTokenKind.Operator, op.Signs));
            }
            else output.Add(tokens[index]);
            next = index + 1;
            if (after.TryGetValue(k, out var closes))
                for (var c = 0; c < closes; c++) output.Add(new SqlToken(SqlTokenKind.RightParen, ")"));
        }
        while (next < tokens.Count) output.Add(tokens[next++]);
        return output;
    }

    /// <summary><c>/</c> or <c>%</c>, possibly run together with the right operand's signs (<c>/-</c>); null for anything else.</summary>
    private static (string Name, string Signs)? DivisionOperator(SqlToken token)
    {
        if (token.Kind != SqlTokenKind.Operator || token.Text.Length == 0 || token.Text[0] is not ('/' or '%')) return null;
        var signs = token.Text[1..];
        if (!IsSigns(signs)) return null;
        return (token.Text[0] == '/' ? "ls_div" : "ls_mod", signs);
    }

    private static bool NonZero(string number)
    {
        foreach (var c in number)
        {
            if (c is 'e' or 'E') break;
            if (c is >= '1' and <= '9') return true;
        }
        return false;
    }

    private static bool IsSigns(string text)
    {
        foreach (var c in text) if (c is not ('+' or '-')) return false;
        return true;
    }

    private static bool IsSignToken(SqlToken t) => t.Kind == SqlTokenKind.Operator && t.Text.Length > 0 && IsSigns(t.Text);

    /// <summary>*, / or % (also run together with the next factor's signs), joining factors of one term.</summary>
    private static bool IsTermOperator(SqlToken t) =>
        t.Kind == SqlTokenKind.Operator && t.Text.Length > 0 && t.Text[0] is '*' or '/' or '%' && IsSigns(t.Text[1..]);

    private static bool IsPower(SqlToken t) => t.Kind == SqlTokenKind.Operator && t.Text.Length > 0 && t.Text[0] == '^' && IsSigns(t.Text[1..]);

    private static bool IsOpen(SqlToken t) => t.Kind == SqlTokenKind.LeftParen || (t.Kind == SqlTokenKind.Operator && t.Text == "[");

    private static bool IsClose(SqlToken t) => t.Kind == SqlTokenKind.RightParen || (t.Kind == SqlTokenKind.Operator && t.Text == "]");

    private static bool IsName(SqlToken t) => t.Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier;

    /// <summary>For each bracket (parenthesis or square bracket) the index of its partner, -1 when unbalanced; CASE and its END too.</summary>
    private static int[] Matches(List<SqlToken> s)
    {
        var match = new int[s.Count];
        Array.Fill(match, -1);
        var brackets = new Stack<int>();
        var cases = new Stack<int>();
        for (var i = 0; i < s.Count; i++)
        {
            var t = s[i];
            if (IsOpen(t)) brackets.Push(i);
            else if (IsClose(t) && brackets.Count > 0)
            {
                var open = brackets.Pop();
                if ((s[open].Kind == SqlTokenKind.LeftParen) == (t.Kind == SqlTokenKind.RightParen)) { match[open] = i; match[i] = open; }
            }
            else if (t.Is("CASE")) cases.Push(i);
            else if (t.Is("END") && cases.Count > 0)
            {
                var open = cases.Pop();
                match[open] = i;
                match[i] = open;
            }
        }
        return match;
    }

    // ---- Right operand: forward from the operator. ----

    private static int RightOperand(List<SqlToken> s, int[] match, int op)
    {
        var i = op + 1;
        while (i < s.Count && IsSignToken(s[i])) i++;
        return FactorForward(s, match, i);
    }

    /// <summary>The last index of the factor starting at <paramref name="i"/> (signs already passed), or -1.</summary>
    private static int FactorForward(List<SqlToken> s, int[] match, int i)
    {
        var end = PostfixForward(s, match, i);
        while (end >= 0 && end + 1 < s.Count && IsPower(s[end + 1]))
        {
            var j = end + 2;
            while (j < s.Count && IsSignToken(s[j])) j++;
            end = PostfixForward(s, match, j);
        }
        return end;
    }

    private static int PostfixForward(List<SqlToken> s, int[] match, int i)
    {
        var end = PrimaryForward(s, match, i);
        while (end >= 0 && end + 1 < s.Count)
        {
            var next = s[end + 1];
            if (next.Kind == SqlTokenKind.Operator && next.Text == "[")
            {
                end = match[end + 1];
            }
            else if (next.Kind == SqlTokenKind.Operator && next.Text == "::")
            {
                end = TypeForward(s, match, end + 2);
            }
            else break;
        }
        return end;
    }

    private static int PrimaryForward(List<SqlToken> s, int[] match, int i)
    {
        if (i >= s.Count) return -1;
        var t = s[i];
        switch (t.Kind)
        {
            case SqlTokenKind.Number or SqlTokenKind.String or SqlTokenKind.Parameter:
                return i;
            case SqlTokenKind.LeftParen:
                return match[i];
            case SqlTokenKind.Word when t.Is("CASE"):
                return match[i];
            case SqlTokenKind.Word when TypedLiterals.Contains(t.Text) && i + 1 < s.Count && s[i + 1].Kind == SqlTokenKind.String:
                return i + 1;
            case SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier:
            {
                var end = i;
                while (end + 2 < s.Count && s[end + 1].Kind == SqlTokenKind.Dot && IsName(s[end + 2])) end += 2;
                if (end + 1 < s.Count && s[end + 1].Kind == SqlTokenKind.LeftParen)
                {
                    if (end == i && t.Kind == SqlTokenKind.Word && NotFunctions.Contains(t.Text)) return -1;
                    return CallTrailers(s, match, match[end + 1]);
                }
                if (end == i && t.Kind == SqlTokenKind.Word && NotOperands.Contains(t.Text)) return -1;
                return end;
            }
            default:
                return -1;
        }
    }

    /// <summary>Past a call's WITHIN GROUP (...), FILTER (...) and OVER (...) / OVER name.</summary>
    private static int CallTrailers(List<SqlToken> s, int[] match, int close)
    {
        while (close >= 0 && close + 1 < s.Count)
        {
            var next = s[close + 1];
            if (next.Is("WITHIN") && close + 3 < s.Count && s[close + 2].Is("GROUP") && s[close + 3].Kind == SqlTokenKind.LeftParen)
                close = match[close + 3];
            else if (next.Is("FILTER") && close + 2 < s.Count && s[close + 2].Kind == SqlTokenKind.LeftParen)
                close = match[close + 2];
            else if (next.Is("OVER") && close + 2 < s.Count && s[close + 2].Kind == SqlTokenKind.LeftParen)
                return match[close + 2];
            else if (next.Is("OVER") && close + 2 < s.Count && IsName(s[close + 2]))
                return close + 2;
            else break;
        }
        return close;
    }

    /// <summary>The last index of a type name after <c>::</c>: words (double precision, character varying, timestamp with time zone) and (...).</summary>
    private static int TypeForward(List<SqlToken> s, int[] match, int i)
    {
        if (i >= s.Count || !IsName(s[i])) return -1;
        var end = i;
        while (end + 2 < s.Count && s[end + 1].Kind == SqlTokenKind.Dot && IsName(s[end + 2])) end += 2;
        bool Word(int k, params string[] words) => k < s.Count && s[k].IsAny(words);
        if (s[end].Is("DOUBLE") && Word(end + 1, "PRECISION")) end++;
        else if (s[end].IsAny("CHARACTER", "CHAR") && Word(end + 1, "VARYING")) end++;
        else if (s[end].IsAny("TIMESTAMP", "TIME") && Word(end + 1, "WITH", "WITHOUT") && Word(end + 2, "TIME") && Word(end + 3, "ZONE")) end += 3;
        if (end + 1 < s.Count && s[end + 1].Kind == SqlTokenKind.LeftParen) end = match[end + 1];
        return end;
    }

    // ---- Left operand: backward from the operator. ----

    /// <summary>The first index of the term before the operator at <paramref name="op"/>, or -1.</summary>
    private static int LeftOperand(List<SqlToken> s, int[] match, int op)
    {
        var start = FactorBackward(s, match, op - 1);
        while (start > 0)
        {
            var previous = s[start - 1];
            if (IsTermOperator(previous))
            {
                var earlier = FactorBackward(s, match, start - 2);
                if (earlier < 0) return start;
                start = earlier;
            }
            else if (IsSignToken(previous) && start >= 2 && IsTermOperator(s[start - 2]))
            {
                // a * - b / c: the sign belongs to b, and the term goes on.
                var earlier = FactorBackward(s, match, start - 3);
                if (earlier < 0) return start;
                start = earlier;
            }
            else break;
        }
        // A unary sign binds tighter than ^ and * / %: -2 ^ 2 / x is 4 / x.
        while (start > 0 && IsSignToken(s[start - 1]) && IsUnaryPosition(s, start - 1)) start--;
        return start;
    }

    /// <summary>A sign at <paramref name="sign"/> is unary when nothing that ends an operand comes before it.</summary>
    private static bool IsUnaryPosition(List<SqlToken> s, int sign)
    {
        if (sign == 0) return true;
        var previous = s[sign - 1];
        return previous.Kind switch
        {
            SqlTokenKind.LeftParen or SqlTokenKind.Comma => true,
            SqlTokenKind.Operator => previous.Text != "]",
            SqlTokenKind.Word => !previous.Is("END") && NotOperands.Contains(previous.Text),
            _ => false,
        };
    }

    /// <summary>The first index of the factor ending at <paramref name="end"/> (without its unary signs), or -1.</summary>
    private static int FactorBackward(List<SqlToken> s, int[] match, int end)
    {
        var start = PostfixBackward(s, match, end);
        while (start >= 2 && IsPower(s[start - 1]))
        {
            var earlier = PostfixBackward(s, match, start - 2);
            if (earlier < 0) break;
            start = earlier;
        }
        return start;
    }

    private static int PostfixBackward(List<SqlToken> s, int[] match, int end)
    {
        if (end < 0) return -1;
        if (s[end].Kind == SqlTokenKind.Operator && s[end].Text == "]")
            return match[end] < 0 ? -1 : PostfixBackward(s, match, match[end] - 1);
        var start = PrimaryBackward(s, match, end);
        if (start >= 2 && s[start - 1].Kind == SqlTokenKind.Operator && s[start - 1].Text == "::")
            return PostfixBackward(s, match, start - 2);
        return start;
    }

    private static int PrimaryBackward(List<SqlToken> s, int[] match, int end)
    {
        var t = s[end];
        switch (t.Kind)
        {
            case SqlTokenKind.Number or SqlTokenKind.Parameter:
                return end;
            case SqlTokenKind.String:
                return end > 0 && s[end - 1].Kind == SqlTokenKind.Word && TypedLiterals.Contains(s[end - 1].Text) ? end - 1 : end;
            case SqlTokenKind.Word when t.Is("END"):
                return match[end];
            case SqlTokenKind.RightParen:
            {
                var open = match[end];
                if (open < 0) return -1;
                if (open == 0) return 0;
                var before = s[open - 1];
                if (before.IsAny("OVER", "FILTER") || (before.Is("GROUP") && open >= 2 && s[open - 2].Is("WITHIN")))
                {
                    // The call these trail.
                    var call = before.Is("GROUP") ? open - 3 : open - 2;
                    return call >= 0 && s[call].Kind == SqlTokenKind.RightParen ? PrimaryBackward(s, match, call) : -1;
                }
                if (IsName(before) && !(before.Kind == SqlTokenKind.Word && NotFunctions.Contains(before.Text)))
                    return NameBackward(s, open - 1);
                return open;
            }
            case SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier:
            {
                if (end >= 2 && s[end - 1].Is("OVER") && s[end - 2].Kind == SqlTokenKind.RightParen)
                    return PrimaryBackward(s, match, end - 2);
                if (t.Kind == SqlTokenKind.Word && NotOperands.Contains(t.Text) && !(end > 0 && s[end - 1].Kind == SqlTokenKind.Dot)) return -1;
                return NameBackward(s, end);
            }
            default:
                return -1;
        }
    }

    /// <summary>The first index of a possibly qualified name (or multi-word type) ending at <paramref name="end"/>.</summary>
    private static int NameBackward(List<SqlToken> s, int end)
    {
        var start = end;
        while (start >= 2 && s[start - 1].Kind == SqlTokenKind.Dot && IsName(s[start - 2])) start -= 2;
        bool Word(int k, params string[] words) => k >= 0 && s[k].IsAny(words);
        if (s[start].Is("PRECISION") && Word(start - 1, "DOUBLE")) start--;
        else if (s[start].Is("VARYING") && Word(start - 1, "CHARACTER", "CHAR")) start--;
        else if (s[start].Is("ZONE") && Word(start - 1, "TIME") && Word(start - 2, "WITH", "WITHOUT") && Word(start - 3, "TIMESTAMP", "TIME")) start -= 3;
        return start;
    }
}
