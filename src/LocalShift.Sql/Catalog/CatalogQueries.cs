using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.Catalog;

/// <summary>
/// Recognizes the catalog queries psql's meta-commands send and answers them with queries DuckDB can run.
/// Returns null for any other statement.
/// </summary>
internal static class CatalogQueries
{
    public static string? Rewrite(string sql, List<SqlToken> significant) => null;
}
