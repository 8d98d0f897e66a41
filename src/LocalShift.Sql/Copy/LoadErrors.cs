using LocalShift.Engine;
using LocalShift.Sql.Users;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>One rejected record, as <c>stl_load_errors</c> shows it.</summary>
public sealed record LoadError(string Filename, long LineNumber, string ColumnName, string Type, string RawLine, string RawFieldValue, int ErrCode, string Reason, string ColLength = "0")
{
    /// <summary>The position of the error in the field (the offending character of a number), 0 when it is the whole field.</summary>
    public int Position { get; init; }
}

/// <summary>
/// <c>stl_load_errors</c>, <c>stl_load_commits</c> and the last load's count and query id (<c>pg_last_copy_count()</c>,
/// <c>pg_last_copy_id()</c>): tables in the hidden schema with Redshift's columns, and views in main so every session
/// finds them on its search path.
/// </summary>
public static class LoadErrors
{
    private const string Table = UserDirectory.Schema + ".stl_load_errors";
    private const string Commits = UserDirectory.Schema + ".stl_load_commits";
    private const string Replacements = UserDirectory.Schema + ".stl_replacements";

    public static void Ensure(IEngineSession engine)
    {
        // Checked first so that concurrent sessions do not race on catalog writes once it exists.
        if (engine.Catalog.HasView("main", "stl_load_commits") && Views(engine) == 3) return;
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
            CREATE TABLE IF NOT EXISTS {Commits}(userid INTEGER, query INTEGER, slice INTEGER, name VARCHAR, filename VARCHAR, byte_offset INTEGER,
              lines_scanned INTEGER, errors INTEGER, curtime TIMESTAMP, status INTEGER, file_format VARCHAR, is_partial INTEGER, start_offset BIGINT,
              copy_job_id BIGINT);
            CREATE VIEW IF NOT EXISTS main.stl_load_commits AS SELECT * FROM {Commits};
            CREATE VIEW IF NOT EXISTS main.stl_loaderror_detail AS
              SELECT userid, slice, session, query, filename, line_number, 0 AS field, colname, raw_field_value AS value,
                     0 AS is_null, type, col_length
              FROM {Table} WHERE colname <> '';
            CREATE TABLE IF NOT EXISTS {Replacements}(userid INTEGER, query INTEGER, slice INTEGER, tbl INTEGER, starttime TIMESTAMP, session INTEGER,
              filename VARCHAR, line_number BIGINT, colname VARCHAR, raw_line VARCHAR);
            CREATE VIEW IF NOT EXISTS main.stl_replacements AS SELECT * FROM {Replacements};
            """);
        engine.DefineFunctions([EngineFunction.Of("pg_last_copy_id", "", "CAST(-1 AS INTEGER)"), EngineFunction.Of("pg_last_copy_count", "", "CAST(0 AS BIGINT)")]);
    }

    /// <summary>
    /// The files a load committed, one row each, written in the load's own transaction (a rolled back COPY leaves none).
    /// <paramref name="linesScanned"/> is null where it is not known per file.
    /// </summary>
    public static void Commit(IEngineSession engine, long query, string table, IEnumerable<(string Url, long? LinesScanned)> files, string format)
    {
        foreach (var chunk in files.Chunk(100))
        {
            var rows = chunk.Select(f =>
                $"(100, {query}, 0, {QuoteLiteral(Cut(table, 256))}, {QuoteLiteral(Cut(f.Url, 256))}, 0, {(f.LinesScanned is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "NULL")}, " +
                $"0, now()::TIMESTAMP, 1, {QuoteLiteral(format)}, 0, 0, 0)");
            engine.Execute($"INSERT INTO {Commits} VALUES {string.Join(", ", rows)}");
        }
    }

    /// <summary>The views added after the first release of this schema (a state database from then gets them at open).</summary>
    private static long Views(IEngineSession engine) =>
        (engine.Catalog.HasView("main", "stl_loaderror_detail") ? 1 : 0) + (engine.Catalog.HasView("main", "stl_replacements") ? 1 : 0)
        + (engine.Catalog.HasFunction("main", "pg_last_copy_id") ? 1 : 0);

    /// <summary>ACCEPTINVCHARS replacements: the lines whose invalid UTF-8 was replaced (at most 100 a load, as Redshift keeps).</summary>
    public static void RecordReplacements(IEngineSession engine, long query, long tbl, int session, IEnumerable<(string Url, long Line, string RawLine, string Column)> lines)
    {
        foreach (var chunk in lines.Take(100).Chunk(100))
        {
            var rows = chunk.Select(l => $"(100, {query}, 0, {tbl}, now()::TIMESTAMP, {session}, {QuoteLiteral(Cut(l.Url, 256))}, {l.Line}, {QuoteLiteral(Cut(l.Column, 127))}, {QuoteLiteral(Cut(l.RawLine, 1024))})");
            engine.Execute($"INSERT INTO {Replacements} VALUES {string.Join(", ", rows)}");
        }
    }

    public static void Record(IEngineSession engine, string table, IEnumerable<LoadError> errors, long query = 0, long tbl = 0, int session = 0)
    {
        Ensure(engine);
        foreach (var chunk in errors.Take(1000).Chunk(100))
        {
            var rows = chunk.Select(e =>
                $"(100, 0, {tbl}, now()::TIMESTAMP, {session}, {query}, {QuoteLiteral(Cut(e.Filename, 256))}, {e.LineNumber}, {QuoteLiteral(Cut(e.ColumnName, 127))}, {QuoteLiteral(e.Type)}, {QuoteLiteral(e.ColLength)}, {e.Position}, " +
                $"{QuoteLiteral(Cut(e.RawLine, 1024))}, {QuoteLiteral(Cut(e.RawFieldValue, 1024))}, {e.ErrCode}, {QuoteLiteral(Cut(e.Reason, 100))}, 0, 0, 0)");
            engine.Execute($"INSERT INTO {Table} VALUES {string.Join(", ", rows)}");
        }
    }

    /// <summary>pg_last_copy_count() for this session: a session's function, so every connection keeps its own.</summary>
    public static void SetLastCount(IEngineSession engine, long count, long query = 0)
    {
        try
        {
            engine.DefineFunctions([EngineFunction.Of("pg_last_copy_count", "", $"{count}::BIGINT") with { Session = true },
                EngineFunction.Of("pg_last_copy_id", "", $"{query}::INTEGER") with { Session = true }]);
        }
        catch (PgException)
        {
            // Inside an aborted transaction nothing can be created; the count is informational.
        }
    }

    public static PgException LoadFailed(string table) =>
        new(SqlState.InternalError, $"Load into table '{table}' failed.  Check 'stl_load_errors' system table for details.");

    private static string Cut(string s, int n) => s.Length <= n ? s : s[..n];
}
