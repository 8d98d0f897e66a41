using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LocalShift.Server;
using LocalShift.Sql.External;
using LocalShift.Sql.Tests.ExternalFunctions;
using Npgsql;

namespace LocalShift.Benchmarks;

/// <summary>
/// <c>SELECT sum(f(i)) FROM t</c> over 1,000,000 rows, f an external function running a node identity handler, two
/// ways: through LocalShift's own Lambda (the function created with <c>aws lambda create-function</c>, run by the
/// Runtime API, as users run it) and through a stand-in invoker (<see cref="NodeFunctionInvoker"/>, persistent: one
/// warm node process fed one batch per line, which leaves only the SQL side's cost). Both beside the bare driver: the
/// same handler in a fresh node process fed the very batches LocalShift sent, back to back. The three are interleaved
/// in rounds because the machine is shared. Also: the function's cold start (the first query) beside <c>node -e 0</c>,
/// and LocalShift's own CPU time per batch (building the request, reading the answer) measured apart from the query.
/// </summary>
public sealed class ExternalFunctionBenchmark : IBenchmark
{
    public string Name => "exfunc";
    public string Description => "SELECT sum(f(i)) over 1M rows through a node identity Lambda vs the bare node driver (goal >= 0.5)";

    private const string Identity = """
        exports.handler = async (event) => ({ success: true, num_records: event.num_records, results: event.arguments.map(a => a[0]) });
        """;

    private const string Account = "123456789012";

    public int Run(string[] args) => RunAsync(
        args.Length > 0 && int.TryParse(args[0], out var n) ? n : 1_000_000,
        args.Length > 1 && int.TryParse(args[1], out var r) ? r : 3).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(int rows, int rounds)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "localshift-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            return await RunAsync(dataDir, rows, rounds);
        }
        finally
        {
            // Only once both servers have stopped: their last state-store writes at shutdown need their data.
            try { Directory.Delete(dataDir, true); } catch (IOException) { }
        }
    }

    private static async Task<int> RunAsync(string dataDir, int rows, int rounds)
    {
        var work = Path.Combine(dataDir, "work");
        Directory.CreateDirectory(work);
        using var standIn = new NodeFunctionInvoker(persistent: true);
        standIn.Define("identity", Identity);
        var sqlPort = Random.Shared.Next(30000, 45000);
        await using var standInHost = await LocalShiftHost.StartAsync(Options(Path.Combine(dataDir, "standin"), sqlPort), TextWriter.Null,
            services => services.AddSingleton<LocalShift.Sql.External.IFunctionInvoker>(standIn));
        await using var lambdaHost = await LocalShiftHost.StartAsync(Options(Path.Combine(dataDir, "lambda"), sqlPort + 1000), TextWriter.Null);

        // The real function: a zip, an execution role, and the cluster's role allowed to invoke it.
        var lambdaEndpoint = lambdaHost.Endpoint.ToString().TrimEnd('/');
        await File.WriteAllTextAsync(Path.Combine(work, "index.js"), Identity);
        RunProgram("zip", work, "-q", "fn.zip", "index.js");
        Aws(lambdaEndpoint, "iam", "create-role", "--role-name", "fn", "--assume-role-policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}""");
        Aws(lambdaEndpoint, "lambda", "create-function", "--function-name", "identity", "--runtime", "nodejs20.x", "--handler", "index.handler",
            "--role", $"arn:aws:iam::{Account}:role/fn", "--zip-file", "fileb://" + Path.Combine(work, "fn.zip"));

        await using var standInDb = await SetUpAsync(standInHost, rows);
        await using var lambdaDb = await SetUpAsync(lambdaHost, rows);

        // Cold start: the first statement that calls the function starts its node process; beside node alone and the
        // same statement again, warm.
        var nodeAlone = Stopwatch.StartNew();
        RunProgram("node", work, "-e", "0");
        var nodeMs = nodeAlone.Elapsed.TotalMilliseconds;
        var first = await TimedAsync(lambdaDb, "select f(1)");
        var again = await TimedAsync(lambdaDb, "select f(1)");

        await Exec(standInDb, "select sum(f(i)) from t where i <= 10000"); // warm-up: role path, node process, JIT
        await Exec(lambdaDb, "select sum(f(i)) from t where i <= 10000");
        while (standIn.Invocations.TryDequeue(out _)) { }

        var caller = LocalShift.Core.Principal.Root(Account);
        using var bare = new NodeFunctionInvoker(persistent: true);
        bare.Define("identity", Identity);
        List<byte[]>? payloads = null;
        var answers = new List<byte[]>();
        var table = new List<(double Bare, double StandIn, double Lambda, long Batches, double OwnMs)>();
        var cpu = new List<(double Bare, double Own, double Node)>();
        Console.WriteLine($"{"round",5} | {"bare s",7} | {"stand-in s",10} | {"Lambda s",8} | bare/stand-in | bare/Lambda | own ms/batch (wall, stand-in)");
        for (var round = 1; round <= rounds; round++)
        {
            var (batches0, own0) = ExternalFunctionCalls.Totals;
            var standInTime = await SumAsync(standInDb, rows);
            var (batches1, own1) = ExternalFunctionCalls.Totals;
            payloads ??= standIn.Invocations.Select(i => Encoding.UTF8.GetBytes(i.Payload)).ToList();
            while (standIn.Invocations.TryDequeue(out _)) { }

            // The bare driver: the same handler in a warm node process of its own, the same batches, back to back.
            if (round == 1) await bare.InvokeAsAsync(caller, "us-east-1", "identity", payloads[0], default);
            var bareCpu0 = ChildrenCpu();
            var sw = Stopwatch.StartNew();
            foreach (var payload in payloads)
            {
                var answer = await bare.InvokeAsAsync(caller, "us-east-1", "identity", payload, default);
                if (round == 1) answers.Add(answer.Payload);
            }
            var bareTime = sw.Elapsed;
            var bareCpu = ChildrenCpu() - bareCpu0;
            var (ownCpu0, nodeCpu0) = (Process.GetCurrentProcess().TotalProcessorTime, ChildrenCpu());
            var lambdaTime = await SumAsync(lambdaDb, rows);
            var (ownCpu, nodeCpu) = (Process.GetCurrentProcess().TotalProcessorTime - ownCpu0, ChildrenCpu() - nodeCpu0);
            cpu.Add((bareCpu.TotalSeconds, ownCpu.TotalSeconds, nodeCpu.TotalSeconds));
            Console.WriteLine($"      CPU s: bare node {bareCpu.TotalSeconds:N2}; through Lambda LocalShift {ownCpu.TotalSeconds:N2} + node {nodeCpu.TotalSeconds:N2}");

            var batches = batches1 - batches0;
            var ownMs = (own1 - own0).TotalMilliseconds / Math.Max(batches, 1);
            table.Add((bareTime.TotalSeconds, standInTime.TotalSeconds, lambdaTime.TotalSeconds, batches, ownMs));
            Console.WriteLine($"{round,5} | {bareTime.TotalSeconds,7:N2} | {standInTime.TotalSeconds,10:N2} | {lambdaTime.TotalSeconds,8:N2} | " +
                              $"{bareTime.TotalSeconds / standInTime.TotalSeconds,13:N2} | {bareTime.TotalSeconds / lambdaTime.TotalSeconds,11:N2} | {ownMs,6:N3}");
        }

        // LocalShift's own work per batch, alone: size the rows, write the request, read the answer (CPU time).
        var header = Header(payloads![0]);
        var writer = new LambdaBatch.RequestWriter(header);
        var batchRows = payloads.Select(RowsOf).ToList();
        var integer = LambdaType.Parse("integer");
        var (_, perCpuSecond) = Measure.Throughput(Enumerable.Range(0, payloads.Count).ToList(), k =>
        {
            var rowsOfBatch = batchRows[k];
            var sizes = new int[rowsOfBatch.Length];
            for (var i = 0; i < sizes.Length; i++) sizes[i] = Encoding.UTF8.GetByteCount(rowsOfBatch[i]);
            writer.Write(Guid.NewGuid().ToString(), rowsOfBatch, sizes);
            LambdaBatch.Results(answers[k], rowsOfBatch.Length, integer, "public.f");
        }, TimeSpan.FromSeconds(2));

        double Median(Func<(double Bare, double StandIn, double Lambda, long Batches, double OwnMs), double> f)
        {
            var sorted = table.Select(f).Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
        Console.WriteLine($"rows                          : {rows:N0} in {table[0].Batches:N0} batches (avg {rows / (double)Math.Max(table[0].Batches, 1):N0} rows)");
        Console.WriteLine($"bare node driver (median)     : {Median(x => x.Bare),8:N2} s  {rows / Median(x => x.Bare),12:N0} rows/s");
        Console.WriteLine($"LocalShift, stand-in (median) : {Median(x => x.StandIn),8:N2} s  {rows / Median(x => x.StandIn),12:N0} rows/s");
        Console.WriteLine($"LocalShift, Lambda (median)   : {Median(x => x.Lambda),8:N2} s  {rows / Median(x => x.Lambda),12:N0} rows/s");
        Console.WriteLine($"ratio bare/LocalShift (median): stand-in {Median(x => x.Bare / x.StandIn):N2}, Lambda {Median(x => x.Bare / x.Lambda):N2}   (goal >= 0.50; {Environment.ProcessorCount} cores)");
        var cpuSorted = cpu.OrderBy(c => c.Own + c.Node).ToList();
        var (bareMid, ownMid, nodeMid) = cpuSorted[(cpuSorted.Count - 1) / 2];
        Console.WriteLine($"CPU of the query via Lambda   : LocalShift {ownMid:N2} s + node {nodeMid:N2} s = {ownMid + nodeMid:N2} s; bare node {bareMid:N2} s " +
                          $"(lower of the middle rounds; on {Environment.ProcessorCount} cores the wall time cannot fall below {(ownMid + nodeMid) / Environment.ProcessorCount:N2} s)");
        Console.WriteLine($"own time/batch in the query   : {Median(x => x.OwnMs),8:N3} ms wall (median; goal < 1 ms)");
        Console.WriteLine($"own time/batch alone          : {1000 / perCpuSecond,8:N3} ms CPU (size rows, write request, read answer)");
        Console.WriteLine($"node -e 0                     : {nodeMs,8:N1} ms");
        Console.WriteLine($"first query calling f (cold)  : {first,8:N1} ms; again, warm: {again:N1} ms; cold start beyond warm / node -e 0: {(first - again) / nodeMs:N2}");
        return 0;
    }

    /// <summary>User and system CPU time of this process's child processes (the node processes: the bare driver, the stand-in, the Lambda instances).</summary>
    private static TimeSpan ChildrenCpu()
    {
        var me = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!char.IsAsciiDigit(Path.GetFileName(dir)[0])) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // After "(comm)": state ppid … utime(14) stime(15), counting from the pid as field 1.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[1] != me) continue;
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ
    }

    private static ServerOptions Options(string dataDir, int sqlPort) => ServerOptions.Parse(["--port", "0", "--data-dir", dataDir, "--log-level", "error",
        "--sql-port-start", sqlPort.ToString(CultureInfo.InvariantCulture), "--role-apply-delay", "0s", "--cluster-create-delay", "0s"], new Dictionary<string, string>());

    /// <summary>The cluster's role (allowed to invoke the function), the cluster, the table and the function.</summary>
    private static async Task<NpgsqlConnection> SetUpAsync(LocalShiftHost host, int rows)
    {
        var endpoint = host.Endpoint.ToString().TrimEnd('/');
        Aws(endpoint, "iam", "create-role", "--role-name", "bench", "--assume-role-policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""");
        Aws(endpoint, "iam", "put-role-policy", "--role-name", "bench", "--policy-name", "invoke", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*"}]}""");
        Aws(endpoint, "redshift", "create-cluster", "--cluster-identifier", "bench", "--node-type", "dc2.large", "--master-username", "admin",
            "--master-user-password", "Passw0rdLocal", "--cluster-type", "single-node", "--iam-roles", $"arn:aws:iam::{Account}:role/bench");
        var db = await ConnectAsync(endpoint);
        await Exec(db, $"create table t as select i from generate_series(1, {rows}) s(i)");
        await Exec(db, $"create external function f(int) returns int stable lambda 'identity' iam_role 'arn:aws:iam::{Account}:role/bench'");
        return db;
    }

    private static async Task<TimeSpan> SumAsync(NpgsqlConnection db, int rows)
    {
        var sw = Stopwatch.StartNew();
        await using var command = new NpgsqlCommand("select sum(f(i)) from t", db);
        var sum = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        if (sum != (long)rows * (rows + 1) / 2) throw new InvalidOperationException($"wrong sum {sum}");
        return sw.Elapsed;
    }

    private static async Task<double> TimedAsync(NpgsqlConnection db, string sql)
    {
        var sw = Stopwatch.StartNew();
        await Exec(db, sql);
        return sw.Elapsed.TotalMilliseconds;
    }

    private static BatchHeader Header(byte[] payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var r = doc.RootElement;
        return new BatchHeader(r.GetProperty("cluster").GetString()!, r.GetProperty("user").GetString()!, r.GetProperty("database").GetString()!,
            r.GetProperty("external_function").GetString()!, r.GetProperty("query_id").GetInt64());
    }

    private static string[] RowsOf(byte[] payload)
    {
        using var doc = JsonDocument.Parse(payload);
        return doc.RootElement.GetProperty("arguments").EnumerateArray().Select(a => a.GetRawText()).ToArray();
    }

    private static void RunProgram(string file, string dir, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = dir, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} exited with {p.ExitCode}");
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
