using System.Net.Sockets;
using LocalShift.Engine;
using LocalShift.Sql.Wire.Buffers;
using LocalShift.Sql.Wire.Messages.Backend;
using LocalShift.Sql.Wire.Messages.Frontend;
using Microsoft.Extensions.Logging;

namespace LocalShift.Sql.Wire.Session;

/// <summary>
/// One client connection: startup and authentication, then the message loop of the simple and extended query
/// protocols. Split by concern into partial files (Startup, Auth, SimpleQuery, ExtendedQuery).
/// An error in a statement is sent to the client and the session goes on; only I/O failures end it.
/// </summary>
public sealed partial class PgSession : IDisposable
{
    private readonly Stream _transport;
    private readonly bool _blocking;
    private Stream _stream;
    private PgReadBuffer _in;
    private PgWriteBuffer _out;
    private readonly IPgBackend _backend;
    private readonly PgListener _listener;
    private readonly ILogger _logger;
    private IPgQuerySession? _query;
    private volatile bool _cancelRequested;
    private bool _holdsConnectionSlot;
    /// <summary>The client's socket, watched while a statement runs (<see cref="WatchForDisconnect"/>).</summary>
    private readonly Socket? _socket;

    public int ProcessId { get; }
    public int SecretKey { get; }

    /// <param name="blocking">The session runs on a thread of its own and reads and writes the stream synchronously.</param>
    internal PgSession(Stream stream, IPgBackend backend, PgListener listener, int processId, int secretKey, ILogger logger, bool blocking = false,
        Socket? socket = null)
    {
        _socket = socket;
        _transport = stream;
        _blocking = blocking;
        _stream = stream;
        _in = new PgReadBuffer(stream, blocking);
        _out = new PgWriteBuffer(stream, blocking);
        _backend = backend;
        _listener = listener;
        _logger = logger;
        ProcessId = processId;
        SecretKey = secretKey;
    }

    /// <summary>Runs the connection until the client terminates or disconnects.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            // authentication_timeout: the socket is closed under a startup that has not finished in time, which ends
            // the blocked read; a startup that finishes first stops the timer.
            var startup = 0;
            bool started;
            using (new Timer(_ => { if (Interlocked.CompareExchange(ref startup, 2, 0) == 0) Abort(); },
                       null, _listener.AuthenticationTimeout, Timeout.InfiniteTimeSpan))
                started = await StartupAsync(cancellationToken);
            if (!started || Interlocked.CompareExchange(ref startup, 1, 0) != 0)
            {
                if (started) _logger.LogDebug("Connection {ProcessId}: authentication timed out", ProcessId);
                return;
            }
            _listener.Register(this);
            await MessageLoopAsync(cancellationToken);
            if (_terminating) await TrySendFatalAsync(Terminated);
        }
        catch (PgException e) when (e.Severity == "FATAL")
        {
            await TrySendFatalAsync(e);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            _logger.LogDebug("Connection {ProcessId} ended: {Reason}", ProcessId, e.Message);
            if (_terminating) await TrySendFatalAsync(Terminated);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Connection {ProcessId} failed", ProcessId);
            await TrySendFatalAsync(new PgException(SqlState.InternalError, InternalErrorMessage) { Severity = "FATAL" });
        }
        finally
        {
            // A cancel still standing when the connection ends (a terminated or vanished client) must not keep
            // KeepInterrupting's loop polling a session that is gone.
            lock (_cancelLock)
            {
                _idle = true;
                _cancelRequested = false;
            }
            _listener.Unregister(this);
            if (_holdsConnectionSlot)
            {
                _holdsConnectionSlot = false;
                _listener.ReleaseConnectionSlot();
            }
        }
    }

    /// <summary>
    /// Asks the running statement to stop (from a CancelRequest on another connection, pg_cancel_backend, a deadline or
    /// a client gone away). As in PostgreSQL a cancel stands until the session is next idle: one that lands while the
    /// message is parsed or planned, before the engine has a query to interrupt, still stops the statement, because
    /// the session checks it before each statement and interrupts the engine again every few milliseconds until the
    /// statement ends (<see cref="KeepInterrupting"/>). A cancel for an idle session is ignored, as PostgreSQL ignores
    /// it, unless the client's next message is already waiting to be read: the cancel is for that message.
    /// </summary>
    public void Cancel()
    {
        lock (_cancelLock)
        {
            if (_idle && !HasUnreadInput()) return;
            _cancelRequested = true;
            if (_executing) Interrupt();
        }
        KeepInterrupting();
    }

    private readonly Lock _cancelLock = new();
    /// <summary>True from each ReadyForQuery until the next message is read.</summary>
    private bool _idle = true;
    /// <summary>
    /// True while a statement of the client's runs in the engine. Only then is the engine interrupted: never the
    /// rollback after an error, nor the commit at Sync or at the end of a simple query.
    /// </summary>
    private bool _executing;
    private int _interrupting;

    private bool HasUnreadInput()
    {
        try { return _in.HasBufferedData || (_socket?.Available ?? 0) > 0; }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { return false; }
    }

    private void Interrupt()
    {
        try { _query?.Cancel(); }
        catch (Exception e) { _logger.LogDebug("Cancel of {ProcessId} failed: {Reason}", ProcessId, e.Message); }
    }

    /// <summary>
    /// The engine forgets an interrupt that comes before its query starts, so a standing cancel is repeated every
    /// 20 ms while a statement executes, until the statement ends or the session is idle again.
    /// </summary>
    private void KeepInterrupting()
    {
        if (Interlocked.Exchange(ref _interrupting, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(20);
                    lock (_cancelLock)
                    {
                        if (_idle || !_cancelRequested) return;
                        if (_executing) Interrupt();
                    }
                }
            }
            finally { Volatile.Write(ref _interrupting, 0); }
        });
    }

    /// <summary>A statement of the client's is about to run: a cancel already standing stops it here.</summary>
    private void StartExecuting()
    {
        lock (_cancelLock)
        {
            if (_cancelRequested) throw CanceledError();
            _executing = true;
        }
    }

    private void StopExecuting()
    {
        lock (_cancelLock) _executing = false;
    }

    /// <summary>A message from the client: the session is busy until its next ReadyForQuery.</summary>
    private void LeaveIdle()
    {
        lock (_cancelLock) _idle = false;
    }

    /// <summary>Writes ReadyForQuery; a cancel not taken by now is dropped, as PostgreSQL drops it.</summary>
    private void WriteReadyForQuery(TransactionStatus status)
    {
        lock (_cancelLock)
        {
            _idle = true;
            _cancelRequested = false;
        }
        ReadyForQuery.Write(_out, status);
    }

    private volatile bool _terminating;

    private static PgException Terminated => new(SqlState.AdminShutdown, "terminating connection due to administrator command") { Severity = "FATAL" };

    /// <summary>
    /// pg_terminate_backend: the running statement is canceled and the connection's reading side shut, so that the
    /// session's own thread, blocked in a statement or waiting for the client, leaves its loop and sends FATAL 57P01
    /// before closing, as a PostgreSQL backend does on SIGTERM.
    /// </summary>
    public void Terminate()
    {
        _terminating = true;
        Cancel();
        try
        {
            if (_socket is not null) _socket.Shutdown(SocketShutdown.Receive);
            else Abort();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed: the session is ending anyway.
        }
    }

    /// <summary>
    /// While a statement runs, the session's thread is inside it and reads nothing from the client: a client that goes
    /// away (its process killed, the connection dropped) is noticed here, by its socket turning readable with nothing
    /// to read, and its statement is canceled as a CancelRequest would (a COPY stops and leaves its table as it was).
    /// </summary>
    private DisconnectWatch? WatchForDisconnect() => _socket is null ? null : new DisconnectWatch(_socket, Cancel);

    private sealed class DisconnectWatch : IDisposable
    {
        private readonly Timer _timer;
        private int _fired;

        public DisconnectWatch(Socket socket, Action cancel)
        {
            _timer = new Timer(_ =>
            {
                bool gone;
                try { gone = socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0; }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { gone = true; }
                if (gone && Interlocked.Exchange(ref _fired, 1) == 0) cancel();
            }, null, 200, 200);
        }

        public void Dispose() => _timer.Dispose();
    }

    private async Task MessageLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = await _in.ReadMessageAsync(cancellationToken);
            if (message is null) return;
            LeaveIdle();
            var m = message.Value;
            if (m.Code == FrontendMessageCode.Terminate || _terminating) return;
            if (_skipUntilSync && m.Code != FrontendMessageCode.Sync) continue;
            try
            {
                switch (m.Code)
                {
                    case FrontendMessageCode.Query: await SimpleQueryAsync(m, cancellationToken); break;
                    case FrontendMessageCode.Parse: HandleParse(Parse.Read(m)); break;
                    case FrontendMessageCode.Bind: HandleBind(Bind.Read(m)); break;
                    case FrontendMessageCode.Describe: HandleDescribe(Describe.Read(m)); break;
                    case FrontendMessageCode.Execute: await HandleExecuteAsync(Execute.Read(m), cancellationToken); break;
                    case FrontendMessageCode.Close: HandleClose(Describe.Read(m)); break;
                    case FrontendMessageCode.Sync: await HandleSyncAsync(cancellationToken); break;
                    case FrontendMessageCode.Flush: await _out.FlushAsync(cancellationToken); break;
                    case FrontendMessageCode.CopyData or FrontendMessageCode.CopyDone or FrontendMessageCode.CopyFail: break;
                    default:
                        throw new PgException(SqlState.ProtocolViolation, $"invalid frontend message type {(char)m.Code}") { Severity = "FATAL" };
                }
            }
            catch (Exception e) when (IsStatementFailure(e))
            {
                // PostgreSQL's rule: after an error a Query or a Sync still ends in ReadyForQuery; any other
                // extended-protocol message makes the session skip to the next Sync, which does.
                SendError(ToClientError(e));
                if (m.Code is FrontendMessageCode.Query or FrontendMessageCode.Sync)
                {
                    _skipUntilSync = false;
                    WriteReadyForQuery(_query!.TransactionStatus);
                    await _out.FlushAsync(cancellationToken);
                }
                else _skipUntilSync = true;
            }
        }
    }

    /// <summary>
    /// A failure the client is told about and the session survives: anything but the end of the connection and
    /// a FATAL error (which closes it).
    /// </summary>
    private static bool IsStatementFailure(Exception e) => e is not (ClientConnectionLostException or PgException { Severity: "FATAL" });

    /// <summary>Generic on purpose: an unexpected exception's type and text (host paths, internals) go to the log only.</summary>
    internal const string InternalErrorMessage = "internal error; the LocalShift server log has the details";

    /// <summary>
    /// The error the client sees: a <see cref="PgException"/> as raised; anything else is a bug, logged with its
    /// details and answered with a generic XX000.
    /// </summary>
    private PgException ToClientError(Exception e)
    {
        if (e is PgException pg) return pg;
        _logger.LogError(e, "Statement failed in connection {ProcessId}", ProcessId);
        return new PgException(SqlState.InternalError, InternalErrorMessage);
    }

    /// <summary>
    /// Writes the error after telling the query session (which rolls back or marks its transaction failed). A failure
    /// of that rollback is logged, never allowed to keep the error from the client.
    /// </summary>
    private void SendError(PgException error)
    {
        try
        {
            _query?.OnError();
            WriteNotices();
        }
        catch (Exception e) when (IsStatementFailure(e))
        {
            _logger.LogError(e, "Recovering from an error failed in connection {ProcessId}", ProcessId);
        }
        ErrorResponse.Write(_out, error);
    }

    private void WriteNotices()
    {
        if (_query is null) return;
        foreach (var notice in _query.DrainNotices()) ErrorResponse.WriteNotice(_out, notice);
    }

    private PgException CanceledError()
    {
        _cancelRequested = false;
        return new PgException(SqlState.QueryCanceled, "canceling statement due to user request");
    }

    private async Task TrySendFatalAsync(PgException error)
    {
        try
        {
            ErrorResponse.Write(_out, error);
            await _out.FlushAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The client is gone; nothing to tell it.
        }
    }

    /// <summary>Closes the socket so the session's loop ends (server shutdown).</summary>
    internal void Abort() => _transport.Dispose();

    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        ClosePortals(all: true);
        _query?.Dispose();
        _stream.Dispose();
        _transport.Dispose();
    }
}
