using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LocalShift.Sql.Wire.Session;

/// <summary>
/// Accepts PostgreSQL connections on one endpoint and runs a <see cref="PgSession"/> for each on a thread of its
/// own, as PostgreSQL runs a backend process per connection: the session blocks on its socket between messages
/// and on the engine while a statement runs, without holding a thread-pool thread, and a client's message wakes
/// its thread directly rather than through the socket event loop and the thread pool.
/// </summary>
/// <param name="certificate">When set, an SSLRequest is answered 'S' and the connection goes on in TLS with it.</param>
public sealed class PgListener(IPgBackend backend, IPEndPoint endpoint, ILogger? logger = null, X509Certificate2? certificate = null) : IAsyncDisposable
{
    /// <summary>The server certificate offered to clients that ask for TLS; null answers every SSLRequest 'N'.</summary>
    public X509Certificate2? Certificate => certificate;

    /// <summary>
    /// The certificate with its chain built once, offline: given only <see cref="Certificate"/>, SslStream would build
    /// the chain on every handshake, which made a TLS connection about 20 ms slower than PostgreSQL's.
    /// </summary>
    internal SslStreamCertificateContext? CertificateContext { get; } =
        certificate is null ? null : SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);

    /// <summary>PostgreSQL's default <c>authentication_timeout</c>.</summary>
    public static readonly TimeSpan DefaultAuthenticationTimeout = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a connection has to finish TLS, its startup packet and authentication; past it the connection is
    /// closed, as PostgreSQL's <c>authentication_timeout</c> does. Without it a client that connects (or asks for TLS)
    /// and then sends nothing would hold its connection's thread until it went away.
    /// </summary>
    public TimeSpan AuthenticationTimeout { get; init; } = DefaultAuthenticationTimeout;

    /// <summary>Redshift's limit of concurrent connections to a cluster.</summary>
    public const int DefaultMaxConnections = 500;

    /// <summary>
    /// How many connections may be logged in or logging in at once (Redshift's per-cluster connection limit,
    /// PostgreSQL's <c>max_connections</c>). A connection takes its slot when its startup message arrives and gives it
    /// back when it ends however it ends (Terminate, a dropped socket, a failed login, the authentication timeout);
    /// one past the limit is refused with a FATAL 53300 and closed.
    /// </summary>
    public int MaxConnections
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxConnections), value, "must be at least 1");
    } = DefaultMaxConnections;

    private int _connectionSlots;

    private static int _nextProcessId = Environment.ProcessId % 10_000 * 100;

    /// <summary>A backend process id no other session of this process has (sessions opened in-process take one too).</summary>
    public static int NextProcessId() => Interlocked.Increment(ref _nextProcessId);

    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly ConcurrentDictionary<int, PgSession> _sessions = new();
    private readonly ConcurrentDictionary<PgSession, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private TcpListener? _listener;
    private Task? _acceptLoop;

    /// <summary>The bound endpoint (with the actual port when 0 was asked for).</summary>
    public IPEndPoint LocalEndpoint => (IPEndPoint)(_listener?.LocalEndpoint ?? endpoint);

    public void Start()
    {
        _listener = new TcpListener(endpoint);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start(backlog: 512);
        _acceptLoop = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener!.AcceptSocketAsync(_stopping.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            socket.NoDelay = true;
            var processId = NextProcessId();
            var session = new PgSession(new NetworkStream(socket, ownsSocket: true), backend, this, processId, PgSession.NewSecretKey(), _logger, blocking: true, socket);
            var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[session] = ended.Task;
            var thread = new Thread(() => Run(session, ended)) { IsBackground = true, Name = $"pg-backend-{processId}" };
            thread.Start();
        }
    }

    private void Run(PgSession session, TaskCompletionSource ended)
    {
        try
        {
            // The session's I/O is synchronous, so this runs it to the end on this thread.
            using (session) session.RunAsync(_stopping.Token).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Connection {ProcessId} failed", session.ProcessId);
        }
        finally
        {
            _connections.TryRemove(session, out _);
            ended.SetResult();
        }
    }

    /// <summary>Takes a connection slot; false when all <see cref="MaxConnections"/> are taken.</summary>
    internal bool TryTakeConnectionSlot()
    {
        var taken = Volatile.Read(ref _connectionSlots);
        while (taken < MaxConnections)
        {
            var seen = Interlocked.CompareExchange(ref _connectionSlots, taken + 1, taken);
            if (seen == taken) return true;
            taken = seen;
        }
        return false;
    }

    internal void ReleaseConnectionSlot() => Interlocked.Decrement(ref _connectionSlots);

    /// <summary>How many connection slots are taken now.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionSlots);

    internal void Register(PgSession session) => _sessions[session.ProcessId] = session;

    internal void Unregister(PgSession session) => _sessions.TryRemove(session.ProcessId, out _);

    internal void Cancel(int processId, int secretKey)
    {
        if (_sessions.TryGetValue(processId, out var session) && session.SecretKey == secretKey) session.Cancel();
    }

    /// <summary>Stops accepting, closes every connection and waits for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener?.Stop();
        if (_acceptLoop is not null) await _acceptLoop;
        foreach (var session in _sessions.Values) session.Cancel();
        // Every connection, also one still in its startup, is blocked on its socket until the socket closes.
        foreach (var session in _connections.Keys) session.Abort();
        await Task.WhenAll(_connections.Values);
        _stopping.Dispose();
    }
}
