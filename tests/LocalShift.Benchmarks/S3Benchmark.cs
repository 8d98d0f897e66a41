using System.Diagnostics;
using System.Net;
using LocalShift.Server;
using LocalShift.Services.S3;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LocalShift.Benchmarks;

/// <summary>
/// S3 PUT and GET of 1 MB and 64 MB objects through the SigV4 endpoint (signed headers, UNSIGNED-PAYLOAD as the SDKs
/// send over TLS) against a bare Kestrel endpoint in the same process that writes the body to a local file (flushed) and
/// reads it back, same client, same bytes. Then the cost of each additional checksum: PUT throughput with
/// x-amz-checksum-* against PUT without, in alternating rounds (issue 19's goal: at most 10% lower, every algorithm).
/// </summary>
public sealed class S3Benchmark : IBenchmark
{
    public string Name => "s3";
    public string Description => "S3 PUT/GET MB/s of 1 MB and 64 MB objects vs a bare Kestrel file writer; checksum cost per algorithm";

    public int Run(string[] args)
    {
        // s3 [seconds] [--sizes 1,64] [--algorithms SHA256,CRC32] [--rounds 5] [--checksums-only]
        var seconds = args.Length > 0 && double.TryParse(args[0], out var s) ? s : 3;
        var sizes = Option(args, "--sizes")?.Split(',').Select(int.Parse).ToArray() ?? [1, 64];
        var algorithms = Option(args, "--algorithms")?.Split(',').Select(a => S3Checksum.Canonical(a) ?? throw new ArgumentException(a)).ToArray()
            ?? S3Checksum.Algorithms.ToArray();
        var rounds = int.TryParse(Option(args, "--rounds"), out var r) ? r : 5;
        return RunAsync(TimeSpan.FromSeconds(seconds), sizes, algorithms, rounds, args.Contains("--checksums-only")).GetAwaiter().GetResult();
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static async Task<int> RunAsync(TimeSpan duration, int[] sizesMb, string[] algorithms, int rounds, bool checksumsOnly)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "localshift-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var options = ServerOptions.Parse(["--port", "0", "--data-dir", dataDir, "--log-level", "error"], new Dictionary<string, string>());
        await using var host = await LocalShiftHost.StartAsync(options, TextWriter.Null);
        var bareDir = Directory.CreateTempSubdirectory("localshift-bench-bare-").FullName;
        await using var bare = await StartBareAsync(bareDir);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1 }) { Timeout = TimeSpan.FromMinutes(5) };
        var s3 = new SignedS3Client(http, host.Endpoint, "test", "test");
        var bareS3 = new SignedS3Client(http, new Uri(bare.Urls.First()), "test", "test");
        await s3.SendAsync(HttpMethod.Put, "/bench");

        Console.WriteLine($"S3 through the SigV4 endpoint vs bare Kestrel writing/reading a file; one client, {Environment.ProcessorCount} cores");
        foreach (var size in sizesMb.Select(m => m << 20))
        {
            var body = new byte[size];
            new Random(size).NextBytes(body);
            var label = size >> 20;
            await MeasureAsync(() => bareS3.SendAsync(HttpMethod.Put, "/file", body), TimeSpan.FromSeconds(0.5)); // warm-up
            await MeasureAsync(() => s3.SendAsync(HttpMethod.Put, "/bench/obj", body), TimeSpan.FromSeconds(0.5));
            if (!checksumsOnly)
            {
                var barePut = await MeasureAsync(() => bareS3.SendAsync(HttpMethod.Put, "/file", body), duration);
                var put = await MeasureAsync(() => s3.SendAsync(HttpMethod.Put, "/bench/obj", body), duration);
                var bareGet = await MeasureAsync(() => bareS3.SendAsync(HttpMethod.Get, "/file"), duration);
                var get = await MeasureAsync(() => s3.SendAsync(HttpMethod.Get, "/bench/obj"), duration);
                Console.WriteLine($"{label,3} MB PUT: bare {Mb(barePut, size),8:N0} MB/s  LocalShift {Mb(put, size),8:N0} MB/s  ratio {put / barePut,5:N2}");
                Console.WriteLine($"{label,3} MB GET: bare {Mb(bareGet, size),8:N0} MB/s  LocalShift {Mb(get, size),8:N0} MB/s  ratio {get / bareGet,5:N2}");
            }

            // The checksum's cost: in each round a PUT without one, then one with each algorithm, one after the other, so
            // that drift in the machine's load touches both sides of a ratio alike; the median of the rounds' ratios.
            // The process's CPU time per PUT (client, server, runtime) beside it: far less sensitive to the machine's load
            // than the wall clock, it says how much work the checksum adds, not whether that work was hidden on an idle core.
            var ratios = algorithms.ToDictionary(a => a, _ => new List<double>());
            var cpuAdded = algorithms.ToDictionary(a => a, _ => new List<double>());
            var headers = algorithms.ToDictionary(a => a, a => ("x-amz-checksum-" + a.ToLowerInvariant(), S3Checksum.Base64(a, body)));
            var roundTime = duration / 2;
            for (var round = 0; round < rounds; round++)
                foreach (var algorithm in algorithms)
                {
                    var (without, withoutCpu) = await MeasureCpuAsync(() => s3.SendAsync(HttpMethod.Put, "/bench/sum", body), roundTime);
                    var (with, withCpu) = await MeasureCpuAsync(() => s3.SendAsync(HttpMethod.Put, "/bench/sum", body, header: headers[algorithm]), roundTime);
                    ratios[algorithm].Add(with / without);
                    cpuAdded[algorithm].Add(withCpu - withoutCpu);
                }
            foreach (var algorithm in algorithms)
            {
                var sorted = ratios[algorithm].Order().ToList();
                var cpu = cpuAdded[algorithm].Order().ToList();
                Console.WriteLine($"{label,3} MB PUT with {algorithm,-9} / without: median {sorted[rounds / 2],5:N2}  (rounds {string.Join(" ", sorted.Select(r => r.ToString("N2")))})"
                    + $"  CPU ms added per PUT: median {cpu[rounds / 2],6:N1}");
            }
            var sw = Stopwatch.StartNew();
            foreach (var algorithm in algorithms)
            {
                sw.Restart();
                var count = 0;
                while (sw.Elapsed < TimeSpan.FromSeconds(0.5)) { S3Checksum.Base64(algorithm, body); count++; }
                Console.WriteLine($"{label,3} MB {algorithm,-9} alone: {Mb(count / sw.Elapsed.TotalSeconds, size),8:N0} MB/s");
            }
            sw.Restart();
            var md5Rounds = 0;
            while (sw.Elapsed < TimeSpan.FromSeconds(0.5)) { System.Security.Cryptography.MD5.HashData(body); md5Rounds++; }
            Console.WriteLine($"{label,3} MB MD5 (the ETag) alone: {Mb(md5Rounds / sw.Elapsed.TotalSeconds, size),8:N0} MB/s");
        }
        try { Directory.Delete(dataDir, true); Directory.Delete(bareDir, true); } catch (IOException) { }
        return 0;
    }

    private static double Mb(double perSecond, int size) => perSecond * size / (1 << 20);

    /// <summary>Operations per second, and the process's CPU milliseconds per operation.</summary>
    private static async Task<(double PerSecond, double CpuMs)> MeasureCpuAsync(Func<Task> op, TimeSpan duration)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var count = 0;
        while (sw.Elapsed < duration || count < 3)
        {
            await op();
            count++;
        }
        var wall = sw.Elapsed.TotalSeconds;
        return (count / wall, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / count);
    }

    private static async Task<double> MeasureAsync(Func<Task> op, TimeSpan duration)
    {
        var sw = Stopwatch.StartNew();
        var count = 0;
        while (sw.Elapsed < duration || count < 3)
        {
            await op();
            count++;
        }
        return count / sw.Elapsed.TotalSeconds;
    }

    /// <summary>The baseline: PUT writes the body to a file (flushed, as the store flushes), GET streams it back.</summary>
    private static async Task<WebApplication> StartBareAsync(string dir)
    {
        var b = WebApplication.CreateSlimBuilder();
        b.Logging.ClearProviders();
        b.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = b.Build();
        var file = Path.Combine(dir, "object");
        app.Run(async ctx =>
        {
            if (HttpMethods.IsPut(ctx.Request.Method))
            {
                var temp = file + ".tmp";
                await using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                {
                    await ctx.Request.Body.CopyToAsync(f);
                    f.Flush(flushToDisk: true);
                }
                File.Move(temp, file, overwrite: true);
                ctx.Response.StatusCode = 200;
                return;
            }
            await using var read = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            ctx.Response.ContentLength = read.Length;
            await read.CopyToAsync(ctx.Response.Body);
        });
        await app.StartAsync();
        return app;
    }
}
