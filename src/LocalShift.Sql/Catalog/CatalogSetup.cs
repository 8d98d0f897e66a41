using LocalShift.Engine;
using LocalShift.Sql.Users;

namespace LocalShift.Sql.Catalog;

/// <summary>
/// Redshift's schema "public" and system views (svv_tables, pg_table_def) inside a cluster's database. The views
/// live in DuckDB's "main" schema, which every session keeps last on its search path.
/// </summary>
internal static class CatalogSetup
{
    /// <summary>Run at the start of every session.</summary>
    public const string SessionSettings = "SET TimeZone = 'UTC'; SET search_path = 'public,main'; SET integer_division = true";

    private const string HiddenSchemas = $"('{UserDirectory.Schema}', 'information_schema', 'pg_catalog', 'main')";

    public static void Install(IEngineSession system)
    {
        system.Execute($"""
            CREATE SCHEMA IF NOT EXISTS public;
            CREATE OR REPLACE VIEW main.svv_tables AS
              SELECT table_catalog, table_schema, table_name, table_type, NULL::VARCHAR AS remarks
              FROM information_schema.tables WHERE table_schema NOT IN {HiddenSchemas};
            CREATE OR REPLACE VIEW main.svv_all_tables AS
              SELECT table_catalog AS database_name, table_schema AS schema_name, table_name, table_type, NULL::VARCHAR AS remarks
              FROM information_schema.tables WHERE table_schema NOT IN {HiddenSchemas};
            CREATE OR REPLACE VIEW main.svv_columns AS
              SELECT table_catalog, table_schema, table_name, column_name, ordinal_position, column_default, is_nullable,
                     lower(data_type) AS data_type, character_maximum_length, numeric_precision, numeric_scale, NULL::VARCHAR AS remarks
              FROM information_schema.columns WHERE table_schema NOT IN {HiddenSchemas};
            CREATE OR REPLACE VIEW main.stv_sessions AS
              SELECT CAST(NULL AS TIMESTAMP) AS starttime, 0 AS process, CAST(NULL AS VARCHAR) AS user_name, CAST(NULL AS VARCHAR) AS db_name,
                     0 AS timeout_sec, CAST(NULL AS VARCHAR) AS timed_out
              WHERE FALSE;
            CREATE OR REPLACE VIEW main.pg_table_def AS
              SELECT table_schema AS schemaname, table_name AS tablename, column_name AS "column",
                     CASE
                       WHEN data_type = 'VARCHAR' THEN 'character varying(256)'
                       WHEN data_type = 'INTEGER' THEN 'integer'
                       WHEN data_type = 'BIGINT' THEN 'bigint'
                       WHEN data_type = 'SMALLINT' THEN 'smallint'
                       WHEN data_type = 'BOOLEAN' THEN 'boolean'
                       WHEN data_type = 'DOUBLE' THEN 'double precision'
                       WHEN data_type = 'FLOAT' THEN 'real'
                       WHEN data_type = 'DATE' THEN 'date'
                       WHEN data_type = 'TIMESTAMP' THEN 'timestamp without time zone'
                       WHEN data_type = 'TIMESTAMP WITH TIME ZONE' THEN 'timestamp with time zone'
                       WHEN data_type LIKE 'DECIMAL%' THEN replace(lower(data_type), 'decimal', 'numeric')
                       ELSE lower(data_type)
                     END AS type,
                     'none' AS encoding, FALSE AS distkey, 0 AS sortkey, is_nullable = 'NO' AS notnull
              FROM information_schema.columns WHERE table_schema NOT IN {HiddenSchemas};
            """);
    }
}
