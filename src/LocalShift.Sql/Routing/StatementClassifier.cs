using LocalShift.Sql.Syntax;

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

/// <summary>A statement's kind and its command tag, read from its tree's node.</summary>
internal static class StatementClassifier
{
    /// <summary>
    /// The kind of a parsed statement that is no <see cref="Syntax.CommandStatement"/> (those are
    /// <see cref="StatementKind.Redshift"/>). A statement the parser refused (null) is the engine's, and its syntax
    /// error is what it answers.
    /// </summary>
    public static StatementKind Classify(Statement? tree) => tree switch
    {
        null => StatementKind.EngineCommand,
        TransactionStatement { Verb: TransactionVerb.Begin or TransactionVerb.StartTransaction } => StatementKind.Begin,
        TransactionStatement { Verb: TransactionVerb.Commit } => StatementKind.Commit,
        TransactionStatement => StatementKind.Rollback,
        SettingStatement { Verb: SettingVerb.Set } => StatementKind.Set,
        SettingStatement { Verb: SettingVerb.Show } => StatementKind.Show,
        SettingStatement => StatementKind.Reset,
        UtilityStatement => StatementKind.NoOp,
        // Redshift's distribution, sort key and encoding changes: the engine has no such thing to change.
        AlterTableStatement { Action: "ALTER DISTSTYLE" or "ALTER DISTKEY" or "ALTER SORTKEY" or "ALTER ENCODE" } => StatementKind.NoOp,
        DeclareCursorStatement or FetchStatement or CloseStatement => StatementKind.Cursor,
        QueryStatement or ExplainStatement => StatementKind.EngineQuery,
        InsertStatement { Returning.Count: > 0 } or UpdateStatement { Returning.Count: > 0 } or DeleteStatement { Returning.Count: > 0 } => StatementKind.EngineQuery,
        _ => StatementKind.EngineCommand,
    };

    /// <summary>INSERT, UPDATE, DELETE or MERGE: a statement that changes rows rather than the schema.</summary>
    public static bool ChangesRows(Statement? tree) => tree is InsertStatement or UpdateStatement or DeleteStatement or MergeStatement;

    /// <summary>CREATE TABLE ... AS query (whose tag is "SELECT n").</summary>
    public static bool IsCreateTableAs(Statement? tree) => tree is CreateTableStatement { AsQuery: not null };

    /// <summary>
    /// The PostgreSQL command tag for a statement the session or the engine ran, that changed <paramref name="rows"/>
    /// rows. A node this switch does not know yet (one a later change adds to the parser) is tagged with its
    /// statement's first word, <paramref name="firstWord"/>, until it is added here.
    /// </summary>
    public static string Tag(Statement tree, long rows, string firstWord = "")
    {
        var n = Math.Max(rows, 0);
        return tree switch
        {
            InsertStatement => $"INSERT 0 {n}",
            UpdateStatement => $"UPDATE {n}",
            DeleteStatement => $"DELETE {n}",
            MergeStatement => $"MERGE {n}",
            TruncateStatement => "TRUNCATE TABLE",
            CreateTableStatement { AsQuery: not null } => $"SELECT {n}",
            CreateTableStatement => "CREATE TABLE",
            CreateViewStatement { Materialized: true } => "CREATE MATERIALIZED VIEW",
            CreateViewStatement => "CREATE VIEW",
            CreateSchemaStatement => "CREATE SCHEMA",
            DropStatement drop => "DROP " + drop.ObjectKind,
            RefreshMaterializedViewStatement => "REFRESH MATERIALIZED VIEW",
            AlterMaterializedViewStatement => "ALTER MATERIALIZED VIEW",
            AlterTableStatement or AlterExternalTableStatement => "ALTER TABLE",
            AlterSchemaStatement => "ALTER SCHEMA",
            CommentStatement => "COMMENT",
            TransactionStatement { Verb: TransactionVerb.Begin } => "BEGIN",
            TransactionStatement { Verb: TransactionVerb.StartTransaction } => "START TRANSACTION",
            TransactionStatement { Verb: TransactionVerb.Commit } => "COMMIT",
            TransactionStatement => "ROLLBACK",
            UtilityStatement utility => utility.Tag,
            SettingStatement setting => setting.Verb.ToString().ToUpperInvariant(),
            QueryStatement or ExplainStatement => $"SELECT {n}",
            _ => firstWord.ToUpperInvariant(),
        };
    }
}
