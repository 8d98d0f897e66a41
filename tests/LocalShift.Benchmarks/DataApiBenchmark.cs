using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LocalShift.Aws.SigV4;
using LocalShift.Server;
using Npgsql;

namespace LocalShift.Benchmarks;

/// <summary>
/// A small SELECT through the Data API (ExecuteStatement, DescribeStatement until FINISHED, GetStatementResult; signed
/// JSON requests over HTTP to a server in this process) against the same SELECT over PG-wire with Npgsql on the same
/// cluster, same run. Reports the mean time of each and the ratio Data API / PG-wire (how many times slower the
/// asynchronous HTTP round trips are). Options: --statements N (default 200).
/// </summary>
public sealed class DataApiBenchmark : IBenchmark
{
    public string Name => "dataapi";
    public string Description => "a small SELECT through the Data API vs the same SELECT over PG-wire (ratio)";

    private const string Select = "SELECT id, name FROM bench_small WHERE id <= 10 ORDER BY id";

    public int Run(string[] args)
    {
        var statements = args.SkipWhile(a => a != "--statements").Skip(1).Select(int.Parse).FirstOrDefault(200);
        return RunAsync(statements).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int statements)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "localshift-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var sqlPort = PostgresServer.FreePort();
        var options = ServerOptions.Parse(["--port", "0", "--data-dir", dataDir, "--log-level", "error", "--sql-port-start", sqlPort.ToString(),
            "--cluster-create-delay", "0s"], new Dictionary<string, string>());
        await using (var host = await LocalShiftHost.StartAsync(options, TextWriter.Null))
        {
            using var http = new HttpClient();
            await PostAsync(http, host.Endpoint, "redshift", null,
                "Action=CreateCluster&Version=2012-12-01&ClusterIdentifier=bench&NodeType=dc2.large&MasterUsername=bench&MasterUserPassword=Bench1234&ClusterType=single-node");
            var connection = $"Host=127.0.0.1;Port={sqlPort};Username=bench;Password=Bench1234;Database=dev;Pooling=false";
            await using var pg = await OpenWhenListeningAsync(connection);
            await using (var create = new NpgsqlCommand("CREATE TABLE bench_small AS SELECT i AS id, 'name ' || CAST(i AS VARCHAR) AS name FROM generate_series(1, 1000) AS g(i)", pg))
                await create.ExecuteNonQueryAsync();

            async Task DataApiOnce()
            {
                var id = (await PostAsync(http, host.Endpoint, "redshift-data", "RedshiftData.ExecuteStatement",
                    JsonSerializer.Serialize(new { ClusterIdentifier = "bench", Database = "dev", DbUser = "bench", Sql = Select }))).GetProperty("Id").GetString();
                while (true)
                {
                    var d = await PostAsync(http, host.Endpoint, "redshift-data", "RedshiftData.DescribeStatement", JsonSerializer.Serialize(new { Id = id }));
                    var status = d.GetProperty("Status").GetString();
                    if (status == "FINISHED") break;
                    if (status is "FAILED" or "ABORTED") throw new InvalidOperationException(d.ToString());
                }
                var r = await PostAsync(http, host.Endpoint, "redshift-data", "RedshiftData.GetStatementResult", JsonSerializer.Serialize(new { Id = id }));
                if (r.GetProperty("Records").GetArrayLength() != 10) throw new InvalidOperationException(r.ToString());
            }

            async Task PgWireOnce()
            {
                await using var command = new NpgsqlCommand(Select, pg);
                await using var reader = await command.ExecuteReaderAsync();
                var rows = 0;
                while (await reader.ReadAsync()) rows++;
                if (rows != 10) throw new InvalidOperationException($"{rows} rows");
            }

            for (var i = 0; i < 20; i++) { await DataApiOnce(); await PgWireOnce(); } // warm-up
            var pgTime = await TimeAsync(PgWireOnce, statements);
            var apiTime = await TimeAsync(DataApiOnce, statements);
            Console.WriteLine($"dataapi: {statements} statements of `{Select}` (10 rows), {Environment.ProcessorCount} cores, client in the same process");
            Console.WriteLine($"PG-wire (Npgsql)                    : {pgTime.TotalMilliseconds / statements,8:N2} ms per statement");
            Console.WriteLine($"Data API (execute, poll, result)    : {apiTime.TotalMilliseconds / statements,8:N2} ms per statement");
            Console.WriteLine($"ratio Data API / PG-wire            : {apiTime / pgTime,8:N1}");
        }
        try { Directory.Delete(dataDir, true); } catch (IOException) { }
        return 0;
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> once, int n)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) await once();
        return sw.Elapsed;
    }

    private static async Task<NpgsqlConnection> OpenWhenListeningAsync(string connectionString)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var connection = new NpgsqlConnection(connectionString);
            try
            {
                await connection.OpenAsync();
                return connection;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await connection.DisposeAsync();
                await Task.Delay(50);
            }
        }
    }

    /// <summary>A SigV4-signed POST as the root keys: the query protocol when <paramref name="target"/> is null, else json 1.1.</summary>
    private static async Task<JsonElement> PostAsync(HttpClient http, Uri endpoint, string service, string? target, string body)
    {
        var contentType = target is null ? "application/x-www-form-urlencoded; charset=utf-8" : "application/x-amz-json-1.1";
        var amzDate = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'");
        var date = amzDate[..8];
        var headers = new List<(string, string)> { ("content-type", contentType), ("host", endpoint.Authority), ("x-amz-date", amzDate) };
        if (target is not null) headers.Add(("x-amz-target", target));
        var canonical = SigV4Signer.CanonicalRequest("POST", "/", "", headers, SigV4Signer.HexSha256(body));
        var scope = $"{date}/us-east-1/{service}/aws4_request";
        var signature = SigV4Signer.Signature(SigV4Signer.SigningKey("test", date, "us-east-1", service), SigV4Signer.StringToSign(amzDate, scope, canonical));
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (target is not null) request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        var signed = string.Join(';', headers.Select(h => h.Item1));
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=test/{scope}, SignedHeaders={signed}, Signature={signature}");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{service} {target}: {(int)response.StatusCode} {text}");
        return target is null ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
