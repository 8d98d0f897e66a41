
using LocalShift.Engine;

namespace LocalShift.Services.RedshiftData;

/// <summary>Whom a Data API session runs as, on which cluster and database.</summary>
public sealed record ClusterSessionTarget(
    string AccountId,
    string Region,
    string ClusterIdentifier,
    string Database,
    string DbUser,
    bool CreateUser,
    IReadOnlyList<string> Groups);

/// <summary>A named parameter of a Data API statement (<c>:name</c> in the SQL), its value as text.</summary>
public sealed record NamedParameter(string Name, string Value);

/// <summary>What one statement gave: its columns and rows (null columns: no result set) and its command tag.</summary>
public sealed record StatementOutcome(IReadOnlyList<PgColumn>? Columns, IReadOnlyList<object?[]> Rows, string CommandTag)
{
    /// <summary>The rows a SELECT returned, or those an INSERT/UPDATE/DELETE/COPY touched; 0 for other commands.</summary>
    public long ResultRows => Columns is not null ? Rows.Count
        : CommandTag.Split(' ') is { Length: >= 2 } parts && long.TryParse(parts[^1], out var n) ? n : 0;
}

/// <summary>
/// Runs Data API statements in-process on a cluster's SQL layer: a real session of the cluster, as the database user
/// the credential step decided, through the same parser, privilege checks and role path as a psql session.
/// Implemented by the SQL side.
/// </summary>
public interface IClusterStatementRunner
{
    /// <summary>
    /// Opens a session; throws <see cref="PgException"/> when the login is refused (no such user, no such database)
    /// and null when the cluster's SQL endpoint is not running.
    /// </summary>
    IClusterStatementSession? Open(ClusterSessionTarget target);
}

/// <summary>One Data API session: statements run one after another, in one transaction when asked.</summary>
public interface IClusterStatementSession : IDisposable
{
    /// <summary>The session's process id (pg_backend_pid, stv_sessions).</summary>
    int ProcessId { get; }

    void BeginTransaction();
    void CommitTransaction();
    void RollbackTransaction();

    /// <summary>Runs one SQL text (which may hold several statements, run as a simple query runs them); throws <see cref="PgException"/>.</summary>
    StatementOutcome Run(string sql, IReadOnlyList<NamedParameter> parameters);

    /// <summary>Interrupts the running statement, from any thread.</summary>
    void Cancel();
}
