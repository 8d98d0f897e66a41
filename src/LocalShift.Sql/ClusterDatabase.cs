using LocalShift.Engine;
using LocalShift.Services.Redshift;
using LocalShift.Services.Redshift.DbCredentials;
using LocalShift.Sql.Catalog;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Users;
using LocalShift.Sql.Wire;

namespace LocalShift.Sql;

/// <summary>One cluster's warehouse: its engine, its users, and what its PostgreSQL listener serves.</summary>
public sealed class ClusterDatabase : IPgBackend, IDisposable
{
    /// <summary>Redshift reports PostgreSQL 8.0.2; clients read server_version to pick features.</summary>
    public const string ServerVersion = "8.0.2";

    private readonly ISqlEngine _engine;
    private readonly IEngineSession _system;
    private readonly IEngineSession _sessionLog;
    private readonly Lock _sessionLogLock = new();

    private readonly TemporaryDbCredentials? _temporaryLogins;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, IDisposable> _sessionGroups = new();

    /// <param name="engines">Opens the cluster's engine on <paramref name="databasePath"/> (":memory:": a database of the engine's lifetime).</param>
    public ClusterDatabase(ISqlEngineFactory engines, ClusterEndpointSpec spec, string databasePath, PgAuthMethod authMethod = PgAuthMethod.ScramSha256,
        IRedshiftStatementHandler? redshiftStatements = null, long? memoryLimitBytes = null, TemporaryDbCredentials? temporaryLogins = null)
    {
        Spec = spec;
        _temporaryLogins = temporaryLogins;
        AuthMethod = authMethod;
        RedshiftStatements = redshiftStatements ?? new NotYetSupportedRedshiftStatements();
        RedshiftStatements.Register(Handlers);
        // Without a limit the engine takes 80% of the machine's memory (DuckDB's default): plans get the same.
        PlanningBudget = Syntax.PlanningBudget.For(memoryLimitBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 10 * 8);
        // The staging folder sits beside the database file, inside the cluster's folder: the only place the engine's
        // statements may read or write files (never the object store's folder, nor the state database).
        _engine = engines.Open(new EngineOptions(databasePath)
        {
            StagingDirectory = databasePath == EngineOptions.InMemory ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(databasePath))!, "staging"),
            MemoryLimitBytes = memoryLimitBytes,
            // Redshift's: every session in UTC (a session's own SET TIME ZONE is kept by the router), integers divided as integers.
            TimeZone = "UTC",
            IntegerDivision = true,
        });
        try
        {
            _system = _engine.OpenSession();
            Backends.Define(_engine);
            Copy.DateTimeConversion.Define(_engine);
            _engine.DefineBatchHostFunction(External.ExternalFunctionCalls.HostFunction, 3, External.ExternalFunctionCalls.Run);
            CatalogSetup.Install(_system);
            _system.Execute(BackendSignals.DropOlderFunctions);
            // The system session's own (no client's pid), so that views over pg_backend_pid() bind when they are made.
            _system.DefineFunctions(BackendSignals.SessionFunctions(0));
            Users = new UserDirectory(_system, spec.MasterUsername, spec.MasterPasswordSecret);
            UserStatements.Register(Handlers, Users);
            MaterializedViews.Register(Handlers, Users);
            External.ExternalSchemas.Ensure(_system);
            External.ExternalFunctionCatalog.Ensure(_system);
            CatalogSetup.InstallSystemViews(_system);
            MaterializedViews.Install(_system, spec.DbName);
            Privileges = new StatementPrivileges(Users, SystemRelations.Load(_system, spec.DbName));
            _sessionLog = _engine.OpenSession();
        }
        catch
        {
            _engine.Dispose();
            throw;
        }
    }

    public ClusterEndpointSpec Spec { get; }

    /// <summary>The cluster's open sessions, for pg_cancel_backend and pg_terminate_backend.</summary>
    internal BackendSignals Backends { get; } = new();

    /// <summary>The statement_timeout every session starts with (the cluster's parameter; zero: none).</summary>
    public TimeSpan StatementTimeout { get; init; }
    public PgAuthMethod AuthMethod { get; }
    public UserDirectory Users { get; }

    /// <summary>The privilege and function check every statement passes before the engine sees it.</summary>
    internal StatementPrivileges Privileges { get; }
    public IRedshiftStatementHandler RedshiftStatements { get; }

    /// <summary>The handler of each statement kind the cluster runs itself, as <see cref="RedshiftStatements"/> registered them.</summary>
    internal StatementHandlers Handlers { get; } = new();

    /// <summary>What the engine may spend planning one statement: as much as its memory limit (<see cref="Syntax.PlanningBudget"/>).</summary>
    internal Syntax.PlanningBudget PlanningBudget { get; }

    /// <summary>The cluster's recent statements, for stl_query, svl_qlog and sys_query_history.</summary>
    internal QueryLog Queries { get; } = new();

    private int _schemaVersion;

    /// <summary>
    /// Moves on whenever a session runs a statement that may create, drop or alter objects (DDL, COPY, a
    /// rollback), so a statement checked at Parse against an older version is checked again.
    /// </summary>
    internal int SchemaVersion => Volatile.Read(ref _schemaVersion);

    internal void SchemaChanged() => Interlocked.Increment(ref _schemaVersion);

    private (int Version, IReadOnlyDictionary<string, External.ExternalSchema> Schemas, IReadOnlySet<string> Names)? _externalSchemas;

    /// <summary>The names of the cluster's external schemas, read again whenever the schema version moves.</summary>
    internal IReadOnlySet<string> ExternalSchemaNames(IEngineSession engine) => KnownExternalSchemas(engine).Names;

    /// <summary>An external schema by name (as <see cref="External.ExternalSchemas.Find"/>), from the same record.</summary>
    internal External.ExternalSchema? FindExternalSchema(IEngineSession engine, string name) =>
        KnownExternalSchemas(engine).Schemas.GetValueOrDefault(name);

    private (int Version, IReadOnlyDictionary<string, External.ExternalSchema> Schemas, IReadOnlySet<string> Names) KnownExternalSchemas(IEngineSession engine)
    {
        var version = SchemaVersion;
        if (_externalSchemas is { } known && known.Version == version) return known;
        var schemas = External.ExternalSchemas.List(engine).ToDictionary(s => s.Name, StringComparer.Ordinal);
        var read = (version, (IReadOnlyDictionary<string, External.ExternalSchema>)schemas, (IReadOnlySet<string>)schemas.Keys.ToHashSet(StringComparer.Ordinal));
        _externalSchemas = read;
        return read;
    }

    private (int Version, IReadOnlySet<(string Schema, string Name)> Names)? _externalFunctions;

    /// <summary>The (schema, name) of every external function, read again whenever the schema version moves.</summary>
    internal IReadOnlySet<(string Schema, string Name)> ExternalFunctionNames(IEngineSession engine)
    {
        var version = SchemaVersion;
        if (_externalFunctions is { } known && known.Version == version) return known.Names;
        var names = External.ExternalFunctionCatalog.Names(engine);
        _externalFunctions = (version, names);
        return names;
    }

    private (int Version, IReadOnlySet<(string Schema, string Name)> Names)? _materializedViews;

    /// <summary>
    /// Marks the materialized views over a table stale after a session wrote to it: on LocalShift's own connection, at
    /// once and outside the writer's transaction, so that concurrent writers of one base table do not conflict over the
    /// view's record (a write rolled back afterwards leaves the mark: Redshift's is_stale may be inaccurate too). A
    /// conflict with a refresh under way is let go: the mark is advice.
    /// </summary>
    internal void MarkMaterializedViewsStale(string schema, string table)
    {
        try
        {
            lock (_sessionLogLock) _sessionLog.Execute(MaterializedViews.StaleStatement(schema, table));
        }
        catch (PgException)
        {
        }
    }

    /// <summary>The (schema, name) of every materialized view, read again whenever the schema version moves.</summary>
    internal IReadOnlySet<(string Schema, string Name)> MaterializedViewNames(IEngineSession engine)
    {
        var version = SchemaVersion;
        if (_materializedViews is { } known && known.Version == version) return known.Names;
        var names = MaterializedViews.Names(engine);
        _materializedViews = (version, names);
        return names;
    }

    /// <summary>
    /// Redshift folds user names to lower case, so "Admin" logs in as admin. A name of the IAM forms (<c>IAM:alice</c>)
    /// logs in with the live temporary passwords GetClusterCredentials(WithIAM) issued for it, and only with those.
    /// </summary>
    public PgLogin? FindLogin(string user)
    {
        if (TemporaryDbCredentials.IsIamLoginName(user))
        {
            var logins = _temporaryLogins?.Find(Spec.AccountId, Spec.Region, Spec.ClusterIdentifier, user) ?? [];
            if (logins.Count == 0) return null;
            return new PgLogin(user, logins[0].Secret)
            {
                OtherSecrets = logins.Skip(1).Select(l => l.Secret).ToList(),
                Admit = matched => Admit(logins[Math.Max(matched, 0)]),
            };
        }
        return (Users.Find(user) ?? Users.Find(user.ToLowerInvariant())) is { Secret: { } secret } found ? new PgLogin(found.Name, secret) : null;
    }

    /// <summary>
    /// Admits a temporary login: its database user, created now (with its password disabled, as Redshift creates it)
    /// when the credentials said AutoCreate, and the groups it joins for the session.
    /// </summary>
    public PgAdmission Admit(TemporaryDbLogin login)
    {
        EnsureDbUser(login.DbUser, login.AutoCreate);
        return new PgAdmission(login.DbUser, login.DbGroups);
    }

    /// <summary>Creates <paramref name="user"/> (password disabled) when <paramref name="create"/> says so, else requires it.</summary>
    public void EnsureDbUser(string user, bool create)
    {
        if (Users.Find(user) is not null) return;
        if (!create)
            // unverified: Redshift's text for an IAM login whose user does not exist (PostgreSQL 8.0's words).
            throw new PgException(SqlState.InvalidAuthorizationSpecification, $"user \"{user}\" does not exist") { Severity = "FATAL" };
        Users.Save(new DbUser(user, null, false));
    }

    /// <summary>Writes a consistent copy of the warehouse file while sessions keep running (a snapshot).</summary>
    public void CopyWarehouseTo(string destination) => _engine.CopyTo(destination);

    /// <summary>Gives the master user a new password (ModifyCluster); open sessions stay.</summary>
    public void SetMasterPassword(Wire.Auth.PgPasswordSecret secret) =>
        Users.Save(new DbUser(Spec.MasterUsername.ToLowerInvariant(), secret, true));

    public bool DatabaseExists(string database) => string.Equals(database, Spec.DbName, StringComparison.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, string> ServerParameters(string user) => new Dictionary<string, string>
    {
        ["server_version"] = ServerVersion,
        ["server_encoding"] = "UNICODE",
        ["client_encoding"] = "UTF8",
        ["DateStyle"] = "ISO, MDY",
        ["TimeZone"] = "UTC",
        ["integer_datetimes"] = "on",
        ["standard_conforming_strings"] = "on",
        ["IntervalStyle"] = "postgres",
        ["is_superuser"] = (Users.Find(user) ?? Users.Find(user.ToLowerInvariant()))?.Superuser == true ? "on" : "off",
        ["session_authorization"] = user,
        ["padb_revision"] = "77467",
        ["padb_version"] = "1.0.77467",
    };

    public IPgQuerySession OpenSession(PgConnectionInfo connection)
    {
        if (Users.Find(connection.User) is null) connection = connection with { User = connection.User.ToLowerInvariant() };
        var session = new SqlSession(this, _engine.OpenSession(), connection);
        session.Engine.DefineFunctions(BackendSignals.SessionFunctions(connection.ProcessId));
        Backends.Opened(session);
        if (connection.SessionGroups.Count > 0) _sessionGroups[connection.ProcessId] = Users.JoinForSession(connection.User, connection.SessionGroups);
        lock (_sessionLogLock)
            _sessionLog.Execute($"INSERT INTO {FunctionLibrary.Typed}sessions VALUES ({connection.ProcessId}, " +
                $"{TokenCursor.QuoteLiteral(connection.User)}, {TokenCursor.QuoteLiteral(connection.Database)}, CAST(current_timestamp AS TIMESTAMP))");
        return session;
    }

    /// <summary>Takes a closed session off stv_sessions.</summary>
    internal void SessionClosed(int processId)
    {
        Backends.Closed(processId);
        if (_sessionGroups.TryRemove(processId, out var groups)) groups.Dispose();
        try
        {
            lock (_sessionLogLock) _sessionLog.Execute($"DELETE FROM {FunctionLibrary.Typed}sessions WHERE process = {processId}");
        }
        catch (Exception e) when (e is PgException or ObjectDisposedException)
        {
            // The database is shutting down; its session list goes with it.
        }
    }

    public void Dispose()
    {
        _sessionLog.Dispose();
        _system.Dispose();
        _engine.Dispose();
    }
}
