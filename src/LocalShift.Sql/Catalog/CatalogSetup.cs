using LocalShift.Engine;
using LocalShift.Sql.Users;

namespace LocalShift.Sql.Catalog;

/// <summary>
/// Redshift's schema "public" and system views (svv_tables, pg_table_def) inside a cluster's database. The views
/// live in DuckDB's "main" schema, which every session keeps last on its search path.
/// </summary>
internal static class CatalogSetup
{
    /// <summary>Run at the start of every session (the search path is a session's own, and stays settable).</summary>
    public const string SessionSettings = "SET search_path = 'public,main'";

    private const string HiddenSchemas = $"('{UserDirectory.Schema}', 'information_schema', 'pg_catalog', 'main')";

    public static void Install(IEngineSession system)
    {
        system.DefineFunctions(FunctionLibrary.Functions(system.Catalog));
        system.Execute("CREATE SCHEMA IF NOT EXISTS public");
        InstallTableViews(system, "table_type");
    }

    /// <summary>
    /// svv_tables and svv_all_tables over the engine's tables; <paramref name="tableType"/> is the SQL of their
    /// table_type over information_schema.tables' columns (the materialized views' record, once it exists, makes theirs VIEW).
    /// </summary>
    public static void InstallTableViews(IEngineSession system, string tableType) =>
        system.Execute($"""
            CREATE OR REPLACE VIEW main.svv_tables AS
              SELECT table_catalog, table_schema, table_name, {tableType} AS table_type, NULL::VARCHAR AS remarks
              FROM information_schema.tables WHERE table_schema NOT IN {HiddenSchemas};
            CREATE OR REPLACE VIEW main.svv_all_tables AS
              SELECT table_catalog AS database_name, table_schema AS schema_name, table_name, {tableType} AS table_type, NULL::VARCHAR AS remarks
              FROM information_schema.tables WHERE table_schema NOT IN {HiddenSchemas};
            """);

    /// <summary>Redshift's name of an engine column type, for columns whose CREATE TABLE was not recorded.</summary>
    private const string EngineTypeAsRedshift = """
        CASE
          WHEN c.data_type = 'VARCHAR' THEN 'character varying(256)'
          WHEN c.data_type = 'INTEGER' THEN 'integer'
          WHEN c.data_type = 'BIGINT' THEN 'bigint'
          WHEN c.data_type = 'SMALLINT' THEN 'smallint'
          WHEN c.data_type = 'BOOLEAN' THEN 'boolean'
          WHEN c.data_type = 'DOUBLE' THEN 'double precision'
          WHEN c.data_type = 'FLOAT' THEN 'real'
          WHEN c.data_type = 'DATE' THEN 'date'
          WHEN c.data_type = 'TIMESTAMP' THEN 'timestamp without time zone'
          WHEN c.data_type = 'TIMESTAMP WITH TIME ZONE' THEN 'timestamp with time zone'
          WHEN c.data_type = 'TIME' THEN 'time without time zone'
          WHEN c.data_type = 'JSON' THEN 'super'
          WHEN c.data_type = 'BLOB' THEN 'varbyte(64000)'
          WHEN c.data_type LIKE 'DECIMAL%' THEN replace(lower(c.data_type), 'decimal', 'numeric')
          ELSE lower(c.data_type)
        END
        """;

    /// <summary>
    /// Views over the user directory, the live sessions and the table attributes CREATE TABLE recorded
    /// (<see cref="Dialect.TableAttributes"/>); run once the user directory's tables exist.
    /// </summary>
    public static void InstallSystemViews(IEngineSession system)
    {
        const string s = UserDirectory.Schema;
        // The catalog views are filled per statement from the data catalog (ExternalTables.MaterializeCatalogViews),
        // as temporary tables that hide these empty stand-ins.
        foreach (var (view, columns) in new[]
                 {
                     ("svv_external_tables", External.ExternalTables.TablesColumns), ("svv_external_columns", External.ExternalTables.ColumnsColumns),
                     ("svv_external_partitions", External.ExternalTables.PartitionsColumns), ("svv_external_databases", External.ExternalTables.DatabasesColumns),
                 })
            system.Execute($"CREATE OR REPLACE VIEW main.{view} AS SELECT " +
                string.Join(", ", columns.Split(", ").Select(c => { var sp = c.LastIndexOf(' '); return $"CAST(NULL AS {c[(sp + 1)..]}) AS {c[..sp]}"; })) + " WHERE false");
        Dialect.TableAttributes.Install(system);
        system.Execute($"""
            CREATE TABLE IF NOT EXISTS {FunctionLibrary.Typed}sessions(process INTEGER, user_name VARCHAR, db_name VARCHAR, starttime TIMESTAMP);
            CREATE OR REPLACE VIEW main.pg_user AS
              SELECT name AS usename, CAST(99 + row_number() OVER (ORDER BY created, name) AS INTEGER) AS usesysid, superuser AS usecreatedb,
                     superuser AS usesuper, superuser AS usecatupd, '********' AS passwd, CAST(NULL AS TIMESTAMP) AS valuntil, CAST(NULL AS VARCHAR) AS useconfig
              FROM {s}.users;
            CREATE OR REPLACE VIEW main.svv_external_schemas AS
              SELECT CAST(100000 + row_number() OVER (ORDER BY schema_name) AS INTEGER) AS esoid, CAST(1 AS SMALLINT) AS eskind,
                     schema_name AS schemaname,
                     CAST(coalesce((SELECT u.usesysid FROM main.pg_user u WHERE u.usename = e.owner), 100) AS INTEGER) AS esowner,
                     database_name AS databasename,
                     chr(123) || '"IAM_ROLE":"' || iam_role || '"' || coalesce(',"CATALOG_ROLE":"' || catalog_role || '"', '') || chr(125) AS esoptions
              FROM {External.ExternalSchemas.Table} e;
            CREATE OR REPLACE VIEW main.svv_user_info AS
              SELECT usename AS user_name, usesysid AS user_id, usecreatedb AS createdb, usesuper AS superuser, usecatupd AS catalog_update,
                     'UNLIMITED' AS connection_limit, CASE WHEN usesuper THEN 'UNRESTRICTED' ELSE 'RESTRICTED' END AS syslog_access,
                     CAST(NULL AS VARCHAR) AS last_updated_password, 0 AS session_timeout, CAST(NULL AS VARCHAR) AS external_user_id
              FROM main.pg_user;
            CREATE OR REPLACE VIEW main.svl_user_info AS
              SELECT usename, usesysid, usecreatedb, usesuper, usecatupd, CAST(NULL AS VARCHAR) AS useconnlimit, 'RESTRICTED' AS syslogaccess,
                     CAST(NULL AS TIMESTAMP) AS last_updated_password, 0 AS session_timeout
              FROM main.pg_user;
            CREATE OR REPLACE VIEW main.pg_group AS
              SELECT g.group_name AS groname, CAST(100 + dense_rank() OVER (ORDER BY g.group_name) AS INTEGER) AS grosysid,
                     list(u.usesysid ORDER BY u.usesysid) FILTER (WHERE u.usesysid IS NOT NULL) AS grolist
              FROM {s}.group_members g LEFT JOIN main.pg_user u ON u.usename = g.user_name GROUP BY g.group_name;
            CREATE OR REPLACE VIEW main.stv_sessions AS
              SELECT starttime, process, rpad(user_name, 50, ' ') AS user_name, rpad(db_name, 50, ' ') AS db_name, 0 AS timeout_sec, CAST(NULL AS VARCHAR) AS timed_out
              FROM {FunctionLibrary.Typed}sessions;
            CREATE OR REPLACE VIEW main.ls_column_defs AS
              SELECT c.table_catalog, c.table_schema, c.table_name, c.column_name, c.ordinal_position, c.column_default, c.is_nullable, c.data_type AS engine_type,
                     coalesce(a.type_name, {EngineTypeAsRedshift}) AS type_name,
                     coalesce(a.encoding, CASE
                       WHEN coalesce(a.sortkey, 0) <> 0 THEN 'none'
                       WHEN c.data_type IN ('BOOLEAN', 'DOUBLE', 'FLOAT', 'JSON', 'BLOB') THEN 'none'
                       WHEN c.data_type = 'VARCHAR' THEN 'lzo'
                       ELSE 'az64' END) AS encoding,
                     coalesce(a.distkey, FALSE) AS distkey, coalesce(a.sortkey, 0) AS sortkey
              FROM information_schema.columns c
              LEFT JOIN {s}.column_attributes a ON a.schema_name = c.table_schema AND a.table_name = c.table_name AND a.column_name = c.column_name
              WHERE c.table_schema NOT IN {HiddenSchemas} AND c.table_catalog NOT IN ('system', 'temp', '{FunctionLibrary.TypedCatalog}');
            CREATE OR REPLACE VIEW main.svv_columns AS
              SELECT table_catalog, table_schema, table_name, column_name, ordinal_position, column_default, is_nullable,
                     regexp_replace(type_name, '\(.*\)', '') AS data_type,
                     CAST(nullif(regexp_extract(type_name, '^character(?: varying)?\((\d+)\)', 1), '') AS INTEGER) AS character_maximum_length,
                     CAST(nullif(regexp_extract(type_name, '^numeric\((\d+)', 1), '') AS INTEGER) AS numeric_precision,
                     CAST(nullif(regexp_extract(type_name, '^numeric\(\d+,(\d+)\)', 1), '') AS INTEGER) AS numeric_scale,
                     NULL::VARCHAR AS remarks
              FROM main.ls_column_defs;
            CREATE OR REPLACE VIEW main.pg_table_def AS
              SELECT table_schema AS schemaname, table_name AS tablename, column_name AS "column", type_name AS type, encoding, distkey, sortkey,
                     is_nullable = 'NO' AS notnull
              FROM main.ls_column_defs;
            CREATE OR REPLACE VIEW main.svv_table_info AS
              SELECT t.database_name AS database, t.schema_name AS schema, CAST(t.table_oid AS INTEGER) AS table_id, t.table_name AS "table",
                     CASE WHEN a.encode_auto IS NOT FALSE THEN 'Y, AUTO(ENCODE)'
                          WHEN EXISTS (SELECT 1 FROM main.ls_column_defs d WHERE d.table_schema = t.schema_name AND d.table_name = t.table_name AND d.encoding <> 'none') THEN 'Y'
                          ELSE 'N' END AS encoded,
                     coalesce(a.diststyle, 'AUTO(EVEN)') AS diststyle,
                     (SELECT d.column_name FROM main.ls_column_defs d WHERE d.table_schema = t.schema_name AND d.table_name = t.table_name AND d.sortkey IN (1, -1)) AS sortkey1,
                     (SELECT CAST(max(CAST(regexp_extract(d.type_name, '^character varying\((\d+)\)', 1) AS INTEGER)) AS INTEGER) FROM main.ls_column_defs d
                        WHERE d.table_schema = t.schema_name AND d.table_name = t.table_name AND d.type_name LIKE 'character varying(%') AS max_varchar,
                     CAST(NULL AS VARCHAR) AS sortkey1_enc,
                     CAST((SELECT count(*) FROM main.ls_column_defs d WHERE d.table_schema = t.schema_name AND d.table_name = t.table_name AND d.sortkey <> 0) AS INTEGER) AS sortkey_num,
                     CAST(ceil(t.estimated_size * t.column_count * 8 / 1048576.0) + t.column_count + 3 AS BIGINT) AS size,
                     CAST(0 AS NUMERIC(10,4)) AS pct_used, CAST(0 AS BIGINT) AS empty, CAST(0 AS NUMERIC(5,2)) AS unsorted, CAST(0 AS NUMERIC(5,2)) AS stats_off,
                     CAST(t.estimated_size AS NUMERIC(38,0)) AS tbl_rows, CAST(NULL AS NUMERIC(19,2)) AS skew_sortkey1, CAST(1 AS NUMERIC(19,2)) AS skew_rows,
                     CAST(t.estimated_size AS NUMERIC(38,0)) AS estimated_visible_rows, CAST(NULL AS VARCHAR) AS risk_event, CAST(NULL AS NUMERIC(12,2)) AS vacuum_sort_benefit,
                     CAST(NULL AS TIMESTAMP) AS create_time
              FROM {system.Catalog.Relation(CatalogRelation.Tables)} t
              LEFT JOIN {s}.table_attributes a ON a.schema_name = t.schema_name AND a.table_name = t.table_name
              WHERE t.schema_name NOT IN {HiddenSchemas} AND NOT t.temporary AND t.database_name <> '{FunctionLibrary.TypedCatalog}';
            """);
        system.DefineFunctions([EngineFunction.Of("ls_user_id", "n", "(SELECT usesysid FROM main.pg_user WHERE usename = n)")]);
    }
}
