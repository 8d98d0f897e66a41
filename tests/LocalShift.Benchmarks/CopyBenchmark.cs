using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;

namespace LocalShift.Benchmarks;

/// <summary>
/// Issue 7's benchmark. One CSV (mixed types) and its Parquet twin, loaded and unloaded in one run:
/// COPY through the real LocalShift server (psql → PG wire → cluster IAM role → S3 store → DuckDB) against DuckDB
/// reading the same file directly into a table in its own database file, and against PostgreSQL 15's server-side
/// <c>COPY FROM</c> of the same CSV; UNLOAD to CSV and Parquet against DuckDB's <c>COPY ... TO</c>. Also the LocalShift
/// server's peak RSS (VmHWM, reset before each COPY) as a multiple of the input file's size.
/// Every timing is the best of a warm-up plus <c>--runs</c> runs, the sides taking turns; ratio = baseline time /
/// LocalShift time (above 1: LocalShift is faster). Options: --rows N (default 5,000,000), --runs N (default 2).
/// </summary>
public sealed class CopyBenchmark : IBenchmark
{
    private const string Columns = "id INTEGER, big BIGINT, amount DECIMAL(12,2), name VARCHAR(32), day DATE, ts TIMESTAMP, flag BOOLEAN";
    private const string DuckColumns = "{'id': 'INTEGER', 'big': 'BIGINT', 'amount': 'DECIMAL(12,2)', 'name': 'VARCHAR', 'day': 'DATE', 'ts': 'TIMESTAMP', 'flag': 'BOOLEAN'}";

    public string Name => "copy";
    public string Description => "COPY/UNLOAD through the role path vs DuckDB direct and PostgreSQL COPY (ratios, peak RSS)";

    public int Run(string[] args)
    {
        var rows = Option(args, "--rows", 5_000_000);
        var runs = Math.Max(1, Option(args, "--runs", 2));
        var root = Measure.RepositoryRoot();
        // --server: another build's localshift.dll (a copy of the Release output taken before a change), to measure
        // before and after in turns on the same machine.
        var at = Array.IndexOf(args, "--server");
        var dll = at >= 0 && at + 1 < args.Length ? args[at + 1]
            : root is null ? null : Path.Combine(root, "src/LocalShift.Server/bin/Release/net10.0/localshift.dll");
        if (dll is null || !File.Exists(dll))
        {
            Console.Error.WriteLine("copy: build the server first: dotnet build src/LocalShift.Server -c Release");
            return 1;
        }
        var work = Path.Combine(Path.GetTempPath(), "localshift-copy-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);
        PostgresServer? postgres = null;
        LocalShiftProcess? server = null;
        // A run stopped by a signal (a `timeout`, Ctrl+C) never reaches the finally below: the runtime does not unwind
        // the main thread on SIGTERM. Without this its PostgreSQL server and a work folder of a few GB outlived it.
        // Once, and a second caller waits for the first: the main thread, failing when the signal's clean-up stops the
        // servers under it, must not return (and end the process) while the folder is still being deleted.
        var gate = new object();
        var cleaned = false;
        void CleanUp()
        {
            lock (gate)
            {
                if (cleaned) return;
                cleaned = true;
                Remove();
            }
        }
        void Remove()
        {
            server?.Dispose();
            postgres?.Dispose();
            // On a signal the main thread is still running (writing its DuckDB file, say): a file it makes while the
            // folder is emptied fails the delete, so try again a few times.
            for (var attempt = 0; attempt < 5 && Directory.Exists(work); attempt++)
            {
                try { Directory.Delete(work, recursive: true); }
                catch (IOException) { Thread.Sleep(200); }
                catch (UnauthorizedAccessException) { Thread.Sleep(200); }
            }
        }
        EventHandler onExit = (_, _) => CleanUp();
        AppDomain.CurrentDomain.ProcessExit += onExit;
        using var onInterrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGINT, _ => CleanUp());
        using var onTerminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => CleanUp());
        try
        {
            var csv = Path.Combine(work, "data.csv");
            var parquet = Path.Combine(work, "data.parquet");
            Generate(csv, parquet, rows);
            var csvSize = new FileInfo(csv).Length;
            var parquetSize = new FileInfo(parquet).Length;

            server = LocalShiftProcess.Start(dll, Path.Combine(work, "ls"));
            var role = server.Setup(csv, parquet);
            postgres = PostgresServer.Start(Path.Combine(work, "pg"));
            using var duck = new DuckDBConnection($"DataSource={Path.Combine(work, "direct.duckdb")}");
            duck.Open();

            Console.WriteLine($"copy: {rows:N0} rows; CSV {csvSize / 1e6:F0} MB, Parquet {parquetSize / 1e6:F0} MB; best of {runs + 1} runs (the first warms up)");
            Console.WriteLine("  ratio = baseline time / LocalShift time (above 1: LocalShift is faster); cpu = CPU seconds of the LocalShift server / of DuckDB in this process");

            var rss = new Dictionary<string, long>();
            foreach (var (label, format, s3Key) in new[] { ("COPY CSV", "CSV", "data.csv"), ("COPY Parquet", "FORMAT AS PARQUET", "data.parquet") })
            {
                long peak = 0, growth = 0;
                var ours = new Side(() => server.Psql("DROP TABLE IF EXISTS t; CREATE TABLE t(" + Columns + ")"), () =>
                {
                    server.ResetPeakRss();
                    var before = server.PeakRss();
                    server.Psql($"COPY t FROM 's3://bench/in/{s3Key}' IAM_ROLE '{role}' {format}");
                    var after = server.PeakRss();
                    if (Environment.GetEnvironmentVariable("LOCALSHIFT_BENCH_VERBOSE") == "1")
                        Console.WriteLine($"    {label}: RSS before {before / 1e6:F0} MB, peak {after / 1e6:F0} MB");
                    peak = Math.Max(peak, after);
                    growth = Math.Max(growth, after - before);
                }, server.Cpu);
                var reader = format == "CSV" ? $"read_csv('{csv}', header = false, columns = {DuckColumns})" : $"read_parquet('{parquet}')";
                long directPeak = 0;
                var direct = new Side(() => Duck(duck, "DROP TABLE IF EXISTS t; CREATE TABLE t(" + Columns + ")"), () =>
                {
                    File.WriteAllText("/proc/self/clear_refs", "5");
                    Duck(duck, $"INSERT INTO t SELECT * FROM {reader}");
                    directPeak = Math.Max(directPeak, OwnPeakRss());
                }, OwnCpu);
                var pg = format == "CSV" && postgres is not null
                    ? new Side(() => postgres.Psql("DROP TABLE IF EXISTS t; CREATE TABLE t(" + Columns + ")"), () => postgres.Psql($"COPY t FROM '{csv}' CSV"), null)
                    : null;
                var times = Compare(runs, pg is null ? [ours, direct] : [ours, direct, pg]);
                Report(label + " vs DuckDB read_" + (format == "CSV" ? "csv" : "parquet"), times[0], times[1], 0.9);
                if (pg is not null) Report("COPY CSV vs PostgreSQL COPY FROM", times[0], times[2], 2.5);
                else if (format == "CSV") Console.WriteLine("  COPY CSV vs PostgreSQL COPY: PostgreSQL 15 binaries not found, not measured");
                rss[label] = peak;
                rss[label + " growth"] = growth;
                rss[label + " direct"] = directPeak;
            }
            CheckCount(server, duck, rows);

            // UNLOAD's default, PARALLEL ON, writes a file per slice as Redshift does (here: one per DuckDB thread, as the
            // cluster's 2 slices hold them all); PARALLEL OFF writes one file, as DuckDB's COPY TO does.
            foreach (var (label, format, duckFormat, folder) in new[]
                     {
                         ("UNLOAD CSV", "CSV", "csv", "csv"), ("UNLOAD Parquet", "FORMAT AS PARQUET", "parquet", "parquet"),
                         ("UNLOAD CSV PARALLEL OFF", "CSV PARALLEL OFF", "csv", "csv-serial"),
                         ("UNLOAD Parquet PARALLEL OFF", "FORMAT AS PARQUET PARALLEL OFF", "parquet", "parquet-serial"),
                     })
            {
                var output = Path.Combine(work, "unload." + duckFormat);
                var times = Compare(runs,
                [
                    // Both sides write to an empty destination; clearing it is setup, as deleting DuckDB's file is.
                    new Side(() => server.RemovePrefix($"s3://bench/out/{folder}/"),
                        () => server.Psql($"UNLOAD ('SELECT * FROM t') TO 's3://bench/out/{folder}/' IAM_ROLE '{role}' {format}"), server.Cpu),
                    new Side(() => File.Delete(output), () => Duck(duck, $"COPY (SELECT * FROM t) TO '{output}' (FORMAT {duckFormat})"), OwnCpu),
                ]);
                Report(label + " vs DuckDB COPY TO", times[0], times[1], 0.8);
            }

            Console.WriteLine($"  peak RSS of the LocalShift server during COPY CSV:     {rss["COPY CSV"] / 1e6,6:F0} MB = {(double)rss["COPY CSV"] / csvSize:F2} x the CSV (goal < 2)");
            Console.WriteLine($"  peak RSS of the LocalShift server during COPY Parquet: {rss["COPY Parquet"] / 1e6,6:F0} MB = {(double)rss["COPY Parquet"] / parquetSize:F2} x the Parquet file, {(double)rss["COPY Parquet"] / csvSize:F2} x the CSV");
            Console.WriteLine($"  of which the COPY itself (peak minus the RSS it started from, largest over runs): CSV {rss["COPY CSV growth"] / 1e6:F0} MB = {(double)rss["COPY CSV growth"] / csvSize:F2} x, " +
                              $"Parquet {rss["COPY Parquet growth"] / 1e6:F0} MB = {(double)rss["COPY Parquet growth"] / parquetSize:F2} x");
            Console.WriteLine($"  for comparison, peak RSS of this process (DuckDB direct, same loads): CSV {rss["COPY CSV direct"] / 1e6:F0} MB = {(double)rss["COPY CSV direct"] / csvSize:F2} x, " +
                              $"Parquet {rss["COPY Parquet direct"] / 1e6:F0} MB = {(double)rss["COPY Parquet direct"] / parquetSize:F2} x");
            Console.WriteLine($"  load: {File.ReadAllText("/proc/loadavg").Trim()}");
            return 0;
        }
        finally
        {
            CleanUp();
            AppDomain.CurrentDomain.ProcessExit -= onExit;
        }
    }

    /// <summary>The CSV (no header; empty fields are NULLs) and its Parquet twin, written by DuckDB.</summary>
    private static void Generate(string csv, string parquet, int rows)
    {
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        Duck(duck, $"""
            COPY (SELECT CAST(i AS INTEGER) AS id,
                         CAST(i * 7919 % 1000000007 AS BIGINT) AS big,
                         CASE WHEN i % 17 = 0 THEN NULL ELSE CAST((i * 37 % 10000000) / 100.0 AS DECIMAL(12,2)) END AS amount,
                         CASE WHEN i % 23 = 0 THEN NULL ELSE 'n' || CAST(i % 9973 AS VARCHAR) END AS name,
                         DATE '2020-01-01' + CAST(i % 2000 AS INTEGER) AS day,
                         TIMESTAMP '2020-01-01 00:00:00' + to_seconds(i * 613 % 150000000) AS ts,
                         i % 3 = 0 AS flag
                  FROM range({rows}) AS r(i))
            TO '{csv}' (FORMAT csv, HEADER false)
            """);
        Duck(duck, $"COPY (SELECT * FROM read_csv('{csv}', header = false, columns = {DuckColumns})) TO '{parquet}' (FORMAT parquet)");
    }

    private static void CheckCount(LocalShiftProcess server, DuckDBConnection duck, int rows)
    {
        var ours = server.Psql("SELECT count(*) FROM t").Trim();
        using var command = duck.CreateCommand();
        command.CommandText = "SELECT count(*) FROM t";
        var theirs = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (ours != rows.ToString(CultureInfo.InvariantCulture) || theirs != rows)
            throw new InvalidOperationException($"row counts differ: LocalShift {ours}, DuckDB {theirs}, expected {rows}");
    }

    /// <summary>One side of a comparison: untimed setup, the timed run, and the CPU-seconds counter that run uses.</summary>
    private sealed record Side(Action Setup, Action Run, Func<double>? Cpu);

    /// <summary>
    /// Each side's best wall time (with the CPU seconds of that run) over a warm-up plus <paramref name="runs"/> rounds;
    /// the sides take turns within a round, and the order rotates, so a change of load on the shared machine hits all of them.
    /// </summary>
    private static Timing[] Compare(int runs, Side[] sides)
    {
        var best = sides.Select(_ => new Timing(double.MaxValue, double.NaN)).ToArray();
        for (var round = 0; round <= runs; round++)
            for (var k = 0; k < sides.Length; k++)
            {
                var i = (k + round) % sides.Length;
                var side = sides[i];
                side.Setup();
                var cpuBefore = side.Cpu?.Invoke() ?? double.NaN;
                var sw = Stopwatch.StartNew();
                side.Run();
                var wall = sw.Elapsed.TotalSeconds;
                if (wall < best[i].Wall) best[i] = new Timing(wall, (side.Cpu?.Invoke() ?? double.NaN) - cpuBefore);
            }
        return best;
    }

    private sealed record Timing(double Wall, double Cpu);

    private static double OwnCpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>This process's peak RSS (VmHWM) in bytes since the last reset.</summary>
    private static long OwnPeakRss()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    private static void Report(string name, Timing ours, Timing theirs, double goal) =>
        Console.WriteLine($"  {name,-46} localshift {ours.Wall,6:F2} s   baseline {theirs.Wall,6:F2} s   ratio {theirs.Wall / ours.Wall,5:F2}   (goal >= {goal})" +
            (double.IsNaN(theirs.Cpu) ? "" : $"   cpu {ours.Cpu,5:F2} s / {theirs.Cpu,5:F2} s = {theirs.Cpu / ours.Cpu:F2}"));

    private static void Duck(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var value) ? value : fallback;
    }

    /// <summary>The real server, as a user runs it: <c>dotnet localshift.dll serve</c>, driven by /usr/bin/aws and psql.</summary>
    internal sealed class LocalShiftProcess : IDisposable
    {
        internal const string Password = "Bench1234x";
        private readonly Process _process;
        private readonly string _endpoint;
        private int _sqlPort;

        /// <summary>The server process's CPU time so far (all its threads), which the machine's load changes far less than wall time.</summary>
        public TimeSpan CpuTime
        {
            get
            {
                _process.Refresh();
                return _process.TotalProcessorTime;
            }
        }

        private LocalShiftProcess(Process process, string endpoint)
        {
            _process = process;
            _endpoint = endpoint;
        }

        /// <param name="environment">Variables set for the server after the caller's LOCALSHIFT_* ones are removed (e.g. a debug switch).</param>
        public static LocalShiftProcess Start(string dll, string dataDir, IReadOnlyDictionary<string, string>? environment = null)
        {
            var port = PostgresServer.FreePort();
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { dll, "serve", "--data-dir", dataDir, "--port", port.ToString(CultureInfo.InvariantCulture),
                         "--sql-port-start", PostgresServer.FreePort().ToString(CultureInfo.InvariantCulture),
                         "--role-apply-delay", "0s", "--cluster-create-delay", "0s", "--log-level", "warning" })
                info.ArgumentList.Add(a);
            foreach (var k in info.Environment.Keys.Where(k => k.StartsWith("LOCALSHIFT_", StringComparison.Ordinal)).ToList()) info.Environment.Remove(k);
            foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("localshift: " + e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new LocalShiftProcess(process, $"http://127.0.0.1:{port}");
            using var http = new HttpClient();
            var until = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                if (process.HasExited) throw new InvalidOperationException($"LocalShift exited with {process.ExitCode}");
                try
                {
                    if (http.GetAsync($"{server._endpoint}/_localshift/health").GetAwaiter().GetResult().IsSuccessStatusCode) return server;
                }
                catch (HttpRequestException) { }
                if (DateTime.UtcNow > until) throw new TimeoutException("LocalShift did not become healthy in 60 s");
                Thread.Sleep(100);
            }
        }

        /// <summary>Role with S3 access, cluster with the role, bucket with the two files; returns the role ARN.</summary>
        public string Setup(string csv, string parquet)
        {
            const string trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
            const string policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket","s3:DeleteObject"],"Resource":["arn:aws:s3:::bench","arn:aws:s3:::bench/*"]}]}""";
            Aws("iam", "create-role", "--role-name", "BenchCopy", "--assume-role-policy-document", trust);
            Aws("iam", "put-role-policy", "--role-name", "BenchCopy", "--policy-name", "s3", "--policy-document", policy);
            const string role = "arn:aws:iam::123456789012:role/BenchCopy";
            Aws("redshift", "create-cluster", "--cluster-identifier", "bench", "--node-type", "dc2.large", "--master-username", "admin",
                "--master-user-password", Password, "--cluster-type", "single-node", "--iam-roles", role);
            Aws("s3", "mb", "s3://bench");
            Aws("s3", "cp", csv, "s3://bench/in/data.csv");
            Aws("s3", "cp", parquet, "s3://bench/in/data.parquet");
            var until = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                using var json = JsonDocument.Parse(Aws("redshift", "describe-clusters", "--cluster-identifier", "bench"));
                var cluster = json.RootElement.GetProperty("Clusters")[0];
                if (cluster.GetProperty("ClusterStatus").GetString() == "available"
                    && cluster.GetProperty("IamRoles").EnumerateArray().All(r => r.GetProperty("ApplyStatus").GetString() == "in-sync"))
                {
                    _sqlPort = cluster.GetProperty("Endpoint").GetProperty("Port").GetInt32();
                    return role;
                }
                if (DateTime.UtcNow > until) throw new TimeoutException("the cluster did not become available in 60 s");
                Thread.Sleep(200);
            }
        }

        /// <summary>Deletes every object under an s3:// prefix (aws s3 rm --recursive).</summary>
        public void RemovePrefix(string url) => Aws("s3", "rm", "--recursive", url);

        public string Psql(string sql) =>
            Run("/usr/bin/psql", new Dictionary<string, string> { ["PGPASSWORD"] = Password },
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", _sqlPort.ToString(CultureInfo.InvariantCulture), "-U", "admin", "-d", "dev", "-c", sql);

        /// <summary>Resets the kernel's high-water mark of the server's resident set (VmHWM) to its current RSS.</summary>
        public void ResetPeakRss() => File.WriteAllText($"/proc/{_process.Id}/clear_refs", "5");

        /// <summary>User plus system CPU seconds the server process has used.</summary>
        public double Cpu()
        {
            var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }

        /// <summary>VmHWM of the server process, in bytes.</summary>
        public long PeakRss()
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }

        /// <summary>The server's AWS endpoint (http://127.0.0.1:port).</summary>
        public string Endpoint => _endpoint;

        /// <summary>The cluster's SQL port, once <see cref="Setup"/> has seen it available.</summary>
        public int SqlPort => _sqlPort;

        public string Aws(params string[] args) =>
            Run("/usr/bin/aws", new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = "test", ["AWS_SECRET_ACCESS_KEY"] = "test", ["AWS_DEFAULT_REGION"] = "us-east-1",
                ["AWS_CONFIG_FILE"] = "/dev/null", ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null", ["AWS_PAGER"] = "", ["AWS_DEFAULT_OUTPUT"] = "json",
            }, ["--endpoint-url", _endpoint, .. args]);

        private static string Run(string file, Dictionary<string, string> env, params string[] args)
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) info.ArgumentList.Add(a);
            foreach (var (k, v) in env) info.Environment[k] = v;
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args.Take(3))} failed: {error.Result}{output.Result}");
            return output.Result;
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited) _process.Kill();
                _process.WaitForExit(10_000);
            }
            catch (InvalidOperationException) { }
            _process.Dispose();
        }
    }
}
