using System.Diagnostics;
using System.Text;
using LocalShift.Core;
using LocalShift.Server;

namespace LocalShift.Benchmarks;

/// <summary>
/// Lambda's invocation path: the cold start of a node function (its first Invoke: process start, bootstrap, handler
/// load, one round trip) beside <c>node -e 0</c>, and warm Invoke round trips (in-process InvokeAsAsync, as the SQL side
/// calls it: authorization, Runtime API, handler) beside the same handler fed one JSON line at a time over a pipe.
/// </summary>
public sealed class LambdaBenchmark : IBenchmark
{
    public string Name => "lambda";
    public string Description => "node function cold start vs `node -e 0`; warm Invoke round trips vs the handler over a pipe";

    private const string Handler = "exports.handler = async (event) => event;";

    public int Run(string[] args)
    {
        var warm = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 2000;
        return RunAsync(cold: 5, warm).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int cold, int warm)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "localshift-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var work = Path.Combine(dataDir, "work");
        Directory.CreateDirectory(work);
        var options = ServerOptions.Parse(["--port", "0", "--data-dir", Path.Combine(dataDir, "data"), "--log-level", "error"], new Dictionary<string, string>());
        await using var host = await LocalShiftHost.StartAsync(options, TextWriter.Null);
        var endpoint = host.Endpoint.ToString().TrimEnd('/');

        await File.WriteAllTextAsync(Path.Combine(work, "index.js"), Handler);
        Run("zip", work, "-q", "fn.zip", "index.js");
        Aws(endpoint, "iam", "create-role", "--role-name", "bench", "--assume-role-policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}""");
        for (var i = 0; i <= cold; i++)
            Aws(endpoint, "lambda", "create-function", "--function-name", $"bench{i}", "--runtime", "nodejs20.x", "--handler", "index.handler",
                "--role", "arn:aws:iam::123456789012:role/bench", "--zip-file", "fileb://" + Path.Combine(work, "fn.zip"));

        var root = Principal.Root("123456789012");
        var payload = """{"n":1,"s":"some text"}"""u8.ToArray();

        // Cold: the first Invoke of each fresh function, beside starting node alone.
        var nodeAlone = new List<double>();
        for (var i = 0; i < cold; i++)
        {
            var sw = Stopwatch.StartNew();
            Run("node", work, "-e", "0");
            nodeAlone.Add(sw.Elapsed.TotalMilliseconds);
        }
        var coldStarts = new List<double>();
        for (var i = 1; i <= cold; i++)
        {
            var sw = Stopwatch.StartNew();
            var r = await host.Lambda.InvokeAsAsync(root, "us-east-1", $"bench{i}", payload, CancellationToken.None);
            coldStarts.Add(sw.Elapsed.TotalMilliseconds);
            if (r.FunctionError is not null) throw new InvalidOperationException(Encoding.UTF8.GetString(r.Payload));
        }

        // Warm: sequential round trips on one instance, beside the same handler over a pipe.
        for (var i = 0; i < 50; i++) await host.Lambda.InvokeAsAsync(root, "us-east-1", "bench0", payload, CancellationToken.None);
        var swWarm = Stopwatch.StartNew();
        for (var i = 0; i < warm; i++) await host.Lambda.InvokeAsAsync(root, "us-east-1", "bench0", payload, CancellationToken.None);
        var warmUs = swWarm.Elapsed.TotalMicroseconds / warm;
        var pipeUs = await PipeRoundTripAsync(work, payload, warm);

        Console.WriteLine($"node -e 0                     : {Median(nodeAlone),9:N1} ms (median of {cold})");
        Console.WriteLine($"cold start, first Invoke      : {Median(coldStarts),9:N1} ms (median of {cold})");
        Console.WriteLine($"ratio cold start / node -e 0  : {Median(coldStarts) / Median(nodeAlone),9:N2}");
        Console.WriteLine($"handler over a pipe           : {pipeUs,9:N1} us per round trip ({warm} sequential)");
        Console.WriteLine($"warm Invoke (InvokeAsAsync)   : {warmUs,9:N1} us per round trip ({warm} sequential)");
        Console.WriteLine($"ratio pipe / warm Invoke      : {pipeUs / warmUs,9:N2}   ({Environment.ProcessorCount} cores)");
        try { Directory.Delete(dataDir, true); } catch (IOException) { }
        return 0;
    }

    /// <summary>The bare driver: node loads the handler and answers one JSON line per line read from stdin.</summary>
    private static async Task<double> PipeRoundTripAsync(string work, byte[] payload, int count)
    {
        const string driver = """
            const h = require('./index.js').handler;
            const rl = require('node:readline').createInterface({ input: process.stdin });
            rl.on('line', async (line) => { process.stdout.write(JSON.stringify(await h(JSON.parse(line))) + '\n'); });
            """;
        var psi = new ProcessStartInfo("node") { WorkingDirectory = work, RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-e");
        psi.ArgumentList.Add(driver);
        using var p = Process.Start(psi)!;
        var line = Encoding.UTF8.GetString(payload);
        for (var i = 0; i < 50; i++)
        {
            await p.StandardInput.WriteLineAsync(line);
            await p.StandardInput.FlushAsync();
            await p.StandardOutput.ReadLineAsync();
        }
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await p.StandardInput.WriteLineAsync(line);
            await p.StandardInput.FlushAsync();
            await p.StandardOutput.ReadLineAsync();
        }
        var us = sw.Elapsed.TotalMicroseconds / count;
        p.Kill();
        return us;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s[s.Count / 2];
    }

    private static void Aws(string endpoint, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/aws") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--endpoint-url");
        psi.ArgumentList.Add(endpoint);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["AWS_ACCESS_KEY_ID"] = "test";
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        psi.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        psi.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"aws {string.Join(' ', args)}: {err.Result}");
    }

    private static void Run(string file, string dir, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = dir, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} exited with {p.ExitCode}");
    }
}
