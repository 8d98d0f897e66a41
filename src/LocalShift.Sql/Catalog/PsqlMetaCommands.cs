using System.Text.RegularExpressions;
using LocalShift.Engine;
using LocalShift.Sql.Users;
using static LocalShift.Sql.Catalog.CatalogQueries;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Catalog;

/// <summary>
/// The catalog queries psql 15 sends for \dt, \dv, \d, \d NAME, \dn, \du and \l (as it words them for a server
/// reporting 8.0.2), answered from DuckDB's catalog and the user directory with the columns psql expects.
/// </summary>
internal static partial class PsqlMetaCommands
{
    private const string Hidden = $"('{UserDirectory.Schema}', 'information_schema', 'pg_catalog', 'main')";

    /// <param name="catalog">The engine's catalog, whose relations the answers about tables, views and columns read.</param>
    public static string? Rewrite(string sql, string master, string database, IEngineCatalog catalog)
    {
        var owner = QuoteLiteral(master);
        if (Contains(sql, "as \"Schema\"") && Contains(sql, "c.relname as \"Name\"") && Contains(sql, "pg_catalog.pg_class c"))
            return Relations(sql, owner);
        if (Contains(sql, "n.nspname AS \"Name\"") && Contains(sql, "pg_catalog.pg_namespace n") && !Contains(sql, "pg_class"))
            return $"SELECT schema_name AS \"Name\", {owner} AS \"Owner\" FROM information_schema.schemata " +
                   $"WHERE schema_name NOT IN {Hidden} AND catalog_name NOT IN ('system', 'temp'){Filter(sql, "n.nspname", "schema_name")} ORDER BY 1";
        if (Contains(sql, "FROM pg_catalog.pg_roles r") && Contains(sql, "rolsuper"))
            return $"SELECT u.name AS rolname, u.superuser AS rolsuper, TRUE AS rolinherit, u.superuser AS rolcreaterole, u.superuser AS rolcreatedb, " +
                   "TRUE AS rolcanlogin, -1 AS rolconnlimit, CAST(NULL AS TIMESTAMP) AS rolvaliduntil, " +
                   $"'{{' || coalesce((SELECT string_agg(m.group_name, ',' ORDER BY m.group_name) FROM {UserDirectory.Schema}.group_members m WHERE m.user_name = u.name), '') || '}}' AS memberof, " +
                   $"FALSE AS rolreplication, FALSE AS rolbypassrls FROM {UserDirectory.Schema}.users u WHERE TRUE{Filter(sql, "r.rolname", "u.name")} ORDER BY 1";
        if (Contains(sql, "d.datname as \"Name\"") && Contains(sql, "pg_catalog.pg_database d"))
            return $"SELECT {QuoteLiteral(database)} AS \"Name\", {owner} AS \"Owner\", 'UTF8' AS \"Encoding\", 'C' AS \"Collate\", 'C' AS \"Ctype\", " +
                   "CAST(NULL AS VARCHAR) AS \"ICU Locale\", 'libc' AS \"Locale Provider\", CAST(NULL AS VARCHAR) AS \"Access privileges\"";
        if (Contains(sql, "SELECT c.oid,") && Contains(sql, "n.nspname,") && Contains(sql, "c.relname") && Contains(sql, "pg_catalog.pg_class c"))
            return $"SELECT oid, nspname, relname FROM (SELECT table_oid AS oid, schema_name AS nspname, table_name AS relname FROM {catalog.Relation(CatalogRelation.Tables)} t " +
                   $"UNION ALL SELECT view_oid, schema_name, view_name FROM {catalog.Relation(CatalogRelation.Views)} v WHERE NOT internal) r " +
                   $"WHERE nspname NOT IN {Hidden}{Filter(sql, "c.relname", "relname")}{Filter(sql, "n.nspname", "nspname")} ORDER BY 2, 3";
        if (Contains(sql, "c.relchecks") && Contains(sql, "c.relkind") && OidFilter(sql, "c.oid") is { } relation)
            return "SELECT 0 AS relchecks, " +
                   $"CASE WHEN EXISTS (SELECT 1 FROM {catalog.Relation(CatalogRelation.Views)} v WHERE view_oid = {relation}) THEN 'v' ELSE 'r' END AS relkind, " +
                   "FALSE AS relhasindex, FALSE AS relhasrules, FALSE AS relhastriggers, FALSE AS relrowsecurity, FALSE AS relforcerowsecurity, " +
                   "FALSE AS relhasoids, FALSE AS relispartition, '' AS reloptions, 0 AS reltablespace, '' AS reloftype, 'p' AS relpersistence, " +
                   "'d' AS relreplident, 'heap' AS amname";
        if (Contains(sql, "format_type(a.atttypid, a.atttypmod)") && OidFilter(sql, "a.attrelid") is { } table)
            return ColumnsOf(sql, table, catalog);
        if (Contains(sql, "as \"Result data type\"") && Contains(sql, "pg_catalog.pg_proc p"))
            // \df: the cluster's external functions (LocalShift defines no other user functions).
            return $"SELECT schema_name AS \"Schema\", function_name AS \"Name\", return_type AS \"Result data type\", " +
                   "replace(argument_types, chr(10), ', ') AS \"Argument data types\", 'normal' AS \"Type\" " +
                   $"FROM {External.ExternalFunctionCatalog.Table} WHERE TRUE{Filter(sql, "p.proname", "function_name")}{Filter(sql, "n.nspname", "schema_name")} " +
                   "ORDER BY 1, 2, 4";
        if (Contains(sql, "pg_catalog.pg_inherits"))
            return "SELECT CAST(NULL AS VARCHAR) AS oid WHERE FALSE";
        if (Contains(sql, "pg_get_viewdef(") && Regex.Match(sql, @"pg_get_viewdef\('(\d+)'") is { Success: true } view)
            return $"SELECT sql AS pg_get_viewdef FROM {catalog.Relation(CatalogRelation.Views)} v WHERE view_oid = {view.Groups[1].Value}";
        return null;
    }

    private static string Relations(string sql, string owner)
    {
        var kinds = RelKinds().Match(sql) is { Success: true } m ? m.Groups[1].Value : "'r','v'";
        var types = new List<string>();
        if (kinds.Contains("'r'", StringComparison.Ordinal)) types.Add("'BASE TABLE'");
        if (kinds.Contains("'v'", StringComparison.Ordinal)) types.Add("'VIEW'");
        if (types.Count == 0) types.Add("''");
        return "SELECT t.table_schema AS \"Schema\", t.table_name AS \"Name\", " +
               "CASE WHEN t.table_type = 'VIEW' THEN 'view' ELSE 'table' END AS \"Type\", " +
               $"coalesce(o.owner, {owner}) AS \"Owner\" FROM information_schema.tables t " +
               $"LEFT JOIN {UserDirectory.Schema}.owners o ON o.schema_name = t.table_schema AND o.table_name = t.table_name " +
               $"WHERE t.table_schema NOT IN {Hidden} AND t.table_type IN ({string.Join(", ", types)})" +
               $"{Filter(sql, "c.relname", "t.table_name")}{Filter(sql, "n.nspname", "t.table_schema")} ORDER BY 1, 2";
    }

    /// <summary>
    /// psql 15 with a pre-9 server asks for name, type, default, not null, collation, identity and generated, and for
    /// \d+ also storage, statistics target and the column's comment. The type is the declared one where CREATE TABLE
    /// recorded it (<c>character varying(10)</c>, <c>character(5)</c>, <c>numeric(10,2)</c>), as Redshift's \d shows it.
    /// </summary>
    private static string ColumnsOf(string sql, string oid, IEngineCatalog catalog)
    {
        var columns = sql;
        var extra = new List<string>();
        if (Contains(columns, "attcollation") || Contains(columns, "collname")) extra.Add("CAST(NULL AS VARCHAR) AS attcollation");
        if (Contains(columns, "attidentity")) extra.Add("'' AS attidentity");
        if (Contains(columns, "attgenerated")) extra.Add("'' AS attgenerated");
        if (Contains(columns, "a.attstorage"))
            // PostgreSQL's storage of each type: strings and bytes extended, numeric main, fixed-width types plain.
            extra.Add("CASE WHEN c.data_type IN ('VARCHAR', 'BLOB', 'JSON') THEN 'x' WHEN c.data_type LIKE 'DECIMAL%' THEN 'm' ELSE 'p' END AS attstorage");
        if (Contains(columns, "attstattarget")) extra.Add("CAST(NULL AS INTEGER) AS attstattarget");
        if (Contains(columns, "col_description(")) extra.Add("CAST(c.comment AS VARCHAR) AS col_description");
        return "SELECT c.column_name AS attname, coalesce(d.type_name, " +
               "CASE WHEN c.data_type = 'VARCHAR' THEN 'character varying' WHEN c.data_type = 'INTEGER' THEN 'integer' WHEN c.data_type = 'BIGINT' THEN 'bigint' " +
               "WHEN c.data_type = 'SMALLINT' THEN 'smallint' WHEN c.data_type = 'BOOLEAN' THEN 'boolean' WHEN c.data_type = 'DOUBLE' THEN 'double precision' " +
               "WHEN c.data_type = 'FLOAT' THEN 'real' WHEN c.data_type = 'TIMESTAMP' THEN 'timestamp without time zone' " +
               "WHEN c.data_type = 'TIMESTAMP WITH TIME ZONE' THEN 'timestamp with time zone' WHEN c.data_type LIKE 'DECIMAL%' THEN replace(lower(c.data_type), 'decimal', 'numeric') " +
               "ELSE lower(c.data_type) END) AS format_type, " +
               "c.column_default AS attdef, NOT c.is_nullable AS attnotnull" +
               string.Concat(extra.Select(e => ", " + e)) +
               $" FROM {catalog.Relation(CatalogRelation.Columns)} c LEFT JOIN main.ls_column_defs d ON d.table_catalog = c.database_name AND d.table_schema = c.schema_name " +
               $"AND d.table_name = c.table_name AND d.column_name = c.column_name WHERE c.table_oid = {oid} ORDER BY c.column_index";
    }

    /// <summary>psql's pattern (<c>col OPERATOR(pg_catalog.~) '^(t)$'</c>) as a DuckDB regular-expression filter.</summary>
    private static string Filter(string sql, string psqlColumn, string column)
    {
        var match = Regex.Match(sql, Regex.Escape(psqlColumn) + @"\s+OPERATOR\(pg_catalog\.~\)\s+'((?:[^']|'')*)'");
        if (!match.Success) return "";
        return $" AND regexp_full_match({column}, {QuoteLiteral(match.Groups[1].Value.Replace("''", "'"))})";
    }

    private static string? OidFilter(string sql, string column)
    {
        var match = Regex.Match(sql, Regex.Escape(column) + @"\s*=\s*'(\d+)'");
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"c\.relkind IN \(([^)]*)\)", RegexOptions.IgnoreCase)]
    private static partial Regex RelKinds();
}
