using System.Text.Json;
using static LocalShift.Sql.Tests.ExternalFunctions.ExternalFunctionServer;

namespace LocalShift.Sql.Tests.ExternalFunctions;

/// <summary>
/// A cast to a date or time type reads text by Redshift's recognition (Dialect.TemporalCasts); its operand is
/// evaluated once per row, so a Lambda UDF in it is sent each row once, as Redshift sends it.
/// </summary>
[Collection("external functions")]
public sealed class TemporalCastOperandTests(ExternalFunctionServer server) : IClassFixture<ExternalFunctionServer>
{
    [Fact]
    public async Task A_lambda_call_cast_to_a_date_is_sent_each_row_once()
    {
        var role = await server.CreateRoleAsync("exf-cast-role");
        var port = await server.CreateClusterAsync("exf-cast", role);
        server.Lambda.Define("exf-cast-id", ExternalFunctionTests.IdentityHandler);
        await using var db = await ConnectAsync(port);
        await RunAsync(db, "create table d(id integer, s varchar(20))");
        await RunAsync(db, "insert into d values (1, 'Jun 1,2008'), (2, '20081231'), (3, '2024-03-05')");
        await RunAsync(db, $"create external function f_text(varchar) returns varchar volatile lambda 'exf-cast-id' iam_role '{role}'");
        var before = server.Lambda.Invocations.Count;

        var rows = await RowsAsync(db, "select id, cast(f_text(s) as date), f_text(s)::timestamp from d order by id");

        Assert.Equal([new DateOnly(2008, 6, 1), new DateOnly(2008, 12, 31), new DateOnly(2024, 3, 5)], rows.Select(r => (DateOnly)r[1]!));
        Assert.Equal(rows.Select(r => ((DateOnly)r[1]!).ToDateTime(TimeOnly.MinValue)), rows.Select(r => (DateTime)r[2]!));
        var sent = server.Lambda.Invocations.Skip(before).Select(s => JsonDocument.Parse(s.Payload).RootElement).ToList();
        // Two calls in the statement, three rows each: six rows sent, not one more for the cast's type test.
        Assert.Equal(6, sent.Sum(p => p.GetProperty("num_records").GetInt32()));
    }
}
