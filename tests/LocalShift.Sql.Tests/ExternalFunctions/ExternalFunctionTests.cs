using System.Text.Json;
using LocalShift.Engine;
using Npgsql;
using static LocalShift.Sql.Tests.ExternalFunctions.ExternalFunctionServer;

namespace LocalShift.Sql.Tests.ExternalFunctions;

/// <summary>
/// CREATE EXTERNAL FUNCTION and calls to it, as a Redshift user writes them: the role associated with the cluster,
/// the Lambda handler written like the Redshift documentation's Node.js examples, SQL through Npgsql and psql.
/// </summary>
[Collection("external functions")]
public sealed class ExternalFunctionTests(ExternalFunctionServer server) : IClassFixture<ExternalFunctionServer>
{
    /// <summary>The documentation's example: adds each row's two arguments; NULL when either is NULL.</summary>
    public const string AddHandler = """
        exports.handler = async (event) => {
          const results = event.arguments.map(([a, b]) => (a === null || b === null) ? null : a + b);
          return JSON.stringify({ success: true, num_records: event.num_records, results });
        };
        """;

    /// <summary>Answers each row's first argument unchanged.</summary>
    public const string IdentityHandler = """
        exports.handler = async (event) => ({ success: true, num_records: event.arguments.length, results: event.arguments.map(a => a[0]) });
        """;

    private async Task<(int Port, string Role)> ClusterAsync(string id)
    {
        var role = await server.CreateRoleAsync(id + "-role");
        return (await server.CreateClusterAsync(id, role), role);
    }

    [Fact]
    public async Task Rows_go_to_the_handler_in_batches_with_Redshifts_payload_and_come_back_in_order_with_nulls()
    {
        var (port, role) = await ClusterAsync("exf-batches");
        server.Lambda.Define("exf-add", AddHandler);
        await using var db = await ConnectAsync(port);
        await RunAsync(db, "create table t(id integer, a integer, b integer)");
        await RunAsync(db, "insert into t select i, i, case when i % 7 = 0 then null else i * 2 end from generate_series(1, 5000) s(i)");
        await RunAsync(db, $"create external function f_add(integer, integer) returns integer stable lambda 'exf-add' iam_role '{role}' max_batch_rows 700");
        var before = server.Lambda.Invocations.Count;

        var rows = await RowsAsync(db, "select id, f_add(a, b) from t order by id");
        Assert.Equal(5000, rows.Count);
        foreach (var row in rows)
        {
            var id = (int)row[0]!;
            Assert.Equal(id % 7 == 0 ? null : id * 3, row[1]);
        }

        var sent = server.Lambda.Invocations.Skip(before).ToList();
        Assert.All(sent, s => Assert.Equal($"arn:aws:sts::{Account}:assumed-role/exf-batches-role/RedshiftIamRoleSession", s.Caller));
        Assert.All(sent, s => Assert.Equal("exf-add", s.Function));
        var payloads = sent.Select(s => JsonDocument.Parse(s.Payload).RootElement).ToList();
        Assert.Equal(5000, payloads.Sum(p => p.GetProperty("num_records").GetInt32()));
        Assert.All(payloads, p => Assert.InRange(p.GetProperty("num_records").GetInt32(), 1, 700));
        var first = payloads[0];
        Assert.Equal(["request_id", "cluster", "user", "database", "external_function", "query_id", "num_records", "arguments"],
            first.EnumerateObject().Select(p => p.Name));
        Assert.Equal($"arn:aws:redshift:us-east-1:{Account}:cluster:exf-batches", first.GetProperty("cluster").GetString());
        Assert.Equal("admin", first.GetProperty("user").GetString());
        Assert.Equal("dev", first.GetProperty("database").GetString());
        Assert.Equal("public.f_add", first.GetProperty("external_function").GetString());
        Assert.True(first.GetProperty("query_id").GetInt64() > 0);
        Assert.Equal(payloads.Count, payloads.Select(p => p.GetProperty("request_id").GetString()).Distinct().Count());
        Assert.Contains(payloads.SelectMany(p => p.GetProperty("arguments").EnumerateArray()), a => a.GetRawText() == "[7,null]");
    }

    [Fact]
    public async Task Every_supported_type_goes_out_in_Redshifts_format_and_comes_back_as_itself()
    {
        var (port, role) = await ClusterAsync("exf-types");
        server.Lambda.Define("exf-identity", IdentityHandler);
        await using var db = await ConnectAsync(port);
        string[] types = ["smallint", "integer", "bigint", "decimal(10,2)", "real", "double precision", "boolean", "char(5)", "varchar(20)", "date", "timestamp"];
        await RunAsync(db, "create table typed(n integer, " + string.Join(", ", types.Select((t, i) => $"c{i} {t}")) + ")");
        await RunAsync(db, "insert into typed values " +
            "(1, 7, 70000, 9000000000, 12.50, 1.5, 2.25, true, 'ab', 'héllo \"q\"', '2024-01-31', '2024-01-31 10:00:00'), " +
            "(2, -3, -1, -2, -0.01, -0.5, 1e100, false, 'xyz', '', '1999-12-31', '2000-02-29 23:59:59.123456'), " +
            "(3, null, null, null, null, null, null, null, null, null, null, null)");
        for (var i = 0; i < types.Length; i++)
            await RunAsync(db, $"create external function f_id{i}({types[i]}) returns {types[i]} volatile lambda 'exf-identity' iam_role '{role}'");
        var before = server.Lambda.Invocations.Count;

        var same = string.Join(" + ", types.Select((_, i) => $"case when f_id{i}(c{i}) = c{i} or (f_id{i}(c{i}) is null and c{i} is null) then 1 else 0 end"));
        var rows = await RowsAsync(db, $"select n, {same} from typed order by n");
        Assert.Equal([1, 2, 3], rows.Select(r => (int)r[0]!));
        Assert.All(rows, r => Assert.Equal(types.Length, Convert.ToInt32(r[1])));

        // What the handler saw for row 1, type by type.
        var seen = server.Lambda.Invocations.Skip(before).Select(s => JsonDocument.Parse(s.Payload).RootElement)
            .GroupBy(p => p.GetProperty("external_function").GetString()!)
            .ToDictionary(g => g.Key, g => g.SelectMany(p => p.GetProperty("arguments").EnumerateArray().Select(a => a[0].GetRawText())).ToList());
        Assert.Contains("7", seen["public.f_id0"]);
        Assert.Contains("9000000000", seen["public.f_id2"]);
        Assert.Contains("\"12.50\"", seen["public.f_id3"]);
        Assert.Contains("true", seen["public.f_id6"]);
        Assert.Contains("\"héllo \\\"q\\\"\"", seen["public.f_id8"].Select(s => s.Replace("\\u00E9", "é").Replace("\\u00e9", "é")));
        Assert.Contains("\"2024-01-31\"", seen["public.f_id9"]);
        Assert.Contains("\"2024-01-31 10:00:00\"", seen["public.f_id10"]);
        Assert.Contains("null", seen["public.f_id1"]);
    }

    [Fact]
    public async Task Calls_work_in_where_join_insert_select_update_and_create_table_as()
    {
        var (port, role) = await ClusterAsync("exf-clauses");
        server.Lambda.Define("exf-add2", AddHandler);
        await using var db = await ConnectAsync(port);
        await RunAsync(db, $"create external function f_add2(int, int) returns int stable lambda 'exf-add2' iam_role '{role}'");
        await RunAsync(db, "create table a(id int, v int)");
        await RunAsync(db, "insert into a select i, i * 10 from generate_series(1, 300) s(i)");
        await RunAsync(db, "create table b(id int, w int)");
        await RunAsync(db, "insert into b select i, i + 1 from generate_series(1, 300) s(i)");

        Assert.Equal(3L, await ScalarAsync(db, "select count(*) from a where f_add2(id, v) in (11, 22, 33)"));
        Assert.Equal(300L, await ScalarAsync(db, "select count(*) from a join b on f_add2(a.id, 1) = b.w"));
        await RunAsync(db, "create table c(id int, s int)");
        Assert.Equal(300, await RunAsync(db, "insert into c select id, f_add2(id, v) from a"));
        Assert.Equal(300, await RunAsync(db, "update c set s = f_add2(s, 1000)"));
        Assert.Equal(1011L, Convert.ToInt64(await ScalarAsync(db, "select s from c where id = 1")));
        await RunAsync(db, "create table d as select id, f_add2(id, id) as twice from a");
        Assert.Equal(600L, Convert.ToInt64(await ScalarAsync(db, "select max(twice) from d")));
        // Nested calls, and the same function twice in one statement.
        Assert.Equal(4L, Convert.ToInt64(await ScalarAsync(db, "select f_add2(f_add2(1, 1), 2)")));
    }

    [Fact]
    public async Task An_unaliased_call_names_its_column_after_the_function_as_PostgreSQL_does()
    {
        var (port, role) = await ClusterAsync("exf-names");
        server.Lambda.Define("exf-add3", AddHandler);
        await using var db = await ConnectAsync(port);
        await RunAsync(db, $"create external function f_add3(int, int) returns int stable lambda 'exf-add3' iam_role '{role}'");

        async Task<string[]> NamesAsync(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, db);
            await using var reader = await cmd.ExecuteReaderAsync();
            return Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        }

        // The call becomes a cast in the engine's text; the column is still named after the function, not "int4".
        Assert.Equal(["f_add3", "total", "f_add3"], await NamesAsync("select F_ADD3(1, 2), f_add3(3, 4) as total, f_add3(f_add3(1, 1), 2)"));
        Assert.Equal(["f_add3"], await NamesAsync("select * from (select f_add3(1, 2)) s"));
        // Inside an expression the item has no function name of its own.
        Assert.Equal(["?column?"], await NamesAsync("select f_add3(1, 2) + 1"));
    }

    [Fact]
    public async Task A_handlers_failures_fail_the_statement_with_their_text_and_change_nothing()
    {
        var (port, role) = await ClusterAsync("exf-failures");
        server.Lambda.Define("exf-refuses", """exports.handler = async (e) => ({ success: false, error_msg: "quota exceeded for key 42" });""");
        server.Lambda.Define("exf-short", """exports.handler = async (e) => ({ success: true, results: e.arguments.slice(1).map(a => a[0]) });""");
        server.Lambda.Define("exf-count", """exports.handler = async (e) => ({ success: true, num_records: e.num_records + 1, results: e.arguments.map(a => a[0]) });""");
        server.Lambda.Define("exf-word", """exports.handler = async (e) => ({ success: true, results: e.arguments.map(a => "abc") });""");
        server.Lambda.Define("exf-throws", """exports.handler = async (e) => { throw new TypeError("cannot read properties of undefined"); };""");
        server.Lambda.Define("exf-plain", """exports.handler = async (e) => [1, 2, 3];""");
        await using var db = await ConnectAsync(port);
        await RunAsync(db, "create table src(i int)");
        await RunAsync(db, "insert into src select i from generate_series(1, 50) s(i)");
        await RunAsync(db, "create table dst(i int)");
        foreach (var name in new[] { "refuses", "short", "count", "word", "throws", "plain" })
            await RunAsync(db, $"create external function f_{name}(int) returns int volatile lambda 'exf-{name}' iam_role '{role}'");

        var refused = await FailsAsync(port, "insert into dst select f_refuses(i) from src");
        Assert.Contains("quota exceeded for key 42", refused.MessageText);
        Assert.Equal("XX000", refused.SqlState);
        Assert.Contains("code:      8001", refused.Detail);
        Assert.Equal(0L, await ScalarAsync(db, "select count(*) from dst"));

        var shortAnswer = await FailsAsync(port, "select f_short(i) from src");
        Assert.StartsWith("Invalid External Function Response", shortAnswer.MessageText);
        Assert.Contains("\"results\" holds 49 values, the request sent 50 records", shortAnswer.Detail);
        Assert.Contains("\"num_records\" is 51", (await FailsAsync(port, "select f_count(i) from src")).Detail);
        var word = await FailsAsync(port, "select f_word(i) from src");
        Assert.StartsWith("Invalid External Function Response", word.MessageText);
        Assert.Contains("(\"abc\") is not a value of the return type integer", word.Detail);
        var thrown = await FailsAsync(port, "update src set i = f_throws(i)");
        Assert.Contains("TypeError: cannot read properties of undefined", thrown.MessageText);
        Assert.Contains("the function's answer is a JSON array, not an object", (await FailsAsync(port, "select f_plain(i) from src")).Detail);
        Assert.Equal(1275L, Convert.ToInt64(await ScalarAsync(db, "select sum(i) from src")));
        // The session goes on after a failed call.
        Assert.Equal(50L, await ScalarAsync(db, "select count(*) from src"));
    }

    [Fact]
    public async Task Lambdas_refusals_reach_the_user_with_Lambdas_code_and_text()
    {
        var (port, role) = await ClusterAsync("exf-lambda");
        server.Lambda.Define("exf-ok", IdentityHandler);
        await using var db = await ConnectAsync(port);
        await RunAsync(db, $"create external function f_missing(int) returns int volatile lambda 'exf-nowhere' iam_role '{role}'");
        var missing = await FailsAsync(port, "select f_missing(1)");
        Assert.Contains("ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:123456789012:function:exf-nowhere", missing.MessageText);

        await RunAsync(db, $"create external function f_ok(int) returns int volatile lambda 'exf-ok' iam_role '{role}'");
        var session = $"arn:aws:sts::{Account}:assumed-role/exf-lambda-role/RedshiftIamRoleSession";
        server.Lambda.Denied[session] = true;
        try
        {
            var denied = await FailsAsync(port, "select f_ok(1)");
            Assert.Contains($"AccessDeniedException: User: {session} is not authorized to perform: lambda:InvokeFunction", denied.MessageText);
        }
        finally
        {
            server.Lambda.Denied.TryRemove(session, out _);
        }

        // Throttling is retried within RETRY_TIMEOUT, and fails past it; RETRY_TIMEOUT 0 does not retry.
        server.Lambda.Throttle(2);
        Assert.Equal(5, await ScalarAsync(db, "select f_ok(5)"));
        await RunAsync(db, $"create external function f_ok0(int) returns int volatile lambda 'exf-ok' iam_role '{role}' retry_timeout 0");
        server.Lambda.Throttle(1);
        Assert.Contains("TooManyRequestsException: Rate Exceeded.", (await FailsAsync(port, "select f_ok0(1)")).MessageText);
        server.Lambda.Throttle(0);
    }

    [Fact]
    public async Task A_handler_that_runs_too_long_is_stopped_and_fails_the_statement()
    {
        var (port, role) = await ClusterAsync("exf-slow");
        server.Lambda.Define("exf-sleeps", """exports.handler = async (e) => { await new Promise(r => setTimeout(r, 60000)); return { success: true, results: [] }; };""");
        await using var db = await ConnectAsync(port);
        await RunAsync(db, $"create external function f_sleeps(int) returns int volatile lambda 'exf-sleeps' iam_role '{role}'");
        var previous = server.Lambda.Timeout;
        server.Lambda.Timeout = TimeSpan.FromSeconds(1);
        try
        {
            var e = await FailsAsync(port, "select f_sleeps(1)");
            Assert.Contains("Task timed out after 1.00 seconds", e.MessageText);
        }
        finally
        {
            server.Lambda.Timeout = previous;
        }
    }

    [Fact]
    public async Task The_role_path_decides_before_Lambda_is_called()
    {
        var associated = await server.CreateRoleAsync("exf-path-role");
        var loose = await server.CreateRoleAsync("exf-loose-role");
        var port = await server.CreateClusterAsync("exf-path", associated);
        server.Lambda.Define("exf-path-fn", IdentityHandler);
        await using var db = await ConnectAsync(port);
        await RunAsync(db, $"create external function f_loose(int) returns int volatile lambda 'exf-path-fn' iam_role '{loose}'");
        var before = server.Lambda.Invocations.Count;
        var e = await FailsAsync(port, "select f_loose(1)");
        Assert.Equal($"User arn:aws:redshift:us-east-1:{Account}:dbuser:exf-path/admin is not authorized to assume IAM Role {loose}", e.MessageText);
        Assert.Contains("code:      8001", e.Detail);
        Assert.Contains($"context:   IAM Role={loose}", e.Detail);
        Assert.Equal(before, server.Lambda.Invocations.Count);

        // ASSUMEROLE ... FOR EXTERNAL FUNCTION: PUBLIC holds it until a superuser revokes it.
        await RunAsync(db, $"create external function f_path(int) returns int volatile lambda 'exf-path-fn' iam_role '{associated}'");
        await RunAsync(db, "create user bob password 'Passw0rdBob'");
        await RunAsync(db, "revoke assumerole on all from public for all");
        var missing = await FailsAsync(port, "select f_path(1)", "bob", "Passw0rdBob");
        Assert.Equal($"User bob does not have ASSUMEROLE permission on IAM role \"{associated}\" for EXTERNAL FUNCTION", missing.MessageText);
        await RunAsync(db, $"grant assumerole on '{associated}' to bob for external function");
        await using (var bob = await ConnectAsync(port, "bob", "Passw0rdBob"))
            Assert.Equal(3, await ScalarAsync(bob, "select f_path(3)"));
    }
}
