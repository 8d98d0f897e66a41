using LocalShift.Engine;
using LocalShift.Sql.Users;
using LocalShift.Sql.Wire;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>One rejected record, as <c>stl_load_errors</c> shows it.</summary>
public sealed record LoadError(string Filename, long LineNumber, string ColumnName, string Type, string RawLine, string RawFieldValue, int ErrCode, string Reason, string ColLength = "0");

/// <summary>
/// <c>stl_load_errors</c> and the last load's count (<c>pg_last_copy_count()</c>): a table in the hidden schema with
/// Redshift's columns, and a view in main so every session finds it on its search path.
/// </summary>
public static class LoadErrors
{
    private const string Table = UserDirectory.Schema + ".stl_load_errors";

    public static void Ensure(IEngineSession engine)
    {
        // Checked first so that concurrent sessions do not race on catalog writes once it exists.
        using (var exists = engine.Query("SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' AND view_name = 'sys_load_error_detail'"))
        {
            exists.Read();
            if (Convert.ToInt64(exists.GetValue(0)) > 0) return;
        }
        engine.Execute($"""
            CREATE SCHEMA IF NOT EXISTS {UserDirectory.Schema};
            CREATE TABLE IF NOT EXISTS {Table}(userid INTEGER, slice INTEGER, tbl INTEGER, starttime TIMESTAMP, session INTEGER, query INTEGER,
              filename VARCHAR, line_number BIGINT, colname VARCHAR, type VARCHAR, col_length VARCHAR, position INTEGER, raw_line VARCHAR,
              raw_field_value VARCHAR, err_code INTEGER, err_reason VARCHAR, is_partial INTEGER, start_offset BIGINT, copy_job_id BIGINT);
            CREATE VIEW IF NOT EXISTS main.stl_load_errors AS SELECT * FROM {Table};
            CREATE VIEW IF NOT EXISTS main.sys_load_error_detail AS
              SELECT userid AS user_id, query AS query_id, filename AS file_name, line_number, colname AS column_name, type AS column_type,
                     position AS error_position, raw_field_value AS column_value, err_code AS error_code, err_reason AS error_message, starttime AS start_time
              FROM {Table};
            """);
    }

    public static void Record(IEngineSession engine, string table, IEnumerable<LoadError> errors)
    {
        Ensure(engine);
        foreach (var chunk in errors.Take(1000).Chunk(100))
        {
            var rows = chunk.Select(e =>
                $"(100, 0, 0, now()::TIMESTAMP, 0, 0, {QuoteLiteral(e.Filename)}, {e.LineNumber}, {QuoteLiteral(Cut(e.ColumnName, 127))}, {QuoteLiteral(e.Type)}, {QuoteLiteral(e.ColLength)}, 0, " +
                $"{QuoteLiteral(Cut(e.RawLine, 1024))}, {QuoteLiteral(Cut(e.RawFieldValue, 1024))}, {e.ErrCode}, {QuoteLiteral(Cut(e.Reason, 100))}, 0, 0, 0)");
            engine.Execute($"INSERT INTO {Table} VALUES {string.Join(", ", rows)}");
        }
    }

    /// <summary>pg_last_copy_count() for this session: a temporary macro, so every connection keeps its own.</summary>
    public static void SetLastCount(IEngineSession engine, long count)
    {
        try { engine.Execute($"CREATE OR REPLACE TEMP MACRO pg_last_copy_count() AS {count}::BIGINT"); }
        catch (PgException)
        {
            // Inside an aborted transaction nothing can be created; the count is informational.
        }
    }

    public static PgException LoadFailed(string table) =>
        new(SqlState.InternalError, $"Load into table '{table}' failed.  Check 'stl_load_errors' system table for details.");

    private static string Cut(string s, int n) => s.Length <= n ? s : s[..n];
}
