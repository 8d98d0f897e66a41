using System.Net;
using System.Net.Sockets;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Edge;

/// <summary>`localshift serve` as a user starts and stops it.</summary>
public class CommandLineTests
{
    private static Task<CommandResult> Serve(params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [RepoPaths.ServerDll, "serve", .. args], timeout: TimeSpan.FromSeconds(60));

    [Fact]
    public async Task A_port_already_taken_exits_2_with_a_clear_message()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var r = await Serve("--port", port.ToString(), "--data-dir", Path.Combine(Path.GetTempPath(), "ls-" + Guid.NewGuid()));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", r.Stderr);
        Assert.Contains("--port", r.Stderr);
        // Said once, without the host's stack trace.
        Assert.DoesNotContain("   at ", r.Stdout + r.Stderr);
        Assert.DoesNotContain("Hosting failed to start", r.Stdout + r.Stderr);
    }

    [Fact]
    public async Task A_data_dir_that_is_a_file_exits_2_with_a_clear_message()
    {
        var file = Path.GetTempFileName();
        var r = await Serve("--port", "0", "--data-dir", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"the data dir '{file}' is not usable", r.Stderr);
    }

    [Fact]
    public async Task A_second_server_on_a_data_dir_in_use_exits_2_naming_the_first_and_leaves_it_serving()
    {
        await using var first = await LocalShiftServer.StartAsync();
        Assert.Equal(0, (await first.AwsAsync("s3api", "create-bucket", "--bucket", "kept")).ExitCode);
        Assert.Equal(0, (await first.AwsAsync("s3api", "put-object", "--bucket", "kept", "--key", "k", "--body", RepoPaths.ServerDll)).ExitCode);

        var second = await Serve("--port", "0", "--data-dir", first.DataDir);
        Assert.Equal(2, second.ExitCode);
        Assert.Contains($"data dir {first.DataDir} is in use by process {first.ProcessId}", second.Stderr);
        Assert.DoesNotContain("ready", second.Stdout);

        var kept = await first.AwsAsync("s3api", "head-object", "--bucket", "kept", "--key", "k");
        Assert.True(kept.ExitCode == 0, kept.ToString());
    }

    [Fact]
    public async Task A_data_dir_whose_server_was_killed_serves_again()
    {
        await using var server = await LocalShiftServer.StartAsync();
        Assert.Equal(0, (await server.AwsAsync("s3api", "create-bucket", "--bucket", "survivor")).ExitCode);
        // kill -9 leaves the lock file behind; the lock itself died with the process.
        await server.RestartAsync(crash: true);
        Assert.Equal(server.ProcessId.ToString(), File.ReadAllText(Path.Combine(server.DataDir, "localshift.pid")).Trim());
        var list = await server.AwsAsync("s3api", "list-buckets");
        Assert.Contains("survivor", list.Stdout);
    }

    [Fact]
    public async Task An_unknown_flag_exits_2_naming_it()
    {
        var r = await Serve("--prot", "4566");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Unknown option '--prot'", r.Stderr);
    }

    [Fact]
    public async Task A_bad_sql_tls_value_or_a_lone_tls_key_exits_2()
    {
        var bad = await Serve("--sql-tls", "maybe");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--sql-tls must be 'on' or 'off', not 'maybe'", bad.Stderr);
        var lone = await Serve("--sql-tls-cert", "/tmp/cert.pem");
        Assert.Equal(2, lone.ExitCode);
        Assert.Contains("--sql-tls-cert and --sql-tls-key go together", lone.Stderr);
    }

    [Fact]
    public async Task A_bad_sql_max_connections_exits_2_naming_the_flag()
    {
        var r = await Serve("--sql-max-connections", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--sql-max-connections: '0' is not a number of connections (1 or more)", r.Stderr);
    }

    [Fact]
    public async Task A_bad_sql_memory_limit_exits_2_naming_the_flag()
    {
        var r = await Serve("--sql-memory-limit", "lots");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--sql-memory-limit: 'lots' is not a size like 512MB or 4GB", r.Stderr);
    }

    [Fact]
    public async Task A_bad_duration_exits_2_naming_the_flag()
    {
        var r = await Serve("--role-apply-delay", "soon");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--role-apply-delay: 'soon' is not a duration", r.Stderr);
    }

    [Fact]
    public async Task Environment_variables_configure_the_account()
    {
        var env = new Dictionary<string, string?> { ["LOCALSHIFT_ACCOUNT_ID"] = "111122223333", ["LOCALSHIFT_ROOT_ACCESS_KEY"] = "AKIDENV", ["LOCALSHIFT_ROOT_SECRET_KEY"] = "envsecret" };
        var data = Path.Combine(Path.GetTempPath(), "ls-" + Guid.NewGuid());
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { RepoPaths.ServerDll, "serve", "--port", "0", "--data-dir", data }) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = System.Diagnostics.Process.Start(psi)!;
        try
        {
            string? line;
            string? endpoint = null;
            while ((line = await p.StandardOutput.ReadLineAsync()) is not null)
            {
                var i = line.IndexOf("http://", StringComparison.Ordinal);
                if (line.Contains("AWS endpoint") && i >= 0) endpoint = line[i..].Split(' ')[0];
                if (line.Contains("Account"))
                {
                    Assert.Contains("111122223333", line);
                    Assert.Contains("AWS_ACCESS_KEY_ID=AKIDENV", line);
                    break;
                }
            }
            Assert.NotNull(endpoint);
            var r = await ProcessRunner.RunAsync(RepoPaths.AwsCli, ["--endpoint-url", endpoint!, "--region", "us-east-1", "sts", "get-caller-identity"],
                new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "AKIDENV", ["AWS_SECRET_ACCESS_KEY"] = "envsecret", ["AWS_CONFIG_FILE"] = "/dev/null", ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null" });
            Assert.Contains("arn:aws:iam::111122223333:root", r.Stdout);
        }
        finally
        {
            p.Kill();
        }
    }

    [Fact]
    public async Task Sigterm_stops_the_server_cleanly_with_exit_0()
    {
        var server = await LocalShiftServer.StartAsync();
        var code = await server.StopAsync();
        Assert.Equal(0, code);
        await server.DisposeAsync();
    }

    [Fact]
    public async Task A_second_account_from_the_command_line_has_its_own_root()
    {
        await using var server = await LocalShiftServer.StartAsync(null, "--account", "210987654321=AKIDOTHER:othersecret");
        var r = (await server.AwsAsAsync("AKIDOTHER", "othersecret", null, "sts", "get-caller-identity")).Json();
        Assert.Equal("arn:aws:iam::210987654321:root", r.GetProperty("Arn").GetString());
    }
}
