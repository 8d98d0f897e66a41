using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;
using LocalShift.Server;

namespace LocalShift.Benchmarks;

/// <summary>
/// Issue 14's S3 goals: LocalShift against s3rver (an S3 emulator on node, tests/js's copy) with the same client and
/// the same signed requests, and a 256 MiB GET against a raw file copy of the same bytes run beside it. PUT and GET
/// of 1 MiB objects from 16 concurrent clients, a 256 MiB GET written to a file, a full listing of 10,000 keys.
/// Goals: ≥ 5× s3rver on each, and the big GET ≥ 0.5× the raw copy.
/// </summary>
public sealed class S3ServerBenchmark : IBenchmark
{
    private const int Clients = 16;
    private const int ListedKeys = 10_000;
    private const int BigSize = 256 << 20;

    public string Name => "s3rver";
    public string Description => "S3 vs s3rver: 1 MiB PUT/GET (16 clients), 256 MiB GET (vs a raw file copy), LIST of 10,000 keys";

    public int Run(string[] args)
    {
        var seconds = args.Length > 0 && double.TryParse(args[0], out var s) ? s : 5;
        // "small": only the 1 MiB PUT/GET figures, for before/after runs interleaved on a shared machine; "local": the
        // same against LocalShift alone (no s3rver started), for a profile of this process.
        var smallOnly = args.Length > 1 && args[1] is "small" or "local";
        var localOnly = args.Length > 1 && args[1] == "local";
        return RunAsync(TimeSpan.FromSeconds(seconds), smallOnly, localOnly).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(TimeSpan duration, bool smallOnly, bool localOnly)
    {
        var root = Measure.RepositoryRoot() ?? throw new InvalidOperationException("Run from the repository.");
        var s3rverJs = Path.Combine(root, "tests", "js", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(s3rverJs))
        {
            Console.Error.WriteLine("s3rver is not installed: run `npm ci --prefix tests/js` first.");
            return 2;
        }
        var work = Directory.CreateTempSubdirectory("localshift-bench-s3rver-").FullName;
        try
        {
            var options = ServerOptions.Parse(["--port", "0", "--data-dir", Path.Combine(work, "localshift"), "--log-level", "error"], new Dictionary<string, string>());
            await using var host = await LocalShiftHost.StartAsync(options, TextWriter.Null);
            using var node = localOnly ? null : await StartS3rverAsync(s3rverJs, Path.Combine(work, "s3rver"));
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = Clients * 2 }) { Timeout = TimeSpan.FromMinutes(10) };
            var servers = new List<(string Name, SignedS3Client Client)> { ("LocalShift", new SignedS3Client(http, host.Endpoint, "test", "test")) };
            if (node is not null) servers.Add(("s3rver", new SignedS3Client(http, node.Endpoint, "S3RVER", "S3RVER")));
            foreach (var (_, c) in servers) await c.SendAsync(HttpMethod.Put, "/bench");

            Console.WriteLine($"S3: LocalShift vs s3rver 3.7.1 (node {NodeVersion()}), same client; {Clients} clients where stated; {Environment.ProcessorCount} cores, load average {LoadAverage()}");
            var results = new Dictionary<(string Figure, string Server), double>();

            var small = new byte[1 << 20];
            new Random(1).NextBytes(small);
            foreach (var (name, c) in servers)
            {
                // 16 clients, each writing its own 4 keys over and over (so the store's size stays put), then reading them.
                // Every key is written once first: on a loaded machine a client can do fewer than 4 PUTs in the timed
                // phase, and the GETs would then ask for a key never written (404).
                await Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
                {
                    for (var k = 0; k < 4; k++) await c.SendAsync(HttpMethod.Put, $"/bench/one/{client}-{k}", small);
                }));
                await ConcurrentAsync(c, TimeSpan.FromSeconds(0.5), (client, i) => c.SendAsync(HttpMethod.Put, $"/bench/one/{client}-{i % 4}", small));
                var put = await ConcurrentAsync(c, duration, (client, i) => c.SendAsync(HttpMethod.Put, $"/bench/one/{client}-{i % 4}", small), name == "s3rver" ? node : null);
                var get = await ConcurrentAsync(c, duration, (client, i) => c.SendAsync(HttpMethod.Get, $"/bench/one/{client}-{i % 4}"), name == "s3rver" ? node : null);
                (results[("PUT 1 MiB", name)], results[("GET 1 MiB", name)]) = (put.PerSecond, get.PerSecond);
                Console.WriteLine($"  {name,-10} PUT 1 MiB {put.PerSecond,8:N1}/s   GET 1 MiB {get.PerSecond,8:N1}/s   (load average {LoadAverage()})");
                // CPU per operation does not depend on the machine's load the way a rate does. This process runs the
                // client and LocalShift; in s3rver's phases it runs only the client (LocalShift idle), and node's CPU
                // is s3rver's. The tiered-compilation thread's CPU is left out (TieringCpu).
                Console.WriteLine($"  {"",-10} CPU per PUT: {put.CpuMs,5:N2} ms this process (JIT tiering left out){(put.ServerCpuMs is { } ps ? $" + {ps:N2} ms node" : "")}, {put.AllocatedKb,6:N0} KB allocated;"
                    + $" per GET: {get.CpuMs,5:N2} ms{(get.ServerCpuMs is { } gs ? $" + {gs:N2} ms node" : "")}, {get.AllocatedKb,6:N0} KB");
            }
            if (smallOnly)
            {
                if (localOnly) return 0;
                foreach (var figure in new[] { "PUT 1 MiB", "GET 1 MiB" })
                    Console.WriteLine($"  {figure}: {results[(figure, "LocalShift")] / results[(figure, "s3rver")]:N2}x s3rver");
                return 0;
            }

            // The big object: written once, then read into a file (what `aws s3 cp s3://… file` does) best of three.
            var big = new byte[BigSize];
            new Random(2).NextBytes(big);
            var source = Path.Combine(work, "big.source");
            await File.WriteAllBytesAsync(source, big);
            var target = Path.Combine(work, "big.target");
            results[("256 MiB GET", "raw copy")] = Best(3, () => RawCopy(source, target));
            Console.WriteLine($"  raw file copy of 256 MiB: {Mb(results[("256 MiB GET", "raw copy")], BigSize),8:N0} MB/s");
            foreach (var (name, c) in servers)
            {
                await c.SendAsync(HttpMethod.Put, "/bench/big", big);
                results[("256 MiB GET", name)] = await BestAsync(3, () => c.SendAsync(HttpMethod.Get, "/bench/big", read: async body =>
                {
                    await using var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
                    await body.CopyToAsync(file, 1 << 20);
                }));
                Console.WriteLine($"  {name,-10} GET 256 MiB into a file: {Mb(results[("256 MiB GET", name)], BigSize),8:N0} MB/s");
            }
            big = [];

            // 10,000 keys of 100 bytes, then complete listings (1,000 per page, ten pages).
            var tiny = new byte[100];
            foreach (var (name, c) in servers)
            {
                var fill = Stopwatch.StartNew();
                var next = -1;
                await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < ListedKeys) await c.SendAsync(HttpMethod.Put, $"/bench/list/{i:D6}", tiny);
                }));
                Console.WriteLine($"  {name,-10} wrote {ListedKeys:N0} 100-byte objects with {Clients} clients in {fill.Elapsed.TotalSeconds:N1} s ({ListedKeys / fill.Elapsed.TotalSeconds:N0}/s)");
                var keys = 0;
                results[("LIST 10,000 keys", name)] = await MeasureAsync(duration, async () => keys = await ListAllAsync(c, "list/"));
                if (keys != ListedKeys) throw new InvalidOperationException($"{name} listed {keys} keys, not {ListedKeys}");
                Console.WriteLine($"  {name,-10} full listing of {ListedKeys:N0} keys: {1000 / results[("LIST 10,000 keys", name)],8:N1} ms");
            }

            Console.WriteLine();
            Console.WriteLine("| figure | LocalShift | s3rver | ratio | goal |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var figure in new[] { "PUT 1 MiB", "GET 1 MiB" })
                Row(figure + $" ({Clients} clients), objects/s", results[(figure, "LocalShift")], results[(figure, "s3rver")], "N1", "≥ 5×");
            Row("256 MiB GET into a file, MB/s", Mb(results[("256 MiB GET", "LocalShift")], BigSize), Mb(results[("256 MiB GET", "s3rver")], BigSize), "N0", "≥ 5×");
            Row("listing 10,000 keys, listings/s", results[("LIST 10,000 keys", "LocalShift")], results[("LIST 10,000 keys", "s3rver")], "N2", "≥ 5×");
            var copy = results[("256 MiB GET", "raw copy")];
            Console.WriteLine($"| 256 MiB GET / raw file copy ({Mb(copy, BigSize):N0} MB/s) | {results[("256 MiB GET", "LocalShift")] / copy:N2} | {results[("256 MiB GET", "s3rver")] / copy:N2} | | ≥ 0.5 |");
            return 0;
        }
        finally
        {
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }

    private static void Row(string figure, double ours, double theirs, string format, string goal) =>
        Console.WriteLine($"| {figure} | {ours.ToString(format)} | {theirs.ToString(format)} | {ours / theirs:N1}× | {goal} |");

    private static double Mb(double perSecond, int size) => perSecond * size / (1 << 20);

    /// <summary>
    /// Operations per second with <see cref="Clients"/> concurrent loops, each numbering its own calls; with this
    /// process's CPU time, the bytes it allocated and (given <paramref name="server"/>) the server process's CPU time per operation.
    /// </summary>
    private static async Task<(double PerSecond, double CpuMs, double AllocatedKb, double? ServerCpuMs)> ConcurrentAsync(
        SignedS3Client c, TimeSpan duration, Func<int, int, Task> op, S3rverProcess? server = null)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - TieringCpu();
        var serverCpu = server?.CpuTime;
        var allocated = GC.GetTotalAllocatedBytes();
        var sw = Stopwatch.StartNew();
        var total = 0;
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
        {
            for (var i = 0; sw.Elapsed < duration; i++)
            {
                await op(client, i);
                Interlocked.Increment(ref total);
            }
        }));
        var perSecond = total / sw.Elapsed.TotalSeconds;
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - TieringCpu() - cpu).TotalMilliseconds / total;
        var allocatedKb = (GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / total;
        return (perSecond, cpuMs, allocatedKb, serverCpu is { } s0 ? (server!.CpuTime - s0).TotalMilliseconds / total : null);
    }

    /// <summary>
    /// CPU time of the runtime's tiered-compilation thread (Linux: /proc/self/task), left out of the CPU per operation:
    /// on a loaded machine it recompiles for most of a short run, and its share says nothing about an operation's cost.
    /// </summary>
    private static TimeSpan TieringCpu()
    {
        var ticks = 0L;
        try
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered", StringComparison.Ordinal)) continue;
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    ticks += long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime (fields 14 and 15 of stat)
                }
                catch (IOException) { }
            }
        }
        catch (IOException) { }
        return TimeSpan.FromMilliseconds(ticks * 10.0); // USER_HZ is 100 on Linux
    }

    private static async Task<double> MeasureAsync(TimeSpan duration, Func<Task> op)
    {
        await op(); // warm-up
        var sw = Stopwatch.StartNew();
        var count = 0;
        while (sw.Elapsed < duration || count < 3)
        {
            await op();
            count++;
        }
        return count / sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> BestAsync(int runs, Func<Task> op)
    {
        var best = 0.0;
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            await op();
            best = Math.Max(best, 1 / sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static double Best(int runs, Action op) => BestAsync(runs, () => { op(); return Task.CompletedTask; }).GetAwaiter().GetResult();

    /// <summary>What <c>cp</c> does: read the file and write a new one, 1 MiB at a time.</summary>
    private static void RawCopy(string source, string target)
    {
        using var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var to = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        from.CopyTo(to, 1 << 20);
    }

    /// <summary>
    /// Every key under a prefix, 1,000 per page, with ListObjects (v1, the marker being the last key of the page before):
    /// s3rver 3.7.1 cannot answer v2's continuation tokens on node 17 or later (it encrypts them with DES, which
    /// OpenSSL 3 no longer offers, and answers 500), and both servers list v1 and v2 pages from the same code.
    /// </summary>
    private static async Task<int> ListAllAsync(SignedS3Client c, string prefix)
    {
        string? marker = null;
        var keys = 0;
        while (true)
        {
            var query = new List<(string, string)> { ("max-keys", "1000"), ("prefix", prefix) };
            if (marker is not null) query.Add(("marker", marker));
            XDocument? doc = null;
            await c.SendAsync(HttpMethod.Get, "/bench", query: query, read: async body => doc = await XDocument.LoadAsync(body, LoadOptions.None, default));
            // By local name: s3rver's documents are not in S3's namespace.
            var root = doc!.Root!;
            var page = root.Elements().Where(e => e.Name.LocalName == "Contents")
                .Select(e => e.Elements().First(k => k.Name.LocalName == "Key").Value).ToList();
            keys += page.Count;
            if (root.Elements().FirstOrDefault(e => e.Name.LocalName == "IsTruncated")?.Value != "true" || page.Count == 0) return keys;
            marker = page[^1];
        }
    }

    private static string NodeVersion()
    {
        using var p = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
        var v = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return v;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static async Task<S3rverProcess> StartS3rverAsync(string script, string dir)
    {
        Directory.CreateDirectory(dir);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var psi = new ProcessStartInfo("node", [script, "-d", dir, "-a", "127.0.0.1", "-p", port.ToString(), "--silent"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("s3rver: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (started.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
        return new S3rverProcess(process, new Uri($"http://127.0.0.1:{port}/"));
    }

    private sealed class S3rverProcess(Process process, Uri endpoint) : IDisposable
    {
        public Uri Endpoint => endpoint;

        public TimeSpan CpuTime
        {
            get
            {
                process.Refresh();
                return process.TotalProcessorTime;
            }
        }

        public void Dispose()
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit();
            process.Dispose();
        }
    }
}
