using LocalShift.Engine;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Tests;

/// <summary>The statements LocalShift runs itself: their kind read from the statement, and the handler registered for it.</summary>
public sealed class StatementHandlersTests
{
    private static CommandStatement? Command(string sql) => CommandStatement.Of(SqlLexer.Significant(SqlLexer.Tokenize(sql)));

    [Theory]
    [InlineData("COPY t FROM 's3://b/k' IAM_ROLE default", CommandKind.Copy)]
    [InlineData("unload ('select 1') to 's3://b/p' iam_role default", CommandKind.Unload)]
    [InlineData("GRANT ASSUMEROLE ON 'arn:aws:iam::123456789012:role/r' TO u FOR COPY", CommandKind.AssumeRoleGrant)]
    [InlineData("REVOKE ASSUMEROLE ON ALL FROM PUBLIC FOR ALL", CommandKind.AssumeRoleGrant)]
    [InlineData("CREATE EXTERNAL SCHEMA s FROM DATA CATALOG DATABASE 'd' IAM_ROLE default", CommandKind.CreateExternalSchema)]
    [InlineData("create external table s.t (a int) location 's3://b/t/'", CommandKind.CreateExternalTable)]
    [InlineData("CREATE EXTERNAL FUNCTION f(int) RETURNS int VOLATILE LAMBDA 'f' IAM_ROLE default", CommandKind.CreateExternalFunction)]
    [InlineData("CREATE OR REPLACE EXTERNAL FUNCTION f(int) RETURNS int VOLATILE LAMBDA 'f' IAM_ROLE default", CommandKind.CreateExternalFunction)]
    [InlineData("DROP FUNCTION f(int)", CommandKind.DropFunction)]
    [InlineData("CREATE EXTERNAL VIEW v AS SELECT 1", CommandKind.OtherExternal)]
    [InlineData("DROP EXTERNAL DATABASE d", CommandKind.OtherExternal)]
    [InlineData("GRANT SELECT ON t TO u", CommandKind.Grant)]
    [InlineData("revoke usage on schema s from group g", CommandKind.Grant)]
    [InlineData("GRANT ROLE r TO u", CommandKind.Grant)]
    [InlineData("CREATE USER u PASSWORD 'Abcd1234'", CommandKind.UserDdl)]
    [InlineData("alter user u connection limit 3", CommandKind.UserDdl)]
    [InlineData("DROP GROUP g", CommandKind.UserDdl)]
    [InlineData("CREATE ROLE r", CommandKind.UserDdl)]
    public void The_kind_is_read_from_the_statement(string sql, CommandKind kind) => Assert.Equal(kind, Command(sql)?.Kind);

    [Theory]
    [InlineData("SELECT * FROM copy")]
    [InlineData("CREATE TABLE users (a int)")]
    [InlineData("CREATE TABLE external (a int)")]
    [InlineData("DROP TABLE f")]
    public void Other_statements_are_no_command(string sql) => Assert.Null(Command(sql));

    [Fact]
    public void A_kind_runs_its_registered_handler_and_one_without_a_handler_is_not_supported_yet()
    {
        var handlers = new StatementHandlers().Register(CommandKind.Copy, (_, statement) => $"COPY {statement.Tokens.Count}");
        Assert.Equal("COPY 6", handlers.Run(null!, Command("COPY t FROM 's3://b/k' IAM_ROLE default")!));

        var error = Assert.Throws<PgException>(() => handlers.Run(null!, Command("CREATE EXTERNAL SCHEMA s FROM DATA CATALOG DATABASE 'd' IAM_ROLE default")!));
        Assert.Equal((SqlState.FeatureNotSupported, "CREATE EXTERNAL is not supported by LocalShift yet"), (error.SqlState, error.Message));
        Assert.Throws<InvalidOperationException>(() => handlers.Register(CommandKind.Copy, (_, _) => ""));
    }
}
