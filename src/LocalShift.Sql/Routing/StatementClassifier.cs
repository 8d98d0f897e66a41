using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.Routing;

/// <summary>Who runs a statement: the session itself, the handler registered for its kind, or the engine.</summary>
internal enum StatementKind
{
    Empty,
    Begin,
    Commit,
    Rollback,
    Set,
    Show,
    Reset,
    NoOp,
    /// <summary>A statement with a <see cref="Syntax.CommandStatement"/> tree, run by its kind's registered handler.</summary>
    Redshift,
    /// <summary>DECLARE ... CURSOR FOR, FETCH and CLOSE: the session keeps the cursors of its transaction.</summary>
    Cursor,
    EngineQuery,
    EngineCommand,
}

internal static class StatementClassifier
{
    /// <summary>The kind of a statement that is no <see cref="Syntax.CommandStatement"/> (those are <see cref="StatementKind.Redshift"/>).</summary>
    public static StatementKind Classify(List<SqlToken> s)
    {
        if (s.Count == 0) return StatementKind.Empty;
        var first = s[0];
        var second = s.Count > 1 ? s[1] : default;
        if (first.IsAny("BEGIN", "START")) return StatementKind.Begin;
        if (first.IsAny("COMMIT", "END")) return StatementKind.Commit;
        if (first.IsAny("ROLLBACK", "ABORT")) return StatementKind.Rollback;
        if (first.Is("SET")) return StatementKind.Set;
        if (first.Is("SHOW")) return StatementKind.Show;
        if (first.Is("RESET")) return StatementKind.Reset;
        if (first.IsAny("ANALYZE", "ANALYSE", "VACUUM", "DISCARD", "DEALLOCATE", "LISTEN", "UNLISTEN", "CANCEL", "LOCK")) return StatementKind.NoOp;
        if (first.IsAny("DECLARE", "FETCH", "CLOSE")) return StatementKind.Cursor;
        if (first.Is("ALTER") && second.Is("TABLE") && s.Any(t => t.IsAny("DISTSTYLE", "DISTKEY", "SORTKEY", "ENCODE") ) && !s.Any(t => t.Is("COLUMN") || t.Is("ADD"))) return StatementKind.NoOp;
        if (first.IsAny("SELECT", "WITH", "VALUES", "TABLE", "EXPLAIN", "DESCRIBE", "SUMMARIZE", "FROM", "PRAGMA")) return StatementKind.EngineQuery;
        if (first.IsAny("INSERT", "UPDATE", "DELETE", "MERGE") && s.Any(t => t.Is("RETURNING"))) return StatementKind.EngineQuery;
        return StatementKind.EngineCommand;
    }

    /// <summary>CREATE TABLE ... AS query (whose tag is "SELECT n").</summary>
    public static bool IsCreateTableAs(List<SqlToken> s) =>
        s.Count > 0 && s[0].Is("CREATE") && s.Any(t => t.Is("AS")) && s.Any(t => t.Is("TABLE")) && !s.Any(t => t.Is("VIEW"));

    /// <summary>The PostgreSQL command tag for a statement that changed <paramref name="rows"/> rows.</summary>
    public static string Tag(List<SqlToken> s, long rows)
    {
        var first = s[0].Text.ToUpperInvariant();
        switch (first)
        {
            case "INSERT": return $"INSERT 0 {Math.Max(rows, 0)}";
            case "UPDATE" or "DELETE" or "MERGE": return $"{first} {Math.Max(rows, 0)}";
            case "TRUNCATE": return "TRUNCATE TABLE";
            case "CREATE" or "DROP" or "ALTER":
            {
                if (IsCreateTableAs(s)) return $"SELECT {Math.Max(rows, 0)}";
                var noun = s.Skip(1).FirstOrDefault(t => !t.IsAny("OR", "REPLACE", "TEMP", "TEMPORARY", "LOCAL", "UNIQUE", "MATERIALIZED", "IF", "NOT", "EXISTS"));
                return noun.Text is null ? first : $"{first} {(s.Any(t => t.Is("MATERIALIZED")) ? "MATERIALIZED " : "")}{noun.Text.ToUpperInvariant()}";
            }
            default: return first;
        }
    }
}
