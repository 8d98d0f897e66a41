using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Npgsql;

namespace LocalShift.Benchmarks;

/// <summary>
/// Issue 15's speed goals. The copy benchmark's Parquet file (5,000,000 rows by default) in LocalShift's S3, read as a
/// Spectrum external table through the real server (Npgsql → PG wire → external schema's IAM role → Glue → S3 →
/// DuckDB), against DuckDB's <c>read_parquet</c> of the same file in this process: <c>SELECT flag, count(*), sum(big)
/// … GROUP BY flag</c> (goal ≥ 0.9×). Then the same rows as 100 partitions (<c>p = id % 100</c>): a WHERE selecting one
/// partition must read only that partition's objects (counted in the decision log's s3:GetObject decisions) and answer
/// ≥ 20× faster than the same query whose WHERE cannot be pruned (<c>p + 0 = 42</c>, which reads all 100).
/// Timings are the best of a warm-up plus <c>--runs</c> runs, the sides taking turns. Options: --rows N, --runs N (default 3),
/// --server path/to/localshift.dll (another build of the server, e.g. a copy of the Release output from before a change),
/// --trace (the server writes each scan step's time to standard error).
/// </summary>
public sealed class SpectrumBenchmark : IBenchmark
{
    public string Name => "spectrum";
    public string Description => "external Parquet table vs DuckDB read_parquet; 100 partitions pruned vs unpruned (ratios, GetObject counts)";

    private const string Role = "arn:aws:iam::123456789012:role/BenchCopy";

    /// <summary>The columns as LocalShift's scan view casts them to the catalog's types.</summary>
    private static readonly string[] Casts =
    [
        "CAST(\"id\" AS INTEGER) AS \"id\"", "CAST(\"big\" AS BIGINT) AS \"big\"", "CAST(\"amount\" AS DECIMAL(12,2)) AS \"amount\"",
        "CAST(\"name\" AS VARCHAR) AS \"name\"", "CAST(\"day\" AS DATE) AS \"day\"", "CAST(\"ts\" AS TIMESTAMP) AS \"ts\"", "CAST(\"flag\" AS BOOLEAN) AS \"flag\"",
    ];

    public int Run(string[] args)
    {
        var rows = Option(args, "--rows", 5_000_000);
        var runs = Math.Max(1, Option(args, "--runs", 3));
        var root = Measure.RepositoryRoot();
        // --server: another build's localshift.dll (a copy of the Release output taken before a change), to measure
        // before and after in turns on the same machine.
        var dll = StringOption(args, "--server") ?? (root is null ? null : Path.Combine(root, "src/LocalShift.Server/bin/Release/net10.0/localshift.dll"));
        if (dll is null || !File.Exists(dll))
        {
            Console.Error.WriteLine("spectrum: build the server first: dotnet build src/LocalShift.Server -c Release");
            return 1;
        }
        var work = Path.Combine(Path.GetTempPath(), "localshift-spectrum-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);
        CopyBenchmark.LocalShiftProcess? server = null;
        try
        {
            var parquet = Path.Combine(work, "data.parquet");
            var parts = Path.Combine(work, "parts");
            Generate(parquet, parts, rows);

            // --trace: the server writes each scan step's time to standard error (LOCALSHIFT_TRACE_SPECTRUM, ScanTrace).
            server = CopyBenchmark.LocalShiftProcess.Start(dll, Path.Combine(work, "ls"),
                args.Contains("--trace") ? new Dictionary<string, string> { ["LOCALSHIFT_TRACE_SPECTRUM"] = "1" } : null);
            server.Setup(parquet, parquet);
            const string glue = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"glue:*","Resource":"*"}]}""";
            server.Aws("iam", "put-role-policy", "--role-name", "BenchCopy", "--policy-name", "glue", "--policy-document", glue);
            server.Aws("s3", "cp", "s3://bench/in/data.parquet", "s3://bench/flat/data.parquet");
            server.Aws("s3", "cp", "--recursive", parts, "s3://bench/parts/");

            using var sql = new NpgsqlConnection($"Host=127.0.0.1;Port={server.SqlPort};Username=admin;Password={CopyBenchmark.LocalShiftProcess.Password};Database=dev;Pooling=false;Timeout=60;Command Timeout=600");
            sql.Open();
            Execute(sql, $"CREATE EXTERNAL SCHEMA bench FROM DATA CATALOG DATABASE 'benchdb' IAM_ROLE '{Role}' CREATE EXTERNAL DATABASE IF NOT EXISTS");
            const string columns = "id INTEGER, big BIGINT, amount DECIMAL(12,2), name VARCHAR(32), day DATE, ts TIMESTAMP, flag BOOLEAN";
            Execute(sql, $"CREATE EXTERNAL TABLE bench.flat({columns}) STORED AS PARQUET LOCATION 's3://bench/flat/'");
            Execute(sql, $"CREATE EXTERNAL TABLE bench.parts({columns}) PARTITIONED BY (p INTEGER) STORED AS PARQUET LOCATION 's3://bench/parts/'");
            AddPartitions(server);

            using var duck = new DuckDBConnection("DataSource=:memory:");
            duck.Open();
            Console.WriteLine($"spectrum: server {dll}");
            Console.WriteLine($"spectrum: {rows:N0} rows, Parquet {new FileInfo(parquet).Length / 1e6:F0} MB; best of {runs + 1} runs (the first warms up); " +
                              $"{Environment.ProcessorCount} cores, shared with other work (load {File.ReadAllText("/proc/loadavg").Trim()})");

            const string groupBy = "SELECT flag, count(*), sum(big) FROM {0} GROUP BY flag ORDER BY flag";
            var ours = Scalar(sql, string.Format(CultureInfo.InvariantCulture, groupBy, "bench.flat"));
            var theirs = Scalar(duck, string.Format(CultureInfo.InvariantCulture, groupBy, $"read_parquet('{parquet}')"));
            if (ours != theirs) throw new InvalidOperationException($"answers differ: LocalShift {ours}, DuckDB {theirs}");
            var (local, direct) = Compare(runs,
                () => Scalar(sql, string.Format(CultureInfo.InvariantCulture, groupBy, "bench.flat")),
                () => Scalar(duck, string.Format(CultureInfo.InvariantCulture, groupBy, $"read_parquet('{parquet}')")));
            Report("GROUP BY over the external table vs DuckDB read_parquet", local, direct, "DuckDB", 0.9);

            // Where the difference lies: the view LocalShift makes, run by DuckDB in this process (the engine's share), and
            // a round trip to the cluster that reads nothing (the share of the wire and of this machine's load).
            // One file: LocalShift reads it without union_by_name (which it sets only for several files).
            Execute(duck, $"CREATE VIEW shaped AS SELECT {string.Join(", ", Casts)} FROM read_parquet(['{parquet}'])");
            var (shaped, plain) = Compare(runs,
                () => Scalar(duck, string.Format(CultureInfo.InvariantCulture, groupBy, "shaped")),
                () => Scalar(duck, string.Format(CultureInfo.InvariantCulture, groupBy, $"read_parquet('{parquet}')")));
            Report("  of which: DuckDB over LocalShift's view shape vs plain", shaped, plain, "plain", 0);
            var (trip, _) = Compare(runs, () => Scalar(sql, "SELECT 1"), () => { });
            Console.WriteLine($"  of which: a SELECT 1 round trip to the cluster: {trip * 1000:F0} ms");

            const string pruned = "SELECT count(*), sum(big) FROM bench.parts WHERE p = 42";
            const string unpruned = "SELECT count(*), sum(big) FROM bench.parts WHERE p + 0 = 42";
            if (Scalar(sql, pruned) != Scalar(sql, unpruned)) throw new InvalidOperationException("pruned and unpruned answers differ");
            Execute(sql, "CREATE TABLE local42 AS SELECT * FROM bench.parts WHERE p = 42");
            var prunedReads = GetObjects(server, () => Scalar(sql, pruned));
            var unprunedReads = GetObjects(server, () => Scalar(sql, unpruned));
            Console.WriteLine($"  objects read (s3:GetObject decisions): WHERE p = 42 -> {prunedReads.Count} ({string.Join(", ", prunedReads)}); WHERE p + 0 = 42 -> {unprunedReads.Count}");
            var (fast, slow) = Compare(runs, () => Scalar(sql, pruned), () => Scalar(sql, unpruned));
            Report("1 of 100 partitions, pruned vs unpruned", fast, slow, "unpruned", 20);
            // The server's CPU time per statement (all its threads, the engine's included): the same comparison as the
            // machine's load changes it far less than wall time.
            var cpuPruned = ServerCpu(server, 200, () => Scalar(sql, pruned));
            var cpuUnpruned = ServerCpu(server, 20, () => Scalar(sql, unpruned));
            Console.WriteLine($"  server CPU per statement: pruned {cpuPruned * 1000:F2} ms, unpruned {cpuUnpruned * 1000:F2} ms, ratio {cpuUnpruned / cpuPruned:F2}");
            var (local42, _) = Compare(runs, () => Scalar(sql, "SELECT count(*), sum(big) FROM local42"), () => { });
            Console.WriteLine($"  for scale: the same query over a local table of partition 42's rows: {local42 * 1000:F0} ms");
            Console.WriteLine($"  load after: {File.ReadAllText("/proc/loadavg").Trim()}");
            return 0;
        }
        finally
        {
            server?.Dispose();
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The copy benchmark's rows as one Parquet file, and as 100 Hive-style partition folders p=0 … p=99.</summary>
    private static void Generate(string parquet, string parts, int rows)
    {
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        Execute(duck, $"""
            COPY (SELECT CAST(i AS INTEGER) AS id,
                         CAST(i * 7919 % 1000000007 AS BIGINT) AS big,
                         CASE WHEN i % 17 = 0 THEN NULL ELSE CAST((i * 37 % 10000000) / 100.0 AS DECIMAL(12,2)) END AS amount,
                         CASE WHEN i % 23 = 0 THEN NULL ELSE 'n' || CAST(i % 9973 AS VARCHAR) END AS name,
                         DATE '2020-01-01' + CAST(i % 2000 AS INTEGER) AS day,
                         TIMESTAMP '2020-01-01 00:00:00' + to_seconds(i * 613 % 150000000) AS ts,
                         i % 3 = 0 AS flag
                  FROM range({rows}) AS r(i))
            TO '{parquet}' (FORMAT parquet)
            """);
        Execute(duck, $"COPY (SELECT *, id % 100 AS p FROM read_parquet('{parquet}')) TO '{parts}' (FORMAT parquet, PARTITION_BY (p))");
    }

    /// <summary>The 100 partitions in the catalog: one BatchCreatePartition, as a crawler or a script would.</summary>
    private static void AddPartitions(CopyBenchmark.LocalShiftProcess server)
    {
        var table = JsonDocument.Parse(server.Aws("glue", "get-table", "--database-name", "benchdb", "--name", "parts")).RootElement.GetProperty("Table");
        var descriptor = table.GetProperty("StorageDescriptor");
        var inputs = Enumerable.Range(0, 100).Select(p => new Dictionary<string, object>
        {
            ["Values"] = new[] { p.ToString(CultureInfo.InvariantCulture) },
            ["StorageDescriptor"] = new Dictionary<string, object>
            {
                ["Columns"] = descriptor.GetProperty("Columns"),
                ["Location"] = $"s3://bench/parts/p={p}/",
                ["InputFormat"] = descriptor.GetProperty("InputFormat").GetString()!,
                ["OutputFormat"] = descriptor.GetProperty("OutputFormat").GetString()!,
                ["SerdeInfo"] = descriptor.GetProperty("SerdeInfo"),
            },
        }).ToList();
        server.Aws("glue", "batch-create-partition", "--database-name", "benchdb", "--table-name", "parts", "--partition-input-list", JsonSerializer.Serialize(inputs));
    }

    /// <summary>The bench bucket's objects an action read, from the decision log.</summary>
    private static List<string> GetObjects(CopyBenchmark.LocalShiftProcess server, Action act)
    {
        using var http = new HttpClient();
        HashSet<string> Seen()
        {
            using var doc = JsonDocument.Parse(http.GetStringAsync(server.Endpoint + "/_localshift/decisions?action=s3:GetObject&limit=1000").GetAwaiter().GetResult());
            return doc.RootElement.GetProperty("decisions").EnumerateArray()
                .Select(d => d.GetProperty("time").GetString() + " " + d.GetProperty("resource").GetString()).ToHashSet();
        }
        var before = Seen();
        act();
        return Seen().Except(before).Select(d => d[(d.IndexOf(' ') + 1)..]).Where(r => r.StartsWith("arn:aws:s3:::bench/parts/", StringComparison.Ordinal))
            .Select(r => r["arn:aws:s3:::bench/parts/".Length..]).Distinct().Order().ToList();
    }

    /// <summary>The server's mean CPU time (seconds) per run of <paramref name="act"/> over <paramref name="count"/> runs.</summary>
    private static double ServerCpu(CopyBenchmark.LocalShiftProcess server, int count, Action act)
    {
        act();
        var before = server.CpuTime;
        for (var i = 0; i < count; i++) act();
        return (server.CpuTime - before).TotalSeconds / count;
    }

    /// <summary>Each side's best wall time over a warm-up plus <paramref name="runs"/> rounds, taking turns.</summary>
    private static (double, double) Compare(int runs, Action first, Action second)
    {
        double a = double.MaxValue, b = double.MaxValue;
        for (var round = 0; round <= runs; round++)
        {
            a = Math.Min(a, Time(first));
            b = Math.Min(b, Time(second));
        }
        return (a, b);
    }

    private static double Time(Action act)
    {
        var sw = Stopwatch.StartNew();
        act();
        return sw.Elapsed.TotalSeconds;
    }

    private static void Report(string name, double ours, double baseline, string baselineName, double goal) =>
        Console.WriteLine($"  {name,-58} localshift {ours * 1000,8:F0} ms   {baselineName} {baseline * 1000,8:F0} ms   ratio {baseline / ours,6:F2}   (goal >= {goal})");

    private static string Scalar(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        return Rows(reader);
    }

    private static string Scalar(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        return Rows(reader);
    }

    private static string Rows(System.Data.Common.DbDataReader reader)
    {
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        return string.Join("\n", rows);
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static void Execute(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string? StringOption(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var value) ? value : fallback;
    }
}
