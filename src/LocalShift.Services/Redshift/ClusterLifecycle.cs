using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LocalShift.Services.Redshift;

/// <summary>
/// Drives clusters through time: starts the SQL endpoint of a cluster whose creation delay is over and then marks it
/// available, starts endpoints of available clusters after a restart, stops the endpoint of a cluster being deleted,
/// and writes down settled transitions. All deadlines live in the store, so a restart resumes where it stopped.
/// Run <see cref="RunAsync"/> for the life of the server; tests call <see cref="TickAsync"/> after moving their clock.
/// </summary>
public sealed class ClusterLifecycle
{
    private readonly RedshiftStore _store;
    private readonly IClusterEndpointHost _endpoints;
    private readonly RedshiftOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _tick = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    // Endpoints are process-local: these sets say what this process has started and stopped.
    private readonly HashSet<(string Account, string Region, string Id)> _started = [];
    private readonly HashSet<(string Account, string Region, string Id)> _stopped = [];
    private readonly ConcurrentDictionary<(string Account, string Region, string Id), EndpointFailure> _failed = new();

    public ClusterLifecycle(RedshiftStore store, IClusterEndpointHost endpoints, RedshiftOptions options, TimeProvider time, ILogger<ClusterLifecycle>? log = null)
    {
        _store = store;
        _endpoints = endpoints;
        _options = options;
        _time = time;
        _log = log ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Clusters whose SQL endpoint this process gave up starting (not retried before a restart), and why;
    /// read by the server's readiness report from any thread.</summary>
    public IReadOnlyDictionary<(string Account, string Region, string Id), EndpointFailure> FailedEndpoints => _failed;

    /// <summary>Asks the running loop to look now (after a create or delete) instead of at its next deadline.</summary>
    public void Wake()
    {
        try { _wake.Release(); }
        catch (SemaphoreFullException) { } // already awake
    }

    /// <summary>Does every transition that is due at the clock's current time.</summary>
    public async Task TickAsync(CancellationToken cancellationToken = default)
    {
        await _tick.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            foreach (var c in _store.ListByStatus(ClusterStatus.Deleting, now))
            {
                var key = (c.AccountId, c.Region, c.Identifier);
                if (!_stopped.Add(key)) continue;
                _started.Remove(key);
                _failed.TryRemove(key, out _);
                await Guard(() => _endpoints.StopAsync(c.EndpointSpec(_options.SqlHost), deleteData: true), "stop", c);
            }
            // Settled first, so a reboot or resume that is over starts its endpoint in this tick.
            _store.Settle(now);
            foreach (var status in new[] { ClusterStatus.Pausing, ClusterStatus.Paused, ClusterStatus.Rebooting })
            foreach (var c in _store.ListByStatus(status, now).Where(c => ClusterStatus.EndpointClosed(c.Status)))
            {
                var key = (c.AccountId, c.Region, c.Identifier);
                if (!_started.Remove(key)) continue;
                _failed.TryRemove(key, out _);
                await Guard(() => _endpoints.StopAsync(c.EndpointSpec(_options.SqlHost), deleteData: false), "stop", c);
            }
            foreach (var c in _store.ListByStatus(ClusterStatus.Creating, now).Where(c => c.AvailableAt <= now))
            {
                await Start(c, cancellationToken);
                _store.MarkAvailable(c.AccountId, c.Region, c.Identifier);
            }
            foreach (var c in _store.ListByStatus(ClusterStatus.Available, now))
                await Start(c, cancellationToken);
            _store.Settle(now);
            // Forget stopped clusters that are gone, so an identifier reused later is stopped again when deleted.
            var deleting = _store.ListByStatus(ClusterStatus.Deleting, now).Select(c => (c.AccountId, c.Region, c.Identifier)).ToHashSet();
            _stopped.RemoveWhere(k => !deleting.Contains(k));
        }
        finally
        {
            _tick.Release();
        }
    }

    /// <summary>Ticks until cancelled, waking at the next stored deadline, at a poll interval, or when <see cref="Wake"/> is called.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await TickAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _log.LogError(e, "Redshift lifecycle tick failed");
            }

            var wait = _options.LifecyclePollInterval;
            if (_store.NextDeadline() is { } next)
            {
                var untilNext = next - _time.GetUtcNow();
                if (untilNext < wait) wait = untilNext < TimeSpan.Zero ? TimeSpan.Zero : untilNext;
            }
            using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                await Task.WhenAny(Task.Delay(wait, _time, delay.Token), _wake.WaitAsync(delay.Token));
            }
            finally
            {
                await delay.CancelAsync();
            }
        }
    }

    private async Task Start(Cluster c, CancellationToken cancellationToken)
    {
        var key = (c.AccountId, c.Region, c.Identifier);
        if (_started.Contains(key)) return;
        // A port another program holds moves the cluster to the next free port; any other failure is logged and not
        // retried: the cluster still becomes available, as its control-plane state says.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _endpoints.StartAsync(c.EndpointSpec(_options.SqlHost), cancellationToken);
                break;
            }
            catch (Exception e) when (IsAddressInUse(e) && attempt < MaxPortMoves)
            {
                var moved = _store.MovePort(c.AccountId, c.Region, c.Identifier, _options.SqlPortEnd);
                _log.LogWarning("Port {Port} of cluster {Cluster} is in use by another program; the cluster moves to port {NewPort}", c.SqlPort, c.Identifier, moved);
                c = c with { SqlPort = moved };
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _log.LogError(e, "Could not start the SQL endpoint of cluster {Cluster} (account {Account}, region {Region}, port {Port})", c.Identifier, c.AccountId, c.Region, c.SqlPort);
                _failed[key] = new EndpointFailure(c.SqlPort, e.Message);
                break;
            }
        }
        _started.Add(key);
    }

    private const int MaxPortMoves = 20;

    private static bool IsAddressInUse(Exception e) => e switch
    {
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse } => true,
        { InnerException: { } inner } => IsAddressInUse(inner),
        _ => false,
    };

    private async Task Guard(Func<Task> action, string what, Cluster c)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.LogError(e, "Could not {What} the SQL endpoint of cluster {Cluster} (account {Account}, region {Region}, port {Port})", what, c.Identifier, c.AccountId, c.Region, c.SqlPort);
        }
    }
}

/// <summary>Why a cluster's SQL endpoint did not start: the port it tried and the error's message.</summary>
public sealed record EndpointFailure(int Port, string Error);
