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
        var seconds = args.Length > 0 && double.TryParse(args[0], out var s) ? s : 3;
        return RunAsync(TimeSpan.FromSeconds(seconds)).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(TimeSpan duration)
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
        foreach (var size in new[] { 1 << 20, 64 << 20 })
        {
            var body = new byte[size];
            new Random(size).NextBytes(body);
            var label = size >> 20;
            await MeasureAsync(() => bareS3.SendAsync(HttpMethod.Put, "/file", body), TimeSpan.FromSeconds(0.5)); // warm-up
            await MeasureAsync(() => s3.SendAsync(HttpMethod.Put, "/bench/obj", body), TimeSpan.FromSeconds(0.5));
            var barePut = await MeasureAsync(() => bareS3.SendAsync(HttpMethod.Put, "/file", body), duration);
            var put = await MeasureAsync(() => s3.SendAsync(HttpMethod.Put, "/bench/obj", body), duration);
            var bareGet = await MeasureAsync(() => bareS3.SendAsync(HttpMethod.Get, "/file"), duration);
            var get = await MeasureAsync(() => s3.SendAsync(HttpMethod.Get, "/bench/obj"), duration);
            Console.WriteLine($"{label,3} MB PUT: bare {Mb(barePut, size),8:N0} MB/s  LocalShift {Mb(put, size),8:N0} MB/s  ratio {put / barePut,5:N2}");
            Console.WriteLine($"{label,3} MB GET: bare {Mb(bareGet, size),8:N0} MB/s  LocalShift {Mb(get, size),8:N0} MB/s  ratio {get / bareGet,5:N2}");

            // The checksum's cost: in each round a PUT without one, then one with each algorithm, one after the other, so
            // that drift in the machine's load touches both sides of a ratio alike; the median of the rounds' ratios.
            const int rounds = 5;
            var ratios = S3Checksum.Algorithms.ToDictionary(a => a, _ => new List<double>());
            var headers = S3Checksum.Algorithms.ToDictionary(a => a, a => ("x-amz-checksum-" + a.ToLowerInvariant(), S3Checksum.Base64(a, body)));
            var roundTime = duration / 2;
            for (var round = 0; round < rounds; round++)
                foreach (var algorithm in S3Checksum.Algorithms)
                {
                    var without = await MeasureAsync(() => s3.SendAsync(HttpMethod.Put, "/bench/sum", body), roundTime);
                    var with = await MeasureAsync(() => s3.SendAsync(HttpMethod.Put, "/bench/sum", body, header: headers[algorithm]), roundTime);
                    ratios[algorithm].Add(with / without);
                }
            foreach (var algorithm in S3Checksum.Algorithms)
            {
                var sorted = ratios[algorithm].Order().ToList();
                Console.WriteLine($"{label,3} MB PUT with {algorithm,-9} / without: median {sorted[rounds / 2],5:N2}  (rounds {string.Join(" ", sorted.Select(r => r.ToString("N2")))})");
            }
            var sw = Stopwatch.StartNew();
            foreach (var algorithm in S3Checksum.Algorithms)
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
