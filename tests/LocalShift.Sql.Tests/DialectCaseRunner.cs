using System.Text;
using LocalShift.Engine;
using LocalShift.Engine.DuckDb;
using LocalShift.Services.Redshift;
using LocalShift.Sql.Wire;
using LocalShift.Sql.Wire.Types;

namespace LocalShift.Sql.Tests;

/// <summary>
/// Runs a sqllogictest-style file against a fresh cluster database, in process:
/// <c>statement ok</c>, <c>statement tag &lt;command tag&gt;</c>, <c>statement error &lt;message part&gt;</c>, <c>query</c> + SQL + <c>----</c> + rows
/// (columns joined by '|', NULL as NULL), <c>query names</c> whose first line after <c>----</c> is the result's column
/// names as a client sees them (joined by '|'), and <c>connect &lt;user&gt;</c> to continue as another user.
/// <c>query internal</c> reads what LocalShift keeps in the cluster's hidden catalog, on the engine itself: no
/// user statement may name it.
/// Blocks are separated by blank lines; lines starting with '#' are comments.
/// </summary>
public sealed class DialectCaseRunner : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "localshift-dialect-" + Guid.NewGuid().ToString("N"));
    private readonly ClusterDatabase _database;
    private IPgQuerySession _session;

    public DialectCaseRunner()
    {
        Directory.CreateDirectory(_dir);
        _database = new ClusterDatabase(new DuckDbEngineFactory(),
            new ClusterEndpointSpec("123456789012", "us-east-1", "dialect", "dev", "awsuser", "Passw0rd!", "127.0.0.1", 0),
            Path.Combine(_dir, "warehouse.duckdb"), redshiftStatements: new GrantsOnly());
        _session = Connect("awsuser");
    }

    private IPgQuerySession Connect(string user) =>
        _database.OpenSession(new PgConnectionInfo(user, "dev", 1, new Dictionary<string, string>()));

    public void Run(string path)
    {
        var blocks = File.ReadAllText(path).Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        foreach (var raw in blocks)
        {
            var lines = raw.Split('\n').Where(l => !l.StartsWith('#')).ToList();
            while (lines.Count > 0 && lines[0].Trim().Length == 0) lines.RemoveAt(0);
            if (lines.Count == 0) continue;
            var header = lines[0].Trim();
            var location = $"{Path.GetFileName(path)}: {header}\n{string.Join('\n', lines.Skip(1))}";
            if (header.StartsWith("connect ", StringComparison.Ordinal))
            {
                _session.Dispose();
                _session = Connect(header["connect ".Length..].Trim());
                continue;
            }
            if (header.StartsWith("statement tag ", StringComparison.Ordinal))
            {
                var expected = header["statement tag ".Length..].Trim();
                var error = Execute(string.Join('\n', lines.Skip(1)), out _, out var tag);
                Assert.True(error is null, $"{location}\nfailed: {error?.SqlState} {error?.Message}");
                Assert.True(tag == expected, $"{location}\nexpected command tag '{expected}', got '{tag}'");
            }
            else if (header == "statement ok")
            {
                var error = Execute(string.Join('\n', lines.Skip(1)), out _);
                Assert.True(error is null, $"{location}\nfailed: {error?.SqlState} {error?.Message}");
            }
            else if (header.StartsWith("statement error", StringComparison.Ordinal))
            {
                var expected = header["statement error".Length..].Trim();
                var error = Execute(string.Join('\n', lines.Skip(1)), out _);
                Assert.True(error is not null, $"{location}\nsucceeded but an error was expected");
                Assert.True(error.Message.Contains(expected, StringComparison.Ordinal) || error.SqlState == expected,
                    $"{location}\nexpected error containing '{expected}', got {error.SqlState} '{error.Message}'");
            }
            else if (header is "query" or "query internal" or "query names")
            {
                var separator = lines.IndexOf("----");
                Assert.True(separator > 0, $"{location}\nquery without ----");
                var sql = string.Join('\n', lines.Skip(1).Take(separator - 1));
                var expected = lines.Skip(separator + 1).Select(l => l.TrimEnd()).ToList();
                while (expected.Count > 0 && expected[^1].Length == 0) expected.RemoveAt(expected.Count - 1);
                var error = header == "query internal" ? ExecuteInternal(sql, out var rows) : Execute(sql, out rows, out _, header == "query names");
                Assert.True(error is null, $"{location}\nfailed: {error?.SqlState} {error?.Message}");
                Assert.True(expected.SequenceEqual(rows), $"{location}\nexpected:\n{string.Join('\n', expected)}\nactual:\n{string.Join('\n', rows)}");
            }
            else
            {
                Assert.Fail($"{location}\nunknown directive");
            }
        }
    }

    private PgException? Execute(string sql, out List<string> rows) => Execute(sql, out rows, out _);

    /// <param name="tag">The command tag of the last statement, as the client sees it (a query's with its row count).</param>
    /// <param name="names">Whether the rows start with a line of the result's column names.</param>
    private PgException? Execute(string sql, out List<string> rows, out string tag, bool names = false)
    {
        rows = [];
        tag = "";
        try
        {
            foreach (var text in _session.SplitStatements(sql))
            {
                rows.Clear();
                using var result = _session.Prepare(text, []).Execute([]);
                tag = result.CommandTag;
                if (result.Columns is not { } columns) continue;
                if (names) rows.Add(string.Join('|', columns.Select(c => c.Name)));
                while (result.Read())
                {
                    var line = new StringBuilder();
                    for (var i = 0; i < columns.Count; i++)
                    {
                        if (i > 0) line.Append('|');
                        var value = result.GetValue(i);
                        line.Append(value is null ? "NULL" : PgTextFormat.Format(value, columns[i].TypeOid));
                    }
                    rows.Add(line.ToString());
                }
                // The wire protocol's tag for rows: the command's word and the number of rows sent.
                if (tag.StartsWith("SELECT", StringComparison.Ordinal) || tag.Length == 0) tag = $"SELECT {rows.Count - (names ? 1 : 0)}";
            }
            return null;
        }
        catch (PgException e)
        {
            _session.OnError();
            return e;
        }
    }

    private PgException? ExecuteInternal(string sql, out List<string> rows)
    {
        rows = [];
        try
        {
            using var result = ((LocalShift.Sql.Routing.SqlSession)_session).Engine.Query(sql);
            while (result.Read())
                rows.Add(string.Join('|', Enumerable.Range(0, result.Columns.Count)
                    .Select(i => result.GetValue(i) is { } v ? PgTextFormat.Format(v, result.Columns[i].TypeOid) : "NULL")));
            return null;
        }
        catch (PgException e)
        {
            return e;
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _database.Dispose();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>
/// The Redshift statements that need no AWS side: GRANT/REVOKE ASSUMEROLE run for real, and the cluster's default role
/// is <see cref="DefaultRole"/>; COPY/UNLOAD answer "not supported" (the E2E tests run them through the role path).
/// </summary>
internal sealed class GrantsOnly : LocalShift.Sql.Routing.IRedshiftStatementHandler
{
    public const string DefaultRole = "arn:aws:iam::123456789012:role/DialectDefault";

    public void Register(LocalShift.Sql.Routing.StatementHandlers handlers) =>
        handlers.Register(LocalShift.Sql.Syntax.CommandKind.AssumeRoleGrant,
            (context, statement) => LocalShift.Sql.AssumeRolePrivileges.AssumeRoleStatement.Run(context, statement.Tokens));

    public string PrepareFunctions(LocalShift.Sql.Routing.RedshiftStatementContext context, string sql) =>
        LocalShift.Sql.AssumeRolePrivileges.ClusterFunctions.Prepare(context, sql, DefaultRole);
}

public sealed class DialectCases
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Cases"), "*.test").Order())
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Case_file_passes(string file)
    {
        using var runner = new DialectCaseRunner();
        runner.Run(Path.Combine(AppContext.BaseDirectory, "Cases", file));
    }
}
