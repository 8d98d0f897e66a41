using System.Globalization;
using System.Text;
using LocalShift.Engine;

namespace LocalShift.Sql.Routing;

/// <summary>Redshift's limit on the text of one statement (a Query message's whole text, or one Parse message's): 16 MB.</summary>
internal static class StatementSize
{
    public const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>
    /// The text, when it is within the limit; else Redshift's error, before anything is lexed. Redshift's text and
    /// class (42601, which psycopg2 raises as SyntaxError), as clients report it.
    /// </summary>
    public static string Check(string sql)
    {
        // A UTF-8 character takes at most three bytes per UTF-16 unit: most texts are decided without counting.
        if ((long)sql.Length * 3 <= MaxBytes) return sql;
        var bytes = Encoding.UTF8.GetByteCount(sql);
        if (bytes <= MaxBytes) return sql;
        throw new PgException(SqlState.SyntaxError, string.Create(CultureInfo.InvariantCulture,
            $"Statement is too large. Statement Size: {bytes} bytes. Maximum Allowed: {MaxBytes} bytes"));
    }
}
