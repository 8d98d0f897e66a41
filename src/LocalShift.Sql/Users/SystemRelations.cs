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

    /// <summary>The engine's own names (<see cref="IEngineCatalog.IsEngineRelation"/>, <see cref="IEngineCatalog.IsEngineFunction"/>).</summary>
    private readonly IEngineCatalog _engine;

    private SystemRelations(HashSet<string> names, string database, IEngineCatalog engine)
    {
        _names = names;
        _database = database;
        _engine = engine;
    }

    /// <summary>Reads the catalog's views from the engine once the cluster's setup is done.</summary>
    public static SystemRelations Load(IEngineSession system, string database)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var engine = system.Catalog;
        using (var result = system.Query(
            $"SELECT view_name FROM {engine.Relation(CatalogRelation.Views)} v WHERE schema_name IN ('main', 'pg_catalog', 'information_schema') " +
            $"AND database_name NOT IN ('temp', '{FunctionLibrary.TypedCatalog}')"))
            while (result.Read())
                if (result.GetValue(0) is string name && !engine.IsEngineRelation(name)) names.Add(name);
        foreach (var log in new[] { "stl_query", "svl_qlog", "sys_query_history" }) names.Add(log);
        foreach (var view in External.ExternalTables.CatalogViews) names.Add(view);
        return new SystemRelations(names, database, engine);
    }

    public bool Contains(string name) => _names.Contains(name);

    /// <summary>One of the engine's views of itself (its settings with host paths, databases with file paths, objects): no user may name it.</summary>
    public bool IsForbidden(string name) => _engine.IsEngineRelation(name);

    /// <summary>One of the engine's own functions over its configuration, files or the host: refused as if it did not exist.</summary>
    public bool IsEngineFunction(string name) => _engine.IsEngineFunction(name);

    public bool IsCurrentDatabase(string name) => string.Equals(name, _database, StringComparison.OrdinalIgnoreCase);

    /// <summary>Schemas whose relations are the catalog's: readable by everyone, writable by no one.</summary>
    public static bool IsSystemSchema(string schema) => schema is "pg_catalog" or "information_schema" or "main" || IsHiddenSchema(schema);

    /// <summary>LocalShift's own schemas and the engine's catalogs, which no statement may name.</summary>
    public static bool IsHiddenSchema(string schema) =>
        schema.StartsWith(UserDirectory.Schema, StringComparison.Ordinal) || schema is "system" or "temp" or FunctionLibrary.TypedCatalog;
}
