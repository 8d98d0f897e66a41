using System.Text.Json;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Sql;

/// <summary>node-postgres (the <c>pg</c> package) against a cluster created with /usr/bin/aws.</summary>
public class NodePgTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Node_pg_logs_in_queries_with_both_protocols_and_sees_sqlstates()
    {
        var story = new RoleStory(fixture.Server);
        var port = await story.CreateClusterAsync("nodepg", []);

        var r = await fixture.Server.NodeAsync("sql-pg", new { port, user = "admin", password = RoleStory.Password, database = "dev" });
        Assert.False(r.TryGetProperty("error", out var error), error.ToString());

        Assert.Contains("Redshift", r.GetProperty("version").GetString());
        Assert.Equal(["CREATE", "INSERT 2"], r.GetProperty("batchCommands").EnumerateArray().Select(e => e.GetString()));

        // Extended protocol: column types as PostgreSQL OIDs, values decoded by pg's own parsers.
        Assert.Equal([("id", 23), ("customer", 1043), ("amount", 1700), ("day", 1082), ("paid", 16), ("note", 1043)],
            r.GetProperty("fields").EnumerateArray().Select(f => (f.GetProperty("name").GetString(), f.GetProperty("dataTypeID").GetInt32())));
        var rows = r.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(1, rows[0].GetProperty("id").GetInt32()); // IDENTITY(1,1) generated it
        Assert.Equal("12.50", rows[0].GetProperty("amount").GetString());
        Assert.Equal("2024-1-2", rows[0].GetProperty("day").GetString());
        Assert.True(rows[0].GetProperty("paid").GetBoolean());
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("note").ValueKind);
        Assert.Equal("héllo, \"world\"", rows[1].GetProperty("note").GetString());

        var named = r.GetProperty("named").EnumerateArray().ToList();
        Assert.Equal(["12.50", "7.25"], named.Select(n => n.GetProperty("top").GetString()));
        Assert.Equal("[41,\"none\"]", r.GetProperty("arrayRow").GetRawText());
        Assert.Equal(3, r.GetProperty("integerDivision").GetInt32());

        Assert.Equal("42P01", r.GetProperty("undefinedTable").GetProperty("code").GetString());
        Assert.Equal("relation \"pg_missing\" does not exist", r.GetProperty("undefinedTable").GetProperty("message").GetString());
        Assert.Equal("42601", r.GetProperty("syntax").GetProperty("code").GetString());
        Assert.Equal(1, r.GetProperty("afterErrors").GetInt32());

        Assert.Equal("22P02", r.GetProperty("inTxError").GetProperty("code").GetString());
        Assert.Equal("invalid input syntax for integer: \"abc\"", r.GetProperty("inTxError").GetProperty("message").GetString());
        Assert.Equal("25P02", r.GetProperty("abortedTx").GetProperty("code").GetString());
        Assert.Equal(2, r.GetProperty("countAfterRollback").GetInt32());

        Assert.Equal("28P01", r.GetProperty("wrongPassword").GetProperty("code").GetString());
        Assert.Equal("FATAL", r.GetProperty("wrongPassword").GetProperty("severity").GetString());
    }
}
