using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Sql;

/// <summary>
/// The limits every statement runs under, as psql meets them: the cluster's memory limit (<c>--sql-memory-limit</c>)
/// turns a runaway statement into SQLSTATE 53200 for that statement, and the session goes on.
/// </summary>
public class StatementLimitTests
{
    /// <summary>psql running each statement in one session, going on after an error (as an interactive user would).</summary>
    private static Task<CommandResult> PsqlGoingOnAsync(int port, params string[] statements)
    {
        var args = new List<string> { "-h", "127.0.0.1", "-p", port.ToString(), "-U", "admin", "-d", "dev", "-v", "ON_ERROR_STOP=0", "-At", "-X",
            "-v", "VERBOSITY=verbose" };
        foreach (var s in statements) { args.Add("-c"); args.Add(s); }
        return ProcessRunner.RunAsync("/usr/bin/psql", args,
            new Dictionary<string, string?> { ["PGPASSWORD"] = RoleStory.Password, ["PGCONNECT_TIMEOUT"] = "10" });
    }

    [Fact]
    public async Task With_sql_memory_limit_64MB_a_runaway_statement_fails_with_53200_and_the_server_answers_the_next()
    {
        await using var server = await LocalShiftServer.StartAsync(null, "--sql-memory-limit", "64MB");
        var story = new RoleStory(server);
        var role = await story.CreateRoleAsync("unloader", policy: RoleStory.S3Policy("out", "s3:*"));
        await story.MakeBucketAsync("out");
        var port = await story.CreateClusterAsync("small", [role]);

        var r = await PsqlGoingOnAsync(port,
            "select length(string_agg(repeat('x', 100) || i::varchar, ',')) from generate_series(1, 5000000) g(i)",
            "select 'still here'");

        Assert.Contains("ERROR:  53200: out of memory", r.Stderr);
        Assert.Contains("still here", r.Stdout);

        // UNLOAD's quoted query is held to the same planning budget as a statement (64 MB allows about 1,600 terms).
        var terms = string.Join(" union all ", Enumerable.Range(0, 3_000).Select(i => $"select {i} as x"));
        r = await PsqlGoingOnAsync(port, $"unload ('{terms}') to 's3://out/u_' iam_role '{role}'", "select 'after unload'");

        Assert.Contains("ERROR:  54001: statement is too complex", r.Stderr);
        Assert.Contains("after unload", r.Stdout);
        Assert.Empty(await story.KeysAsync("out", "u_"));
    }
}
