using LocalShift.Engine;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// statement_timeout: SET in a session (milliseconds, or with a unit; 0 turns it off) or the cluster's default; a
/// statement running past it is canceled with 57014 <c>canceling statement due to statement timeout</c>, and the
/// connection goes on.
/// </summary>
public sealed class StatementTimeoutTests(ClusterEndpoint endpoint) : IClassFixture<ClusterEndpoint>
{
    /// <summary>Runs for hours unless stopped.</summary>
    internal const string LongQuery = "select count(*) from generate_series(0, 999999999999) a(i) where i % 7 = 3";

    [Fact]
    public async Task A_query_past_statement_timeout_fails_with_57014_and_the_connection_goes_on()
    {
        await using var connection = await endpoint.OpenAsync();
        await new NpgsqlCommand("set statement_timeout to 200", connection).ExecuteNonQueryAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(LongQuery, connection).ExecuteScalarAsync());

        Assert.Equal("57014", error.SqlState);
        Assert.Equal("canceling statement due to statement timeout", error.MessageText);
        Assert.Equal(1, await new NpgsqlCommand("select 1", connection).ExecuteScalarAsync());
        Assert.Equal("200", await new NpgsqlCommand("show statement_timeout", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_timeout_in_a_transaction_block_fails_the_block_until_rollback()
    {
        await using var connection = await endpoint.OpenAsync();
        await new NpgsqlCommand("set statement_timeout = '1s'", connection).ExecuteNonQueryAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(LongQuery, connection).ExecuteScalarAsync());
        Assert.Equal("canceling statement due to statement timeout", error.MessageText);
        var aborted = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("select 1", connection).ExecuteScalarAsync());
        Assert.Equal("25P02", aborted.SqlState);

        await transaction.RollbackAsync();
        Assert.Equal(1, await new NpgsqlCommand("select 1", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task Statement_timeout_0_is_off_and_a_value_with_a_unit_is_shown_in_milliseconds()
    {
        await using var connection = await endpoint.OpenAsync();
        Assert.Equal("0", await new NpgsqlCommand("show statement_timeout", connection).ExecuteScalarAsync());
        await new NpgsqlCommand("set statement_timeout = '2min'", connection).ExecuteNonQueryAsync();
        Assert.Equal("120000", await new NpgsqlCommand("show statement_timeout", connection).ExecuteScalarAsync());
        await new NpgsqlCommand("set statement_timeout to 0", connection).ExecuteNonQueryAsync();
        Assert.Equal("0", await new NpgsqlCommand("show statement_timeout", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_statement_timeout_that_is_not_a_duration_is_refused_with_22023()
    {
        await using var connection = await endpoint.OpenAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("set statement_timeout to 'soon'", connection).ExecuteNonQueryAsync());
        Assert.Equal("22023", error.SqlState);
        Assert.Equal("invalid value for parameter \"statement_timeout\": \"soon\"", error.MessageText);
    }
}

/// <summary>The cluster's default statement_timeout (<c>--sql-statement-timeout</c>), here 300 ms, until a session sets its own.</summary>
public sealed class ClusterStatementTimeoutTests(ClusterStatementTimeoutTests.Endpoint endpoint) : IClassFixture<ClusterStatementTimeoutTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint
    {
        protected override TimeSpan StatementTimeout => TimeSpan.FromMilliseconds(300);
    }

    [Fact]
    public async Task Every_session_starts_with_the_clusters_statement_timeout()
    {
        await using var connection = await endpoint.OpenAsync();
        Assert.Equal("300", await new NpgsqlCommand("show statement_timeout", connection).ExecuteScalarAsync());

        var error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(StatementTimeoutTests.LongQuery, connection).ExecuteScalarAsync());

        Assert.Equal("57014", error.SqlState);
        Assert.Equal("canceling statement due to statement timeout", error.MessageText);
        Assert.Equal(1, await new NpgsqlCommand("select 1", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task Reset_brings_back_the_clusters_default_after_a_session_changed_it()
    {
        await using var connection = await endpoint.OpenAsync();
        await new NpgsqlCommand("set statement_timeout to 0", connection).ExecuteNonQueryAsync();
        Assert.Equal("0", await new NpgsqlCommand("show statement_timeout", connection).ExecuteScalarAsync());

        await new NpgsqlCommand("reset statement_timeout", connection).ExecuteNonQueryAsync();
        Assert.Equal("300", await new NpgsqlCommand("show statement_timeout", connection).ExecuteScalarAsync());
        var error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(StatementTimeoutTests.LongQuery, connection).ExecuteScalarAsync());
        Assert.Equal("57014", error.SqlState);

        await new NpgsqlCommand("set statement_timeout to 0; set search_path to pg_catalog_not_here, other", connection).ExecuteNonQueryAsync();
        await new NpgsqlCommand("reset all", connection).ExecuteNonQueryAsync();
        Assert.Equal("300", await new NpgsqlCommand("show statement_timeout", connection).ExecuteScalarAsync());
        Assert.Equal("$user, public", await new NpgsqlCommand("show search_path", connection).ExecuteScalarAsync());

        var unknown = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("reset memory_limit", connection).ExecuteNonQueryAsync());
        Assert.Equal("42704", unknown.SqlState);
    }

    [Fact]
    public async Task Alter_user_set_gives_the_users_later_sessions_their_own_default()
    {
        await using var admin = await endpoint.OpenAsync();
        await new NpgsqlCommand("create user tim password 'Passw0rdTim'", admin).ExecuteNonQueryAsync();
        await using var before = await endpoint.OpenAsync("tim", "Passw0rdTim");
        await new NpgsqlCommand("alter user tim set statement_timeout to '2min'", admin).ExecuteNonQueryAsync();

        // A session already open keeps its value; the next one starts with the user's.
        Assert.Equal("300", await new NpgsqlCommand("show statement_timeout", before).ExecuteScalarAsync());
        await using (var tim = await endpoint.OpenAsync("tim", "Passw0rdTim"))
        {
            Assert.Equal("120000", await new NpgsqlCommand("show statement_timeout", tim).ExecuteScalarAsync());
            await new NpgsqlCommand("set statement_timeout to 0", tim).ExecuteNonQueryAsync();
            await new NpgsqlCommand("reset statement_timeout", tim).ExecuteNonQueryAsync();
            Assert.Equal("120000", await new NpgsqlCommand("show statement_timeout", tim).ExecuteScalarAsync());
        }

        var bad = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("alter user tim set statement_timeout = 'soon'", admin).ExecuteNonQueryAsync());
        Assert.Equal("invalid value for parameter \"statement_timeout\": \"soon\"", bad.MessageText);
        var unknown = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("alter user tim set memory_limit = '1GB'", admin).ExecuteNonQueryAsync());
        Assert.Equal("unrecognized configuration parameter \"memory_limit\"", unknown.MessageText);
        await using (var tim = await endpoint.OpenAsync("tim", "Passw0rdTim"))
        {
            var denied = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("alter user tim set statement_timeout to 0", tim).ExecuteNonQueryAsync());
            Assert.Equal("42501", denied.SqlState);
        }

        await new NpgsqlCommand("alter user tim reset statement_timeout", admin).ExecuteNonQueryAsync();
        await using (var tim = await endpoint.OpenAsync("tim", "Passw0rdTim"))
            Assert.Equal("300", await new NpgsqlCommand("show statement_timeout", tim).ExecuteScalarAsync());
        await new NpgsqlCommand("alter user tim set statement_timeout = 100", admin).ExecuteNonQueryAsync();
        await new NpgsqlCommand("alter user tim set statement_timeout to default", admin).ExecuteNonQueryAsync();
        await using (var tim = await endpoint.OpenAsync("tim", "Passw0rdTim"))
            Assert.Equal("300", await new NpgsqlCommand("show statement_timeout", tim).ExecuteScalarAsync());
    }
}
