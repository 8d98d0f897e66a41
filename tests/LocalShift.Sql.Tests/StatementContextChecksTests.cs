using LocalShift.Engine;
using LocalShift.Sql.Catalog;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Routing;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Tests;

/// <summary>
/// The privilege checks a Redshift statement's handler runs (materialized views, UNLOAD's query, COPY's table) fail
/// closed: a context cannot be made without them, and a check that refuses stops the statement before it changes anything.
/// </summary>
public sealed class StatementContextChecksTests() : EngineTestBase("checks")
{
    private RedshiftStatementContext Context(Action<Statement>? authorize = null) =>
        new("123456789012", "us-east-1", "c", "dev", "mia", false, _session, _ => { })
        {
            Authorize = authorize ?? (_ => { }),
            AuthorizeQuery = _ => { },
            AuthorizeLoad = (_, _) => { },
        };

    [Fact]
    public void A_context_without_a_check_cannot_be_made()
    {
        var context = Context();
        Assert.Equal("Authorize", Assert.Throws<ArgumentNullException>(() => context with { Authorize = null! }).ParamName);
        Assert.Equal("AuthorizeQuery", Assert.Throws<ArgumentNullException>(() => context with { AuthorizeQuery = null! }).ParamName);
        Assert.Equal("AuthorizeLoad", Assert.Throws<ArgumentNullException>(() => context with { AuthorizeLoad = null! }).ParamName);
        Assert.Throws<ArgumentNullException>(() => new RedshiftStatementContext("123456789012", "us-east-1", "c", "dev", "mia", false, _session, _ => { })
        {
            Authorize = null!,
            AuthorizeQuery = _ => { },
            AuthorizeLoad = (_, _) => { },
        });
    }

    [Fact]
    public void A_refusing_check_stops_CREATE_MATERIALIZED_VIEW_before_anything_is_made()
    {
        _session.Execute("CREATE TABLE secret_t (n INT); INSERT INTO secret_t VALUES (1)");
        var handlers = new StatementHandlers();
        MaterializedViews.Register(handlers, users: null!);
        const string sql = "CREATE MATERIALIZED VIEW leak_mv AS SELECT n FROM secret_t";
        var command = CommandStatement.Of(SqlLexer.Significant(SqlLexer.Tokenize(sql)))! with { Tree = SqlParser.Parse(sql), Text = sql };
        var checkedStatements = new List<Statement>();
        var context = Context(statement =>
        {
            checkedStatements.Add(statement);
            throw new PgException(SqlState.InsufficientPrivilege, "permission denied for relation secret_t");
        });

        var error = Assert.Throws<PgException>(() => handlers.Run(context, command));

        Assert.Equal("permission denied for relation secret_t", error.Message);
        Assert.IsType<CreateViewStatement>(Assert.Single(checkedStatements));
        Assert.Empty(Rows("SELECT table_name FROM information_schema.tables WHERE table_name = 'leak_mv'"));
    }
}
