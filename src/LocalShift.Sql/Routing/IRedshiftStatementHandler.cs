using LocalShift.Engine;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Routing;

/// <summary>What a Redshift-only statement (COPY, UNLOAD, CREATE EXTERNAL ..., GRANT ASSUMEROLE) runs with.</summary>
public sealed record RedshiftStatementContext(
    string AccountId,
    string Region,
    string ClusterIdentifier,
    string Database,
    string User,
    bool Superuser,
    IEngineSession Engine,
    Action<PgNotice> Notice,
    LocalShift.Sql.Users.UserDirectory? Users = null)
{
    /// <summary>The session's process id (pg_backend_pid(), stl_load_errors.session); 0 when the session has none.</summary>
    public int ProcessId { get; init; }

    /// <summary>The statement's id in the query log (stl_query.query), which stl_load_errors and stl_load_commits name.</summary>
    public long QueryId { get; init; }

    /// <summary>
    /// After a failed engine statement (which aborts the engine's transaction): makes the engine usable again. Null when
    /// that would lose client work — inside BEGIN ... COMMIT, or after earlier statements of an implicit transaction —
    /// so a statement may only be tried and retried when this is set.
    /// </summary>
    public Action? Recover { get; init; }

    /// <summary>What the engine may spend planning a query the statement runs (UNLOAD's SELECT), as for any statement.</summary>
    public LocalShift.Sql.Syntax.PlanningBudget? PlanningBudget { get; init; }

    /// <summary>
    /// Checks a query the statement runs for the user (UNLOAD's SELECT): its relations and functions. Required, never
    /// null: a context cannot be made without the check, so no handler can skip it (it fails closed).
    /// </summary>
    public required Action<LocalShift.Sql.Syntax.Query> AuthorizeQuery
    {
        get => _authorizeQuery;
        init => _authorizeQuery = value ?? throw MissingCheck(nameof(AuthorizeQuery));
    }
    private readonly Action<LocalShift.Sql.Syntax.Query> _authorizeQuery = null!;

    /// <summary>
    /// Checks a statement's tree for the user, as the session checks a statement the engine runs (relations, functions,
    /// ownership). Required, never null (see <see cref="AuthorizeQuery"/>).
    /// </summary>
    public required Action<Statement> Authorize
    {
        get => _authorize;
        init => _authorize = value ?? throw MissingCheck(nameof(Authorize));
    }
    private readonly Action<Statement> _authorize = null!;

    /// <summary>The schema an unqualified relation name resolves to on the session's search path.</summary>
    public Func<string, string> SchemaOf { get; init; } = _ => "public";

    /// <summary>The session is inside a transaction (a block or a multi-statement message's): a handler's statements join it.</summary>
    public bool InTransaction { get; init; }

    /// <summary>
    /// Checks the table a COPY loads (schema, or null for the default, and name) for the user. Required, never null
    /// (see <see cref="AuthorizeQuery"/>).
    /// </summary>
    public required Action<string?, string> AuthorizeLoad
    {
        get => _authorizeLoad;
        init => _authorizeLoad = value ?? throw MissingCheck(nameof(AuthorizeLoad));
    }
    private readonly Action<string?, string> _authorizeLoad = null!;

    private static ArgumentNullException MissingCheck(string name) =>
        new(name, $"A Redshift statement's context needs its privilege check ({name}); without it the statement is refused.");

    /// <summary>Canceled when the client cancels the statement or goes away: stops S3 staging and the role path.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>The db user ARN the role path passes as sts:ExternalId.</summary>
    public string DbUserArn => $"arn:aws:redshift:{Region}:{AccountId}:dbuser:{ClusterIdentifier}/{User}";
}

/// <summary>
/// The statements that reach outside the database through IAM roles (issue 7): COPY, UNLOAD, CREATE EXTERNAL ... and
/// GRANT/REVOKE ASSUMEROLE. Each implementation registers a handler for each kind it runs; the session finds it from
/// the statement's tree (<see cref="CommandStatement"/>).
/// </summary>
public interface IRedshiftStatementHandler
{
    /// <summary>Registers a handler for each <see cref="CommandKind"/> this implementation runs.</summary>
    void Register(StatementHandlers handlers);

    /// <summary>
    /// Called before the engine runs a statement that calls default_iam_role(), has_assumerole_privilege() or
    /// pg_get_iam_role_by_user() (see <see cref="AssumeRolePrivileges.ClusterFunctions"/>); returns the statement to run.
    /// Without a control plane the cluster has no default role.
    /// </summary>
    string PrepareFunctions(RedshiftStatementContext context, string sql) =>
        AssumeRolePrivileges.ClusterFunctions.Prepare(context, sql, defaultRoleArn: null);

    /// <summary>External schemas and tables (Spectrum) through the data catalog; null where there is no catalog.</summary>
    External.ExternalTables? External => null;

    /// <summary>External functions (Lambda UDFs); null where the handler has no role path.</summary>
    External.ExternalFunctions? Functions => null;
}

/// <summary>No role path: every Redshift statement answers "not supported yet" instead of an engine syntax error.</summary>
public sealed class NotYetSupportedRedshiftStatements : IRedshiftStatementHandler
{
    public void Register(StatementHandlers handlers) { }
}
