using System.Text;
using LocalShift.Engine;

namespace LocalShift.Sql.Copy;

/// <summary>
/// One expression of a JSONPaths file, as Redshift accepts it: <c>$</c> followed by members in dot notation
/// (<c>$.a.b</c>) or bracket notation (<c>$['a']['b']</c>) and array indexes (<c>$.arr[0]</c>). Wildcards, filters and
/// deep scans name more than one element and are refused, as Redshift refuses them.
/// </summary>
public static class JsonPathExpression
{
    /// <summary>
    /// The same path in SQL/JSON path syntax (SQL:2016, as PostgreSQL's <c>jsonpath</c> and the engine's JSON functions
    /// read it; members quoted: <c>$."a"."b"[0]</c>).
    /// </summary>
    public static string ToSqlJsonPath(string path)
    {
        var p = path.Trim();
        if (p.Length == 0 || p[0] != '$') throw Invalid(path, "a JSONPath expression starts with $");
        var result = new StringBuilder("$");
        var i = 1;
        while (i < p.Length)
        {
            if (p[i] == '.')
            {
                i++;
                var start = i;
                while (i < p.Length && p[i] is not ('.' or '[')) i++;
                var name = p[start..i];
                if (name.Length == 0 || name is "*" || name.StartsWith('.')) throw Invalid(path, "wildcards and deep scans are not supported");
                result.Append(".\"").Append(name.Replace("\"", "\\\"")).Append('"');
            }
            else if (p[i] == '[')
            {
                var close = i + 1 < p.Length && p[i + 1] is '\'' or '"' ? p.IndexOf(p[i + 1] + "]", i + 2, StringComparison.Ordinal) : p.IndexOf(']', i);
                if (close < 0) throw Invalid(path, "unterminated bracket");
                if (p[i + 1] is '\'' or '"')
                {
                    var name = p[(i + 2)..close];
                    result.Append(".\"").Append(name.Replace("\"", "\\\"")).Append('"');
                    i = close + 2;
                }
                else
                {
                    var index = p[(i + 1)..close].Trim();
                    if (!int.TryParse(index, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
                        throw Invalid(path, "array indexes are non-negative integers; wildcards and filters are not supported");
                    result.Append('[').Append(n).Append(']');
                    i = close + 1;
                }
            }
            else throw Invalid(path, $"unexpected '{p[i]}' at position {i}");
        }
        return result.ToString();
    }

    private static PgException Invalid(string path, string why) =>
        new(SqlState.InternalError, $"Invalid JSONPath format: {path}", detail: $"LocalShift: {why}");
}
