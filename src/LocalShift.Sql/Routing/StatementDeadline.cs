using System.Globalization;
using LocalShift.Engine;
using LocalShift.Sql.Wire;

namespace LocalShift.Sql.Routing;

/// <summary>
/// <c>statement_timeout</c> for one statement: a timer that, once the statement has run longer than the timeout, stops
/// it the way a CancelRequest does (the engine's interrupt, a COPY's or UNLOAD's own work), and the cancellation the
/// statement then fails with, told in PostgreSQL's and Redshift's words for a timeout. It covers the statement from its
/// start until its result is closed, rows sent to the client included, as PostgreSQL's timer does; in the extended
/// protocol each Execute of a portal has its own timeout, and none runs while the portal waits suspended.
/// </summary>
internal sealed class StatementDeadline : IDisposable
{
    /// <summary>What the statement fails with once its time is up (SQLSTATE 57014, as a cancellation).</summary>
    public const string Message = "canceling statement due to statement timeout";

    private readonly Timer _timer;
    private readonly TimeSpan _timeout;
    private readonly Lock _gate = new();
    private bool _done;
    private bool _paused;
    private long _startedAt = System.Diagnostics.Stopwatch.GetTimestamp();

    private StatementDeadline(TimeSpan timeout, Action cancel)
    {
        _timeout = timeout;
        _timer = new Timer(_ =>
        {
            lock (_gate)
            {
                if (_done || _paused) return;
                // A tick that comes before this Execute's timeout has run (an earlier Execute's tick that ran late, or a
                // timer that fires a little early against the stopwatch) waits for the rest of it: it never just returns,
                // which would leave the statement with no timer at all.
                var remaining = _timeout - System.Diagnostics.Stopwatch.GetElapsedTime(_startedAt);
                if (remaining > TimeSpan.Zero && _timer is not null)
                {
                    _timer.Change(remaining + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
                    return;
                }
                Expired = true;
            }
            cancel();
        }, null, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The portal is suspended between Executes: no time runs until the next one.</summary>
    public void Suspend()
    {
        lock (_gate)
        {
            if (_done || Expired) return;
            _paused = true;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The next Execute of a suspended portal: a full timeout again, as PostgreSQL gives each Execute.</summary>
    public void Resume()
    {
        lock (_gate)
        {
            if (_done || Expired || !_paused) return;
            _paused = false;
            _startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            _timer.Change(_timeout, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The timeout passed and the statement was told to stop.</summary>
    public bool Expired { get; private set; }

    /// <summary>A deadline for a statement starting now; null when the timeout is off (zero).</summary>
    public static StatementDeadline? Start(TimeSpan timeout, Action cancel) => timeout > TimeSpan.Zero ? new StatementDeadline(timeout, cancel) : null;

    /// <summary>The error the client sees: a cancellation that the deadline caused is a timeout.</summary>
    public Exception Explain(Exception e) =>
        Expired && e is PgException { SqlState: SqlState.QueryCanceled } ? new PgException(SqlState.QueryCanceled, Message) : e;

    /// <summary>The statement's result, its deadline running until the result is closed.</summary>
    public IPgResult Watch(IPgResult result) => new WatchedResult(result, this);

    public void Dispose()
    {
        lock (_gate) _done = true;
        _timer.Dispose();
    }

    /// <summary>
    /// A <c>statement_timeout</c> value as PostgreSQL reads it: a number of milliseconds, or a number with a unit (ms, s,
    /// min, h, d); 0 turns it off.
    /// </summary>
    public static TimeSpan Parse(string value)
    {
        var text = value.Trim().Trim('\'').Trim();
        var digits = 0;
        while (digits < text.Length && (char.IsAsciiDigit(text[digits]) || text[digits] == '.')) digits++;
        var unit = text[digits..].Trim().ToLowerInvariant();
        double? factor = unit switch
        {
            "" or "ms" => 1,
            "s" => 1000,
            "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => null,
        };
        if (digits == 0 || factor is null || !double.TryParse(text[..digits], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            || n * factor.Value > int.MaxValue)
            throw new PgException(SqlState.InvalidParameterValue, $"invalid value for parameter \"statement_timeout\": \"{value}\"",
                hint: "Valid units for this parameter are \"ms\", \"s\", \"min\", \"h\", and \"d\".");
        return TimeSpan.FromMilliseconds(Math.Round(n * factor.Value));
    }

    private sealed class WatchedResult(IPgResult inner, StatementDeadline deadline) : IPgResult
    {
        public IReadOnlyList<PgColumn>? Columns => inner.Columns;

        public bool Read()
        {
            try { return inner.Read(); }
            catch (Exception e) when (deadline.Explain(e) is var explained && explained != e) { throw explained; }
        }

        public object? GetValue(int ordinal) => inner.GetValue(ordinal);
        public string CommandTag => inner.CommandTag;
        public void Suspend() => deadline.Suspend();
        public void Resume() => deadline.Resume();

        public void Dispose()
        {
            deadline.Dispose();
            inner.Dispose();
        }
    }
}
