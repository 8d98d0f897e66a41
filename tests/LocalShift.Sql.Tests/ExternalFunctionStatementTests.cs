using System.Text;
using LocalShift.Engine;
using LocalShift.Sql.External;
using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.Tests;

public class ExternalFunctionStatementTests
{
    private static List<SqlToken> Tokens(string sql) => SqlLexer.Significant(SqlLexer.Tokenize(sql));

    [Fact]
    public void Create_reads_every_option_and_named_arguments()
    {
        var f = ExternalFunctionStatements.ParseCreate(Tokens(
            "CREATE OR REPLACE EXTERNAL FUNCTION s.f_mul(a int, \"b\" double precision, varchar(12), numeric(10,2), timestamp without time zone) " +
            "RETURNS character varying STABLE LAMBDA 'arn:aws:lambda:us-east-1:123456789012:function:mul' " +
            "IAM_ROLE 'arn:aws:iam::123456789012:role/A,arn:aws:iam::123456789012:role/B' RETRY_TIMEOUT 500 MAX_BATCH_ROWS 10 MAX_BATCH_SIZE 2 MB;"));
        Assert.True(f.OrReplace);
        Assert.Equal(("s", "f_mul"), (f.Schema, f.Name));
        Assert.Equal(["integer", "double precision", "character varying(12)", "numeric(10,2)", "timestamp without time zone"], f.Arguments.Select(a => a.Text));
        Assert.Equal("character varying(256)", f.Returns.Text);
        Assert.Equal("STABLE", f.Volatility);
        Assert.Equal(2, f.Role.Chain.Count);
        Assert.Equal((500L, 10L, 2L << 20), (f.RetryTimeoutMs, f.MaxBatchRows, f.MaxBatchSizeBytes));
        Assert.Equal("f_mul(integer, double precision, character varying, numeric, timestamp without time zone)",
            ExternalFunction.SignatureOf(f.Name, f.Arguments));
    }

    [Fact]
    public void Create_defaults_and_refusals()
    {
        var f = ExternalFunctionStatements.ParseCreate(Tokens("create external function f() returns int volatile lambda 'x' iam_role default"));
        Assert.Empty(f.Arguments);
        Assert.True(f.Role.Default);
        Assert.Equal((ExternalFunction.DefaultRetryTimeoutMs, 0L, 0L), (f.RetryTimeoutMs, f.MaxBatchRows, f.MaxBatchSizeBytes));

        Assert.Equal(SqlState.SyntaxError, Assert.Throws<PgException>(() => ExternalFunctionStatements.ParseCreate(Tokens("create external function f(int) returns int lambda 'x' iam_role default"))).SqlState);
        Assert.Contains("requires LAMBDA", Assert.Throws<PgException>(() => ExternalFunctionStatements.ParseCreate(Tokens("create external function f(int) returns int stable iam_role default"))).Message);
        Assert.Contains("requires IAM_ROLE", Assert.Throws<PgException>(() => ExternalFunctionStatements.ParseCreate(Tokens("create external function f(int) returns int stable lambda 'x'"))).Message);
        Assert.Contains("not supported for external functions", Assert.Throws<PgException>(() => ExternalFunctionStatements.ParseCreate(Tokens("create external function f(super) returns int stable lambda 'x' iam_role default"))).Message);
        Assert.Contains("MAX_BATCH_SIZE", Assert.Throws<PgException>(() => ExternalFunctionStatements.ParseCreate(Tokens("create external function f(int) returns int stable lambda 'x' iam_role default max_batch_size 6 mb"))).Message);
        Assert.Contains("conflicting", Assert.Throws<PgException>(() => ExternalFunctionStatements.ParseCreate(Tokens("create external function f(int) returns int stable lambda 'x' lambda 'y' iam_role default"))).Message);
    }

    [Fact]
    public void Drop_reads_the_signature()
    {
        var d = ExternalFunctionStatements.ParseDrop(Tokens("DROP FUNCTION IF EXISTS public.f(int4, float8) CASCADE"));
        Assert.True(d.IfExists);
        Assert.Equal("f(integer, double precision)", ExternalFunction.SignatureOf(d.Name, d.Arguments));
    }

    private static List<string?> Results(string json, int expected, string type) =>
        [.. LambdaBatch.Results(Encoding.UTF8.GetBytes(json), expected, LambdaType.Parse(type), "public.f")];

    [Fact]
    public void Results_are_read_in_order_from_an_object_or_a_json_string_holding_one()
    {
        Assert.Equal(new List<string?> { "3", null, "10" }, Results("""{"success":true,"num_records":3,"results":[3,null,10]}""", 3, "integer"));
        Assert.Equal(new List<string?> { "3", "4" }, Results("\"{\\\"success\\\": true, \\\"results\\\": [\\\"3\\\", \\\"4\\\"]}\"", 2, "int"));
        Assert.Equal(new List<string?> { "1.50" }, Results("""{"results":[1.499999]}""", 1, "decimal(5,2)"));
        Assert.Equal(new List<string?> { "true", "false" }, Results("""{"results":[true,"false"]}""", 2, "boolean"));
        Assert.Equal(new List<string?> { "2024-01-31" }, Results("""{"results":["2024-01-31"]}""", 1, "date"));
        Assert.Equal(new List<string?> { "2024-01-31 10:00:00.000000" }, Results("""{"results":["2024-01-31T10:00:00"]}""", 1, "timestamp"));
        Assert.Equal(new List<string?> { "abc", "12" }, Results("""{"results":["abc",12]}""", 2, "varchar(3)"));
    }

    [Theory]
    [InlineData("""{"success":false,"error_msg":"boom"}""", "returned an error: boom")]
    [InlineData("""{"results":[1]}""", "Invalid External Function Response")]
    [InlineData("""{"num_records":1,"results":[1,2]}""", "Invalid External Function Response")]
    [InlineData("""{"results":[1,"x"]}""", "Invalid External Function Response")]
    [InlineData("""{"results":[1,2147483648]}""", "Invalid External Function Response")]
    [InlineData("""{"success":"yes","results":[1,2]}""", "Invalid External Function Response")]
    [InlineData("""not json""", "Invalid External Function Response")]
    public void Answers_that_are_not_results_fail_with_Redshifts_texts(string json, string message)
    {
        var e = Assert.Throws<PgException>(() => Results(json, 2, "integer"));
        Assert.Contains(message, e.Message);
        Assert.Equal(SqlState.InternalError, e.SqlState);
    }

    [Fact]
    public void The_request_has_Redshifts_fields_in_order()
    {
        var header = new BatchHeader("arn:aws:redshift:us-east-1:123456789012:cluster:c", "u", "dev", "public.f", 42);
        Assert.Equal("""{"request_id":"r","cluster":"arn:aws:redshift:us-east-1:123456789012:cluster:c","user":"u","database":"dev","external_function":"public.f","query_id":42,"num_records":2,"arguments":[[1,2],[3,null]]}""",
            LambdaBatch.Request(header, "r", ["[1,2]", "[3,null]"]));
    }

    [Fact]
    public void A_plain_answer_is_read_in_any_member_order_with_members_it_does_not_know()
    {
        Assert.Equal(new List<string?> { "1", null, "-7" },
            Results("""{"num_records":3,"note":{"a":[1,{"b":null}]},"results":[1,null,-7],"success":true}""", 3, "integer"));
        Assert.Equal(new List<string?> { "2.5", "x\u00e9" }, Results("""{"results":[2.5,"x\u00e9"]}""", 2, "varchar(10)"));
        // A number that is not a whole one goes through the decimal reading, as before.
        Assert.Equal(new List<string?> { "100" }, Results("""{"results":[1e2]}""", 1, "integer"));
    }

    [Theory]
    [InlineData("""{"results":[1,2]} x""")]
    [InlineData("""{"results":[1,[2]]}""")]
    [InlineData("""{"results":[1,2],"num_records":3}""")]
    [InlineData("""{"results":[1,32768]}""")]
    public void An_answer_the_single_pass_cannot_take_still_gets_the_full_reading_and_its_error(string json)
    {
        var e = Assert.Throws<PgException>(() => Results(json, 2, "smallint"));
        Assert.Contains("Invalid External Function Response", e.Message);
    }

    [Fact]
    public void The_request_is_written_as_utf8_with_the_header_escaped_once_and_the_rows_as_they_are()
    {
        var header = new BatchHeader("arn:aws:redshift:us-east-1:123456789012:cluster:c", "j\u00fcrgen", "dev", "public.\"f\"", 7);
        var writer = new LambdaBatch.RequestWriter(header);
        string[] rows = ["[\"\u00fc\u20ac\"]", "[null]"];
        var bytes = writer.Write("r", rows, [Encoding.UTF8.GetByteCount(rows[0]), Encoding.UTF8.GetByteCount(rows[1])]);
        Assert.Equal(bytes, writer.Write("r", rows, default));
        Assert.Equal("""{"request_id":"r","cluster":"arn:aws:redshift:us-east-1:123456789012:cluster:c","user":"j\u00FCrgen","database":"dev","external_function":"public.\u0022f\u0022","query_id":7,"num_records":2,"arguments":[""" + rows[0] + "," + rows[1] + "]}",
            Encoding.UTF8.GetString(bytes));
        Assert.Equal(LambdaBatch.EnvelopeSize(header), writer.EnvelopeSize);
    }
}
