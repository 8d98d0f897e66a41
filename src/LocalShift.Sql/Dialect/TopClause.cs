using LocalShift.Sql.Lexing;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Dialect;

/// <summary>
/// <c>APPROXIMATE COUNT</c> and <c>APPROXIMATE PERCENTILE_DISC</c> are exact: the word goes, at the places the tree
/// gives, before the result columns are named after the calls. (Redshift's <c>SELECT TOP n ...</c> is a site of the
/// translator's pass: <see cref="RewriteKind.Top"/>.)
/// </summary>
internal static class TopClause
{
    public static List<SqlToken> Rewrite(List<SqlToken> tokens, IReadOnlyList<RewriteSite> sites)
    {
        HashSet<int>? approximate = null;
        foreach (var site in sites)
            if (site.Kind == RewriteKind.Approximate) (approximate ??= []).Add(site.Start);
        if (approximate is null) return tokens;
        return tokens.Where(t => t.Offset < 0 || !approximate.Contains(t.Offset)).ToList();
    }
}
