using LocalShift.Engine;
using LocalShift.Sql.Catalog;

namespace LocalShift.Sql.Users;

/// <summary>
/// The system catalog of a cluster as its users see it: the views LocalShift defines (svv_tables, pg_table_def,
/// stl_load_errors, stl_query, …) and the engine's pg_catalog and information_schema views. An unqualified name
/// that is one of them is the catalog's, as in Redshift, where pg_catalog comes first on every search path; a
/// user cannot create a relation of that name.
/// </summary>
internal sealed class SystemRelations
{
    private readonly HashSet<string> _names;
    private readonly string _database;

    /// <summary>The engine's views of itself: its settings (with host paths), databases (with file paths) and objects.</summary>
    private static readonly HashSet<string> Forbidden = new(StringComparer.Ordinal) { "pg_settings", "sqlite_master", "sqlite_schema", "sqlite_temp_master", "pg_prepared_statements" };

    private SystemRelations(HashSet<string> names, string database)
    {
        _names = names;
        _database = database;
    }

    /// <summary>Reads the catalog's views from the engine once the cluster's setup is done.</summary>
    public static SystemRelations Load(IEngineSession system, string database)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using (var result = system.Query(
            "SELECT view_name FROM duckdb_views() WHERE schema_name IN ('main', 'pg_catalog', 'information_schema') " +
            $"AND database_name NOT IN ('temp', '{FunctionLibrary.TypedCatalog}')"))
            while (result.Read())
                if (result.GetValue(0) is string name && !IsForbiddenName(name)) names.Add(name);
        foreach (var log in new[] { "stl_query", "svl_qlog", "sys_query_history" }) names.Add(log);
        foreach (var view in External.ExternalTables.CatalogViews) names.Add(view);
        return new SystemRelations(names, database);
    }

    public bool Contains(string name) => _names.Contains(name);

    public bool IsForbidden(string name) => IsForbiddenName(name);

    private static bool IsForbiddenName(string name) => Forbidden.Contains(name) || name.StartsWith("duckdb_", StringComparison.Ordinal);

    public bool IsCurrentDatabase(string name) => string.Equals(name, _database, StringComparison.OrdinalIgnoreCase);

    /// <summary>Schemas whose relations are the catalog's: readable by everyone, writable by no one.</summary>
    public static bool IsSystemSchema(string schema) => schema is "pg_catalog" or "information_schema" or "main" || IsHiddenSchema(schema);

    /// <summary>LocalShift's own schemas and the engine's catalogs, which no statement may name.</summary>
    public static bool IsHiddenSchema(string schema) =>
        schema.StartsWith(UserDirectory.Schema, StringComparison.Ordinal) || schema is "system" or "temp" or FunctionLibrary.TypedCatalog;
}
