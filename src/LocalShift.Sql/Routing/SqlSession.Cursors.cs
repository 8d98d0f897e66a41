using System.Globalization;
using LocalShift.Engine;
using LocalShift.Sql.Syntax;
using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Routing;

/// <summary>
/// Cursors: <c>DECLARE name CURSOR FOR query</c>, <c>FETCH [NEXT | ALL | FORWARD [n | ALL] | n] [FROM | IN] name</c>
/// and <c>CLOSE name</c>, inside a transaction block, as Redshift's DECLARE, FETCH and CLOSE pages describe them
/// (psycopg2's named cursors and JDBC's fetch size use them). DECLARE runs the query as any SELECT (privileges
/// checked on its tree) and keeps its rows, as Redshift materializes a cursor's result on the leader node; the
/// engine keeps one running result per connection, so the rows cannot stay in the engine between FETCHes.
/// A cursor ends with CLOSE or with its transaction.
/// </summary>
internal sealed partial class SqlSession
{
    private readonly Dictionary<string, Cursor> _cursors = new(StringComparer.Ordinal);

    private sealed class Cursor(IReadOnlyList<PgColumn> columns, List<object?[]> rows)
    {
        public IReadOnlyList<PgColumn> Columns => columns;
        public List<object?[]> Rows => rows;
        public int Position { get; set; }
    }

    private IPgResult RunCursorStatement(StatementAnalysis analysis)
    {
        switch (analysis.Parsed)
        {
            case DeclareCursorStatement declare:
                return Declare(analysis.Sql, declare);
            case CloseStatement close:
                if (close.Cursor is null) _cursors.Clear();
                else if (!_cursors.Remove(close.Cursor)) throw NoSuchCursor(close.Cursor);
                return new CommandResult("CLOSE CURSOR");
            default:
            {
                var fetch = (FetchStatement)analysis.Parsed;
                var cursor = Find(fetch.Cursor);
                var take = Math.Max(0, Math.Min(fetch.Count, cursor.Rows.Count - cursor.Position));
                var rows = cursor.Rows.GetRange(cursor.Position, take);
                cursor.Position += take;
                return new RowsResult(cursor.Columns, rows, "FETCH " + take.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>The columns a FETCH returns (its cursor's), for a client that describes it before running it.</summary>
    private IReadOnlyList<PgColumn>? FetchedColumns(Statement? tree) => tree is FetchStatement fetch ? Find(fetch.Cursor).Columns : null;

    /// <summary>DECLARE: the cursor's name and its query come from the statement's tree; the query runs as any SELECT would.</summary>
    private CommandResult Declare(string sql, DeclareCursorStatement declare)
    {
        if (_status != TransactionStatus.InBlock)
            // PostgreSQL 8.0's wording, which Redshift keeps (unverified).
            throw new PgException(SqlState.NoActiveSqlTransaction, "DECLARE CURSOR may only be used in transaction blocks");
        if (_cursors.ContainsKey(declare.Name)) throw new PgException(SqlState.DuplicateCursor, $"cursor \"{declare.Name}\" already exists");
        // The query's own analysis (its text as the tree delimits it): privileges, translation and rewrites are read
        // from a tree whose offsets are the query's.
        var inner = Analyze(sql[declare.QueryText.Start..declare.QueryText.End]);
        using var result = RunQuery(inner);
        var columns = result.Columns ?? [];
        var rows = new List<object?[]>();
        while (result.Read())
        {
            var values = new object?[columns.Count];
            for (var c = 0; c < values.Length; c++) values[c] = result.GetValue(c);
            rows.Add(values);
        }
        _cursors[declare.Name] = new Cursor(columns, rows);
        return new CommandResult("DECLARE CURSOR");
    }

    private Cursor Find(string name) => _cursors.TryGetValue(name, out var cursor) ? cursor : throw NoSuchCursor(name);

    private static PgException NoSuchCursor(string name) => new(SqlState.InvalidCursorName, $"cursor \"{name}\" does not exist");
}
