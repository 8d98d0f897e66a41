using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LocalShift.E2E.Tests.Infrastructure;

/// <summary>
/// The real LocalShift server process on a free port with its own data dir, as a user would run it.
/// Tests talk to it only through real clients: /usr/bin/aws, the JS SDK, psql, Npgsql, the .NET SDK.
/// </summary>
public sealed partial class LocalShiftServer : IAsyncDisposable
{
    public const string AccountId = "123456789012";
    public const string RootKey = "test";
    public const string RootSecret = "test";

    private Process? _process;
    private readonly string[] _extraArgs;
    private readonly System.Text.StringBuilder _output = new();
    private readonly bool _ownsDataDir;

    private LocalShiftServer(string dataDir, bool ownsDataDir, string[] extraArgs)
    {
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        _extraArgs = extraArgs;
        SqlPortStart = FreePortRange(20);
    }

    public string DataDir { get; }
    /// <summary>The server's process id (the one it writes in its data dir's lock file).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("not started");
    public int Port { get; private set; }
    public int SqlPortStart { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";
    /// <summary>Everything the server printed so far (banner and logs).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Starts a server. Delays default to 1s so lifecycle tests see intermediate states but do not wait long.</summary>
    public static async Task<LocalShiftServer> StartAsync(string? dataDir = null, params string[] extraArgs)
    {
        var owns = dataDir is null;
        dataDir ??= Path.Combine(Path.GetTempPath(), "localshift-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        var server = new LocalShiftServer(dataDir, owns, extraArgs);
        await server.StartProcessAsync();
        return server;
    }

    private async Task StartProcessAsync(bool waitUntilHealthy = true)
    {
        var args = new List<string>
        {
            RepoPaths.ServerDll, "serve", "--port", "0", "--data-dir", DataDir, "--sql-port-start", SqlPortStart.ToString(),
            "--role-apply-delay", "1s", "--cluster-create-delay", "1s",
        };
        args.AddRange(_extraArgs);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var k in psi.Environment.Keys.Where(k => k.StartsWith("LOCALSHIFT_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(k);
        var portFound = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (_output) _output.AppendLine(line);
            var m = EndpointLine().Match(line);
            if (m.Success) portFound.TrySetResult(int.Parse(m.Groups[1].Value));
        }
        p.OutputDataReceived += (_, e) => OnLine(e.Data);
        p.ErrorDataReceived += (_, e) => OnLine(e.Data);
        p.Exited += (_, _) => portFound.TrySetException(new InvalidOperationException($"LocalShift exited with {p.ExitCode} before it was ready:\n{Output}"));
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;

        var deadline = Task.Delay(TimeSpan.FromSeconds(60));
        if (await Task.WhenAny(portFound.Task, deadline) == deadline)
            throw new TimeoutException($"LocalShift did not print its endpoint within 60s:\n{Output}");
        Port = await portFound.Task;
        if (waitUntilHealthy) await WaitHealthyAsync();
    }

    private async Task WaitHealthyAsync()
    {
        using var http = new HttpClient();
        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until)
        {
            try
            {
                var r = await http.GetAsync($"{Endpoint}/_localshift/health");
                if (r.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException($"LocalShift was not healthy within 30s:\n{Output}");
    }

    /// <summary>Stops with SIGTERM, as a user's Ctrl-C or a service manager would, and waits for the exit.</summary>
    public async Task<int> StopAsync()
    {
        if (_process is null || _process.HasExited) return _process?.ExitCode ?? 0;
        _ = Kill(_process.Id, 15);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>kill -9: no chance to flush anything.</summary>
    public async Task CrashAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Stops (or crashes) and starts again on the same data dir; returns once health answers 200, or, with
    /// <paramref name="waitUntilHealthy"/> false, as soon as the banner names the endpoint.</summary>
    public async Task RestartAsync(bool crash = false, bool waitUntilHealthy = true)
    {
        if (crash) await CrashAsync();
        else await StopAsync();
        await StartProcessAsync(waitUntilHealthy);
    }

    /// <summary>
    /// A request signed with SigV4 as the root user, for the protocol cases no SDK would send (an action or target the
    /// model does not have). Signs host and x-amz-date; other headers may be added unsigned.
    /// </summary>
    public HttpRequestMessage SignedRequest(HttpMethod method, string path, string service, string body, string contentType, string region = "us-east-1")
    {
        var uri = new Uri(Endpoint.TrimEnd('/') + path);
        var now = DateTime.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var payloadHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body)));
        var host = uri.Authority;
        var canonical = $"{method.Method}\n{uri.AbsolutePath}\n\nhost:{host}\nx-amz-date:{amzDate}\n\nhost;x-amz-date\n{payloadHash}";
        var scope = $"{date}/{region}/{service}/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)))}";
        static byte[] Hmac(byte[] key, string data) => System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes(data));
        var key = Hmac(Hmac(Hmac(Hmac(System.Text.Encoding.UTF8.GetBytes("AWS4" + RootSecret), date), region), service), "aws4_request");
        var signature = Convert.ToHexStringLower(Hmac(key, toSign));
        var request = new HttpRequestMessage(method, uri)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8),
        };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={RootKey}/{scope}, SignedHeaders=host;x-amz-date, Signature={signature}");
        return request;
    }

    /// <summary>
    /// Runs Debian's AWS CLI against this server; output is JSON unless the args say otherwise. The command runs in the
    /// warm CLI pool (<see cref="AwsCliPool"/>), or as its own /usr/bin/aws process with LOCALSHIFT_TEST_AWS=process.
    /// </summary>
    public Task<CommandResult> AwsAsync(params string[] args) => AwsAsAsync(RootKey, RootSecret, null, args);

    public Task<CommandResult> AwsAsAsync(string accessKey, string secret, string? sessionToken, params string[] args) =>
        AwsCli.RunAsync(["--endpoint-url", Endpoint, .. args], AwsEnvironment(accessKey, secret, sessionToken));

    /// <summary>Always starts /usr/bin/aws as a process of its own, as a user does: for the tests that keep that path covered.</summary>
    public Task<CommandResult> AwsProcessAsync(params string[] args) => AwsProcessAsAsync(RootKey, RootSecret, null, args);

    public Task<CommandResult> AwsProcessAsAsync(string accessKey, string secret, string? sessionToken, params string[] args) =>
        AwsCli.RunProcessAsync(["--endpoint-url", Endpoint, .. args], AwsEnvironment(accessKey, secret, sessionToken));

    /// <summary>
    /// Runs many AWS CLI commands in one Python process through the CLI's own driver (Infrastructure/aws_batch.py): the
    /// same code as <c>/usr/bin/aws</c>, without a Python start-up per command. Results come back in order.
    /// </summary>
    public async Task<IReadOnlyList<CommandResult>> AwsBatchAsAsync(string accessKey, string secret, string? sessionToken,
        IReadOnlyList<string[]> commands)
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "LocalShift.E2E.Tests", "Infrastructure", "aws_batch.py");
        var input = JsonSerializer.Serialize(new { endpoint = Endpoint, commands });
        var r = await ProcessRunner.RunAsync(RepoPaths.AwsCliPython, [script], AwsEnvironment(accessKey, secret, sessionToken),
            timeout: TimeSpan.FromMinutes(5), stdin: input);
        if (r.ExitCode != 0) throw new InvalidOperationException($"aws_batch.py failed ({r.ExitCode}): {r.Stderr}");
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.EnumerateArray()
            .Select(e => new CommandResult(e.GetProperty("exit").GetInt32(), e.GetProperty("stdout").GetString()!, e.GetProperty("stderr").GetString()!))
            .ToList();
    }

    /// <summary>
    /// Runs a Python script with the CLI's own interpreter (so botocore is importable) as the root, with the endpoint on
    /// stdin as <c>{"endpoint": URL}</c>; for tests that need what botocore saw on the wire.
    /// </summary>
    public async Task<CommandResult> BotocoreScriptAsync(string script) =>
        await ProcessRunner.RunAsync(RepoPaths.AwsCliPython, [script], AwsEnvironment(RootKey, RootSecret, null),
            timeout: TimeSpan.FromMinutes(3), stdin: JsonSerializer.Serialize(new { endpoint = Endpoint }));

    private static Dictionary<string, string?> AwsEnvironment(string accessKey, string secret, string? sessionToken)
    {
        return new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = accessKey,
            ["AWS_SECRET_ACCESS_KEY"] = secret,
            ["AWS_SESSION_TOKEN"] = sessionToken,
            ["AWS_SECURITY_TOKEN"] = null,
            ["AWS_PROFILE"] = null,
            ["AWS_DEFAULT_REGION"] = "us-east-1",
            ["AWS_CONFIG_FILE"] = "/dev/null",
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
            ["AWS_PAGER"] = "",
            ["AWS_DEFAULT_OUTPUT"] = "json",
        };
    }

    /// <summary>A policy that lets its holder assume any role whose trust policy lets it.</summary>
    public const string AssumeAnyRolePolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""";

    /// <summary>
    /// Creates an IAM user with <paramref name="policy"/> as its inline policy (none when null) in the account whose
    /// root keys are given, and returns its access key. AWS refuses AssumeRole to root credentials, so tests that assume
    /// roles do it as such a user.
    /// </summary>
    public async Task<(string Key, string Secret)> UserKeysAsync(string name, string? policy = AssumeAnyRolePolicy,
        string rootKey = RootKey, string rootSecret = RootSecret)
    {
        (await AwsAsAsync(rootKey, rootSecret, null, "iam", "create-user", "--user-name", name)).EnsureSuccess();
        if (policy is not null)
            (await AwsAsAsync(rootKey, rootSecret, null, "iam", "put-user-policy", "--user-name", name, "--policy-name", "p", "--policy-document", policy)).EnsureSuccess();
        var key = (await AwsAsAsync(rootKey, rootSecret, null, "iam", "create-access-key", "--user-name", name)).Json().GetProperty("AccessKey");
        return (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
    }

    /// <summary>Runs a JS SDK scenario (tests/js/scenarios/NAME.mjs) with the given input; returns its JSON result.</summary>
    public async Task<JsonElement> NodeAsync(string scenario, object? input = null, string accessKey = RootKey, string secret = RootSecret, string? sessionToken = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["LOCALSHIFT_ENDPOINT"] = Endpoint,
            ["AWS_ACCESS_KEY_ID"] = accessKey,
            ["AWS_SECRET_ACCESS_KEY"] = secret,
            ["AWS_SESSION_TOKEN"] = sessionToken,
            ["AWS_REGION"] = "us-east-1",
        };
        var r = await ProcessRunner.RunAsync("node",
            ["run.mjs", Path.Combine("scenarios", scenario + ".mjs"), JsonSerializer.Serialize(input ?? new { })], env, RepoPaths.JsDir);
        return r.Json();
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); }
        catch { _process?.Kill(); }
        _process?.Dispose();
        if (_ownsDataDir)
        {
            try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A base port with <paramref name="count"/> free ports above it, for cluster SQL endpoints.</summary>
    private static int FreePortRange(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var start = Random.Shared.Next(20000, 60000 - count);
            if (Enumerable.Range(start, count).All(IsFree)) return start;
        }
        throw new InvalidOperationException("No free port range found.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Loopback, port);
            l.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"AWS endpoint\s+http://[^:]+:(\d+)")]
    private static partial Regex EndpointLine();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>One server for all tests of a class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public LocalShiftServer Server { get; private set; } = null!;
    public async Task InitializeAsync() => Server = await LocalShiftServer.StartAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();
}
