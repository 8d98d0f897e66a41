using LocalShift.Engine;
using LocalShift.Services.RedshiftData;
using LocalShift.Sql.DataApi;

namespace LocalShift.Sql.Tests;

/// <summary>The Data API's <c>:name</c> parameters, read from tokens: casts, strings, quoted names and comments are left alone.</summary>
public sealed class NamedParametersTests
{
    private static readonly NamedParameter[] Values = [new("id", "7"), new("name", "o'k")];

    [Fact]
    public void Each_name_becomes_a_numbered_parameter_in_order_of_first_use()
    {
        var (sql, values) = NamedParameters.Bind("SELECT * FROM t WHERE name = :name AND id > :id OR id = :id", Values);
        Assert.Equal("SELECT * FROM t WHERE name = $1 AND id > $2 OR id = $2", sql);
        Assert.Equal(["o'k", "7"], values);
    }

    [Fact]
    public void Casts_strings_quoted_names_and_comments_are_not_parameters()
    {
        const string text = "SELECT '1'::int, ':id', \":id\" /* :id */ -- :name\nFROM t";
        var (sql, values) = NamedParameters.Bind(text, Values);
        Assert.Equal(text, sql);
        Assert.Empty(values);
    }

    [Fact]
    public void A_parameter_glued_to_an_operator_is_still_one()
    {
        var (sql, values) = NamedParameters.Bind("SELECT 1 WHERE 7=:id", Values);
        Assert.Equal("SELECT 1 WHERE 7=$1", sql);
        Assert.Equal(["7"], values);
    }

    [Fact]
    public void A_name_without_a_value_and_positional_parameters_are_refused()
    {
        Assert.Equal(SqlState.UndefinedParameter, Assert.Throws<PgException>(() => NamedParameters.Bind("SELECT :missing", Values)).SqlState);
        Assert.Equal(SqlState.SyntaxError, Assert.Throws<PgException>(() => NamedParameters.Bind("SELECT $1", Values)).SqlState);
    }
}
