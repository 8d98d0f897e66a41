using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Edge;

/// <summary>
/// The warm CLI pool the other tests run /usr/bin/aws's code in prints, exits and reads its inputs exactly as a
/// /usr/bin/aws process of its own does, and no command leaves anything behind for the next one.
/// </summary>
public class AwsCliPoolTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    private Dictionary<string, string?> Env(string key = LocalShiftServer.RootKey, string? region = "us-east-1", string? profile = null) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = key,
        ["AWS_SECRET_ACCESS_KEY"] = LocalShiftServer.RootSecret,
        ["AWS_SESSION_TOKEN"] = null,
        ["AWS_PROFILE"] = profile,
        ["AWS_DEFAULT_REGION"] = region,
        ["AWS_CONFIG_FILE"] = "/dev/null",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
        ["AWS_PAGER"] = "",
        ["AWS_DEFAULT_OUTPUT"] = "json",
    };

    [Fact]
    public async Task Pool_and_process_print_and_exit_the_same()
    {
        var dir = Directory.CreateTempSubdirectory("localshift-pool-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "get-role.json"), """{"RoleName": "no-such-role"}""");
        await File.WriteAllTextAsync(Path.Combine(dir, "body.txt"), "körper\n");
        (await Server.AwsAsync("s3api", "create-bucket", "--bucket", "pool-parity")).EnsureSuccess();
        string[] e = ["--endpoint-url", Server.Endpoint];
        // Each: what a user types, the environment changes, and stdin. Re-runnable, so both paths see the same state.
        (string[] Args, Dictionary<string, string?> Env, string? Stdin)[] cases =
        [
            ([.. e, "sts", "get-caller-identity"], Env(), null),
            ([.. e, "sts", "get-caller-identity", "--output", "table"], Env(), null),
            ([.. e, "sts", "get-caller-identity", "--output", "text", "--query", "Arn"], Env(), null),
            ([.. e, "iam", "get-role", "--cli-input-json", "file://get-role.json"], Env(), null),            // 254, file:// in cwd
            ([.. e, "s3api", "put-object", "--bucket", "pool-parity", "--key", "b", "--body", "body.txt"], Env(), null),
            ([.. e, "s3", "cp", "-", "s3://pool-parity/from-stdin"], Env(), "aus stdin: ü\n"),
            ([.. e, "s3", "cp", "s3://pool-parity/from-stdin", "-"], Env(), null),
            ([.. e, "s3api", "get-object", "--bucket", "pool-parity", "--key", "b", "/dev/stdout"], Env(), null), // body, then JSON
            ([.. e, "iam", "list-users", "--max-items", "1"], Env(), null),
            ([.. e, "iam", "get-role"], Env(), null),                                                      // 252, usage
            ([.. e, "iam", "get-rolez"], Env(), null),                                                     // 252, invalid choice
            ([.. e, "sts", "get-caller-identity"], Env(key: "AKIAWRONGKEY"), null),                       // 254, credentials per call
            ([.. e, "sts", "get-caller-identity"], Env(region: null), null),                              // 253, no region
            ([.. e, "sts", "get-caller-identity"], Env(profile: "missing"), null),                        // 255, config read per call
            (["--endpoint-url", "http://127.0.0.1:1", "sts", "get-caller-identity"], Env(), null),        // 255, connection refused
        ];
        foreach (var (args, env, stdin) in cases)
        {
            var process = await AwsCli.RunProcessAsync(args, env, dir, stdin: stdin);
            var pool = await AwsCliPool.RunAsync(args, env, dir, stdin: stdin);
            var what = string.Join(' ', args.Skip(2));
            Assert.True(process.ToString() == pool.ToString(), $"aws {what}\nprocess: {process}\npool: {pool}");
        }
    }

    [Fact]
    public async Task Debug_output_goes_to_its_own_command_only()
    {
        var debug = await Server.AwsAsync("--debug", "sts", "get-caller-identity");
        Assert.Equal(0, debug.ExitCode);
        Assert.Contains($"Arguments entered to CLI: ['--endpoint-url', '{Server.Endpoint}', '--debug', 'sts', 'get-caller-identity']", debug.Stderr);
        var next = await Server.AwsAsync("sts", "get-caller-identity");
        Assert.Equal("", next.Stderr);
        Assert.Equal("123456789012", next.Json().GetProperty("Account").GetString());
    }

    [Fact]
    public async Task A_command_past_its_timeout_is_stopped_and_the_next_one_runs()
    {
        // The waiter polls every 60 s for a cluster that never comes.
        await Assert.ThrowsAsync<TimeoutException>(() => AwsCli.RunAsync(
            ["--endpoint-url", Server.Endpoint, "redshift", "wait", "cluster-available", "--cluster-identifier", "never"],
            Env(), timeout: TimeSpan.FromSeconds(3)));
        var next = await Server.AwsAsync("sts", "get-caller-identity");
        Assert.Equal("123456789012", next.Json().GetProperty("Account").GetString());
    }
}
