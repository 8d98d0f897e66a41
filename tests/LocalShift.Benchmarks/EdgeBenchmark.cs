using System.Diagnostics;
using System.Net;
using System.Text;
using LocalShift.Aws.SigV4;
using LocalShift.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LocalShift.Benchmarks;

/// <summary>
/// Signed STS GetCallerIdentity requests per second through the whole edge (parse, SigV4 verify, dispatch, XML write)
/// against a bare Kestrel endpoint answering a constant 200, both in this process, same client, same request bytes.
/// </summary>
public sealed class EdgeBenchmark : IBenchmark
{
    public string Name => "edge";
    public string Description => "signed GetCallerIdentity req/s through LocalShift's edge vs bare Kestrel (goal >= 0.5)";

    private const string Body = "Action=GetCallerIdentity&Version=2011-06-15";

    public int Run(string[] args)
    {
        var seconds = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 5;
        var concurrency = 16;
        return RunAsync(TimeSpan.FromSeconds(seconds), concurrency).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(TimeSpan duration, int concurrency)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "localshift-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var options = ServerOptions.Parse(["--port", "0", "--data-dir", dataDir, "--log-level", "error"], new Dictionary<string, string>());
        await using var host = await LocalShiftHost.StartAsync(options, TextWriter.Null);
        await using var bare = await StartBareAsync();
        var bareUri = new Uri(bare.Urls.First());

        // Sign once against each endpoint's host header; the request stays valid for 15 minutes.
        var edgeRequest = Signed(host.Endpoint);
        var bareRequest = Signed(bareUri);

        await LoadAsync(host.Endpoint, edgeRequest, TimeSpan.FromSeconds(1), concurrency, expectOk: true); // warm-up
        await LoadAsync(bareUri, bareRequest, TimeSpan.FromSeconds(1), concurrency, expectOk: true);
        var (bareRate, bareCpu) = await MeasuredAsync(() => LoadAsync(bareUri, bareRequest, duration, concurrency, expectOk: true));
        var (edgeRate, edgeCpu) = await MeasuredAsync(() => LoadAsync(host.Endpoint, edgeRequest, duration, concurrency, expectOk: true));
        Console.WriteLine($"bare Kestrel constant 200 : {bareRate,10:N0} req/s");
        Console.WriteLine($"LocalShift GetCallerIdentity: {edgeRate,10:N0} req/s");
        Console.WriteLine($"ratio edge/bare            : {edgeRate / bareRate,10:N2}   (goal >= 0.75, issue 14; {concurrency} concurrent clients, {Environment.ProcessorCount} cores, client in the same process)");
        // The process's CPU time per request (client, server and runtime together) depends far less on what else the
        // machine runs than the request rate does; bare/edge of it is the same kind of ratio, less noisy under load.
        Console.WriteLine($"CPU per request bare / edge: {bareCpu,7:N1} µs / {edgeCpu,7:N1} µs   ratio {bareCpu / edgeCpu:N2}");
        try { Directory.Delete(dataDir, true); } catch (IOException) { }
        return 0;
    }

    /// <summary>A load's request rate and the process CPU time it took per request, in microseconds.</summary>
    private static async Task<(double Rate, double CpuMicros)> MeasuredAsync(Func<Task<(double Rate, long Count)>> load)
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var (rate, count) = await load();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - before;
        return (rate, cpu.TotalMicroseconds / Math.Max(1, count));
    }

    private static (string Date, string Authorization) Signed(Uri endpoint)
    {
        var now = DateTime.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'");
        var date = amzDate[..8];
        var host = endpoint.Authority;
        var headers = new List<(string, string)>
        {
            ("content-type", "application/x-www-form-urlencoded; charset=utf-8"), ("host", host), ("x-amz-date", amzDate),
        };
        var canonical = SigV4Signer.CanonicalRequest("POST", "/", "", headers, SigV4Signer.HexSha256(Body));
        var scope = $"{date}/us-east-1/sts/aws4_request";
        var signature = SigV4Signer.Signature(SigV4Signer.SigningKey("test", date, "us-east-1", "sts"), SigV4Signer.StringToSign(amzDate, scope, canonical));
        return (amzDate, $"AWS4-HMAC-SHA256 Credential=test/{scope}, SignedHeaders=content-type;host;x-amz-date, Signature={signature}");
    }

    private static async Task<(double Rate, long Count)> LoadAsync(Uri endpoint, (string Date, string Authorization) signed, TimeSpan duration, int concurrency, bool expectOk)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseProxy = false });
        long count = 0;
        var sw = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (sw.Elapsed < duration)
            {
                using var req = new HttpRequestMessage(HttpMethod.Post, endpoint)
                {
                    Content = new StringContent(Body, Encoding.UTF8, "application/x-www-form-urlencoded"),
                };
                req.Content.Headers.ContentType!.CharSet = "utf-8";
                req.Headers.TryAddWithoutValidation("X-Amz-Date", signed.Date);
                req.Headers.TryAddWithoutValidation("Authorization", signed.Authorization);
                using var resp = await http.SendAsync(req);
                await resp.Content.ReadAsByteArrayAsync();
                if (expectOk && resp.StatusCode != HttpStatusCode.OK)
                    throw new InvalidOperationException($"{endpoint} answered {(int)resp.StatusCode}: {await resp.Content.ReadAsStringAsync()}");
                Interlocked.Increment(ref count);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        return (count / sw.Elapsed.TotalSeconds, count);
    }

    private static async Task<WebApplication> StartBareAsync()
    {
        var b = WebApplication.CreateSlimBuilder();
        b.Logging.ClearProviders();
        b.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = b.Build();
        app.Run(ctx =>
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "text/xml";
            return ctx.Response.WriteAsync("<ok/>");
        });
        await app.StartAsync();
        return app;
    }
}
