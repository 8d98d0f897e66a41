using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;
using Npgsql;

namespace LocalShift.E2E.Tests.Sql;

/// <summary>One server and cluster with a table of CHAR, VARCHAR and DECIMAL columns, shared by the tests of this class.</summary>
public sealed class ResultFidelityFixture : IAsyncLifetime
{
    public LocalShiftServer Server { get; private set; } = null!;
    public RoleStory Story { get; private set; } = null!;
    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        Server = await LocalShiftServer.StartAsync();
        Story = new RoleStory(Server);
        Port = await Story.CreateClusterAsync("fidelity", []);
        var setup = await Story.PsqlAsync(Port,
            "CREATE TABLE sales (id INT, region CHAR(5), note VARCHAR(10), price DECIMAL(10,2))",
            "INSERT INTO sales VALUES (1, 'ab', 'x', 1.50), (2, 'abc', 'y', 2.50), (3, 'abcde', 'z', 0.00)");
        Assert.True(setup.ExitCode == 0, setup.ToString());
    }

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();
}

/// <summary>
/// What psql, psycopg2 and Npgsql show of results, cursors and table descriptions (issue 18 items 8, 9, 11).
/// </summary>
public sealed class ResultFidelityTests(ResultFidelityFixture fixture) : IClassFixture<ResultFidelityFixture>
{
    private string ConnectionString =>
        $"Host=127.0.0.1;Port={fixture.Port};Username=admin;Password={RoleStory.Password};Database=dev;Pooling=false;Timeout=10";

    [Fact]
    public async Task Psql_shows_declared_widths_and_sums_with_their_scale()
    {
        var described = await fixture.Story.PsqlAsync(fixture.Port, "\\d sales");
        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Contains("region|character(5)", described.Stdout);
        Assert.Contains("note|character varying(10)", described.Stdout);
        Assert.Contains("price|numeric(10,2)", described.Stdout);

        // psql 15 reads storage, statistics target and description for \d+ (it crashed when they were missing).
        var plus = await fixture.Story.PsqlAsync(fixture.Port, "\\d+ sales");
        Assert.True(plus.ExitCode == 0, plus.ToString());
        Assert.Contains("note|character varying(10)||||extended||", plus.Stdout);

        var functions = await fixture.Story.PsqlAsync(fixture.Port, "\\df");
        Assert.True(functions.ExitCode == 0, functions.ToString());

        var sums = await fixture.Story.PsqlAsync(fixture.Port, "SELECT sum(price), avg(price), sum(id), avg(id) FROM sales WHERE id < 3");
        Assert.Equal("4.00|2.00|3|1", sums.EnsureSuccess().Stdout.Trim());
        var padded = await fixture.Story.PsqlAsync(fixture.Port, "SELECT '[' || region || ']', region, id FROM sales ORDER BY id");
        Assert.Equal("[ab]|ab   |1\n[abc]|abc  |2\n[abcde]|abcde|3", padded.EnsureSuccess().Stdout.Trim().Replace("\r", ""));
    }

    [Fact]
    public async Task A_psycopg2_named_cursor_fetches_in_batches()
    {
        const string script = """
            import os, psycopg2
            c = psycopg2.connect(host="127.0.0.1", port=int(os.environ["PORT"]), user="admin", password=os.environ["PASSWORD"], dbname="dev")
            cur = c.cursor(name="batches")
            cur.itersize = 2
            cur.execute("select id, region, price from sales order by id")
            for row in cur: print(row)
            print([(d.name, d.type_code, d.precision, d.scale) for d in cur.description])
            cur.close()
            c.commit()
            plain = c.cursor()
            plain.execute("select sum(price) as total, avg(id) as mean from sales")
            print(plain.fetchone(), [(d.name, d.type_code, d.precision, d.scale) for d in plain.description])
            """;
        var run = await ProcessRunner.RunAsync("/usr/bin/python3", ["-c", script],
            new Dictionary<string, string?> { ["PORT"] = fixture.Port.ToString(), ["PASSWORD"] = RoleStory.Password });
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("""
            (1, 'ab   ', Decimal('1.50'))
            (2, 'abc  ', Decimal('2.50'))
            (3, 'abcde', Decimal('0.00'))
            [('id', 23, None, None), ('region', 1042, None, None), ('price', 1700, 10, 2)]
            (Decimal('4.00'), 2) [('total', 1700, 38, 2), ('mean', 20, None, None)]
            """, run.Stdout.Trim().Replace("\r", ""));
    }

    [Fact]
    public async Task Npgsql_reads_a_cursor_in_a_transaction_and_not_outside_one()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using (var outside = new NpgsqlCommand("DECLARE early CURSOR FOR SELECT id FROM sales", connection))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => outside.ExecuteNonQueryAsync());
            Assert.Equal("25P01", refused.SqlState);
            Assert.Equal("DECLARE CURSOR may only be used in transaction blocks", refused.MessageText);
        }

        await using var tx = await connection.BeginTransactionAsync();
        await using (var declare = new NpgsqlCommand("DECLARE totals CURSOR FOR SELECT region, sum(price) AS total FROM sales GROUP BY region ORDER BY region", connection, tx))
            await declare.ExecuteNonQueryAsync();
        var seen = new List<string>();
        for (var batch = 0; batch < 3; batch++)
        {
            await using var fetch = new NpgsqlCommand("FETCH FORWARD 2 FROM totals", connection, tx);
            await using var reader = await fetch.ExecuteReaderAsync();
            Assert.Equal("numeric(38, 2)", reader.GetDataTypeName(1));
            while (await reader.ReadAsync()) seen.Add($"{reader.GetString(0)}={reader.GetDecimal(1)}");
        }
        Assert.Equal(["ab   =1.50", "abc  =2.50", "abcde=0.00"], seen);
        await using (var close = new NpgsqlCommand("CLOSE totals", connection, tx))
            await close.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }
}
