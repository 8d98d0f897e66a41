using System.Diagnostics;
using System.Text;
using LocalShift.Core;
using LocalShift.Server;

namespace LocalShift.Benchmarks;

/// <summary>
/// Lambda's invocation path: the cold start of a node function (its first Invoke: process start, bootstrap, handler
/// load, one round trip) beside <c>node -e 0</c>, and warm Invoke round trips (in-process InvokeAsAsync, as the SQL side
/// calls it: authorization, Runtime API, handler; and with LogType Tail) beside the same handler fed one JSON line at a
/// time over a pipe, interleaved in rounds because the machine is shared.
/// </summary>
public sealed class LambdaBenchmark : IBenchmark
{
    public string Name => "lambda";
    public string Description => "node function cold start vs `node -e 0`; warm Invoke round trips vs the handler over a pipe";

    private const string Handler = "exports.handler = async (event) => event;";

    public int Run(string[] args)
    {
        var warm = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 2000;
        var rounds = args.Length > 1 && int.TryParse(args[1], out var r) ? r : 3;
        return RunAsync(cold: 5, warm, rounds).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int cold, int warm, int rounds)
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

        // Cold: the first Invoke of each fresh function, beside starting node alone (interleaved).
        var nodeAlone = new List<double>();
        var coldStarts = new List<double>();
        for (var i = 1; i <= cold; i++)
        {
            var sw = Stopwatch.StartNew();
            Run("node", work, "-e", "0");
            nodeAlone.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            var r = await host.Lambda.InvokeAsAsync(root, "us-east-1", $"bench{i}", payload, CancellationToken.None);
            coldStarts.Add(sw.Elapsed.TotalMilliseconds);
            if (r.FunctionError is not null) throw new InvalidOperationException(Encoding.UTF8.GetString(r.Payload));
        }
        Console.WriteLine($"node -e 0                     : {Median(nodeAlone),9:N1} ms (median of {cold})");
        Console.WriteLine($"cold start, first Invoke      : {Median(coldStarts),9:N1} ms (median of {cold})");
        Console.WriteLine($"ratio cold start / node -e 0  : {Median(coldStarts) / Median(nodeAlone),9:N2}");

        // Warm: sequential round trips on one instance (as the SQL side calls it, and with LogType Tail), beside the
        // same handler over a pipe; the three interleaved, round after round. CPU is this process's (LocalShift's or
        // the pipe driver's side), per round trip.
        for (var i = 0; i < 200; i++)
        {
            await host.Lambda.InvokeAsAsync(root, "us-east-1", "bench0", payload, CancellationToken.None);
            await host.Lambda.InvokeAsAsync(root, "us-east-1", "bench0", payload, logTail: true, CancellationToken.None);
        }
        using var pipe = new PipeDriver(work);
        await pipe.RoundTripsAsync(payload, 200);
        var results = new List<(double Pipe, double Invoke, double Tail)>();
        Console.WriteLine($"{"round",5} | {"pipe us (cpu)",16} | {"Invoke us (cpu)",16} | {"Tail us (cpu)",16} | pipe/Invoke | pipe/Tail");
        for (var round = 1; round <= rounds; round++)
        {
            var (pipeUs, pipeCpu) = await Timed(warm, () => pipe.RoundTripsAsync(payload, warm));
            Task<(double, double)> Invokes(bool tail) => Timed(warm, async () =>
            {
                for (var i = 0; i < warm; i++) await host.Lambda.InvokeAsAsync(root, "us-east-1", "bench0", payload, tail, CancellationToken.None);
            });
            // Odd rounds without Tail first, even rounds with Tail first.
            double invokeUs, invokeCpu, tailUs, tailCpu;
            if (round % 2 == 1)
            {
                (invokeUs, invokeCpu) = await Invokes(tail: false);
                (tailUs, tailCpu) = await Invokes(tail: true);
            }
            else
            {
                (tailUs, tailCpu) = await Invokes(tail: true);
                (invokeUs, invokeCpu) = await Invokes(tail: false);
            }
            results.Add((pipeUs, invokeUs, tailUs));
            Console.WriteLine($"{round,5} | {pipeUs,7:N1} ({pipeCpu,6:N1}) | {invokeUs,7:N1} ({invokeCpu,6:N1}) | {tailUs,7:N1} ({tailCpu,6:N1}) | {pipeUs / invokeUs,11:N2} | {pipeUs / tailUs,9:N2}");
        }
        Console.WriteLine($"median ratio pipe / warm Invoke: {Median(results.Select(x => x.Pipe / x.Invoke).ToList()):N2}, with Tail: {Median(results.Select(x => x.Pipe / x.Tail).ToList()):N2}   ({warm} sequential round trips per cell; {Environment.ProcessorCount} cores)");
        try { Directory.Delete(dataDir, true); } catch (IOException) { }
        return 0;
    }

    /// <summary>Wall-clock and this process's CPU microseconds per operation of <paramref name="count"/>.</summary>
    private static async Task<(double WallUs, double CpuUs)> Timed(int count, Func<Task> run)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        await run();
        var wall = sw.Elapsed.TotalMicroseconds / count;
        return (wall, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / count);
    }

    /// <summary>The bare driver: node loads the handler and answers one JSON line per line read from stdin.</summary>
    private sealed class PipeDriver : IDisposable
    {
        private const string Driver = """
            const h = require('./index.js').handler;
            const rl = require('node:readline').createInterface({ input: process.stdin });
            rl.on('line', async (line) => { process.stdout.write(JSON.stringify(await h(JSON.parse(line))) + '\n'); });
            """;

        private readonly Process _process;

        public PipeDriver(string work)
        {
            var psi = new ProcessStartInfo("node") { WorkingDirectory = work, RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add("-e");
            psi.ArgumentList.Add(Driver);
            _process = Process.Start(psi)!;
        }

        public async Task RoundTripsAsync(byte[] payload, int count)
        {
            var line = Encoding.UTF8.GetString(payload);
            for (var i = 0; i < count; i++)
            {
                await _process.StandardInput.WriteLineAsync(line);
                await _process.StandardInput.FlushAsync();
                await _process.StandardOutput.ReadLineAsync();
            }
        }

        public void Dispose()
        {
            _process.Kill();
            _process.Dispose();
        }
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
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
