using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LocalShift.Server;
using LocalShift.Sql.External;
using LocalShift.Sql.Tests.ExternalFunctions;
using Npgsql;

namespace LocalShift.Benchmarks;

/// <summary>
/// <c>SELECT sum(f(i)) FROM t</c> over 1,000,000 rows, f an external function whose Lambda is a warm node process
/// running an identity handler (<see cref="NodeFunctionInvoker"/>, persistent), against the same handler in the same
/// kind of process fed the very batches LocalShift sent, one after another, by a bare driver.
/// </summary>
public sealed class ExternalFunctionBenchmark : IBenchmark
{
    public string Name => "exfunc";
    public string Description => "SELECT sum(f(i)) over 1M rows through a node identity Lambda vs the bare node driver (goal >= 0.5)";

    private const string Identity = """
        exports.handler = async (event) => ({ success: true, num_records: event.num_records, results: event.arguments.map(a => a[0]) });
        """;

    public int Run(string[] args) => RunAsync(args.Length > 0 && int.TryParse(args[0], out var n) ? n : 1_000_000).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(int rows)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "localshift-bench-" + Guid.NewGuid().ToString("N")[..8]);
        using var lambda = new NodeFunctionInvoker(persistent: true);
        lambda.Define("identity", Identity);
        var sqlPort = Random.Shared.Next(30000, 50000);
        var options = ServerOptions.Parse(["--port", "0", "--data-dir", dataDir, "--log-level", "error", "--sql-port-start", sqlPort.ToString(),
            "--role-apply-delay", "0s", "--cluster-create-delay", "0s"], new Dictionary<string, string>());
        await using (var host = await LocalShiftHost.StartAsync(options, TextWriter.Null,
            services => services.AddSingleton<LocalShift.Sql.External.IFunctionInvoker>(lambda)))
        {
            var endpoint = host.Endpoint.ToString().TrimEnd('/');
            Aws(endpoint, "iam", "create-role", "--role-name", "bench", "--assume-role-policy-document",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""");
            Aws(endpoint, "redshift", "create-cluster", "--cluster-identifier", "bench", "--node-type", "dc2.large", "--master-username", "admin",
                "--master-user-password", "Passw0rdLocal", "--cluster-type", "single-node", "--iam-roles", "arn:aws:iam::123456789012:role/bench");
            await using var db = await ConnectAsync(endpoint);
            await Exec(db, $"create table t as select i from generate_series(1, {rows}) s(i)");
            await Exec(db, "create external function f(int) returns int stable lambda 'identity' iam_role 'arn:aws:iam::123456789012:role/bench'");
            await Exec(db, "select sum(f(i)) from t where i <= 10000"); // warm-up: role path, node process, JIT
            while (lambda.Invocations.TryDequeue(out _)) { }
            var (batches0, own0) = ExternalFunctionCalls.Totals;

            var sw = Stopwatch.StartNew();
            await using (var command = new NpgsqlCommand("select sum(f(i)) from t", db))
            {
                var sum = Convert.ToInt64(await command.ExecuteScalarAsync());
                if (sum != (long)rows * (rows + 1) / 2) throw new InvalidOperationException($"wrong sum {sum}");
            }
            var localShift = sw.Elapsed;
            var (batches1, own1) = ExternalFunctionCalls.Totals;
            var batches = batches1 - batches0;
            var own = own1 - own0;
            var payloads = lambda.Invocations.Select(i => Encoding.UTF8.GetBytes(i.Payload)).ToList();

            // The bare driver: the same handler in a fresh warm node process, the same batches, back to back.
            using var bare = new NodeFunctionInvoker(persistent: true);
            bare.Define("identity", Identity);
            var caller = LocalShift.Core.Principal.Root("123456789012");
            await bare.InvokeAsAsync(caller, "us-east-1", "identity", payloads[0], default);
            sw.Restart();
            foreach (var payload in payloads)
            {
                var answer = await bare.InvokeAsAsync(caller, "us-east-1", "identity", payload, default);
                using var doc = JsonDocument.Parse(answer.Payload);
                if (doc.RootElement.GetProperty("results").GetArrayLength() == 0) throw new InvalidOperationException("empty answer");
            }
            var driver = sw.Elapsed;

            Console.WriteLine($"rows                         : {rows:N0} in {batches:N0} batches (avg {rows / (double)Math.Max(batches, 1):N0} rows)");
            Console.WriteLine($"bare node driver             : {driver.TotalSeconds,8:N2} s  {rows / driver.TotalSeconds,12:N0} rows/s");
            Console.WriteLine($"LocalShift select sum(f(i))  : {localShift.TotalSeconds,8:N2} s  {rows / localShift.TotalSeconds,12:N0} rows/s");
            Console.WriteLine($"ratio LocalShift/bare        : {driver.TotalSeconds / localShift.TotalSeconds,8:N2}   (goal >= 0.50; {Environment.ProcessorCount} cores)");
            Console.WriteLine($"LocalShift's own time/batch  : {own.TotalMilliseconds / Math.Max(batches, 1),8:N3} ms  (building the request, reading the answer; goal < 1 ms)");
        }
        try { Directory.Delete(dataDir, true); } catch (IOException) { }
        return 0;
    }

    private static async Task Exec(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<NpgsqlConnection> ConnectAsync(string endpoint)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var doc = JsonDocument.Parse(Aws(endpoint, "redshift", "describe-clusters", "--cluster-identifier", "bench"));
            var cluster = doc.RootElement.GetProperty("Clusters")[0];
            if (cluster.GetProperty("ClusterStatus").GetString() == "available" && cluster.TryGetProperty("Endpoint", out var e)
                && cluster.GetProperty("IamRoles")[0].GetProperty("ApplyStatus").GetString() == "in-sync")
            {
                try
                {
                    var db = new NpgsqlConnection($"Host=127.0.0.1;Port={e.GetProperty("Port").GetInt32()};Username=admin;Password=Passw0rdLocal;Database=dev;" +
                                                  "Server Compatibility Mode=Redshift;Pooling=false;Command Timeout=600");
                    await db.OpenAsync();
                    return db;
                }
                catch (NpgsqlException) when (DateTime.UtcNow < deadline) { }
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("cluster not ready");
            await Task.Delay(200);
        }
    }

    private static string Aws(string endpoint, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/aws") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["--endpoint-url", endpoint, .. args]) psi.ArgumentList.Add(a);
        psi.Environment["AWS_ACCESS_KEY_ID"] = "test";
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        psi.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        psi.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"aws {string.Join(' ', args)}: {error}");
    }
}
