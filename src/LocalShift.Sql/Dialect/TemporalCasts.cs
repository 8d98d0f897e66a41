using LocalShift.Sql.Copy;
using LocalShift.Sql.Lexing;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Dialect;

/// <summary>
/// Casts to DATE, TIMESTAMP, TIMESTAMPTZ and TIME read text by Redshift's automatic recognition, as COPY's 'auto'
/// does ("Using automatic recognition with DATEFORMAT and TIMEFORMAT" tests its formats with <c>cast(test as
/// timestamp)</c> over a CHAR column): <c>CAST(e AS t)</c> and <c>e::t</c>, where e is not a string literal the
/// translator writes out itself, become an expression that gives a text value to LocalShift's recognizer (the host
/// function <see cref="DateTimeConversion.HostFunction"/>, reachable only from text LocalShift writes) and any other
/// value to the engine's cast, the operand evaluated once per row. A value the recognizer does not read fails with PostgreSQL's
/// <c>invalid input syntax for type date: "x"</c> (22007).
/// </summary>
/// <remarks>
/// A token pass of its own, run on the statement's tokens just before <see cref="RedshiftTranslator"/>'s rewrite (which
/// then translates the operand's text as anywhere else). The operand of <c>::</c> is a string literal, a possibly
/// qualified name, a parenthesized expression or a function call (itself possibly cast with <c>::</c> before); other
/// operands (<c>CASE … END</c>, parameters, subscripts) are left to the engine's cast.
/// </remarks>
internal static class TemporalCasts
{
    /// <summary>Words that may stand right before a parenthesis without calling it.</summary>
    private static readonly HashSet<string> NotFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "WHERE", "AND", "OR", "NOT", "IN", "EXISTS", "WHEN", "THEN", "ELSE", "ON", "AS", "FROM", "JOIN", "VALUES", "OVER", "FILTER",
        "USING", "IS", "BY", "HAVING", "DISTINCT", "ALL", "ANY", "SOME", "CASE", "RETURN", "BETWEEN", "LIKE", "ILIKE", "SET", "INTO", "LIMIT",
        "OFFSET", "UNION", "EXCEPT", "INTERSECT", "WITH", "RECURSIVE", "ARRAY", "LATERAL", "QUALIFY", "TOP", "SIMILAR", "ESCAPE",
    };

    /// <summary>Literals the engine's cast reads and the recognizer does not: left to the engine.</summary>
    private static readonly HashSet<string> SpecialValues = new(StringComparer.OrdinalIgnoreCase)
    {
        "epoch", "now", "today", "tomorrow", "yesterday", "infinity", "-infinity", "+infinity", "allballs",
    };

    public static List<SqlToken> Rewrite(List<SqlToken> tokens)
    {
        // Most statements hold no cast to a date or time type at all.
        var any = false;
        foreach (var token in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens))
            if (token.Kind == SqlTokenKind.Word && token.Text.Length is 4 or 9 or 11 && token.IsAny("CAST", "DATE", "TIMESTAMP", "TIMESTAMPTZ", "TIME")) { any = true; break; }
        if (!any) return tokens;
        var output = new List<SqlToken>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Is("CAST") && !IsQualified(tokens, i) && NextSignificant(tokens, i) is var open and >= 0 && tokens[open].Kind == SqlTokenKind.LeftParen)
            {
                var close = MatchParen(tokens, open);
                if (CastParts(tokens, open, close) is (var asAt, var type) && Wrapped(Rewrite(tokens[(open + 1)..asAt]), type) is { } wrapped)
                {
                    output.AddRange(wrapped);
                    i = close;
                    continue;
                }
            }
            if (token.Kind == SqlTokenKind.Operator && token.Text == "::" && TypeAt(tokens, NextSignificant(tokens, i)) is (var cast, var typeEnd)
                && OperandStart(output, output.Count) is var start and >= 0
                && Wrapped(output[start..], cast) is { } replaced)
            {
                output.RemoveRange(start, output.Count - start);
                output.AddRange(replaced);
                i = typeEnd;
                continue;
            }
            output.Add(token);
        }
        return output;
    }

    /// <summary>Inside <c>CAST( … )</c>: the top-level AS and the date or time type after it (nothing else after it); null otherwise.</summary>
    private static (int AsAt, TemporalType Type)? CastParts(List<SqlToken> tokens, int open, int close)
    {
        var depth = 0;
        for (var k = open + 1; k < close; k++)
        {
            if (tokens[k].Kind == SqlTokenKind.LeftParen) depth++;
            else if (tokens[k].Kind == SqlTokenKind.RightParen) depth--;
            else if (depth == 0 && tokens[k].Is("AS"))
            {
                if (TypeAt(tokens, NextSignificant(tokens, k)) is not (var type, var end)) return null;
                var after = NextSignificant(tokens, end);
                return after == close ? (k, type) : null;
            }
        }
        return null;
    }

    /// <summary>The date or time type named at <paramref name="at"/> and its last token; null for any other type.</summary>
    private static (TemporalType Type, int End)? TypeAt(List<SqlToken> tokens, int at)
    {
        if (at < 0 || tokens[at].Kind != SqlTokenKind.Word) return null;
        var word = tokens[at].Text.ToUpperInvariant();
        if (word is "DATE") return (TemporalType.Date, at);
        if (word is "TIMESTAMPTZ") return (TemporalType.TimestampTz, at);
        if (word is not ("TIMESTAMP" or "TIME")) return null;
        var end = at;
        var next = NextSignificant(tokens, at);
        // TIMESTAMP(p): a precision the engine does not take anyway; left to the engine.
        if (next >= 0 && tokens[next].Kind == SqlTokenKind.LeftParen) return null;
        var zone = false;
        if (next >= 0 && tokens[next].IsAny("WITH", "WITHOUT")
            && NextSignificant(tokens, next) is var time and >= 0 && tokens[time].Is("TIME")
            && NextSignificant(tokens, time) is var name and >= 0 && tokens[name].Is("ZONE"))
        {
            zone = tokens[next].Is("WITH");
            end = name;
        }
        if (word == "TIME") return zone ? null : (TemporalType.Time, end);
        return (zone ? TemporalType.TimestampTz : TemporalType.Timestamp, end);
    }

    /// <summary>Where the operand of a <c>::</c> that follows <paramref name="before"/> tokens of <paramref name="output"/> starts; -1 when it is no operand this pass knows.</summary>
    private static int OperandStart(List<SqlToken> output, int before)
    {
        var last = PreviousSignificant(output, before);
        if (last < 0) return -1;
        var token = output[last];
        int start;
        if (token.Kind == SqlTokenKind.String)
        {
            // DATE '2008-01-05'::timestamp: the typed literal is the operand; left to the engine.
            var previous = PreviousSignificant(output, last);
            if (previous >= 0 && output[previous].IsAny("DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "INTERVAL")) return -1;
            start = last;
        }
        else if (token.Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
        {
            if (token.IsAny("END", "ZONE")) return -1;
            start = Qualified(output, last);
        }
        else if (token.Kind == SqlTokenKind.RightParen)
        {
            start = OpeningParen(output, last);
            if (start < 0) return -1;
            var name = PreviousSignificant(output, start);
            if (name >= 0 && output[name].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier && !NotFunctions.Contains(output[name].Text))
                start = Qualified(output, name);
        }
        else return -1;
        // x::varchar::date: the operand is the whole earlier cast.
        var colons = PreviousSignificant(output, start);
        if (colons >= 0 && output[colons].Kind == SqlTokenKind.Operator && output[colons].Text == "::")
            return OperandStart(output, colons);
        return start;
    }

    /// <summary>The first token of the dotted name that ends at <paramref name="last"/>.</summary>
    private static int Qualified(List<SqlToken> output, int last)
    {
        var start = last;
        while (PreviousSignificant(output, start) is var dot and >= 0 && output[dot].Kind == SqlTokenKind.Dot
               && PreviousSignificant(output, dot) is var part and >= 0 && output[part].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
            start = part;
        return start;
    }

    private static int OpeningParen(List<SqlToken> output, int close)
    {
        var depth = 0;
        for (var k = close; k >= 0; k--)
        {
            if (output[k].Kind == SqlTokenKind.RightParen) depth++;
            else if (output[k].Kind == SqlTokenKind.LeftParen && --depth == 0) return k;
        }
        return -1;
    }

    private static bool IsQualified(List<SqlToken> tokens, int i) =>
        PreviousSignificant(tokens, i) is var previous and >= 0 && tokens[previous].Kind == SqlTokenKind.Dot;

    /// <summary>
    /// The cast of <paramref name="operand"/> to <paramref name="type"/> through the recognizer; null to leave it as it
    /// is (a string literal the translator writes out itself, or one the engine reads: 'epoch', 'now').
    /// </summary>
    private static List<SqlToken>? Wrapped(List<SqlToken> operand, TemporalType type)
    {
        var first = NextSignificant(operand, -1);
        if (first < 0) return null;
        var last = PreviousSignificant(operand, operand.Count);
        var engineType = type switch
        {
            TemporalType.Date => "DATE",
            TemporalType.TimestampTz => "TIMESTAMPTZ",
            TemporalType.Time => "TIME",
            _ => "TIMESTAMP",
        };
        var spec = QuoteLiteral(DateTimeConversion.ForCast(type).Spec);
        var recognized = $"CAST(make_timestamp({DateTimeConversion.HostFunction}(";
        if (first == last && operand[first].Kind == SqlTokenKind.String)
        {
            var value = operand[first].StringValue;
            if (SpecialValues.Contains(value.Trim()) || DateTimeConversion.ForCast(type).TryConvert(value, out _)) return null;
            return [.. Made($"{recognized}"), operand[first], .. Made($", {spec})) AS {engineType})")];
        }
        // The operand is written once, as the one element of a list a lambda reads: evaluated once per row (a volatile
        // operand, random() or a Lambda UDF's call, is not evaluated again), its type tested inside the lambda.
        var op = operand[first..(last + 1)];
        return
        [
            .. Made("(list_transform(["), .. op,
            .. Made($"], lambda {Value}: CASE WHEN typeof({Value}) = 'VARCHAR' THEN {recognized}CAST({Value} AS VARCHAR), {spec})) AS {engineType})"
                + $" ELSE CAST({Value} AS {engineType}) END)[1])"),
        ];
    }

    /// <summary>The lambda's parameter: the operand's value (only the lambda's own body names it).</summary>
    private const string Value = "ls_cast_value";

    private static IEnumerable<SqlToken> Made(string text) => SqlLexer.Tokenize(text).Select(t => t with { Offset = -1 });
}
