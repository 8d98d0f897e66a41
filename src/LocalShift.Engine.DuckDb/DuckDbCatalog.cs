namespace LocalShift.Engine.DuckDb;

/// <summary>
/// The engine catalog (<see cref="IEngineCatalog"/>) on DuckDB: its catalog functions (<c>duckdb_tables()</c>,
/// <c>duckdb_views()</c>, <c>duckdb_columns()</c>, <c>duckdb_functions()</c>) narrowed to the contract's columns, and
/// the names of DuckDB's own functions and views that reach its configuration, files or the host.
/// </summary>
internal sealed class DuckDbCatalog(IEngineSession session) : IEngineCatalog
{
    public string Relation(CatalogRelation relation) => relation switch
    {
        CatalogRelation.Tables => "(SELECT database_name, schema_name, table_name, table_oid, temporary, estimated_size, column_count FROM duckdb_tables())",
        CatalogRelation.Views => "(SELECT database_name, schema_name, view_name, view_oid, internal, sql FROM duckdb_views())",
        CatalogRelation.Columns => "(SELECT database_name, schema_name, table_name, table_oid, column_name, column_index, data_type, is_nullable, " +
                                   "column_default, comment FROM duckdb_columns())",
        CatalogRelation.Functions => "(SELECT database_name, schema_name, function_name, function_oid, return_type, parameter_types FROM duckdb_functions())",
        _ => throw new ArgumentOutOfRangeException(nameof(relation)),
    };

    /// <summary>The cluster's own database: not the session's temporary objects, the engine's system catalog or an attached memory catalog.</summary>
    private const string Own = "database_name = current_database()";

    public bool HasTable(string schema, string table) =>
        Count($"SELECT count(*) FROM duckdb_tables() WHERE {Own} AND schema_name = {Literal(schema)} AND table_name = {Literal(table)}") > 0;

    public bool HasView(string schema, string view) =>
        Count($"SELECT count(*) FROM duckdb_views() WHERE {Own} AND schema_name = {Literal(schema)} AND view_name = {Literal(view)}") > 0;

    public bool HasFunction(string schema, string function) =>
        Count($"SELECT count(*) FROM duckdb_functions() WHERE {Own} AND schema_name = {Literal(schema)} AND function_name = {Literal(function)}") > 0;

    public IReadOnlyList<string> Columns(string schema, string table)
    {
        var columns = new List<string>();
        using var result = session.Query($"SELECT column_name FROM duckdb_columns() WHERE {Own} AND schema_name = {Literal(schema)} " +
                                         $"AND table_name = {Literal(table)} ORDER BY column_index");
        while (result.Read()) columns.Add((string)result.GetValue(0)!);
        return columns;
    }

    public long? TableId(string schema, string table, bool temporary)
    {
        using var result = session.Query(
            $"SELECT max(table_oid) FROM duckdb_tables() WHERE {(temporary ? "database_name = 'temp'" : $"schema_name = {Literal(schema)} AND NOT temporary")} " +
            $"AND table_name = {Literal(table)}");
        return result.Read() && result.GetValue(0) is { } oid ? Convert.ToInt64(oid) : null;
    }

    /// <summary>
    /// Scalar functions of DuckDB that read its configuration or the host, or run text as a query. Table functions need
    /// no list on the SQL layer's side (only the set-returning functions Redshift answers may stand in FROM).
    /// </summary>
    private static readonly HashSet<string> Functions = new(StringComparer.Ordinal)
    {
        "getvariable", "getenv", "json_execute_serialized_sql", "query", "query_table", "glob", "sniff_csv", "checkpoint", "force_checkpoint",
        "which_secret", "set_variable", "enable_logging", "disable_logging", "truncate_duckdb_logs",
    };

    /// <summary>DuckDB's families of functions over its catalog, settings and files (and its extensions' scanners).</summary>
    private static readonly string[] FunctionPrefixes = ["duckdb_", "pragma_", "read_", "parquet_", "iceberg_", "delta_", "sqlite_", "postgres_", "mysql_"];

    /// <summary>DuckDB's views of itself: its settings (with host paths), SQLite-compatible catalogs, prepared statements; and every duckdb_ view.</summary>
    private static readonly HashSet<string> Relations = new(StringComparer.Ordinal)
    {
        "pg_settings", "sqlite_master", "sqlite_schema", "sqlite_temp_master", "pg_prepared_statements",
    };

    public bool IsEngineFunction(string name)
    {
        if (Functions.Contains(name)) return true;
        foreach (var prefix in FunctionPrefixes) if (name.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }

    public bool IsEngineRelation(string name) => Relations.Contains(name) || name.StartsWith("duckdb_", StringComparison.Ordinal);

    private long Count(string sql)
    {
        using var result = session.Query(sql);
        return result.Read() ? Convert.ToInt64(result.GetValue(0)) : 0;
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''") + "'";
}
