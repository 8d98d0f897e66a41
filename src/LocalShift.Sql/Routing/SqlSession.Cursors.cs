using System.Globalization;
using LocalShift.Engine;
using LocalShift.Sql.Lexing;
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
        var tokens = analysis.Significant;
        if (tokens[0].Is("DECLARE")) return Declare(analysis);
        if (tokens[0].Is("CLOSE")) return Close(tokens);
        var (name, count) = ReadFetch(tokens);
        var cursor = Find(name);
        var take = Math.Max(0, Math.Min(count, cursor.Rows.Count - cursor.Position));
        var rows = cursor.Rows.GetRange(cursor.Position, take);
        cursor.Position += take;
        return new RowsResult(cursor.Columns, rows, "FETCH " + take.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The columns a FETCH returns (its cursor's), for a client that describes it before running it.</summary>
    private IReadOnlyList<PgColumn>? FetchedColumns(List<SqlToken> tokens) =>
        tokens.Count > 0 && tokens[0].Is("FETCH") ? Find(ReadFetch(tokens).Name).Columns : null;

    private CommandResult Declare(StatementAnalysis analysis)
    {
        var tokens = analysis.Significant;
        var i = 1;
        if (i >= tokens.Count || tokens[i].Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) throw SyntaxError(tokens, i);
        var name = tokens[i++].Identifier;
        // PostgreSQL's options, accepted as PostgreSQL clients write them (psycopg2: "NO SCROLL", "WITHOUT HOLD").
        while (i < tokens.Count && tokens[i].IsAny("BINARY", "INSENSITIVE", "NO", "SCROLL")) i++;
        if (i >= tokens.Count || !tokens[i].Is("CURSOR")) throw SyntaxError(tokens, i);
        i++;
        if (i + 1 < tokens.Count && tokens[i].Is("WITHOUT") && tokens[i + 1].Is("HOLD")) i += 2;
        if (i >= tokens.Count || !tokens[i].Is("FOR")) throw SyntaxError(tokens, i);
        var query = QueryText(analysis.Tokens, i);
        if (_status != TransactionStatus.InBlock)
            // PostgreSQL 8.0's wording, which Redshift keeps (unverified).
            throw new PgException(SqlState.NoActiveSqlTransaction, "DECLARE CURSOR may only be used in transaction blocks");
        if (_cursors.ContainsKey(name)) throw new PgException(SqlState.DuplicateCursor, $"cursor \"{name}\" already exists");
        var inner = Analyze(query);
        if (inner.Kind != StatementKind.EngineQuery || inner.SelectInto is not null)
            throw SyntaxError(tokens, i + 1);
        using var result = RunQuery(inner);
        var columns = result.Columns ?? [];
        var rows = new List<object?[]>();
        while (result.Read())
        {
            var values = new object?[columns.Count];
            for (var c = 0; c < values.Length; c++) values[c] = result.GetValue(c);
            rows.Add(values);
        }
        _cursors[name] = new Cursor(columns, rows);
        return new CommandResult("DECLARE CURSOR");
    }

    private CommandResult Close(List<SqlToken> tokens)
    {
        if (tokens.Count != 2) throw SyntaxError(tokens, Math.Min(tokens.Count, 2));
        if (tokens[1].Is("ALL")) _cursors.Clear();
        else if (!_cursors.Remove(tokens[1].Identifier)) throw NoSuchCursor(tokens[1].Identifier);
        return new CommandResult("CLOSE CURSOR");
    }

    /// <summary>FETCH's cursor and how many rows it asks for (int.MaxValue: ALL).</summary>
    private static (string Name, int Count) ReadFetch(List<SqlToken> tokens)
    {
        var i = 1;
        var count = 1;
        if (i < tokens.Count && tokens[i].Is("NEXT")) i++;
        else if (i < tokens.Count && tokens[i].Is("ALL")) { count = int.MaxValue; i++; }
        else if (i < tokens.Count && tokens[i].Is("FORWARD"))
        {
            i++;
            if (i < tokens.Count && tokens[i].Is("ALL")) { count = int.MaxValue; i++; }
            else if (i < tokens.Count && tokens[i].Kind == SqlTokenKind.Number) count = Count(tokens, i++);
        }
        else if (i < tokens.Count && tokens[i].Kind == SqlTokenKind.Number) count = Count(tokens, i++);
        if (i < tokens.Count && tokens[i].IsAny("FROM", "IN")) i++;
        if (i != tokens.Count - 1 || tokens[i].Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) throw SyntaxError(tokens, i);
        return (tokens[i].Identifier, count);
    }

    private static int Count(List<SqlToken> tokens, int i) =>
        int.TryParse(tokens[i].Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw SyntaxError(tokens, i);

    private Cursor Find(string name) => _cursors.TryGetValue(name, out var cursor) ? cursor : throw NoSuchCursor(name);

    private static PgException NoSuchCursor(string name) => new(SqlState.InvalidCursorName, $"cursor \"{name}\" does not exist");

    private static PgException SyntaxError(List<SqlToken> tokens, int i) =>
        new(SqlState.SyntaxError, i < tokens.Count ? $"syntax error at or near \"{tokens[i].Text}\"" : "syntax error at end of input");

    /// <summary>The text after the significant token <paramref name="forIndex"/> (DECLARE's FOR), trivia included.</summary>
    private static string QueryText(List<SqlToken> all, int forIndex)
    {
        var seen = -1;
        for (var j = 0; j < all.Count; j++)
        {
            if (all[j].IsTrivia) continue;
            if (++seen == forIndex) return SqlLexer.Join(all.Skip(j + 1)).Trim();
        }
        return "";
    }
}
