using LocalShift.Engine;
using LocalShift.Sql.Wire.Auth;

namespace LocalShift.Sql.Wire;

/// <summary>Transaction state reported in ReadyForQuery.</summary>
public enum TransactionStatus { Idle, InBlock, Failed }

/// <summary>How the server asks for a password.</summary>
public enum PgAuthMethod { ScramSha256, Md5, Cleartext, Trust }

/// <summary>A bound parameter: the declared type OID and the value (a string for text format, a CLR value for binary).</summary>
public readonly record struct PgParameter(int TypeOid, object? Value);

/// <summary>
/// A user a login can be checked against: the name as stored (the MD5 hash is salted with it) and the stored secret.
/// </summary>
public sealed record PgLogin(string User, PgPasswordSecret Secret)
{
    /// <summary>
    /// Further secrets a password may match: the other live temporary passwords of an IAM database login (their SCRAM
    /// verifiers share <see cref="Secret"/>'s salt and iterations).
    /// </summary>
    public IReadOnlyList<PgPasswordSecret> OtherSecrets { get; init; } = [];

    /// <summary>
    /// Called once a password matched secret <c>i</c> (0: <see cref="Secret"/>, then <see cref="OtherSecrets"/>): who
    /// the session runs as, or a FATAL <see cref="PgException"/> refusing the login. Null: the startup user, as is.
    /// </summary>
    public Func<int, PgAdmission>? Admit { get; init; }
}

/// <summary>What a login was admitted as: the session's user and the groups it joins for this session only.</summary>
public sealed record PgAdmission(string User, IReadOnlyList<string> SessionGroups);

/// <summary>Who connected: the startup parameters after authentication.</summary>
public sealed record PgConnectionInfo(string User, string Database, int ProcessId, IReadOnlyDictionary<string, string> StartupParameters)
{
    /// <summary>Cancels the connection's running statement as a CancelRequest would (pg_cancel_backend); any thread.</summary>
    public Action? Cancel { get; init; }

    /// <summary>Groups the user joins for this session only (an IAM login's DbGroups).</summary>
    public IReadOnlyList<string> SessionGroups { get; init; } = [];

    /// <summary>
    /// Ends the connection as PostgreSQL ends a backend told to terminate (pg_terminate_backend): its statement is
    /// canceled, the client is sent FATAL 57P01 and the connection closes; any thread.
    /// </summary>
    public Action? Terminate { get; init; }
}

/// <summary>What one listener serves: users, databases and a query session per connection.</summary>
public interface IPgBackend
{
    PgAuthMethod AuthMethod { get; }

    /// <summary>
    /// The user's stored password secret, or null when there is no such user or its password is disabled
    /// (authentication then fails the same way as for a wrong password).
    /// </summary>
    PgLogin? FindLogin(string user);

    bool DatabaseExists(string database);

    /// <summary>ParameterStatus values sent after authentication.</summary>
    IReadOnlyDictionary<string, string> ServerParameters(string user);

    IPgQuerySession OpenSession(PgConnectionInfo connection);
}

/// <summary>One connection's SQL session. Methods may throw <see cref="PgException"/>.</summary>
public interface IPgQuerySession : IDisposable
{
    TransactionStatus TransactionStatus { get; }

    /// <summary>Splits a simple-query string into statements.</summary>
    IReadOnlyList<string> SplitStatements(string sql);

    /// <summary>Parses one statement; <paramref name="parameterTypeOids"/> may be shorter than the parameters used.</summary>
    IPgStatement Prepare(string sql, IReadOnlyList<int> parameterTypeOids);

    /// <summary>
    /// Outside a transaction block, opens the implicit transaction that statements share until the end of a
    /// Query message with several, or until Sync in the extended protocol (again after a COMMIT or ROLLBACK among
    /// them); a no-op when one is open or inside a block.
    /// </summary>
    void BeginImplicitTransaction();

    /// <summary>At the end of such a message, or at Sync, when no error came: commits the implicit transaction, if open.</summary>
    void EndImplicitTransaction();

    /// <summary>
    /// Called whenever the client is sent an error: an implicit transaction is rolled back, a transaction block
    /// enters the failed state.
    /// </summary>
    void OnError();

    /// <summary>Interrupts the running statement (CancelRequest); may be called from any thread.</summary>
    void Cancel();

    /// <summary>Notices produced since the last call (Redshift INFO messages).</summary>
    IReadOnlyList<PgNotice> DrainNotices();
}

/// <summary>A prepared statement.</summary>
public interface IPgStatement
{
    /// <summary>
    /// The statement may change data or objects, so in the extended protocol it opens the implicit transaction
    /// that lasts until Sync (a query alone needs none).
    /// </summary>
    bool Changes { get; }

    /// <summary>Parameter types after inference (never 0).</summary>
    IReadOnlyList<int> ParameterTypeOids { get; }

    /// <summary>
    /// Checks the statement as PostgreSQL's Parse does, without running it: its syntax, and for a query or an
    /// INSERT/UPDATE/DELETE/MERGE also its tables and columns. Throws the error the statement would fail with.
    /// </summary>
    void Validate();

    /// <summary>The result columns, or null when the statement returns no rows.</summary>
    IReadOnlyList<PgColumn>? DescribeColumns();

    /// <summary>Starts the statement; rows are then pulled one at a time from the result.</summary>
    IPgResult Execute(IReadOnlyList<PgParameter> parameters);
}

/// <summary>A running statement; rows are streamed, never materialized whole.</summary>
public interface IPgResult : IDisposable
{
    /// <summary>The columns, or null for a statement without rows.</summary>
    IReadOnlyList<PgColumn>? Columns { get; }

    /// <summary>Advances to the next row; false at the end.</summary>
    bool Read();

    /// <summary>The value of column <paramref name="ordinal"/> of the current row (null for SQL NULL).</summary>
    object? GetValue(int ordinal);

    /// <summary>The command tag, valid once <see cref="Read"/> returned false (or at once for no rows).</summary>
    string CommandTag { get; }

    /// <summary>
    /// An Execute with a row limit ended with PortalSuspended: the statement is not running while the client decides
    /// whether to ask for more, so its <c>statement_timeout</c> stops (PostgreSQL times each Execute on its own).
    /// </summary>
    void Suspend() { }

    /// <summary>The next Execute of a suspended portal: its <c>statement_timeout</c> starts again from zero.</summary>
    void Resume() { }
}
