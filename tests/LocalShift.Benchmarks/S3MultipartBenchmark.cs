using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using LocalShift.Server;

namespace LocalShift.Benchmarks;

/// <summary>
/// S3 multipart uploads through the SigV4 endpoint, each against a single PutObject of the same bytes in the same run
/// (alternating rounds, the median of the rounds' ratios), so that the machine's load touches both sides alike:
/// a 64 MiB object as 8 parts of 8 MiB (CreateMultipartUpload, 8 UploadPart, CompleteMultipartUpload) against a 64 MiB PUT,
/// a 1 KiB one-part upload (three requests) against a 1 KiB PUT, and an 8 MiB UploadPartCopy against an 8 MiB PUT.
/// </summary>
public sealed class S3MultipartBenchmark : IBenchmark
{
    private static readonly XNamespace S3 = "http://s3.amazonaws.com/doc/2006-03-01/";

    public string Name => "multipart";
    public string Description => "S3 multipart uploads (64 MiB in 8 parts, 1 KiB in one, 8 MiB part copy) vs single PUTs of the same bytes";

    public int Run(string[] args)
    {
        var seconds = args.Length > 0 && double.TryParse(args[0], out var s) ? s : 3;
        return RunAsync(TimeSpan.FromSeconds(seconds), smallOnly: args.Contains("--small")).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(TimeSpan duration, bool smallOnly)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "localshift-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var options = ServerOptions.Parse(["--port", "0", "--data-dir", dataDir, "--log-level", "error"], new Dictionary<string, string>());
        await using var host = await LocalShiftHost.StartAsync(options, TextWriter.Null);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1 }) { Timeout = TimeSpan.FromMinutes(5) };
        var s3 = new SignedS3Client(http, host.Endpoint, "test", "test");
        await s3.SendAsync(HttpMethod.Put, "/bench");
        Console.WriteLine($"S3 multipart uploads vs single PUTs of the same bytes, one client, {Environment.ProcessorCount} cores");

        var part = new byte[8 << 20];
        new Random(8).NextBytes(part);
        var whole = new byte[64 << 20];
        for (var i = 0; i < 8; i++) part.CopyTo(whole, i * part.Length);
        var small = new byte[1024];
        new Random(1).NextBytes(small);
        await s3.SendAsync(HttpMethod.Put, "/bench/source", part);

        if (!smallOnly)
            await ReportAsync("64 MiB in 8 parts", whole.Length, duration,
                () => UploadAsync(s3, "/bench/mp", Enumerable.Repeat((part, ETag(part)), 8).ToList()),
                () => s3.SendAsync(HttpMethod.Put, "/bench/put", whole));
        await ReportAsync(" 1 KiB in 1 part ", small.Length, duration,
            () => UploadAsync(s3, "/bench/mp-small", [(small, ETag(small))]),
            () => s3.SendAsync(HttpMethod.Put, "/bench/put-small", small));
        if (smallOnly) return 0;
        var copyUpload = await CreateAsync(s3, "/bench/mp-copy");
        await ReportAsync(" 8 MiB part copy ", part.Length, duration,
            () => s3.SendAsync(HttpMethod.Put, "/bench/mp-copy", query: [("partNumber", "1"), ("uploadId", copyUpload)], header: ("x-amz-copy-source", "bench/source")),
            () => s3.SendAsync(HttpMethod.Put, "/bench/put-copy", part));
        try { Directory.Delete(dataDir, true); } catch (IOException) { }
        return 0;
    }

    /// <summary>Rounds of (multipart for half a round, PUT for half a round); MB/s of each side's median and the median ratio.</summary>
    private static async Task ReportAsync(string label, long bytes, TimeSpan duration, Func<Task> multipart, Func<Task> put)
    {
        await MeasureAsync(multipart, TimeSpan.FromSeconds(0.3)); // warm-up
        await MeasureAsync(put, TimeSpan.FromSeconds(0.3));
        const int rounds = 5;
        var ratios = new List<double>();
        var mps = new List<double>();
        var puts = new List<double>();
        var mpCpu = new List<double>();
        var putCpu = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var (p, pc) = await MeasureAsync(put, duration / 2);
            var (m, mc) = await MeasureAsync(multipart, duration / 2);
            puts.Add(p);
            mps.Add(m);
            putCpu.Add(pc);
            mpCpu.Add(mc);
            ratios.Add(m / p);
        }
        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        Console.WriteLine($"{label}: multipart {Median(mps) * bytes / (1 << 20),8:N1} MB/s ({Median(mps),7:N1}/s)  PUT {Median(puts) * bytes / (1 << 20),8:N1} MB/s"
                          + $"  multipart / PUT: median {Median(ratios),5:N2}  (rounds {string.Join(" ", ratios.Order().Select(r => r.ToString("N2")))})"
                          + $"  process CPU ms per upload {Median(mpCpu),7:N2}, per PUT {Median(putCpu),7:N2}");
    }

    private static async Task<string> CreateAsync(SignedS3Client s3, string path)
    {
        string? uploadId = null;
        await s3.SendAsync(HttpMethod.Post, path, query: [("uploads", "")], read: async stream =>
            uploadId = (await XDocument.LoadAsync(stream, LoadOptions.None, default)).Root!.Element(S3 + "UploadId")!.Value);
        return uploadId!;
    }

    /// <summary>A part's ETag: its MD5, as S3's is for an unencrypted or SSE-S3 part (computed once, outside the timing).</summary>
    private static string ETag(byte[] part) => $"\"{Convert.ToHexStringLower(MD5.HashData(part))}\"";

    private static async Task UploadAsync(SignedS3Client s3, string path, List<(byte[] Body, string ETag)> parts)
    {
        var uploadId = await CreateAsync(s3, path);
        var document = new StringBuilder("<CompleteMultipartUpload>");
        for (var i = 0; i < parts.Count; i++)
        {
            var n = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await s3.SendAsync(HttpMethod.Put, path, parts[i].Body, query: [("partNumber", n), ("uploadId", uploadId)]);
            document.Append($"<Part><PartNumber>{n}</PartNumber><ETag>{parts[i].ETag}</ETag></Part>");
        }
        document.Append("</CompleteMultipartUpload>");
        await s3.SendAsync(HttpMethod.Post, path, Encoding.UTF8.GetBytes(document.ToString()), query: [("uploadId", uploadId)]);
    }

    /// <summary>Operations per second, and the process's CPU time per operation (client and server: less load-bound than wall time).</summary>
    private static async Task<(double PerSecond, double CpuMs)> MeasureAsync(Func<Task> op, TimeSpan duration)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var count = 0;
        while (sw.Elapsed < duration || count < 2)
        {
            await op();
            count++;
        }
        process.Refresh();
        return (count / sw.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalMilliseconds / count);
    }
}
