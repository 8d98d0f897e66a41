using LocalShift.Engine;
using LocalShift.Sql.Dialect;

namespace LocalShift.Sql.Routing;

/// <summary>
/// A session's engine queries prepared once and run again, by their translated text: the engine's own parse, bind and
/// plan is most of what a short query costs (about 0.5 ms of a 0.6 ms <c>SELECT i FROM t LIMIT 1</c>), and a client
/// that repeats a statement pays it once.
/// </summary>
/// <remarks>
/// Only what the engine runs is kept: the statement's privileges are checked on its tree every time it runs, before
/// this cache is asked (a GRANT or REVOKE takes effect on the next execution either way). A prepared query keeps the
/// relations it resolved, so every kept query is dropped when the cluster's schema version moves (DDL in any session,
/// a rolled-back transaction) and when this session changes what names resolve to (<see cref="Clear"/>: SET
/// search_path, user and grant statements, Redshift's statements). The engine binds a kept query again by itself when
/// a table it reads was replaced; the schema version covers what it would not notice (a new table earlier on the
/// search path, a replaced macro).
/// </remarks>
internal sealed class PreparedQueries(IEngineSession engine, Func<int> schemaVersion) : IDisposable
{
    /// <summary>Enough for a client's working set of statements; a full cache starts over.</summary>
    private const int MaxEntries = 64;

    private readonly Dictionary<string, IEnginePreparedQuery> _entries = new(StringComparer.Ordinal);
    private int _version = int.MinValue;

    public int Count => _entries.Count;

    /// <summary>Runs <paramref name="sql"/> (one query in the engine's dialect), prepared once while the schema stays as it is.</summary>
    public IEngineResult Query(string sql)
    {
        var version = schemaVersion();
        if (version != _version)
        {
            Clear();
            _version = version;
        }
        if (!_entries.TryGetValue(sql, out var prepared))
        {
            // A text the engine will not keep (an error among them) runs as a text, and reports its error as one.
            if (engine.Prepare(sql) is not { } made) return engine.Query(sql);
            if (_entries.Count >= MaxEntries) Clear();
            _entries[sql] = prepared = made;
        }
        return prepared.Query();
    }

    /// <summary>
    /// Whether a statement's engine query may be kept: a text the session's analyses keep (a statement with bound
    /// parameters has its values in its text and rarely comes again), with nothing made for it before it runs.
    /// Statements whose engine objects are made anew for each run are not kept, as a kept query would go on reading the
    /// first run's: <c>pg_last_query_id()</c> and the ASSUMEROLE functions (macros redefined per statement), the query
    /// log's and the external catalog's views (temporary tables filled per statement) and a translation with statements
    /// of its own. A statement over external tables is kept only when its scan is repeatable (every object at the path
    /// an earlier statement staged it at, <see cref="External.ScanStaging"/>; the caller asks).
    /// </summary>
    public static bool Keeps(StatementAnalysis analysis, TranslatedStatement translated) =>
        analysis.Shared && translated.PreStatements.Count == 0 && (analysis.Keepable ??= KeepableText(analysis));

    private static bool KeepableText(StatementAnalysis analysis) =>
        !analysis.MentionsQueryLog
        && !analysis.Significant.Any(t => t.Is("pg_last_query_id"))
        && !AssumeRolePrivileges.ClusterFunctions.Mentioned(analysis.Significant)
        && !External.ExternalTables.MentionsCatalogViews(analysis.Significant);

    /// <summary>Drops every kept query.</summary>
    public void Clear()
    {
        if (_entries.Count == 0) return;
        foreach (var prepared in _entries.Values) prepared.Dispose();
        _entries.Clear();
    }

    public void Dispose() => Clear();
}
