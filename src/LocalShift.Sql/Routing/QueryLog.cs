using System.Globalization;
using System.Text;
using LocalShift.Engine;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Wire;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Routing;

/// <summary>One statement a session ran (or is running), for stl_query, svl_qlog and sys_query_history.</summary>
internal sealed class LoggedQuery(long id, long transaction, string user, int pid, string database, string text, string type)
{
    public long Id { get; } = id;
    public long Transaction { get; } = transaction;
    public string User { get; } = user;
    public int Pid { get; } = pid;
    public string Database { get; } = database;
    public string Text { get; } = text;
    public string Type { get; } = type;
    public DateTime Start { get; } = DateTime.UtcNow;
    public DateTime? End { get; private set; }
    /// <summary>running, success, failed or canceled (sys_query_history's values).</summary>
    public string Status { get; private set; } = "running";
    public string? Error { get; private set; }
    public long Rows { get; private set; }

    public void Succeeded(long rows)
    {
        Rows = rows;
        Status = "success";
        End = DateTime.UtcNow;
    }

    public void Failed(Exception e)
    {
        Status = e is PgException { SqlState: SqlState.QueryCanceled } ? "canceled" : "failed";
        Error = e.Message;
        End = DateTime.UtcNow;
    }

    /// <summary>The statement's result, which completes the entry when the client has read it (or at once for a command).</summary>
    public IPgResult Track(IPgResult result)
    {
        if (result is CommandResult)
        {
            Succeeded(0);
            return result;
        }
        return new CountingResult(result, this);
    }

    private sealed class CountingResult(IPgResult inner, LoggedQuery entry) : IPgResult
    {
        private long _rows;

        public IReadOnlyList<PgColumn>? Columns => inner.Columns;

        public bool Read()
        {
            try
            {
                if (inner.Read())
                {
                    _rows++;
                    return true;
                }
                return false;
            }
            catch (Exception e)
            {
                entry.Failed(e);
                throw;
            }
        }

        public object? GetValue(int ordinal) => inner.GetValue(ordinal);
        public string CommandTag => inner.CommandTag;
        public void Suspend() => inner.Suspend();
        public void Resume() => inner.Resume();

        public void Dispose()
        {
            if (entry.End is null) entry.Succeeded(_rows);
            inner.Dispose();
        }
    }
}

/// <summary>
/// The cluster's recent statements, newest last: a bounded ring kept in memory (nothing is written per statement).
/// A statement that names stl_query, svl_qlog or sys_query_history first has the log copied into temporary tables of
/// its own session (<see cref="Materialize"/>), which those names then resolve to.
/// </summary>
internal sealed class QueryLog(int capacity = QueryLog.DefaultCapacity)
{
    public const int DefaultCapacity = 2000;
    private const int MaxText = 4000;

    private static readonly HashSet<string> ViewNames = new(StringComparer.OrdinalIgnoreCase) { "stl_query", "svl_qlog", "sys_query_history" };

    private readonly LoggedQuery?[] _ring = new LoggedQuery?[capacity];
    private readonly Lock _lock = new();
    private long _next;
    private long _nextTransaction;

    public long NewTransaction() => Interlocked.Increment(ref _nextTransaction);

    public LoggedQuery Begin(long transaction, string user, int pid, string database, string text, string type)
    {
        // Redshift keeps the first 4,000 characters; a long statement's text is not held on to.
        if (text.Length > MaxText) text = text[..MaxText];
        lock (_lock)
        {
            var entry = new LoggedQuery(++_next, transaction, user, pid, database, text, type);
            _ring[(entry.Id - 1) % _ring.Length] = entry;
            return entry;
        }
    }

    /// <summary>The entries a user may see, oldest first: a superuser sees everyone's, another user their own.</summary>
    public List<LoggedQuery> Snapshot(string user, bool superuser)
    {
        lock (_lock)
        {
            var count = (int)Math.Min(_next, _ring.Length);
            var list = new List<LoggedQuery>(count);
            for (var id = _next - count + 1; id <= _next; id++)
                if (_ring[(id - 1) % _ring.Length] is { } entry && (superuser || entry.User == user)) list.Add(entry);
            return list;
        }
    }

    /// <summary>Whether a statement names one of the log's views.</summary>
    public static bool Mentioned(List<SqlToken> significant)
    {
        foreach (var token in significant)
            if (token.Kind == SqlTokenKind.Word && token.Text.Length >= 8 && ViewNames.Contains(token.Text)) return true;
        return false;
    }

    /// <summary>The type sys_query_history gives a statement.</summary>
    public static string TypeOf(StatementAnalysis analysis) => analysis.Command?.Kind switch
    {
        Syntax.CommandKind.Copy => "COPY",
        Syntax.CommandKind.Unload => "UNLOAD",
        // GRANT/REVOKE and the CREATE/ALTER/DROP of users, external schemas, tables and functions.
        not null => "DDL",
        null => analysis.Tree switch
        {
            Syntax.QueryStatement => "SELECT",
            Syntax.InsertStatement => "INSERT",
            Syntax.UpdateStatement => "UPDATE",
            Syntax.DeleteStatement => "DELETE",
            Syntax.MergeStatement => "MERGE",
            Syntax.CreateTableStatement { AsQuery: not null } => "CTAS",
            Syntax.CreateTableStatement or Syntax.CreateViewStatement or Syntax.CreateSchemaStatement or Syntax.DropStatement
                or Syntax.AlterTableStatement or Syntax.AlterSchemaStatement or Syntax.TruncateStatement or Syntax.CommentStatement => "DDL",
            Syntax.TransactionStatement or Syntax.SettingStatement => "UTILITY",
            Syntax.UtilityStatement { Tag: "ANALYZE" or "VACUUM" } => "UTILITY",
            _ => "OTHER",
        },
    };

    /// <summary>
    /// Copies the entries the session's user may see into the session's temporary table and (re)creates the views over
    /// it as temporary views, which DuckDB finds before the cluster's own objects.
    /// </summary>
    public void Materialize(IEngineSession engine, string user, bool superuser)
    {
        var entries = Snapshot(user, superuser);
        var sql = new StringBuilder("""
            CREATE OR REPLACE TEMP TABLE ls_query_log(query_id BIGINT, xid BIGINT, user_name VARCHAR, pid INTEGER, database_name VARCHAR,
              query_text VARCHAR, query_type VARCHAR, status VARCHAR, error_message VARCHAR, start_time TIMESTAMP, end_time TIMESTAMP, returned_rows BIGINT);
            """);
        if (entries.Count > 0)
        {
            sql.Append("\nINSERT INTO temp.main.ls_query_log VALUES ");
            for (var i = 0; i < entries.Count; i++)
            {
                var e = entries[i];
                if (i > 0) sql.Append(", ");
                sql.Append(CultureInfo.InvariantCulture,
                    $"({e.Id}, {e.Transaction}, {QuoteLiteral(e.User)}, {e.Pid}, {QuoteLiteral(e.Database)}, {QuoteLiteral(e.Text)}, " +
                    $"'{e.Type}', '{e.Status}', {(e.Error is null ? "NULL" : QuoteLiteral(e.Error))}, {Timestamp(e.Start)}, {(e.End is { } end ? Timestamp(end) : "NULL")}, {e.Rows})");
            }
            sql.Append(';');
        }
        // STL_QUERY and SVL_QLOG hold finished queries (not DDL or utility statements); SYS_QUERY_HISTORY also running ones and all types.
        const string queries = "query_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'CTAS', 'COPY', 'UNLOAD') AND status <> 'running'";
        const string userId = "CAST(coalesce((SELECT u.usesysid FROM main.pg_user u WHERE u.usename = l.user_name), 100) AS INTEGER)";
        sql.Append($"""

            CREATE OR REPLACE TEMP VIEW stl_query AS
              SELECT {userId} AS userid, CAST(query_id AS INTEGER) AS query, 'default' AS label, xid, pid,
                     database_name AS database, query_text AS querytxt, start_time AS starttime,
                     end_time AS endtime, CASE WHEN status IN ('failed', 'canceled') THEN 1 ELSE 0 END AS aborted,
                     0 AS insert_pristine, 0 AS concurrency_scaling_status
              FROM temp.main.ls_query_log l WHERE {queries};
            CREATE OR REPLACE TEMP VIEW svl_qlog AS
              SELECT {userId} AS userid, CAST(query_id AS INTEGER) AS query, xid, pid, start_time AS starttime,
                     end_time AS endtime, CAST(date_diff('microsecond', start_time, end_time) AS BIGINT) AS elapsed,
                     CASE WHEN status IN ('failed', 'canceled') THEN 1 ELSE 0 END AS aborted, 'default' AS label,
                     left(query_text, 60) AS substring, CAST(NULL AS INTEGER) AS source_query,
                     '0 - Ran on the main cluster' AS concurrency_scaling_status_txt, 0 AS from_sp_call
              FROM temp.main.ls_query_log l WHERE {queries};
            CREATE OR REPLACE TEMP VIEW sys_query_history AS
              SELECT {userId} AS user_id, query_id, 'default' AS query_label, xid AS transaction_id, pid AS session_id,
                     database_name AS database_name, query_type AS query_type, status AS status,
                     FALSE AS result_cache_hit, start_time, end_time,
                     CAST(date_diff('microsecond', start_time, coalesce(end_time, CAST(current_timestamp AS TIMESTAMP))) AS BIGINT) AS elapsed_time,
                     CAST(0 AS BIGINT) AS queue_time,
                     CAST(date_diff('microsecond', start_time, coalesce(end_time, CAST(current_timestamp AS TIMESTAMP))) AS BIGINT) AS execution_time,
                     error_message, returned_rows, CAST(0 AS BIGINT) AS returned_bytes,
                     query_text AS query_text, '1.0.77467' AS redshift_version
              FROM temp.main.ls_query_log l;
            """);
        engine.Execute(sql.ToString());
    }

    private static string Timestamp(DateTime t) => $"TIMESTAMP '{t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}'";
}
