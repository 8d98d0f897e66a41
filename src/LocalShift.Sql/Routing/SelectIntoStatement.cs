using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Routing;

/// <summary>
/// <c>SELECT list INTO [TEMP | TEMPORARY] [TABLE] name FROM ...</c>, Redshift's (and PostgreSQL's) other spelling of
/// CREATE TABLE ... AS: the INTO clause of the outermost SELECT moves to the front, nothing else changes.
/// </summary>
internal static class SelectIntoStatement
{
    /// <summary>
    /// The statement as <c>CREATE [TEMP] TABLE name AS SELECT ...</c>, cut from its text where its tree says the INTO
    /// clause and its table name stand.
    /// </summary>
    public static string CreateTableAs(string sql, QueryStatement statement)
    {
        var core = (SelectCore)statement.Query.Body;
        var name = sql[core.IntoName.Start..core.IntoName.End];
        var query = sql[..core.IntoClause.Start].TrimEnd() + " " + sql[core.IntoClause.End..].TrimStart();
        return $"CREATE {(core.IntoTemporary ? "TEMP " : "")}TABLE {name} AS {query.Trim()}";
    }
}
