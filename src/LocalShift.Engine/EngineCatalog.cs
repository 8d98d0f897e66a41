namespace LocalShift.Engine;

/// <summary>
/// A relation of the engine's own catalog, with the columns the SQL layer builds its system views and psql's answers
/// over (<see cref="IEngineCatalog.Relation"/>). The columns are the same whatever the engine: a name the SQL layer
/// reads is listed here. Every database the session sees is in it: the cluster's own (<c>database_name</c> is
/// <c>current_database()</c>), the session's temporary objects (<c>temp</c>) and the engine's internal ones.
/// </summary>
public enum CatalogRelation
{
    /// <summary>Tables: <c>database_name, schema_name, table_name, table_oid BIGINT, temporary BOOLEAN, estimated_size BIGINT, column_count BIGINT</c>.</summary>
    Tables,

    /// <summary>Views: <c>database_name, schema_name, view_name, view_oid BIGINT, internal BOOLEAN</c> (the engine's own), <c>sql</c> (the definition).</summary>
    Views,

    /// <summary>
    /// Columns of tables and views: <c>database_name, schema_name, table_name, table_oid BIGINT, column_name,
    /// column_index INTEGER</c> (1-based), <c>data_type</c> (the engine's type name: VARCHAR, INTEGER, DECIMAL(10,2), …),
    /// <c>is_nullable BOOLEAN, column_default, comment</c>.
    /// </summary>
    Columns,

    /// <summary>Functions: <c>database_name, schema_name, function_name, function_oid BIGINT, return_type, parameter_types</c> (a list of type names).</summary>
    Functions,
}

/// <summary>
/// What the engine knows of its own objects, read through one session: whether a table, view or function exists,
/// a table's columns and id, and the catalog as relations (<see cref="CatalogRelation"/>). The questions are about
/// the cluster's own database (not the session's temporary objects, nor the engine's internal catalogs) unless said.
/// </summary>
public interface IEngineCatalog
{
    /// <summary>The relation as text to stand in FROM of a statement the engine runs (it may be a subquery: give it an alias).</summary>
    string Relation(CatalogRelation relation);

    /// <summary>Whether the cluster's database has a table <paramref name="table"/> in <paramref name="schema"/>.</summary>
    bool HasTable(string schema, string table);

    /// <summary>Whether the cluster's database has a view <paramref name="view"/> in <paramref name="schema"/>.</summary>
    bool HasView(string schema, string view);

    /// <summary>Whether the cluster's database has a function (a macro) <paramref name="function"/> in <paramref name="schema"/>.</summary>
    bool HasFunction(string schema, string function);

    /// <summary>The columns of a table of the cluster's database, in order; empty when there is no such table.</summary>
    IReadOnlyList<string> Columns(string schema, string table);

    /// <summary>
    /// A table's id (the <c>table_oid</c> of <see cref="CatalogRelation.Tables"/>): the session's temporary table of that
    /// name with <paramref name="temporary"/>, else the table of <paramref name="schema"/>; null when there is none.
    /// </summary>
    long? TableId(string schema, string table, bool temporary);

    /// <summary>
    /// Whether <paramref name="name"/> is one of the engine's own functions that read its configuration, its files or
    /// the host, or run text as SQL (its catalog functions, file readers, settings): refused to every user as if it
    /// did not exist.
    /// </summary>
    bool IsEngineFunction(string name);

    /// <summary>
    /// Whether <paramref name="name"/> is one of the engine's own views of itself (its settings with host paths, its
    /// databases with file paths, its objects): no user may name it.
    /// </summary>
    bool IsEngineRelation(string name);
}
