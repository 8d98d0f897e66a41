using LocalShift.Storage.State;
using System.Data.Common;

namespace LocalShift.Services.Redshift.Events;

/// <summary>One recorded event, as DescribeEvents shows it.</summary>
public sealed record RedshiftEvent(
    string AccountId,
    string Region,
    string SourceIdentifier,
    string SourceType,
    string Message,
    string Category,
    string Severity,
    DateTimeOffset Date,
    string EventId)
{
    public static RedshiftEvent Of(EventDefinition d, string account, string region, string source, DateTimeOffset at,
        string? cluster = null, string? snapshot = null, string? role = null) =>
        new(account, region, source, d.SourceType, d.Render(at, cluster, snapshot, role), d.Category, d.Severity, at, d.EventId);
}

/// <summary>
/// Redshift's events in the state store (table <c>redshift_events</c>, kept 14 days as AWS keeps them). An event whose
/// outcome is already decided (a creation, a reboot, a deletion that cannot be called off) is written when it is asked
/// for, dated when it happens: readers see only events dated up to now, so it appears then, and a restart loses nothing.
/// Role associations can still change before they settle, so their events are written when the store settles them.
/// </summary>
public sealed class EventLog
{
    /// <summary>How long events are kept (DescribeEvents: "for the past 14 days").</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(14);

    private readonly IStateStore _state;

    public EventLog(IStateStore state)
    {
        _state = state;
        EnsureTable(state);
    }

    /// <summary>Creates the table (its own migration component; the cluster store also writes to it while settling).</summary>
    public static void EnsureTable(IStateStore state) =>
        state.Migrate("redshift_events", """
            CREATE TABLE redshift_events(
              seq INTEGER PRIMARY KEY AUTOINCREMENT,
              account_id TEXT NOT NULL,
              region TEXT NOT NULL,
              source_identifier TEXT NOT NULL,
              source_type TEXT NOT NULL,
              event_id TEXT NOT NULL,
              message TEXT NOT NULL,
              category TEXT NOT NULL,
              severity TEXT NOT NULL,
              date INTEGER NOT NULL);
            CREATE INDEX redshift_events_by_date ON redshift_events(account_id, region, date);
            """);

    public void Record(params RedshiftEvent[] events) => _state.Write((c, tx) =>
    {
        foreach (var e in events) Insert(c, tx, e);
    });

    /// <summary>Writes one event inside a transaction of the caller's.</summary>
    public static void Insert(DbConnection c, DbTransaction tx, RedshiftEvent e) =>
        c.Exec(tx, """
            INSERT INTO redshift_events(account_id, region, source_identifier, source_type, event_id, message, category, severity, date)
            VALUES($a, $r, $s, $t, $id, $m, $cat, $sev, $d)
            """,
            ("$a", e.AccountId), ("$r", e.Region), ("$s", e.SourceIdentifier), ("$t", e.SourceType), ("$id", e.EventId),
            ("$m", e.Message), ("$cat", e.Category), ("$sev", e.Severity), ("$d", e.Date.ToUnixTimeMilliseconds()));

    /// <summary>
    /// The account's events in one region dated within [<paramref name="from"/>, <paramref name="to"/>] (and not after
    /// <paramref name="now"/>), oldest first; events older than the retention are dropped first.
    /// </summary>
    public List<RedshiftEvent> List(string account, string region, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now) =>
        _state.Write((c, tx) =>
        {
            c.Exec(tx, "DELETE FROM redshift_events WHERE date < $cut", ("$cut", (now - Retention).ToUnixTimeMilliseconds()));
            var upper = Math.Min(to.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds());
            return c.Query(tx, """
                SELECT account_id, region, source_identifier, source_type, message, category, severity, date, event_id
                FROM redshift_events WHERE account_id=$a AND region=$r AND date >= $from AND date <= $to ORDER BY date, seq
                """, r => new RedshiftEvent(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                    r.GetString(5), r.GetString(6), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)), r.GetString(8)),
                ("$a", account), ("$r", region), ("$from", from.ToUnixTimeMilliseconds()), ("$to", upper));
        });
}
