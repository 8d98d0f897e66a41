using LocalShift.Engine;
using LocalShift.Engine.Types;
using LocalShift.Sql.Catalog;
using LocalShift.Sql.Dialect;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Syntax;
using LocalShift.Sql.Users;
using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Routing;

/// <summary>
/// One client's SQL session: the statement router. Transaction control, settings, users and grants are handled
/// here; the statements LocalShift runs itself go to the handler registered for their kind (<see cref="StatementHandlers"/>); everything else is
/// translated to DuckDB's dialect and run by the engine.
/// </summary>
internal sealed partial class SqlSession : IPgQuerySession
{
    private readonly ClusterDatabase _database;
    private readonly IEngineSession _engine;
    private readonly List<PgNotice> _notices = [];
    private readonly Dictionary<string, string> _settings = new(StringComparer.OrdinalIgnoreCase);
    private readonly StatementAnalyses _analyses;
    private readonly PreparedQueries _prepared;
    private readonly StatementEnds _ends = new();
    private TransactionStatus _status = TransactionStatus.Idle;
    /// <summary>The query log's transaction id of the statements running now (a block's statements share one).</summary>
    private long _transaction;
    /// <summary>The engine is in the implicit transaction of a multi-statement Query message (status stays Idle).</summary>
    private bool _implicit;

    /// <summary>A DROP or TRUNCATE ran in the current transaction (see <see cref="ReclaimStorage"/>).</summary>
    private bool _freedStorage;

    /// <summary>How many statements have started in the current implicit transaction.</summary>
    private int _implicitStatements;

    /// <summary>The query log's id of the statement running now (stl_query.query).</summary>
    private long _query;

    public SqlSession(ClusterDatabase database, IEngineSession engine, PgConnectionInfo connection)
    {
        _database = database;
        _engine = engine;
        Connection = connection;
        User = database.Users.Find(connection.User) ?? new DbUser(connection.User, null, false);
        Translation = new TranslationContext(connection.User, connection.Database);
        _analyses = new StatementAnalyses(database.PlanningBudget);
        _prepared = new PreparedQueries(engine, () => database.SchemaVersion);
        _settings["search_path"] = "$user, public";
        _statementTimeout = database.StatementTimeout;
        _settings["statement_timeout"] = ((long)_statementTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _engine.Execute(CatalogSetup.SessionSettings);
        // The user's own defaults (ALTER USER … SET) come after the cluster's.
        foreach (var (name, value) in database.Users.SettingsOf(User.Name)) SetParameter(name, value);
    }

    /// <summary>Whether SET (and ALTER USER … SET) accepts this parameter.</summary>
    internal static bool IsSessionParameter(string name) => SessionParameters.Contains(name);

    public PgConnectionInfo Connection { get; }
    public DbUser User { get; }
    public TranslationContext Translation { get; }
    public TransactionStatus TransactionStatus => _status;
    public IEngineSession Engine => _engine;

    public IReadOnlyList<string> SplitStatements(string sql) => _ends.Split(StatementSize.Check(sql));

    public IPgStatement Prepare(string sql, IReadOnlyList<int> parameterTypeOids) =>
        new SqlStatement(this, Analyze(StatementSize.Check(sql)), parameterTypeOids) { Semicolon = _ends.Take(sql) };

    /// <summary>The tokens, kind and translation of a statement text, from the session's cache when it was seen lately.</summary>
    public StatementAnalysis Analyze(string sql) => _analyses.Get(sql);

    /// <summary>The analysis of a text that will not come again (one with its parameters' values written in), not cached.</summary>
    public StatementAnalysis AnalyzeOnce(string sql) => StatementAnalysis.Of(sql, _database.PlanningBudget);

    public void BeginImplicitTransaction()
    {
        if (_status != TransactionStatus.Idle || _implicit) return;
        _engine.Execute("BEGIN TRANSACTION");
        _implicit = true;
        _implicitStatements = 0;
    }

    public void EndImplicitTransaction()
    {
        if (!_implicit) return;
        _implicit = false;
        _engine.Execute("COMMIT");
        ReclaimStorage();
    }

    /// <summary>
    /// After a committed DROP or TRUNCATE: a checkpoint, so that the engine reuses the dropped data's space. The engine
    /// frees it only at a checkpoint and checkpoints on its own only once its log has grown past 16 MB, which a DROP's
    /// small record rarely brings about: a CI job that loads and drops a table over and over grew the cluster's
    /// database file by the size of every load. A checkpoint after a drop takes a few milliseconds; while another
    /// session is writing the engine refuses it at once, and the next drop tries again.
    /// </summary>
    private void ReclaimStorage()
    {
        if (!_freedStorage || _status != TransactionStatus.Idle || _implicit) return;
        _freedStorage = false;
        try { _engine.Checkpoint(); }
        catch (PgException) { }
    }

    public void OnError()
    {
        if (_implicit)
        {
            _implicit = false;
            TryRollback();
        }
        else if (_status == TransactionStatus.InBlock) _status = TransactionStatus.Failed;
    }

    /// <summary>Cancels the running Redshift statement's own work (S3 staging, the role path) when asked.</summary>
    private volatile CancellationTokenSource? _statementCancel;

    /// <summary>Stops the running statement: the engine's query, and a COPY/UNLOAD between its engine statements.</summary>
    public void Cancel()
    {
        try { _statementCancel?.Cancel(); }
        catch (ObjectDisposedException) { }
        try { _callsCancel?.Cancel(); }
        catch (ObjectDisposedException) { }
        _engine.Interrupt();
    }

    public IReadOnlyList<PgNotice> DrainNotices()
    {
        lock (_notices)
        {
            if (_notices.Count == 0) return [];
            var notices = _notices.ToList();
            _notices.Clear();
            return notices;
        }
    }

    /// <summary>
    /// The Parse-time check of a statement, as PostgreSQL does it: refused in a failed transaction block; for the
    /// engine, a query or INSERT/UPDATE/DELETE/MERGE is prepared (tables and columns resolved, parameters as typed
    /// NULLs) and any other statement only parsed. Nothing runs, except that a constant SELECT's one row is made
    /// and kept. A statement text that passed is not checked again until the schema version moves.
    /// </summary>
    /// <summary>The engine texts of statements over external tables that passed the Parse-time check, under one schema version.</summary>
    private (int Version, HashSet<(bool Bind, string Sql)> Texts) _externalChecked = (-1, []);

    public void Validate(StatementAnalysis analysis, IReadOnlyList<int> parameterTypes)
    {
        if (analysis.SelectInto is { } createAs && parameterTypes.Count == 0) analysis = Analyze(createAs);
        // INSERT INTO an external table: its query is what is checked (the table is in the catalog, not the engine).
        if (ExternalInsert(analysis) is var (_, _, source)) analysis = source;
        // DDL of external objects runs by its handler, as a Redshift statement: nothing for the engine to check.
        else if (analysis.Kind == StatementKind.EngineCommand && _status != TransactionStatus.Failed && ExternalDdl(analysis) is not null) return;
        if (_status == TransactionStatus.Failed && analysis.Kind is not (StatementKind.Commit or StatementKind.Rollback))
            throw new PgException(SqlState.InFailedSqlTransaction, "current transaction is aborted, commands ignored until end of transaction block");
        bool bind;
        switch (analysis.Kind)
        {
            case StatementKind.EngineQuery when analysis.Constant:
                ConstantResult(analysis);
                return;
            case StatementKind.EngineQuery:
                bind = true;
                break;
            case StatementKind.EngineCommand:
                bind = StatementClassifier.ChangesRows(analysis.Tree);
                break;
            default:
                return;
        }
        var external = ExternalReferences(analysis);
        var calls = ExternalCalls(analysis);
        Authorize(analysis, external, calls);
        MaterializeQueryLog(analysis);
        DefineLastQueryId(analysis);
        if (external.Count > 0 || calls.Count > 0)
        {
            External.ScanTrace.Begin("parse");
            // Checked against views with the tables' columns and no rows; the files are read (and Lambda called) when it runs.
            // The catalog is still read (as the role) at every Parse, but the engine's text is made only of the statement
            // and the tables' columns as the catalog gave them, so a text the engine accepted under this schema version
            // is not checked again.
            var checkedText = TranslateExternal(analysis, external, describeOnly: true, calls).Sql;
            External.ScanTrace.Mark("translated");
            var checkBind = parameterTypes.Count == 0 && bind;
            var checkVersion = _database.SchemaVersion;
            if (_externalChecked.Version != checkVersion) _externalChecked = (checkVersion, []);
            if (_externalChecked.Texts.Contains((checkBind, checkedText))) { External.ScanTrace.End(); return; }
            _engine.Check(checkedText, bind: checkBind);
            External.ScanTrace.Mark("check");
            External.ScanTrace.End();
            if (_externalChecked.Texts.Count >= 64) _externalChecked.Texts.Clear();
            _externalChecked.Texts.Add((checkBind, checkedText));
            return;
        }
        var version = _database.SchemaVersion;
        if (analysis.Checked is { } done && done.SchemaVersion == version && done.ParameterTypes.AsSpan().SequenceEqual(parameterTypes.ToArray())) return;
        var text = parameterTypes.Count == 0 ? analysis : StatementAnalysis.Of(ParameterLiterals.SubstituteNulls(analysis.Tokens, parameterTypes), _database.PlanningBudget);
        _engine.Check(Translate(text).Sql, bind);
        analysis.Checked = (version, parameterTypes.ToArray());
    }

    /// <summary>The result columns of a statement, without running it (parameters as typed NULLs).</summary>
    public IReadOnlyList<PgColumn>? Describe(string sql)
    {
        var analysis = Analyze(sql);
        switch (analysis.Kind)
        {
            case StatementKind.Show:
                return [new PgColumn(((SettingStatement)analysis.Parsed).Name, PgTypeOid.Text)];
            case StatementKind.Cursor:
                return FetchedColumns(analysis.Tree);
            case StatementKind.EngineQuery:
                if (analysis.Row is { } row) return row.Columns;
                var external = ExternalReferences(analysis);
                if (external.Count > 0) External.ScanTrace.Begin("describe");
                var calls = ExternalCalls(analysis);
                Authorize(analysis, external, calls);
                MaterializeQueryLog(analysis);
                DefineLastQueryId(analysis);
                var described = _engine.Describe((external.Count == 0 && calls.Count == 0 ? Translate(analysis) : TranslateExternal(analysis, external, describeOnly: true, calls)).Sql);
                if (external.Count > 0) { External.ScanTrace.Mark("described"); External.ScanTrace.End(); }
                return external.Count == 0 && calls.Count == 0 && CharWidths(analysis) is { } widths ? CharColumns(described, widths) : described;
            default:
                return null;
        }
    }

    /// <summary>Runs one statement with its parameters already bound.</summary>
    public IPgResult Execute(string sql) => Execute(Analyze(sql));

    /// <summary>Runs one analyzed statement with its parameters already bound, and keeps it in the cluster's query log.</summary>
    /// <param name="semicolon">Where the semicolon that ended the statement in its Query message stood, if one did.</param>
    public IPgResult Execute(StatementAnalysis analysis, int? semicolon = null)
    {
        if (_status == TransactionStatus.Idle || _transaction == 0) _transaction = _database.Queries.NewTransaction();
        var entry = _database.Queries.Begin(_transaction, User.Name, Connection.ProcessId, Connection.Database, LoggedText(analysis), analysis.QueryType);
        DefineLastQueryId(analysis);
        _query = entry.Id;
        var deadline = StatementDeadline.Start(_statementTimeout, Cancel);
        try
        {
            var result = Run(analysis);
            return entry.Track(deadline is null ? result : deadline.Watch(result));
        }
        catch (Exception e)
        {
            var error = StatementEnds.Explain(deadline?.Explain(e) ?? e, semicolon);
            deadline?.Dispose();
            entry.Failed(error);
            if (error == e) throw;
            throw error;
        }
    }

    /// <summary>The session's statement_timeout (zero: off); the cluster's default until a SET changes it.</summary>
    private TimeSpan _statementTimeout;

    /// <summary>
    /// The statement's text as the query log keeps it: a password given to CREATE/ALTER USER is masked, as Redshift
    /// masks it in its logs, so sys_query_history never shows a usable secret.
    /// </summary>
    private static string LoggedText(StatementAnalysis analysis)
    {
        if (analysis.Command?.Kind is not (CommandKind.UserDdl or CommandKind.Grant) || !analysis.Significant.Any(t => t.Is("PASSWORD"))) return analysis.Sql;
        var text = new System.Text.StringBuilder(analysis.Sql.Length);
        var afterPassword = false;
        foreach (var token in analysis.Tokens)
        {
            if (token.IsTrivia) { text.Append(token.Text); continue; }
            text.Append(afterPassword && token.Kind == SqlTokenKind.String ? "'***'" : token.Text);
            afterPassword = token.Is("PASSWORD");
        }
        return text.ToString();
    }

    /// <summary>
    /// pg_last_query_id() for a statement that calls it: the id of this session's last statement (-1 when there is
    /// none), as a function of the session. Called while that statement is still the last one: when the asking statement is
    /// checked, described or about to run.
    /// </summary>
    private void DefineLastQueryId(StatementAnalysis analysis)
    {
        if (!analysis.Significant.Any(t => t.Is("pg_last_query_id"))) return;
        try { _engine.DefineFunctions([EngineFunction.Of("pg_last_query_id", "", $"{(_query == 0 ? -1 : _query)}::INTEGER") with { Session = true }]); }
        catch (PgException)
        {
            // An aborted transaction runs nothing; the statement itself then fails as it would have.
        }
    }

    /// <summary>A statement naming the query log's views first gets the log as this session's temporary tables.</summary>
    private void MaterializeQueryLog(StatementAnalysis analysis)
    {
        if (analysis.MentionsQueryLog) _database.Queries.Materialize(_engine, User.Name, User.Superuser);
    }

    private IPgResult Run(StatementAnalysis analysis)
    {
        if (analysis.SelectInto is { } createAs) analysis = Analyze(createAs);
        var kind = analysis.Kind;
        if (_status == TransactionStatus.Failed && kind is not (StatementKind.Commit or StatementKind.Rollback))
            throw new PgException(SqlState.InFailedSqlTransaction, "current transaction is aborted, commands ignored until end of transaction block");
        if (_implicit) _implicitStatements++;
        ReleaseScans();
        // What names resolve to may change (search_path, users, grants, Redshift's DDL): nothing prepared is kept past it.
        if (kind is not (StatementKind.EngineQuery or StatementKind.EngineCommand or StatementKind.Begin or StatementKind.Commit
            or StatementKind.Rollback or StatementKind.Show or StatementKind.Empty or StatementKind.Cursor)) _prepared.Clear();
        ReleaseCalls();
        if (kind == StatementKind.EngineCommand && ExternalInsert(analysis) is var (target, name, source)) return RunExternalInsert(target, name, source);
        if (kind == StatementKind.EngineCommand && ExternalDdl(analysis) is { } externalDdl) return RunCommand(externalDdl);
        if (kind == StatementKind.Redshift && TryExternalTableAs(analysis) is { } createdAs) return createdAs;
        switch (kind)
        {
            case StatementKind.Empty:
                return new CommandResult("");
            case StatementKind.Begin:
                if (_status != TransactionStatus.Idle)
                    Warn(SqlState.ActiveSqlTransaction, "there is already a transaction in progress");
                else if (_implicit)
                {
                    // BEGIN inside a multi-statement message: the implicit transaction becomes the block.
                    _implicit = false;
                    _status = TransactionStatus.InBlock;
                }
                else
                {
                    _engine.Execute("BEGIN TRANSACTION");
                    _status = TransactionStatus.InBlock;
                }
                return new CommandResult(analysis.Tag(0));
            case StatementKind.Commit:
            case StatementKind.Rollback:
                return EndTransaction(commit: kind == StatementKind.Commit);
            case StatementKind.Set:
                return Set((SettingStatement)analysis.Parsed);
            case StatementKind.Show:
                return Show((SettingStatement)analysis.Parsed);
            case StatementKind.Reset:
                return Reset((SettingStatement)analysis.Parsed);
            case StatementKind.NoOp:
                return new CommandResult(analysis.Tag(0));
            case StatementKind.Redshift:
                return RunCommand(analysis.Command!);
            case StatementKind.Cursor:
                return RunCursorStatement(analysis);
            case StatementKind.EngineQuery:
                return RunQuery(analysis);
            default:
            {
                var external = ExternalReferences(analysis);
                var calls = ExternalCalls(analysis);
                Authorize(analysis, external, calls);
                MaterializeQueryLog(analysis);
                var translated = external.Count == 0 && calls.Count == 0 ? Translate(analysis) : TranslateExternal(analysis, external, describeOnly: false, calls);
                if (!StatementClassifier.ChangesRows(analysis.Tree)) _database.SchemaChanged();
                var (before, after) = MaterializedViewDependents(analysis.Tree);
                // CREATE TABLE's records (table attributes, sequences) and the table itself commit together or not at all;
                // so do a drop and the materialized views it drops with it, an ALTER and its views' state.
                var together = (translated.PreStatements.Count > 0 || before.Count > 0 || after.Count > 0) && _status == TransactionStatus.Idle && !_implicit;
                if (together) _engine.Execute("BEGIN TRANSACTION");
                long rows;
                try
                {
                    RunPreStatements(translated);
                    foreach (var statement in before) _engine.Execute(statement);
                    rows = _engine.Execute(translated.Sql);
                    foreach (var statement in after) _engine.Execute(statement);
                    if (analysis.Tree is TruncateStatement or DropStatement { ObjectKind: "TABLE" or "SCHEMA" }) _freedStorage = true;
                    // The engine reports no row count for CREATE TABLE ... AS; the tag says how many rows it wrote.
                    if (rows <= 0 && analysis.Tree is CreateTableStatement { AsQuery: not null } ctas) rows = CreatedRows(ctas);
                    MarkMaterializedViewsStale(analysis.Access);
                    TableAttributes.Follow(_engine, analysis.Tree);
                    if (together) _engine.Execute("COMMIT");
                }
                catch (Exception) when (together)
                {
                    TryRollback();
                    throw;
                }
                RecordOwnership(analysis.Tree);
                FollowViews(analysis.Tree, analysis.Sql);
                ReclaimStorage();
                return new CommandResult(analysis.Tag(rows));
            }
        }
    }

    /// <summary>A statement LocalShift runs itself, by the handler registered for its kind.</summary>
    private CommandResult RunCommand(CommandStatement command)
    {
        _database.SchemaChanged();
        using var cancel = new CancellationTokenSource();
        _statementCancel = cancel;
        _loadTarget = null;
        try
        {
            var tag = _database.Handlers.Run(RedshiftContext() with { Cancellation = cancel.Token }, command);
            if (command.Kind == CommandKind.Copy && _loadTarget is var (schema, table) && _database.MaterializedViewNames(_engine).Count > 0)
                _database.MarkMaterializedViewsStale(schema, table);
            return new CommandResult(tag);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new PgException(SqlState.QueryCanceled, "canceling statement due to user request");
        }
        finally
        {
            _statementCancel = null;
            // What the statement created (an external schema) is seen by statements checked after it.
            _database.SchemaChanged();
        }
    }

    /// <summary>A query run by the engine (or a constant one answered from the session's copy of its row).</summary>
    private IPgResult RunQuery(StatementAnalysis analysis)
    {
        if (analysis.Constant) return ConstantResult(analysis);
        var tokens = analysis.Significant;
        if (_database.RedshiftStatements.External is { } catalogViews && External.ExternalTables.MentionsCatalogViews(tokens))
            catalogViews.MaterializeCatalogViews(RedshiftContext());
        var external = ExternalReferences(analysis);
        if (external.Count > 0) External.ScanTrace.Begin("execute");
        var calls = ExternalCalls(analysis);
        Authorize(analysis, external, calls);
        MaterializeQueryLog(analysis);
        External.ScanTrace.Mark("authorized");
        var translated = external.Count == 0 && calls.Count == 0 ? Translate(analysis) : TranslateExternal(analysis, external, describeOnly: false, calls);
        External.ScanTrace.Mark("translated");
        RunPreStatements(translated);
        var widths = external.Count == 0 && calls.Count == 0 ? CharWidths(analysis) : null;
        // A statement over external tables is kept prepared only when every object it reads is at the path an earlier
        // statement staged it at (its text can come again); its objects were still listed, read and decided on above.
        var keep = calls.Count == 0 && (external.Count == 0 || ScansRepeatable) && PreparedQueries.Keeps(analysis, translated);
        var rows = keep ? _prepared.Query(translated.Sql) : _engine.Query(translated.Sql);
        // INSERT/UPDATE/DELETE … RETURNING writes as it answers: its base tables' views are stale as after any write.
        if (analysis.Tree is not QueryStatement) MarkMaterializedViewsStale(analysis.Access);
        if (external.Count > 0) { External.ScanTrace.Mark(keep ? "engineQueryKept" : "engineQuery"); External.ScanTrace.End(); }
        return widths is null ? new EngineRowsResult(rows, OnError) : new CharPaddedResult(new EngineRowsResult(rows, OnError), widths);
    }

    /// <summary>
    /// The statement's tree checked before the engine sees any of it (to check, describe or run it): a syntax error
    /// for what the parser does not understand, every relation it touches against the user's privileges, every
    /// function it calls against those the engine may run for a user. A client's catalog query that LocalShift
    /// answers with its own statement (<see cref="CatalogQueries"/>) runs only that statement.
    /// </summary>
    private void Authorize(StatementAnalysis analysis, List<(RelationAccess Access, External.ExternalReference Table)>? external = null,
        List<(FunctionAccess Call, External.ExternalFunction Function)>? calls = null)
    {
        if (analysis.Kind is not (StatementKind.EngineQuery or StatementKind.EngineCommand) || analysis.Constant) return;
        analysis.CatalogQuery ??= CatalogQueries.Rewrite(analysis.Sql, _database.Spec.MasterUsername.ToLowerInvariant(), Connection.Database, _engine.Catalog) is not null;
        if (analysis.CatalogQuery == true) return;
        var tree = analysis.Parsed;
        var access = analysis.Access ??= StatementAccess.Of(tree);
        // External tables were checked where they were found (ExternalReferences): read-only, USAGE on their schema.
        if (external is { Count: > 0 }) access = access.Without(external.Select(e => e.Access).ToHashSet());
        // External functions were checked where they were found (ExternalCalls): EXECUTE on each.
        if (calls is { Count: > 0 }) access = access.WithoutFunctions(calls.Select(c => c.Call).ToHashSet<FunctionAccess>(ReferenceEqualityComparer.Instance));
        _database.Privileges.Check(tree, User, SchemaOf, access, Exists);
        RefuseMaterializedViewWrites(tree, access);
    }

    /// <summary>The schema of an unqualified relation name on the session's search path.</summary>
    private string SchemaFor(string name) => SchemaOf is { } schemaOf ? schemaOf(name) : "public";

    /// <summary>
    /// A materialized view's rows change only by REFRESH: a statement that writes to one (or drops or alters it as a
    /// table or a view) is refused (<see cref="MaterializedViews.RefuseWrite"/>).
    /// </summary>
    private void RefuseMaterializedViewWrites(Statement tree, StatementAccess access)
    {
        if (access.Relations.All(r => r.Use is RelationUse.Select or RelationUse.Create or RelationUse.References)) return;
        var views = _database.MaterializedViewNames(_engine);
        if (views.Count == 0) return;
        foreach (var relation in access.Relations)
        {
            if (relation.Use is RelationUse.Select or RelationUse.Create or RelationUse.References) continue;
            var name = relation.Name;
            if (!views.Contains((name.Schema ?? SchemaFor(name.Name), name.Name))) continue;
            if (MaterializedViews.RefuseWrite(tree, relation.Use, name.Name) is { } refusal) throw refusal;
        }
    }

    /// <summary>The table the running COPY loads, once its handler asked to check it: its materialized views go stale when it is done.</summary>
    private (string Schema, string Table)? _loadTarget;

    /// <summary>COPY's target checked for the user; a materialized view is no table to load.</summary>
    private void AuthorizeLoad(string? schema, string table)
    {
        _database.Privileges.CheckLoadTarget(schema, table, User, Exists);
        var home = schema ?? SchemaFor(table);
        var views = _database.MaterializedViewNames(_engine);
        if (views.Contains((home, table))) throw MaterializedViews.CannotChange(table);
        _loadTarget = (home, table);
    }

    /// <summary>
    /// What DROP TABLE/VIEW and ALTER TABLE of a materialized view's base relation do to it
    /// (<see cref="MaterializedViews.DropDependents"/>, <see cref="MaterializedViews.AlterStatements"/>): the statements to
    /// run before the statement (the views CASCADE drops too) and after it (their state); a drop without CASCADE is refused.
    /// </summary>
    private (List<string> Before, List<string> After) MaterializedViewDependents(Statement? tree)
    {
        if (tree is not (DropStatement { ObjectKind: "TABLE" or "VIEW" } or AlterTableStatement) || _database.MaterializedViewNames(_engine).Count == 0) return ([], []);
        if (tree is AlterTableStatement alter)
            return ([], MaterializedViews.AlterStatements(alter, alter.Table.Schema ?? SchemaFor(alter.Table.Name))?.ToList() ?? []);
        var drop = (DropStatement)tree;
        var before = new List<string>();
        foreach (var name in drop.Names)
            before.AddRange(MaterializedViews.DropDependents(_engine, drop.ObjectKind.ToLowerInvariant(), name.Schema ?? SchemaFor(name.Name), name.Name, drop.Cascade));
        return (before, []);
    }

    /// <summary>After a statement wrote to tables: the materialized views that read them are stale (svv_mv_info.is_stale).</summary>
    private void MarkMaterializedViewsStale(StatementAccess? access)
    {
        if (access is null) return;
        IReadOnlySet<(string, string)>? views = null;
        foreach (var relation in access.Relations)
        {
            if (relation.Use is not (RelationUse.Insert or RelationUse.Update or RelationUse.Delete or RelationUse.Truncate)) continue;
            views ??= _database.MaterializedViewNames(_engine);
            if (views.Count == 0) return;
            _database.MarkMaterializedViewsStale(relation.Name.Schema ?? SchemaFor(relation.Name.Name), relation.Name.Name);
        }
    }

    /// <summary>
    /// Whether a schema (name null) or a relation in it exists in the cluster's database, as the session sees it: an
    /// unqualified temporary table counts wherever it was asked for (temporary tables are recorded as public's).
    /// </summary>
    private bool Exists(string schema, string? name)
    {
        var sql = name is null
            ? $"SELECT 1 FROM information_schema.schemata WHERE schema_name = {TokenCursor.QuoteLiteral(schema)}"
            : $"SELECT 1 FROM information_schema.tables WHERE table_name = {TokenCursor.QuoteLiteral(name)} AND (table_schema = {TokenCursor.QuoteLiteral(schema)} OR table_catalog = 'temp')";
        using var result = _engine.Query(sql);
        return result.Read();
    }

    /// <summary>The schemas a SET search_path named (null: the default, "$user, public").</summary>
    private List<string>? _searchPath;

    /// <summary>
    /// The schema an unqualified relation name resolves to: public on the default search path; on one a client set,
    /// the first of its schemas that holds the relation, as the engine resolves it (a temporary table first).
    /// </summary>
    private Func<string, string>? SchemaOf => _searchPath is null ? null : ResolveOnSearchPath;

    private string ResolveOnSearchPath(string name)
    {
        var path = _searchPath!;
        var found = new HashSet<string>(StringComparer.Ordinal);
        using (var result = _engine.Query($"SELECT table_catalog, table_schema FROM information_schema.tables WHERE table_name = {TokenCursor.QuoteLiteral(name)}"))
            while (result.Read())
            {
                // Temporary tables come first and are recorded as public's (see RecordOwnership).
                if (result.GetValue(0) as string == "temp") return "public";
                if (result.GetValue(1) is string schema) found.Add(schema);
            }
        foreach (var schema in path) if (found.Contains(schema)) return schema;
        return path.Count > 0 ? path[0] : "public";
    }

    private RedshiftStatementContext RedshiftContext() => new(_database.Spec.AccountId, _database.Spec.Region, _database.Spec.ClusterIdentifier,
        Connection.Database, User.Name, User.Superuser, _engine, _notices.Add, _database.Users)
        {
            QueryId = _query,
            ProcessId = Connection.ProcessId,
            PlanningBudget = _database.PlanningBudget,
            AuthorizeQuery = query => _database.Privileges.CheckQuery(query, User, SchemaOf, Exists),
            AuthorizeLoad = AuthorizeLoad,
            Authorize = statement => _database.Privileges.Check(statement, User, SchemaOf, null, Exists),
            SchemaOf = SchemaFor,
            InTransaction = _status != TransactionStatus.Idle || _implicit,
            Recover = _status != TransactionStatus.Idle || _implicit && _implicitStatements > 1 ? null : RecoverAfterFailure,
        };

    /// <summary>
    /// After an engine statement of a COPY failed, where that loses nothing of the client's: outside any transaction
    /// there is nothing to do; an implicit transaction (an extended-protocol pipeline, a multi-statement Query) that
    /// this statement began is rolled back and begun again.
    /// </summary>
    private void RecoverAfterFailure()
    {
        if (!_implicit) return;
        TryRollback();
        _engine.Execute("BEGIN TRANSACTION");
    }

    /// <summary>The statement in DuckDB's dialect (a client's catalog query answered by its stand-in), translated once per text.</summary>
    private TranslatedStatement Translate(StatementAnalysis analysis)
    {
        if (AssumeRolePrivileges.ClusterFunctions.Mentioned(analysis.Significant))
        {
            // Not kept: the functions' answers follow the grants and the cluster's roles, so their macros are made anew.
            var prepared = _database.RedshiftStatements.PrepareFunctions(RedshiftContext(), analysis.Sql);
            return RedshiftTranslator.Translate(CatalogQueries.Rewrite(prepared, _database.Spec.MasterUsername.ToLowerInvariant(), Connection.Database, _engine.Catalog) ?? prepared, Translation);
        }
        if (analysis.Translated is { } known) return known;
        var intercepted = CatalogQueries.Rewrite(analysis.Sql, _database.Spec.MasterUsername.ToLowerInvariant(), Connection.Database, _engine.Catalog);
        if (intercepted is not null) return analysis.Translated = RedshiftTranslator.Translate(intercepted, Translation);
        return analysis.Translated = RedshiftTranslator.Translate(analysis.Sql, analysis.Tokens, Sites(analysis), Translation);
    }

    /// <summary>What the statement's tree places in its text for the translator (divisions, table-function aliases).</summary>
    private static TranslationSites Sites(StatementAnalysis analysis) =>
        analysis.Tree is { } tree ? TranslationSites.Of(tree, analysis.Access ??= StatementAccess.Of(tree)) : TranslationSites.None;

    /// <summary>
    /// A SELECT of literals: the engine runs it the first time, and its one row is kept for the next times, so a
    /// client's <c>SELECT 1</c> (a pool's liveness probe, a keep-alive) costs no engine query.
    /// </summary>
    private RowsResult ConstantResult(StatementAnalysis analysis)
    {
        if (analysis.Row is null)
        {
            using var result = _engine.Query(Translate(analysis).Sql);
            var rows = new List<object?[]>();
            while (result.Read())
            {
                var values = new object?[result.Columns.Count];
                for (var i = 0; i < values.Length; i++) values[i] = result.GetValue(i);
                rows.Add(values);
            }
            if (rows.Count != 1) return new RowsResult(result.Columns, rows);
            analysis.Row = new ConstantRow(result.Columns, rows[0]);
        }
        return new RowsResult(analysis.Row.Columns, [analysis.Row.Values]);
    }

    private void RunPreStatements(TranslatedStatement translated)
    {
        foreach (var statement in translated.PreStatements) _engine.Execute(statement);
    }

    /// <summary>The rows of the table a CREATE TABLE ... AS just made; 0 under IF NOT EXISTS (which may have made nothing).</summary>
    private long CreatedRows(CreateTableStatement create)
    {
        if (create.IfNotExists) return 0;
        // Unqualified unless the statement qualified it, so that a temporary table is found where it was made.
        var name = string.Join(".", create.Table.Parts.Select(TokenCursor.QuoteIdentifier));
        try
        {
            using var result = _engine.Query($"SELECT count(*) FROM {name}");
            return result.Read() ? Convert.ToInt64(result.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) : 0;
        }
        catch (PgException)
        {
            return 0;
        }
    }

    /// <summary>A table or view a non-superuser creates is theirs (superusers hold every privilege anyway).</summary>
    private void RecordOwnership(Statement? tree)
    {
        if (User.Superuser) return;
        var created = tree switch { CreateTableStatement t => t.Table, CreateViewStatement v => v.View, _ => null };
        if (created is not null) _database.Users.SetOwner(created.Schema ?? "public", created.Name, User.Name);
    }

    /// <summary>
    /// Keeps the definition of a view a non-superuser creates, so that reading it checks its query against its
    /// owner's privileges (as PostgreSQL checks a view's base tables as its owner); forgets it when the view is replaced
    /// by a superuser's or dropped, and follows a rename.
    /// </summary>
    private void FollowViews(Statement? tree, string sql)
    {
        var users = _database.Users;
        switch (tree)
        {
            case CreateViewStatement view:
                users.SetViewDefinition(view.View.Schema ?? "public", view.View.Name, User.Superuser ? null : sql);
                break;
            case DropStatement drop when drop.ObjectKind != "SCHEMA":
                foreach (var name in drop.Names) users.SetViewDefinition(name.Schema ?? "public", name.Name, null);
                break;
            case AlterTableStatement { Action: "RENAME", NewName: { } newName } rename
                when users.ViewDefinition(rename.Table.Schema ?? "public", rename.Table.Name) is { } definition:
                users.SetViewDefinition(rename.Table.Schema ?? "public", rename.Table.Name, null);
                users.SetViewDefinition(rename.Table.Schema ?? "public", newName, definition);
                break;
        }
    }

    private CommandResult EndTransaction(bool commit)
    {
        // A cursor lives until its transaction ends, however it ends (Redshift has no WITH HOLD cursors).
        _cursors.Clear();
        switch (_status)
        {
            case TransactionStatus.Idle:
                Warn(SqlState.NoActiveSqlTransaction, "there is no transaction in progress");
                if (_implicit)
                {
                    // As PostgreSQL does, with the same warning: ends the message's implicit transaction.
                    _implicit = false;
                    if (commit) _engine.Execute("COMMIT");
                    else TryRollback();
                }
                return new CommandResult(commit ? "COMMIT" : "ROLLBACK");
            case TransactionStatus.Failed:
                _status = TransactionStatus.Idle;
                TryRollback();
                return new CommandResult("ROLLBACK");
            default:
                _status = TransactionStatus.Idle;
                if (commit)
                {
                    _engine.Execute("COMMIT");
                    ReclaimStorage();
                }
                else TryRollback();
                return new CommandResult(commit ? "COMMIT" : "ROLLBACK");
        }
    }

    private void TryRollback()
    {
        // Objects the transaction created are gone again, and those it dropped are back.
        _database.SchemaChanged();
        _freedStorage = false;
        try { _engine.Execute("ROLLBACK"); }
        catch (PgException)
        {
            // DuckDB may already have rolled the transaction back after the error.
        }
    }

    private CommandResult Set(SettingStatement set)
    {
        var name = set.Name;
        var value = string.Join(", ", set.Values);
        if (!SessionParameters.Contains(name))
            throw new PgException(SqlState.UndefinedObject, $"unrecognized configuration parameter \"{name}\"");
        SetParameter(name, value);
        return new CommandResult("SET");
    }

    /// <summary>Sets a session parameter SET accepts (its name already checked).</summary>
    private void SetParameter(string name, string value)
    {
        if (name == "statement_timeout")
        {
            _statementTimeout = StatementDeadline.Parse(value);
            value = ((long)_statementTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (name == "search_path")
        {
            // LocalShift's own schemas and the engine's catalogs are never on a user's path: they do not exist for users.
            var schemas = value.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0 && s != "$user" && !SystemRelations.IsSystemSchema(s)).ToList();
            _searchPath = schemas.SequenceEqual(["public"]) ? null : schemas;
            // A schema that does not exist (yet) is accepted, as PostgreSQL and Redshift accept it; LocalShift resolves
            // names on the whole path itself (ResolveOnSearchPath), and the engine, which refuses unknown schemas in
            // its own path, gets the ones that exist.
            var existing = new HashSet<string>(StringComparer.Ordinal);
            using (var result = _engine.Query("SELECT DISTINCT schema_name FROM information_schema.schemata"))
                while (result.Read())
                    if (result.GetValue(0) is string schema) existing.Add(schema);
            var enginePath = schemas.Where(existing.Contains).Append("main");
            _engine.Execute($"SET search_path = {TokenCursor.QuoteLiteral(string.Join(",", enginePath))}");
        }
        _settings[name] = value;
    }

    /// <summary>
    /// <c>RESET name</c> / <c>RESET ALL</c>: the parameter goes back to the value the session started with — the user's
    /// own default (ALTER USER … SET) if there is one, else statement_timeout to the cluster's default, search_path to
    /// <c>$user, public</c>, others to the server's value.
    /// </summary>
    private CommandResult Reset(SettingStatement reset)
    {
        var name = reset.Name;
        var all = name.Equals("all", StringComparison.OrdinalIgnoreCase);
        if (!all && !SessionParameters.Contains(name))
            throw new PgException(SqlState.UndefinedObject, $"unrecognized configuration parameter \"{name}\"");
        if (all || name.Equals("statement_timeout", StringComparison.OrdinalIgnoreCase))
        {
            _statementTimeout = _database.StatementTimeout;
            _settings["statement_timeout"] = ((long)_statementTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (all || name.Equals("search_path", StringComparison.OrdinalIgnoreCase))
        {
            _searchPath = null;
            _settings["search_path"] = "$user, public";
            _engine.Execute(CatalogSetup.SessionSettings);
        }
        foreach (var key in _settings.Keys.ToList())
            if ((all || key.Equals(name, StringComparison.OrdinalIgnoreCase)) && key is not ("statement_timeout" or "search_path"))
                _settings.Remove(key);
        // A parameter the user has a default for (ALTER USER … SET) goes back to that default.
        foreach (var (parameter, value) in _database.Users.SettingsOf(User.Name))
            if (all || parameter.Equals(name, StringComparison.OrdinalIgnoreCase))
                SetParameter(parameter, value);
        return new CommandResult("RESET");
    }

    /// <summary>
    /// The parameters SET accepts: Redshift's session parameters and those PostgreSQL clients set on connecting.
    /// Anything else (an engine setting among them) is unrecognized, as Redshift answers.
    /// </summary>
    private static readonly HashSet<string> SessionParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "analyze_threshold_percent", "application_name", "authorization", "bytea_output", "cast_super_null_on_error", "client_encoding",
        "client_min_messages", "datestyle", "default_geometry_encoding", "describe_field_name_in_uppercase", "downcase_delimited_identifier",
        "enable_case_sensitive_identifier", "enable_case_sensitive_super_attribute", "enable_numeric_rounding", "enable_result_cache_for_session",
        "enable_vacuum_boost", "error_on_nondeterministic_update", "extra_float_digits", "interval_forbid_composite_literals", "intervalstyle",
        "json_parse_dedup_attributes", "json_parse_truncate_strings", "max_concurrency_scaling_clusters", "max_cursor_result_set_size",
        "mv_enable_aqmv_for_session", "navigate_super_null_on_error", "parse_super_null_on_error", "query_group", "search_path",
        "session_authorization", "spectrum_enable_pseudo_columns", "spectrum_query_maxerror", "standard_conforming_strings", "statement_timeout",
        "stored_proc_log_min_messages", "timezone", "wlm_query_slot_count", "lc_messages", "lc_monetary", "lc_numeric", "lc_time",
        "geqo", "join_collapse_limit", "from_collapse_limit", "transaction_isolation", "default_transaction_isolation",
        "default_transaction_read_only", "idle_in_transaction_session_timeout", "lock_timeout", "role",
    };

    private RowsResult Show(SettingStatement show)
    {
        var name = show.Name;
        var value = _settings.TryGetValue(name, out var set) ? set
            : _database.ServerParameters(User.Name).TryGetValue(name, out var server) ? server
            : name.ToLowerInvariant() switch
            {
                "search_path" => "$user, public",
                "timezone" => "UTC",
                "all" => "",
                _ => throw new PgException(SqlState.UndefinedObject, $"unrecognized configuration parameter \"{name}\""),
            };
        return new RowsResult([new PgColumn(name, PgTypeOid.Text)], [[value]]);
    }

    private void Warn(string sqlState, string message) => _notices.Add(new PgNotice("WARNING", message, sqlState));

    /// <summary>A warning from one of the engine's threads while a statement runs (a host function's, such as pg_cancel_backend's).</summary>
    internal void WarnWhileRunning(string sqlState, string message)
    {
        lock (_notices) _notices.Add(new PgNotice("WARNING", message, sqlState));
    }

    public void Dispose()
    {
        try { ReleaseScans(); }
        catch (Exception) { }
        _staging.Dispose();
        _prepared.Dispose();
        ReleaseCalls();
        _database.SessionClosed(Connection.ProcessId);
        _engine.Dispose();
    }
}
