using LocalShift.Engine;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// A session prepares each engine query once and runs it again when the client repeats it. What a client sees must
/// not change: each run is checked against the privileges of that moment, and reads the tables its names resolve to
/// at that moment — after another session's DDL, a SET search_path, a temporary table of the same name.
/// </summary>
public sealed class RepeatedQueryTests(ClusterEndpoint endpoint) : IClassFixture<ClusterEndpoint>
{
    private static async Task<List<string>> RowsAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => $"{reader.GetName(i)}={reader.GetValue(i)}")));
        return rows;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_revoke_in_another_session_stops_the_next_run_of_a_repeated_query()
    {
        await using var master = await endpoint.OpenAsync();
        await ExecuteAsync(master, "create table repeat_secret(v int); insert into repeat_secret values (7)");
        await ExecuteAsync(master, "create user repeat_reader password 'Reader123'; grant select on repeat_secret to repeat_reader");
        await using var reader = await endpoint.OpenAsync("repeat_reader", "Reader123");
        for (var i = 0; i < 3; i++) Assert.Equal(["v=7"], await RowsAsync(reader, "select v from repeat_secret"));

        await ExecuteAsync(master, "revoke select on repeat_secret from repeat_reader");

        var denied = await Assert.ThrowsAsync<PostgresException>(() => RowsAsync(reader, "select v from repeat_secret"));
        Assert.Equal("42501", denied.SqlState);
        Assert.Equal("permission denied for relation repeat_secret", denied.MessageText);

        await ExecuteAsync(master, "grant select on repeat_secret to repeat_reader");
        Assert.Equal(["v=7"], await RowsAsync(reader, "select v from repeat_secret"));
    }

    [Fact]
    public async Task A_prepared_statement_is_checked_again_after_a_revoke()
    {
        await using var master = await endpoint.OpenAsync();
        await ExecuteAsync(master, "create table repeat_prepared(v int); insert into repeat_prepared values (3)");
        await ExecuteAsync(master, "create user repeat_preparer password 'Preparer123'; grant select on repeat_prepared to repeat_preparer");
        await using var user = await endpoint.OpenAsync("repeat_preparer", "Preparer123");
        await using var command = new NpgsqlCommand("select v from repeat_prepared", user);
        await command.PrepareAsync();
        Assert.Equal(3, await command.ExecuteScalarAsync());
        Assert.Equal(3, await command.ExecuteScalarAsync());

        await ExecuteAsync(master, "revoke select on repeat_prepared from repeat_preparer");

        var denied = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
        Assert.Equal("permission denied for relation repeat_prepared", denied.MessageText);
    }

    [Fact]
    public async Task A_table_replaced_by_another_session_is_read_as_it_is_now()
    {
        await using var master = await endpoint.OpenAsync();
        await using var other = await endpoint.OpenAsync();
        await ExecuteAsync(master, "create table repeat_replaced(a int); insert into repeat_replaced values (1)");
        for (var i = 0; i < 3; i++) Assert.Equal(["a=1"], await RowsAsync(master, "select * from repeat_replaced"));

        await ExecuteAsync(other, "drop table repeat_replaced");
        var missing = await Assert.ThrowsAsync<PostgresException>(() => RowsAsync(master, "select * from repeat_replaced"));
        Assert.Equal("42P01", missing.SqlState);

        await ExecuteAsync(other, "create table repeat_replaced(b varchar(10), a int); insert into repeat_replaced values ('x', 2)");
        Assert.Equal(["b=x|a=2"], await RowsAsync(master, "select * from repeat_replaced"));
    }

    [Fact]
    public async Task A_search_path_change_or_a_temporary_table_resolves_a_repeated_query_anew()
    {
        await using var connection = await endpoint.OpenAsync();
        await ExecuteAsync(connection, "create schema repeat_schema; create table repeat_schema.repeat_named(v varchar(10)); insert into repeat_schema.repeat_named values ('schema')");
        await ExecuteAsync(connection, "create table public.repeat_named(v varchar(10)); insert into public.repeat_named values ('public')");
        for (var i = 0; i < 2; i++) Assert.Equal(["v=public"], await RowsAsync(connection, "select v from repeat_named"));

        await ExecuteAsync(connection, "set search_path to repeat_schema, public");
        Assert.Equal(["v=schema"], await RowsAsync(connection, "select v from repeat_named"));

        await ExecuteAsync(connection, "create temp table repeat_named(v varchar(10)); insert into repeat_named values ('temp')");
        Assert.Equal(["v=temp"], await RowsAsync(connection, "select v from repeat_named"));
    }

    [Fact]
    public async Task A_repeated_query_sees_rows_written_since_its_last_run_and_a_replaced_view()
    {
        await using var connection = await endpoint.OpenAsync();
        await ExecuteAsync(connection, "create table repeat_rows(v int); create view repeat_view as select v from repeat_rows");
        Assert.Equal(["n=0"], await RowsAsync(connection, "select count(*) as n from repeat_view"));
        await ExecuteAsync(connection, "insert into repeat_rows values (1), (2)");
        Assert.Equal(["n=2"], await RowsAsync(connection, "select count(*) as n from repeat_view"));

        await ExecuteAsync(connection, "create or replace view repeat_view as select v from repeat_rows where v > 1");
        Assert.Equal(["n=1"], await RowsAsync(connection, "select count(*) as n from repeat_view"));
    }

    [Fact]
    public async Task Pg_last_query_id_follows_each_run()
    {
        await using var connection = await endpoint.OpenAsync();
        var first = (int)(await new NpgsqlCommand("select pg_last_query_id()", connection).ExecuteScalarAsync())!;
        var second = (int)(await new NpgsqlCommand("select pg_last_query_id()", connection).ExecuteScalarAsync())!;
        Assert.True(second > first, $"{second} after {first}");
    }
}
