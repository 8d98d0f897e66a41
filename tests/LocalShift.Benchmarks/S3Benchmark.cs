using System.Diagnostics;
using System.Net;
using LocalShift.Aws.SigV4;
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
/// x-amz-checksum-* against PUT without (goal: at most 10% lower for the SDKs' default CRC32).
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
        var bareUri = new Uri(bare.Urls.First());
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1 }) { Timeout = TimeSpan.FromMinutes(5) };
        await SendAsync(http, host.Endpoint, HttpMethod.Put, "/bench", null, null);

        Console.WriteLine($"S3 through the SigV4 endpoint vs bare Kestrel writing/reading a file; one client, {Environment.ProcessorCount} cores");
        foreach (var size in new[] { 1 << 20, 64 << 20 })
        {
            var body = new byte[size];
            new Random(size).NextBytes(body);
            var label = size >> 20;
            await MeasureAsync(() => SendAsync(http, bareUri, HttpMethod.Put, "/file", body, null), TimeSpan.FromSeconds(0.5)); // warm-up
            await MeasureAsync(() => SendAsync(http, host.Endpoint, HttpMethod.Put, "/bench/obj", body, null), TimeSpan.FromSeconds(0.5));
            var barePut = await MeasureAsync(() => SendAsync(http, bareUri, HttpMethod.Put, "/file", body, null), duration);
            var put = await MeasureAsync(() => SendAsync(http, host.Endpoint, HttpMethod.Put, "/bench/obj", body, null), duration);
            var bareGet = await MeasureAsync(() => SendAsync(http, bareUri, HttpMethod.Get, "/file", null, null), duration);
            var get = await MeasureAsync(() => SendAsync(http, host.Endpoint, HttpMethod.Get, "/bench/obj", null, null), duration);
            Console.WriteLine($"{label,3} MB PUT: bare {Mb(barePut, size),8:N0} MB/s  LocalShift {Mb(put, size),8:N0} MB/s  ratio {put / barePut,5:N2}");
            Console.WriteLine($"{label,3} MB GET: bare {Mb(bareGet, size),8:N0} MB/s  LocalShift {Mb(get, size),8:N0} MB/s  ratio {get / bareGet,5:N2}");
            foreach (var algorithm in S3Checksum.Algorithms)
            {
                var header = ("x-amz-checksum-" + algorithm.ToLowerInvariant(), S3Checksum.Base64(algorithm, body));
                var withSum = await MeasureAsync(() => SendAsync(http, host.Endpoint, HttpMethod.Put, "/bench/sum", body, header), duration);
                Console.WriteLine($"{label,3} MB PUT with {algorithm,-9}: {Mb(withSum, size),8:N0} MB/s  ratio to PUT without {withSum / put,5:N2}");
            }
            var sw = Stopwatch.StartNew();
            var rounds = 0;
            foreach (var algorithm in S3Checksum.Algorithms)
            {
                sw.Restart();
                rounds = 0;
                while (sw.Elapsed < TimeSpan.FromSeconds(0.5)) { S3Checksum.Base64(algorithm, body); rounds++; }
                Console.WriteLine($"{label,3} MB {algorithm,-9} alone: {Mb(rounds / sw.Elapsed.TotalSeconds, size),8:N0} MB/s");
            }
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

    private static async Task SendAsync(HttpClient http, Uri endpoint, HttpMethod method, string path, byte[]? body, (string Name, string Value)? extra)
    {
        var amzDate = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'");
        var date = amzDate[..8];
        var headers = new List<(string, string)> { ("host", endpoint.Authority), ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"), ("x-amz-date", amzDate) };
        if (extra is { } e) headers.Insert(0, (e.Name, e.Value));
        var canonical = SigV4Signer.CanonicalRequest(method.Method, path, "", headers, "UNSIGNED-PAYLOAD");
        var scope = $"{date}/us-east-1/s3/aws4_request";
        var signature = SigV4Signer.Signature(SigV4Signer.SigningKey("test", date, "us-east-1", "s3"), SigV4Signer.StringToSign(amzDate, scope, canonical));
        using var req = new HttpRequestMessage(method, new Uri(endpoint, path));
        if (body is not null) req.Content = new ByteArrayContent(body);
        foreach (var (name, value) in headers)
            if (name != "host") req.Headers.TryAddWithoutValidation(name, value);
        req.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential=test/{scope}, SignedHeaders={string.Join(';', headers.Select(h => h.Item1))}, Signature={signature}");
        using var resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        await resp.Content.CopyToAsync(Stream.Null);
        if (resp.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{method} {path} answered {(int)resp.StatusCode}");
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
