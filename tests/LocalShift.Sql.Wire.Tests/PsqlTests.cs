using System.Diagnostics;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>The endpoint as psql (Debian's PostgreSQL 15 client) sees it.</summary>
public sealed class PsqlTests(ClusterEndpoint endpoint) : IClassFixture<ClusterEndpoint>
{
    private const string Psql = "/usr/bin/psql";

    [Fact]
    public async Task Psql_script_runs_redshift_ddl_queries_and_meta_commands()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Scripts", "redshift_session.sql");
        var (raw, error, _) = await RunPsqlAsync("-f", script);
        // Column widths depend on what else is in the database; compare with runs of spaces collapsed.
        var output = System.Text.RegularExpressions.Regex.Replace(raw, " +", " ");

        Assert.Contains("PostgreSQL 8.0.2 on i686-pc-linux-gnu", output);
        Assert.Contains("CREATE TABLE", output);
        Assert.Contains("INSERT 0 3", output);
        Assert.Contains(" 1 | Toyota Park", output);
        Assert.Contains(" 2 | Columbus Crew Stadium", output);
        Assert.Contains(" Bridgeview | 11", output);
        // \dt
        Assert.Contains(" public | venue | table | awsuser", output);
        // \d venue
        Assert.Contains("Table \"public.venue\"", output);
        Assert.Contains(" venueid | smallint | | not null |", output);
        // The declared width, as psql shows it on Redshift.
        Assert.Contains(" venuename | character varying(100) | | |", output);
        // \dn
        Assert.Contains(" sales | awsuser", output);
        // \du
        Assert.Contains(" awsuser | Superuser", output);
        // \l
        Assert.Contains(" dev | awsuser | UTF8", output);
        Assert.Contains("ERROR:  relation \"no_such_table\" does not exist", error);
        Assert.Contains(" still_alive ", output);
    }

    /// <summary>
    /// PostgreSQL's (and Redshift's) texts for a statement that ends too soon: at its semicolon when one ends it, at the
    /// end of the input when none does, with psql's caret under the place.
    /// </summary>
    [Theory]
    [InlineData("select 1 +;", "ERROR:  syntax error at or near \";\"\nLINE 1: select 1 +;\n                  ^")]
    [InlineData("select 1 + ;", "ERROR:  syntax error at or near \";\"\nLINE 1: select 1 + ;\n                   ^")]
    [InlineData("select (1;", "ERROR:  syntax error at or near \";\"\nLINE 1: select (1;\n                 ^")]
    [InlineData("select 1 from;", "ERROR:  syntax error at or near \";\"\nLINE 1: select 1 from;\n                     ^")]
    [InlineData("select 1; select 2 *;", "ERROR:  syntax error at or near \";\"")]
    [InlineData("select 1 +", "ERROR:  syntax error at end of input\nLINE 1: select 1 +\n                  ^")]
    public async Task A_statement_that_ends_too_soon_is_a_syntax_error_where_it_ends(string sql, string expected)
    {
        var (_, error, exitCode) = await RunPsqlAsync("-c", sql);
        Assert.NotEqual(0, exitCode);
        Assert.Contains(expected, error.Replace("\r\n", "\n"));
    }

    [Fact]
    public async Task Psql_with_a_wrong_password_is_refused()
    {
        var (_, error, exitCode) = await RunPsqlWithPasswordAsync("nope", "-c", "select 1");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("password authentication failed for user \"awsuser\"", error);
    }

    [Fact]
    public async Task Killed_client_mid_query_leaves_the_server_serving()
    {
        using (var process = Start(ClusterEndpoint.Password, "-c", "select count(*) from generate_series(0, 99999999999) t(i) where i % 3 = 1"))
        {
            // Let the statement start, then kill the client without a Terminate message.
            var deadline = DateTime.UtcNow.AddSeconds(2);
            while (DateTime.UtcNow < deadline && !process.HasExited) await Task.Delay(100);
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        var (output, error, exitCode) = await RunPsqlAsync("-c", "select 41 + 1 as answer");
        Assert.True(exitCode == 0, error);
        Assert.Contains("42", output);
    }

    [Fact]
    public async Task Create_table_as_reports_the_rows_it_wrote()
    {
        var (output, error, exitCode) = await RunPsqlAsync("-c", "create table ctas_source(a int)", "-c", "insert into ctas_source values (1),(2),(3)",
            "-c", "create table ctas_copy as select a from ctas_source where a > 1", "-c", "create table public.ctas_all as select * from ctas_source",
            "-c", "create temp table ctas_temp as select * from ctas_source limit 1");
        Assert.True(exitCode == 0, error);
        Assert.Equal("CREATE TABLE\nINSERT 0 3\nSELECT 2\nSELECT 3\nSELECT 1\n", output.Replace("\r", ""));
    }

    [Fact]
    public async Task Several_statements_in_one_query_string_all_run()
    {
        var (output, _, exitCode) = await RunPsqlAsync("-c", "create table multi_t(a int); insert into multi_t values (1),(2); select sum(a) as total from multi_t");
        Assert.Equal(0, exitCode);
        Assert.Contains("3", output);
    }

    private Task<(string Output, string Error, int ExitCode)> RunPsqlAsync(params string[] args) =>
        RunPsqlWithPasswordAsync(ClusterEndpoint.Password, args);

    private async Task<(string Output, string Error, int ExitCode)> RunPsqlWithPasswordAsync(string password, params string[] args)
    {
        using var process = Start(password, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (await output, await error, process.ExitCode);
    }

    private Process Start(string password, params string[] args)
    {
        var info = new ProcessStartInfo(Psql)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-X", "-h", endpoint.Endpoint.Address.ToString(), "-p", endpoint.Endpoint.Port.ToString(), "-U", ClusterEndpoint.Master, "-d", ClusterEndpoint.Database })
            info.ArgumentList.Add(arg);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["PGPASSWORD"] = password;
        info.Environment["PGCONNECT_TIMEOUT"] = "10";
        return Process.Start(info)!;
    }
}
