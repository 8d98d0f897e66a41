using LocalShift.Engine;
using Npgsql;
using NpgsqlTypes;

namespace LocalShift.Sql.Wire.Tests;

public sealed class NpgsqlProtocolTests(ClusterEndpoint endpoint) : IClassFixture<ClusterEndpoint>
{
    [Fact]
    public async Task Select_returns_typed_values_in_binary()
    {
        await using var connection = await endpoint.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select true, 2::smallint, 3, 4::bigint, 1.5::real, 2.25::double precision, 12.345::decimal(10,3), 'héllo'::varchar, " +
            "date '2024-02-29', timestamp '2024-02-29 13:14:15.123456', timestamptz '2024-02-29 13:14:15+00', '\\xDEADBEEF'::bytea", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.GetBoolean(0));
        Assert.Equal((short)2, reader.GetInt16(1));
        Assert.Equal(3, reader.GetInt32(2));
        Assert.Equal(4L, reader.GetInt64(3));
        Assert.Equal(1.5f, reader.GetFloat(4));
        Assert.Equal(2.25, reader.GetDouble(5));
        Assert.Equal(12.345m, reader.GetDecimal(6));
        Assert.Equal("héllo", reader.GetString(7));
        Assert.Equal(new DateOnly(2024, 2, 29), reader.GetFieldValue<DateOnly>(8));
        Assert.Equal(new DateTime(2024, 2, 29, 13, 14, 15, 123).AddTicks(4560), reader.GetDateTime(9));
        Assert.Equal(new DateTime(2024, 2, 29, 13, 14, 15, DateTimeKind.Utc), reader.GetFieldValue<DateTime>(10));
        Assert.Equal(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }, reader.GetFieldValue<byte[]>(11));
    }

    [Fact]
    public async Task Parameters_of_each_type_round_trip()
    {
        await using var connection = await endpoint.OpenAsync();
        await using var command = new NpgsqlCommand("select @b, @s, @i, @l, @f, @d, @n, @t, @date, @ts, @bytes", connection);
        command.Parameters.AddWithValue("b", true);
        command.Parameters.AddWithValue("s", (short)7);
        command.Parameters.AddWithValue("i", 42);
        command.Parameters.AddWithValue("l", 1L << 40);
        command.Parameters.AddWithValue("f", 0.5f);
        command.Parameters.AddWithValue("d", 1e100);
        command.Parameters.AddWithValue("n", 123.456m);
        command.Parameters.AddWithValue("t", "it's");
        command.Parameters.AddWithValue("date", new DateOnly(1999, 12, 31));
        command.Parameters.AddWithValue("ts", new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Unspecified));
        command.Parameters.AddWithValue("bytes", new byte[] { 1, 2, 255 });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.GetBoolean(0));
        Assert.Equal((short)7, reader.GetInt16(1));
        Assert.Equal(42, reader.GetInt32(2));
        Assert.Equal(1L << 40, reader.GetInt64(3));
        Assert.Equal(0.5f, reader.GetFloat(4));
        Assert.Equal(1e100, reader.GetDouble(5));
        Assert.Equal(123.456m, reader.GetDecimal(6));
        Assert.Equal("it's", reader.GetString(7));
        Assert.Equal(new DateOnly(1999, 12, 31), reader.GetFieldValue<DateOnly>(8));
        Assert.Equal(new DateTime(2020, 1, 2, 3, 4, 5), reader.GetDateTime(9));
        Assert.Equal(new byte[] { 1, 2, 255 }, reader.GetFieldValue<byte[]>(10));
    }

    [Fact]
    public async Task Prepared_statement_runs_many_times_with_new_parameters()
    {
        await using var connection = await endpoint.OpenAsync();
        await new NpgsqlCommand("create table prepared_items(id int, name varchar(20))", connection).ExecuteNonQueryAsync();
        await using var insert = new NpgsqlCommand("insert into prepared_items values ($1, $2)", connection);
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar });
        await insert.PrepareAsync();
        for (var i = 1; i <= 5; i++)
        {
            insert.Parameters[0].Value = i;
            insert.Parameters[1].Value = "item " + i;
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }
        await using var select = new NpgsqlCommand("select name from prepared_items where id = $1", connection);
        select.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = 3 });
        await select.PrepareAsync();
        Assert.Equal("item 3", await select.ExecuteScalarAsync());
        select.Parameters[0].Value = 5;
        Assert.Equal("item 5", await select.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Errors_carry_sqlstate_and_leave_the_connection_usable()
    {
        await using var connection = await endpoint.OpenAsync();
        var missing = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("select * from no_such_table", connection).ExecuteNonQueryAsync());
        Assert.Equal("42P01", missing.SqlState);
        Assert.Equal("relation \"no_such_table\" does not exist", missing.MessageText);
        var syntax = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("selec 1", connection).ExecuteNonQueryAsync());
        Assert.Equal("42601", syntax.SqlState);
        await new NpgsqlCommand("create table dup_t(a int)", connection).ExecuteNonQueryAsync();
        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("create table dup_t(a int)", connection).ExecuteNonQueryAsync());
        Assert.Equal("42P07", duplicate.SqlState);
        var column = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("select nope from dup_t", connection).ExecuteNonQueryAsync());
        Assert.Equal("42703", column.SqlState);
        Assert.Equal(1, await new NpgsqlCommand("select 1", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task Error_inside_transaction_aborts_it_until_rollback()
    {
        await using var connection = await endpoint.OpenAsync();
        await new NpgsqlCommand("create table tx_items(a int)", connection).ExecuteNonQueryAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await new NpgsqlCommand("insert into tx_items values (1)", connection, transaction).ExecuteNonQueryAsync();
        await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("select * from missing_table", connection, transaction).ExecuteNonQueryAsync());
        var aborted = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("select 1", connection, transaction).ExecuteScalarAsync());
        Assert.Equal("25P02", aborted.SqlState);
        Assert.Equal("current transaction is aborted, commands ignored until end of transaction block", aborted.MessageText);
        await transaction.RollbackAsync();
        Assert.Equal(0L, await new NpgsqlCommand("select count(*) from tx_items", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task Committed_transaction_is_visible_to_other_sessions()
    {
        await using var writer = await endpoint.OpenAsync();
        await using var reader = await endpoint.OpenAsync();
        await new NpgsqlCommand("create table tx_visible(a int)", writer).ExecuteNonQueryAsync();
        await using (var transaction = await writer.BeginTransactionAsync())
        {
            await new NpgsqlCommand("insert into tx_visible values (1), (2)", writer, transaction).ExecuteNonQueryAsync();
            Assert.Equal(0L, await new NpgsqlCommand("select count(*) from tx_visible", reader).ExecuteScalarAsync());
            await transaction.CommitAsync();
        }
        Assert.Equal(2L, await new NpgsqlCommand("select count(*) from tx_visible", reader).ExecuteScalarAsync());
    }

    [Fact]
    public async Task Large_result_streams_in_order()
    {
        await using var connection = await endpoint.OpenAsync();
        await using var command = new NpgsqlCommand("select i, 'row ' || i from generate_series(0, 199999) t(i)", connection);
        await using var reader = await command.ExecuteReaderAsync();
        long expected = 0;
        while (await reader.ReadAsync())
        {
            Assert.Equal(expected, reader.GetInt64(0));
            expected++;
        }
        Assert.Equal(200000, expected);
    }

    [Fact]
    public async Task Cancel_stops_a_running_query_and_the_connection_goes_on()
    {
        await using var connection = await endpoint.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from generate_series(0, 999999999999) a(i) where i % 7 = 3", connection);
        var running = command.ExecuteScalarAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!running.IsCompleted && DateTime.UtcNow < deadline)
        {
            command.Cancel();
            await Task.WhenAny(running, Task.Delay(200));
        }
        var error = await Assert.ThrowsAnyAsync<Exception>(() => running);
        var postgres = error as PostgresException ?? error.InnerException as PostgresException;
        Assert.True(postgres is not null, error.ToString());
        Assert.Equal("57014", postgres.SqlState);
        Assert.Equal(1, await new NpgsqlCommand("select 1", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_cancel_sent_at_once_stops_the_query_even_before_the_engine_has_started_it()
    {
        // Npgsql sends one CancelRequest per command and gives up on the connection if the query has not stopped
        // 2 s later: a cancel landing while the statement is still being read, parsed or planned must not be lost.
        await using var connection = await endpoint.OpenAsync();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await using var command = new NpgsqlCommand("select count(*) from generate_series(0, 999999999999) a(i) where i % 7 = 3", connection);
            var running = command.ExecuteScalarAsync();
            command.Cancel();
            var error = await Assert.ThrowsAnyAsync<Exception>(() => running);
            var postgres = error as PostgresException ?? error.InnerException as PostgresException;
            Assert.True(postgres is not null, $"attempt {attempt}: {error}");
            Assert.Equal("57014", postgres.SqlState);
            Assert.Equal(attempt, await new NpgsqlCommand($"select {attempt}", connection).ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task Many_clients_query_at_once()
    {
        var tasks = Enumerable.Range(0, 24).Select(async n =>
        {
            await using var connection = await endpoint.OpenAsync();
            for (var i = 0; i < 20; i++)
                Assert.Equal((long)(n * 100 + i), await new NpgsqlCommand($"select {n * 100 + i}::bigint", connection).ExecuteScalarAsync());
        });
        await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task Unknown_database_is_refused_with_3D000()
    {
        await using var connection = new NpgsqlConnection(endpoint.ConnectionString(database: "nope"));
        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal("3D000", error.SqlState);
        Assert.Equal("database \"nope\" does not exist", error.MessageText);
    }

    [Fact]
    public async Task Server_reports_redshift_version()
    {
        await using var connection = await endpoint.OpenAsync();
        Assert.Equal("8.0.2", connection.ServerVersion);
        var version = (string)(await new NpgsqlCommand("select version()", connection).ExecuteScalarAsync())!;
        Assert.StartsWith("PostgreSQL 8.0.2 on i686-pc-linux-gnu", version);
        Assert.Contains("Redshift 1.0.", version);
    }
    [Fact]
    public async Task Division_by_zero_is_an_error_with_its_sqlstate()
    {
        await using var connection = await endpoint.OpenAsync();
        await using var command = new NpgsqlCommand("select 10 / (@d - 2), 7 % @d", connection);
        command.Parameters.AddWithValue("d", 2);
        var e = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
        Assert.Equal(("22012", "division by zero"), (e.SqlState, e.MessageText));
        command.Parameters["d"].Value = 4;
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((5, 3), (reader.GetInt32(0), reader.GetInt32(1)));
    }

    [Fact]
    public async Task Sys_query_history_lists_statements_with_the_rows_read()
    {
        await using var connection = await endpoint.OpenAsync();
        await using (var rows = new NpgsqlCommand("select x, 'query-log-marker' from generate_series(1, 25) t(x) where x > @n", connection))
        {
            rows.Parameters.AddWithValue("n", 5);
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync()) { }
        }
        await using var history = new NpgsqlCommand(
            "select trim(query_text), trim(status), returned_rows, trim(query_type) from sys_query_history " +
            "where query_text like '%query-log-marker%' and query_text not like '%sys_query_history%'", connection);
        await using var result = await history.ExecuteReaderAsync();
        Assert.True(await result.ReadAsync());
        Assert.Equal(("select x, 'query-log-marker' from generate_series(1, 25) t(x) where x > 5", "success", 20L, "SELECT"),
            (result.GetString(0), result.GetString(1), result.GetInt64(2), result.GetString(3)));
        Assert.False(await result.ReadAsync());
    }
}
