using LocalShift.Engine;
using LocalShift.Sql.Wire;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

public abstract class AuthenticationTests(ClusterEndpoint endpoint)
{
    [Fact]
    public async Task Master_user_logs_in_with_the_right_password()
    {
        await using var connection = await endpoint.OpenAsync();
        Assert.Equal(ClusterEndpoint.Master, await new NpgsqlCommand("select current_user", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task Wrong_password_fails_with_28P01()
    {
        await using var connection = new NpgsqlConnection(endpoint.ConnectionString(password: "wrong"));
        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal("28P01", error.SqlState);
        Assert.Equal($"password authentication failed for user \"{ClusterEndpoint.Master}\"", error.MessageText);
    }

    [Fact]
    public async Task Unknown_user_fails_like_a_wrong_password()
    {
        await using var connection = new NpgsqlConnection(endpoint.ConnectionString(user: "ghost"));
        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal("28P01", error.SqlState);
    }
}

public sealed class ScramAuthenticationTests(ScramAuthenticationTests.Endpoint endpoint)
    : AuthenticationTests(endpoint), IClassFixture<ScramAuthenticationTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.ScramSha256; }
}

public sealed class Md5AuthenticationTests(Md5AuthenticationTests.Endpoint endpoint)
    : AuthenticationTests(endpoint), IClassFixture<Md5AuthenticationTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.Md5; }
}

public sealed class CleartextAuthenticationTests(CleartextAuthenticationTests.Endpoint endpoint)
    : AuthenticationTests(endpoint), IClassFixture<CleartextAuthenticationTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.Cleartext; }
}
