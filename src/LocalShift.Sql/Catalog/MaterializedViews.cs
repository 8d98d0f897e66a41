using LocalShift.Engine;
using LocalShift.Sql.Dialect;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Syntax;
using LocalShift.Sql.Users;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Catalog;

/// <summary>
/// Redshift's materialized views: CREATE MATERIALIZED VIEW makes a table of the engine filled by its query, and keeps
/// the statement (its definition), its owner and the relations its query reads in the cluster's hidden schema, so
/// that the view outlives a restart. Reads see the stored rows until REFRESH MATERIALIZED VIEW runs the query again;
/// a write to a base table marks the view stale (<see cref="MarkStale"/>), as svv_mv_info and stv_mv_info show.
/// Only the owner (or a superuser) refreshes or drops it; INSERT, UPDATE, DELETE, TRUNCATE, COPY and ALTER TABLE
/// of it are refused (<see cref="RefuseWrite"/>).
/// </summary>
internal static class MaterializedViews
{
    public const string Table = UserDirectory.Schema + ".materialized_views";
    public const string BasesTable = UserDirectory.Schema + ".materialized_view_bases";

    /// <summary>The record's tables and the system views over it, made when the cluster's database opens.</summary>
    public static void Install(IEngineSession system, string database)
    {
        // Whoever asks: the user of the session whose pid the statement runs under.
        var asking = $"(SELECT s.user_name FROM {FunctionLibrary.Typed}sessions s WHERE s.process = pg_backend_pid())";
        var visible = $"(m.owner = {asking} OR coalesce((SELECT u.superuser FROM {UserDirectory.Schema}.users u WHERE u.name = {asking}), FALSE))";
        system.Execute($"""
            CREATE TABLE IF NOT EXISTS {Table}(schema_name VARCHAR, view_name VARCHAR, owner VARCHAR, definition VARCHAR,
              auto_refresh BOOLEAN, backup BOOLEAN, stale BOOLEAN, created TIMESTAMP, refreshed TIMESTAMP);
            CREATE TABLE IF NOT EXISTS {BasesTable}(schema_name VARCHAR, view_name VARCHAR, base_schema VARCHAR, base_name VARCHAR);
            ALTER TABLE {Table} ADD COLUMN IF NOT EXISTS state INTEGER DEFAULT 0;
            CREATE OR REPLACE VIEW main.svv_mv_info AS
              SELECT CAST({QuoteLiteral(database)} AS VARCHAR) AS database_name, m.schema_name, m.owner AS user_name, m.view_name AS name,
                     CASE WHEN m.stale THEN 't' ELSE 'f' END AS is_stale, coalesce(m.state, 0) AS state, 'f' AS autorewrite,
                     CASE WHEN m.auto_refresh THEN 't' ELSE 'f' END AS autorefresh
              FROM {Table} m WHERE {visible};
            CREATE OR REPLACE VIEW main.stv_mv_info AS
              SELECT CAST({QuoteLiteral(database)} AS VARCHAR) AS db_name, m.schema_name AS schema, m.view_name AS name, CAST(NULL AS BIGINT) AS updated_upto_xid,
                     CASE WHEN m.stale THEN 't' ELSE 'f' END AS is_stale, m.owner AS owner_user_name, coalesce(m.state, 0) AS state, 'f' AS autorewrite,
                     CASE WHEN m.auto_refresh THEN 't' ELSE 'f' END AS autorefresh
              FROM {Table} m WHERE {visible};
            """);
        // svv_tables.table_type: Redshift documents VIEW, BASE TABLE and EXTERNAL TABLE; a materialized view is queried as
        // a view, so it shows as VIEW (unverified against a cluster) rather than as the engine's BASE TABLE that holds its rows.
        CatalogSetup.InstallTableViews(system, $"CASE WHEN EXISTS (SELECT 1 FROM {Table} m WHERE m.schema_name = table_schema " +
                                               "AND m.view_name = table_name) THEN 'VIEW' ELSE table_type END");
    }

    /// <summary>Runs CREATE, REFRESH and DROP MATERIALIZED VIEW (<see cref="CommandKind.MaterializedView"/>).</summary>
    public static void Register(StatementHandlers handlers, UserDirectory users) =>
        handlers.Register(CommandKind.MaterializedView, (context, command) => command.Tree switch
        {
            CreateViewStatement create => Create(context, create, command.Text ?? "", users),
            RefreshMaterializedViewStatement refresh => Refresh(context, refresh),
            AlterMaterializedViewStatement alter => Alter(context, alter),
            DropStatement drop => Drop(context, drop),
            _ => throw new PgException(SqlState.SyntaxError, "syntax error"),
        });

    /// <summary>The (schema, name) of every materialized view, as the engine session sees the record.</summary>
    public static HashSet<(string Schema, string Name)> Names(IEngineSession engine)
    {
        var names = new HashSet<(string, string)>();
        using var result = engine.Query($"SELECT schema_name, view_name FROM {Table}");
        while (result.Read()) names.Add(((string)result.GetValue(0)!, (string)result.GetValue(1)!));
        return names;
    }

    private static string Create(RedshiftStatementContext context, CreateViewStatement create, string sql, UserDirectory users)
    {
        context.Authorize(create);
        var engine = context.Engine;
        var schema = create.View.Schema ?? CurrentSchema(engine);
        var name = create.View.Name;
        var query = Translate(context, sql, create);
        var autoRefresh = create.Attributes.Any(a => a.Kind == TableAttributeKind.AutoRefresh && a.Values[0] == "YES");
        var backup = !create.Attributes.Any(a => a.Kind == TableAttributeKind.Backup && a.Values[0] == "NO");
        var bases = StatementAccess.OfQuery(create.Query).Relations
            .Where(r => r.Use == RelationUse.Select)
            .Select(r => (Schema: r.Name.Schema ?? context.SchemaOf(r.Name.Name), r.Name.Name))
            .Distinct().ToList();
        var statements = new List<string>(query.PreStatements)
        {
            $"CREATE TABLE {Qualified(schema, name)} AS {query.Sql}",
            $"DELETE FROM {Table} WHERE {Where(schema, name)}",
            $"DELETE FROM {BasesTable} WHERE {Where(schema, name)}",
            $"INSERT INTO {Table} (schema_name, view_name, owner, definition, auto_refresh, backup, stale, created, refreshed, state) VALUES ({QuoteLiteral(schema)}, {QuoteLiteral(name)}, {QuoteLiteral(context.User)}, {QuoteLiteral(sql.Trim().TrimEnd(';').TrimEnd())}, " +
            $"{Bool(autoRefresh)}, {Bool(backup)}, FALSE, now()::TIMESTAMP, now()::TIMESTAMP, 0)",
        };
        foreach (var (baseSchema, baseName) in bases)
            statements.Add($"INSERT INTO {BasesTable} VALUES ({QuoteLiteral(schema)}, {QuoteLiteral(name)}, {QuoteLiteral(baseSchema)}, {QuoteLiteral(baseName)})");
        RunTogether(context, statements);
        // The creator owns it (a superuser holds every privilege anyway), as for a table.
        if (!context.Superuser) users.SetOwner(schema, name, context.User);
        return "CREATE MATERIALIZED VIEW";
    }

    private static string Refresh(RedshiftStatementContext context, RefreshMaterializedViewStatement refresh)
    {
        var engine = context.Engine;
        var schema = refresh.View.Schema ?? context.SchemaOf(refresh.View.Name);
        var name = refresh.View.Name;
        var definition = Definition(engine, schema, name);
        if (definition is null)
        {
            if (RelationType(engine, schema, name) is null)
                throw new PgException(SqlState.UndefinedTable, $"relation \"{refresh.View}\" does not exist") { Position = refresh.View.Position + 1 };
            // text unverified (PostgreSQL's)
            throw new PgException(SqlState.WrongObjectType, $"\"{name}\" is not a materialized view");
        }
        // Only its owner refreshes it (Redshift's REFRESH MATERIALIZED VIEW), and the owner must still read every base table.
        context.Authorize(refresh);
        if (Unrefreshable(State(engine, schema, name), name) is { } unrefreshable) throw unrefreshable;
        var create = (CreateViewStatement)SqlParser.Parse(definition);
        context.AuthorizeQuery(create.Query);
        var query = Translate(context, definition, create);
        var statements = new List<string>(query.PreStatements)
        {
            $"DELETE FROM {Qualified(schema, name)}",
            $"INSERT INTO {Qualified(schema, name)} {query.Sql}",
            $"UPDATE {Table} SET stale = FALSE, refreshed = now()::TIMESTAMP WHERE {Where(schema, name)}",
            StaleStatement(schema, name),
        };
        RunTogether(context, statements);
        // text unverified: Redshift's INFO after a full recompute.
        context.Notice(new PgNotice("INFO", $"Materialized view {name} was refreshed"));
        return "REFRESH MATERIALIZED VIEW";
    }

    /// <summary>ALTER MATERIALIZED VIEW: AUTO REFRESH is recorded (svv_mv_info.autorefresh); a key change has nothing to change here.</summary>
    private static string Alter(RedshiftStatementContext context, AlterMaterializedViewStatement alter)
    {
        var engine = context.Engine;
        var schema = alter.View.Schema ?? context.SchemaOf(alter.View.Name);
        if (Definition(engine, schema, alter.View.Name) is null)
        {
            if (RelationType(engine, schema, alter.View.Name) is null)
                throw new PgException(SqlState.UndefinedTable, $"relation \"{alter.View}\" does not exist") { Position = alter.View.Position + 1 };
            // text unverified (PostgreSQL's)
            throw new PgException(SqlState.WrongObjectType, $"\"{alter.View.Name}\" is not a materialized view");
        }
        context.Authorize(alter);
        if (alter.AutoRefresh is { } autoRefresh)
            engine.Execute($"UPDATE {Table} SET auto_refresh = {Bool(autoRefresh)} WHERE {Where(schema, alter.View.Name)}");
        return "ALTER MATERIALIZED VIEW";
    }

    private static string Drop(RedshiftStatementContext context, DropStatement drop)
    {
        var engine = context.Engine;
        var statements = new List<string>();
        foreach (var view in drop.Names)
        {
            var schema = view.Schema ?? context.SchemaOf(view.Name);
            var name = view.Name;
            if (Definition(engine, schema, name) is null)
            {
                // Redshift: a view (or table) of the name is an error that says which DROP to use, even under IF EXISTS.
                switch (RelationType(engine, schema, name))
                {
                    case "VIEW":
                        // text unverified (PostgreSQL's)
                        throw new PgException(SqlState.WrongObjectType, $"\"{name}\" is not a materialized view", hint: "Use DROP VIEW to remove a view.");
                    case { }:
                        // text unverified (PostgreSQL's)
                        throw new PgException(SqlState.WrongObjectType, $"\"{name}\" is not a materialized view", hint: "Use DROP TABLE to remove a table.");
                }
                if (drop.IfExists)
                {
                    context.Notice(new PgNotice("NOTICE", $"materialized view \"{name}\" does not exist, skipping"));
                    continue;
                }
                // text unverified (PostgreSQL's)
                throw new PgException(SqlState.UndefinedTable, $"materialized view \"{name}\" does not exist");
            }
            context.Authorize(drop with { Names = [view] });
            statements.AddRange(DropDependents(engine, "materialized view", schema, name, drop.Cascade));
            statements.AddRange(DropStatements(schema, name));
        }
        if (statements.Count > 0) RunTogether(context, statements);
        return "DROP MATERIALIZED VIEW";
    }

    /// <summary>
    /// The materialized views whose query reads <paramref name="schema"/>.<paramref name="name"/> (a table, a view or
    /// another materialized view), and those that read them in turn.
    /// </summary>
    public static List<(string Schema, string Name)> Dependents(IEngineSession engine, string schema, string name)
    {
        var found = new List<(string Schema, string Name)>();
        var seen = new HashSet<(string, string)> { (schema, name) };
        var pending = new Queue<(string Schema, string Name)>([(schema, name)]);
        while (pending.TryDequeue(out var relation))
        {
            var readers = new List<(string, string)>();
            using (var result = engine.Query($"SELECT schema_name, view_name FROM {BasesTable} WHERE base_schema = {QuoteLiteral(relation.Schema)} " +
                                             $"AND base_name = {QuoteLiteral(relation.Name)} ORDER BY schema_name, view_name"))
                while (result.Read()) readers.Add(((string)result.GetValue(0)!, (string)result.GetValue(1)!));
            foreach (var reader in readers)
                if (seen.Add(reader)) { found.Add(reader); pending.Enqueue(reader); }
        }
        return found;
    }

    /// <summary>
    /// Before DROP TABLE, DROP VIEW or DROP MATERIALIZED VIEW of <paramref name="schema"/>.<paramref name="name"/>:
    /// without CASCADE (RESTRICT is the default) a materialized view that reads it refuses the drop; with CASCADE the
    /// statements that drop those views too (to run with the drop). Redshift's DROP TABLE/VIEW pages: "Use DROP ... CASCADE".
    /// </summary>
    public static List<string> DropDependents(IEngineSession engine, string kind, string schema, string name, bool cascade)
    {
        var dependents = Dependents(engine, schema, name);
        if (dependents.Count == 0) return [];
        if (!cascade)
            // text unverified: PostgreSQL's words (Redshift's DROP VIEW page shows "can't drop view … because other objects depend on it").
            throw new PgException(SqlState.DependentObjectsStillExist, $"cannot drop {kind} {name} because other objects depend on it",
                detail: string.Join('\n', dependents.Select(d => $"materialized view {d.Name} depends on {kind} {name}")),
                hint: "Use DROP ... CASCADE to drop the dependent objects too.");
        return dependents.SelectMany(d => DropStatements(d.Schema, d.Name)).ToList();
    }

    /// <summary>The statements that drop a materialized view's relation and its records.</summary>
    private static IEnumerable<string> DropStatements(string schema, string name) =>
    [
        $"DROP TABLE IF EXISTS {Qualified(schema, name)}",
        $"DELETE FROM {Table} WHERE {Where(schema, name)}",
        $"DELETE FROM {BasesTable} WHERE {Where(schema, name)}",
    ];

    /// <summary>
    /// After ALTER TABLE of a base table: what Redshift documents (stv_mv_info.state) — a dropped column (101), a changed
    /// column type (102), a renamed table (103) or a renamed column (104) leaves its materialized views queryable but
    /// unrefreshable, even when the column is not one the view reads. A renamed table's views keep reading it by its new
    /// name (DROP TABLE of it still finds them). Null for an ALTER that changes none of these.
    /// </summary>
    public static IEnumerable<string>? AlterStatements(AlterTableStatement alter, string schema)
    {
        int state = alter.Action switch
        {
            "DROP COLUMN" => 101,
            "ALTER COLUMN TYPE" => 102,
            "RENAME" => 103,
            "RENAME COLUMN" => 104,
            _ => 0,
        };
        if (state == 0) return null;
        var table = alter.Table.Name;
        var reads = $"EXISTS (SELECT 1 FROM {BasesTable} b WHERE b.schema_name = {Table}.schema_name AND b.view_name = {Table}.view_name " +
                    $"AND b.base_schema = {QuoteLiteral(schema)} AND b.base_name = {QuoteLiteral(table)})";
        var statements = new List<string> { $"UPDATE {Table} SET state = {state} WHERE coalesce(state, 0) = 0 AND {reads}" };
        if (state == 103 && alter.NewName is { } renamed)
            statements.Add($"UPDATE {BasesTable} SET base_name = {QuoteLiteral(renamed)} WHERE base_schema = {QuoteLiteral(schema)} AND base_name = {QuoteLiteral(table)}");
        return statements;
    }

    /// <summary>The refusal of REFRESH for a view in an unrefreshable state (see <see cref="AlterStatements"/>); null in state 0.</summary>
    private static PgException? Unrefreshable(int state, string name) => state switch
    {
        // Redshift's text for a renamed table (AWS re:Post, "materialized view not refreshing"); the others follow it — text unverified.
        103 => new(SqlState.ObjectNotInPrerequisiteState, $"Materialized view {name} is unrefreshable as a base table was renamed."),
        101 => new(SqlState.ObjectNotInPrerequisiteState, $"Materialized view {name} is unrefreshable as a column was dropped."),
        102 => new(SqlState.ObjectNotInPrerequisiteState, $"Materialized view {name} is unrefreshable as a column type was changed."),
        104 => new(SqlState.ObjectNotInPrerequisiteState, $"Materialized view {name} is unrefreshable as a column was renamed."),
        _ => null,
    };

    private static int State(IEngineSession engine, string schema, string name)
    {
        using var result = engine.Query($"SELECT coalesce(state, 0) FROM {Table} WHERE {Where(schema, name)}");
        return result.Read() && result.GetValue(0) is { } state ? Convert.ToInt32(state) : 0;
    }

    /// <summary>
    /// After a write to <paramref name="schema"/>.<paramref name="table"/> (INSERT, UPDATE, DELETE, MERGE, TRUNCATE,
    /// COPY, a refresh): the materialized views whose query reads it are stale.
    /// </summary>
    public static string StaleStatement(string schema, string table) =>
        $"UPDATE {Table} SET stale = TRUE WHERE NOT stale AND EXISTS (SELECT 1 FROM {BasesTable} b WHERE b.schema_name = {Table}.schema_name " +
        $"AND b.view_name = {Table}.view_name AND b.base_schema = {QuoteLiteral(schema)} AND b.base_name = {QuoteLiteral(table)})";

    /// <summary>
    /// The refusal of a statement that would change a materialized view's rows or shape as a table's; null when
    /// <paramref name="statement"/> does not. PostgreSQL's texts (Redshift's are not documented).
    /// </summary>
    public static PgException? RefuseWrite(Statement statement, RelationUse use, string name)
    {
        switch (statement)
        {
            case DropStatement { ObjectKind: "TABLE" or "VIEW" } drop:
                // text unverified (PostgreSQL's)
                return new PgException(SqlState.WrongObjectType, $"\"{name}\" is not a {drop.ObjectKind.ToLowerInvariant()}",
                    hint: "Use DROP MATERIALIZED VIEW to remove a materialized view.");
            case AlterTableStatement:
                // text unverified (PostgreSQL's)
                return new PgException(SqlState.WrongObjectType, $"\"{name}\" is not a table");
        }
        return use is RelationUse.Insert or RelationUse.Update or RelationUse.Delete or RelationUse.Truncate ? CannotChange(name) : null;
    }

    /// <summary>A write to a materialized view's rows (INSERT, UPDATE, DELETE, MERGE, TRUNCATE, COPY).</summary>
    // text unverified (PostgreSQL's)
    public static PgException CannotChange(string name) => new(SqlState.WrongObjectType, $"cannot change materialized view \"{name}\"");

    /// <summary>The view's query in the engine's dialect (the part of its definition after AS).</summary>
    private static TranslatedStatement Translate(RedshiftStatementContext context, string sql, CreateViewStatement create) =>
        RedshiftTranslator.Translate(sql[create.QuerySpan.Start..create.QuerySpan.End], new TranslationContext(context.User, context.Database));

    /// <summary>
    /// The statements as one: outside a transaction inside one of their own, so that a refresh that fails leaves the old
    /// rows; inside the client's, as part of it.
    /// </summary>
    private static void RunTogether(RedshiftStatementContext context, List<string> statements)
    {
        var engine = context.Engine;
        if (context.InTransaction)
        {
            foreach (var statement in statements) engine.Execute(statement);
            return;
        }
        engine.Execute("BEGIN TRANSACTION");
        try
        {
            foreach (var statement in statements) engine.Execute(statement);
            engine.Execute("COMMIT");
        }
        catch
        {
            try { engine.Execute("ROLLBACK"); }
            catch (PgException) { }
            throw;
        }
    }

    private static string? Definition(IEngineSession engine, string schema, string name)
    {
        using var result = engine.Query($"SELECT definition FROM {Table} WHERE {Where(schema, name)}");
        return result.Read() ? result.GetValue(0) as string : null;
    }

    /// <summary>BASE TABLE, VIEW or LOCAL TEMPORARY of a relation of that name, or null when there is none.</summary>
    private static string? RelationType(IEngineSession engine, string schema, string name)
    {
        using var result = engine.Query($"SELECT table_type FROM information_schema.tables WHERE table_name = {QuoteLiteral(name)} " +
                                        $"AND (table_schema = {QuoteLiteral(schema)} OR table_catalog = 'temp')");
        return result.Read() ? result.GetValue(0) as string : null;
    }

    private static string CurrentSchema(IEngineSession engine)
    {
        using var result = engine.Query("SELECT current_schema()");
        return result.Read() && result.GetValue(0) is string schema ? schema : "public";
    }

    private static string Qualified(string schema, string name) => $"{QuoteIdentifier(schema)}.{QuoteIdentifier(name)}";

    private static string Where(string schema, string name) => $"schema_name = {QuoteLiteral(schema)} AND view_name = {QuoteLiteral(name)}";

    private static string Bool(bool value) => value ? "TRUE" : "FALSE";
}
