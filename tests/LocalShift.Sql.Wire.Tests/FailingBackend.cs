using System.Net;
using LocalShift.Engine;
using LocalShift.Sql.Wire.Auth;
using LocalShift.Sql.Wire.Session;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// A scripted backend for testing the wire layer alone: a statement whose text contains <c>fail:PHASE</c> throws, in
/// that phase, an exception that is no <see cref="PgException"/> (a bug, as the session sees it) and whose text names
/// a host path; any other statement returns one text row <c>x = 1</c>.
/// Phases: split, prepare, validate, bind, describe, execute, read (after the first row), commit. With
/// <c>denied:PHASE</c> the failure is an ordinary statement error instead (42501, permission denied).
/// </summary>
internal sealed class FailingBackend : IPgBackend, IAsyncDisposable
{
    public const string SecretText = "/home/alice/.localshift/clusters/warehouse.duckdb";

    private readonly PgListener _listener;

    public FailingBackend()
    {
        _listener = new PgListener(this, new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Start();
    }

    public IPEndPoint Endpoint => _listener.LocalEndpoint;

    public PgAuthMethod AuthMethod => PgAuthMethod.Cleartext;
    public PgLogin? FindLogin(string user) => new(user, PgPasswordSecret.FromPassword(user, ClusterEndpoint.Password));
    public bool DatabaseExists(string database) => true;

    public IReadOnlyDictionary<string, string> ServerParameters(string user) => new Dictionary<string, string>
    {
        ["server_version"] = "8.0.2",
        ["client_encoding"] = "UTF8",
        ["DateStyle"] = "ISO, MDY",
        ["TimeZone"] = "UTC",
        ["integer_datetimes"] = "on",
        ["standard_conforming_strings"] = "on",
    };

    public IPgQuerySession OpenSession(PgConnectionInfo connection) => new Session();

    public ValueTask DisposeAsync() => _listener.DisposeAsync();

    private static void FailIn(string phase, string sql)
    {
        if (sql.Contains("fail:" + phase, StringComparison.Ordinal))
            throw new InvalidOperationException($"{phase} broke reading {SecretText}");
        if (sql.Contains("denied:" + phase, StringComparison.Ordinal))
            throw new PgException(SqlState.InsufficientPrivilege, $"permission denied in {phase}");
    }

    private sealed class Session : IPgQuerySession
    {
        /// <summary>The text of the statement that changed something since the implicit transaction began.</summary>
        private string _committing = "";

        public TransactionStatus TransactionStatus => TransactionStatus.Idle;

        public IReadOnlyList<string> SplitStatements(string sql)
        {
            FailIn("split", sql);
            return sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        public IPgStatement Prepare(string sql, IReadOnlyList<int> parameterTypeOids)
        {
            FailIn("prepare", sql);
            return new Statement(this, sql);
        }

        public void BeginImplicitTransaction() { }

        public void EndImplicitTransaction()
        {
            var committing = _committing;
            _committing = "";
            FailIn("commit", committing);
        }

        public void OnError() => _committing = "";
        public void Cancel() { }
        public IReadOnlyList<PgNotice> DrainNotices() => [];
        public void Dispose() { }

        private sealed class Statement(Session session, string sql) : IPgStatement
        {
            private static readonly PgColumn[] Columns = [new("x", 25)];

            public bool Changes => sql.Contains(":commit", StringComparison.Ordinal);

            public IReadOnlyList<int> ParameterTypeOids
            {
                get
                {
                    FailIn("bind", sql);
                    return [];
                }
            }

            public void Validate() => FailIn("validate", sql);

            public IReadOnlyList<PgColumn>? DescribeColumns()
            {
                FailIn("describe", sql);
                return Columns;
            }

            public IPgResult Execute(IReadOnlyList<PgParameter> parameters)
            {
                FailIn("execute", sql);
                if (Changes) session._committing = sql;
                return new Result(sql);
            }

            private sealed class Result(string sql) : IPgResult
            {
                private int _read;
                public IReadOnlyList<PgColumn>? Columns => Statement.Columns;

                public bool Read()
                {
                    if (_read++ == 1) FailIn("read", sql);
                    return _read == 1;
                }

                public object? GetValue(int ordinal) => "1";
                public string CommandTag => "SELECT 1";
                public void Dispose() { }
            }
        }
    }
}
