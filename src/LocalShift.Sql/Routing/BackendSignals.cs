using System.Collections.Concurrent;
using LocalShift.Engine;

namespace LocalShift.Sql.Routing;

/// <summary>
/// <c>pg_cancel_backend(pid)</c> and <c>pg_terminate_backend(pid)</c> for the sessions of one cluster (the pids
/// stv_sessions shows). LocalShift answers them, not the engine: each is a function of the session's own (defined when it
/// opens, with its pid written in: no engine variable, which users may neither set nor read) over a host function that
/// gets the target pid and the calling session's pid, and that host function is refused to users by name
/// (<see cref="Users.StatementPrivileges"/>), so no caller can speak for another session. Redshift's rule: a superuser
/// may signal any session, a user only their own sessions.
/// </summary>
internal sealed class BackendSignals
{
    public const string CancelFunction = "ls_cancel_backend";
    public const string TerminateFunction = "ls_terminate_backend";

    /// <summary>
    /// The functions users call, for the session with process id <paramref name="processId"/>: pg_backend_pid() answers
    /// it; pg_cancel_backend and pg_terminate_backend pass it as the caller (PostgreSQL 8.0's and Redshift's answer is an
    /// integer, 1 when signaled). Session functions: each session has its own, and none outlives it.
    /// </summary>
    public static IReadOnlyList<EngineFunction> SessionFunctions(int processId) =>
    [
        EngineFunction.Of("pg_backend_pid", "", $"CAST({processId} AS INTEGER)") with { Session = true },
        EngineFunction.Of("pg_cancel_backend", "pid", $"{CancelFunction}(CAST(pid AS INTEGER), CAST({processId} AS INTEGER))") with { Session = true },
        EngineFunction.Of("pg_terminate_backend", "pid", $"{TerminateFunction}(CAST(pid AS INTEGER), CAST({processId} AS INTEGER))") with { Session = true },
    ];

    /// <summary>
    /// The cluster-wide definitions an older version kept in the database file (over an engine variable): gone, so that
    /// only each session's own answers.
    /// </summary>
    public const string DropOlderFunctions =
        "DROP MACRO IF EXISTS main.pg_backend_pid; DROP MACRO IF EXISTS main.pg_cancel_backend; DROP MACRO IF EXISTS main.pg_terminate_backend";

    private readonly ConcurrentDictionary<int, SqlSession> _sessions = new();

    /// <summary>Makes the host functions callable in the engine (before the functions over them are defined).</summary>
    public void Define(ISqlEngine engine)
    {
        engine.DefineHostFunction(CancelFunction, (target, caller) => Signal(target, caller, terminate: false));
        engine.DefineHostFunction(TerminateFunction, (target, caller) => Signal(target, caller, terminate: true));
    }

    public void Opened(SqlSession session) => _sessions[session.Connection.ProcessId] = session;

    public void Closed(int processId) => _sessions.TryRemove(processId, out _);

    /// <summary>
    /// 1 when the session was told to stop; 0 with a warning when no session has the pid (PostgreSQL's answer);
    /// 42501 when the caller may not signal it. Called on one of the engine's threads while the caller's statement runs.
    /// </summary>
    private int Signal(int target, int caller, bool terminate)
    {
        if (!_sessions.TryGetValue(caller, out var asking)) return 0;
        if (!_sessions.TryGetValue(target, out var signaled))
        {
            asking.WarnWhileRunning(SqlState.Warning, $"PID {target} is not a PostgreSQL server process");
            return 0;
        }
        if (!asking.User.Superuser && asking.User.Name != signaled.User.Name)
            throw new PgException(SqlState.InsufficientPrivilege, terminate ? "permission denied to terminate process" : "permission denied to cancel query",
                detail: terminate
                    ? "Only a superuser or the session's own user may terminate a session."
                    : "Only a superuser or the session's own user may cancel a session's query.");
        var signal = terminate ? signaled.Connection.Terminate : signaled.Connection.Cancel;
        if (signal is null) signaled.Cancel();
        else signal();
        return 1;
    }
}
