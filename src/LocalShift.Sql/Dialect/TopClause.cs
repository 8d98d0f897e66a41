using LocalShift.Sql.Lexing;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Dialect;

/// <summary>Redshift's <c>SELECT [DISTINCT] TOP n ...</c> becomes <c>SELECT ... LIMIT n</c>; <c>APPROXIMATE COUNT</c> and <c>APPROXIMATE PERCENTILE_DISC</c> are exact.</summary>
internal static class TopClause
{
    public static List<SqlToken> Rewrite(List<SqlToken> tokens)
    {
        var approximate = false;
        foreach (var token in tokens)
            if (token.Is("APPROXIMATE")) { approximate = true; break; }
        if (approximate)
            tokens = tokens.Where((t, i) => !(t.Is("APPROXIMATE") && NextSignificant(tokens, i) is var n && n >= 0 && tokens[n].IsAny("COUNT", "PERCENTILE_DISC"))).ToList();
        var select = NextSignificant(tokens, -1);
        if (select < 0 || !tokens[select].Is("SELECT")) return tokens;
        var top = NextSignificant(tokens, select);
        if (top >= 0 && tokens[top].Is("DISTINCT")) top = NextSignificant(tokens, top);
        if (top < 0 || !tokens[top].Is("TOP")) return tokens;
        var count = NextSignificant(tokens, top);
        if (count < 0 || tokens[count].Kind != SqlTokenKind.Number) return tokens;
        var output = tokens.Take(top).Concat(tokens.Skip(count + 1)).ToList();
        while (output.Count > 0 && (output[^1].IsTrivia || output[^1].Kind == SqlTokenKind.Semicolon)) output.RemoveAt(output.Count - 1);
        output.Add(new SqlToken(SqlTokenKind.Word, " LIMIT " + tokens[count].Text));
        return output;
    }
}
