using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LocalShift.Services.Redshift;
using LocalShift.Sql;
using LocalShift.Sql.Wire;
using Npgsql;

namespace LocalShift.Benchmarks;

/// <summary>
/// The SQL endpoint against Debian's PostgreSQL 15 started here on loopback, same data, same client, same run:
/// rows streamed by SELECT * (Npgsql and psql), round trips of <c>SELECT 1</c>, and an aggregate. Reports ratios
/// PostgreSQL time / LocalShift time (above 1 means LocalShift is faster). A last line, without a goal, times round
/// trips of a statement that reaches the engine (<c>SELECT 1</c>'s row is kept by the endpoint after its first run).
/// Options: --rows N (default 5,000,000), --trips N (default 10,000), the sizes of issue 6's goals; --trips-only runs the
/// two round-trip lines alone; --parse-only the front end's line (d) alone.
/// </summary>
public sealed class PgWireBenchmark : IBenchmark
{
    public string Name => "pgwire";
    public string Description => "SQL endpoint vs PostgreSQL: streaming, round trips, aggregate (ratios)";

    public int Run(string[] args)
    {
        if (args.Contains("--parse-only"))
        {
            FrontEnd();
            return 0;
        }
        var rows = Option(args, "--rows", 5_000_000);
        var trips = Option(args, "--trips", 10_000);
        var work = Path.Combine(Path.GetTempPath(), "localshift-pgwire-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var postgres = PostgresServer.Start(Path.Combine(work, "pg"));
        if (postgres is null)
        {
            Console.Error.WriteLine("pgwire: PostgreSQL server binaries not found (apt-get install postgresql); nothing measured.");
            return 1;
        }
        var host = new ClusterSqlHost(new LocalShift.Engine.DuckDb.DuckDbEngineFactory(), Path.Combine(work, "ls"), authMethod: PgAuthMethod.Cleartext);
        try
        {
            var port = PostgresServer.FreePort();
            host.StartAsync(new ClusterEndpointSpec("123456789012", "us-east-1", "bench", "dev", "bench", "Bench1234", "127.0.0.1", port), default).GetAwaiter().GetResult();
            var ours = new Target("localshift", port, "bench", "Bench1234", "dev");
            var theirs = new Target("postgresql", postgres.Port, "postgres", "", "postgres");
            const string create = "CREATE TABLE bench_rows AS SELECT i, i * 2 AS j, 'row ' || CAST(i AS VARCHAR) AS s FROM generate_series(1, {0}) AS g(i)";
            foreach (var target in new[] { ours, theirs }) target.Execute(string.Format(System.Globalization.CultureInfo.InvariantCulture, create, rows));

            Console.WriteLine($"pgwire: {rows:N0} rows, {trips:N0} round trips; ratio = PostgreSQL time / LocalShift time (above 1: LocalShift is faster)");
            const string engineTrip = "SELECT i FROM bench_rows LIMIT 1";
            if (args.Contains("--trips-only"))
            {
                Report("(b) simple query round trips", ours.Time(t => t.RoundTrips("SELECT 1", trips)), theirs.Time(t => t.RoundTrips("SELECT 1", trips)));
                Report("(e) engine query round trips", ours.Time(t => t.RoundTrips(engineTrip, trips)), theirs.Time(t => t.RoundTrips(engineTrip, trips)));
                // CPU seconds, client and server together: on a loaded machine the wall clock mostly measures waiting for a core.
                Report("(b) SELECT 1 round trips, CPU", ours.RoundTripsCpu("SELECT 1", trips), theirs.RoundTripsCpu("SELECT 1", trips));
                Report("(e) engine query round trips, CPU", ours.RoundTripsCpu(engineTrip, trips), theirs.RoundTripsCpu(engineTrip, trips));
                return 0;
            }
            Report("(a) SELECT * streamed to Npgsql", ours.Time(t => t.StreamAll()), theirs.Time(t => t.StreamAll()));
            Report("(a) SELECT * streamed to psql", ours.Time(t => t.Psql("SELECT * FROM bench_rows")), theirs.Time(t => t.Psql("SELECT * FROM bench_rows")));
            Report("(b) simple query round trips", ours.Time(t => t.RoundTrips("SELECT 1", trips)), theirs.Time(t => t.RoundTrips("SELECT 1", trips)));
            const string aggregate = "SELECT count(*), sum(j), avg(i), count(DISTINCT s) FROM bench_rows WHERE i % 3 = 1";
            Report("(c) aggregate", ours.Time(t => t.Execute(aggregate)), theirs.Time(t => t.Execute(aggregate)));
            Report("(no goal) engine query round trips", ours.Time(t => t.RoundTrips(engineTrip, trips)), theirs.Time(t => t.RoundTrips(engineTrip, trips)));
            FrontEnd();
            return 0;
        }
        finally
        {
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
            postgres.Dispose();
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A 40-line analytic query: CTEs, joins, a subquery in the select list, window functions, CASE, a set operation.</summary>
    private const string AnalyticQuery = """
        WITH daily AS (
            SELECT o.customer_id, DATE_TRUNC('day', o.created_at) AS day, SUM(o.amount) AS total, COUNT(*) AS orders
            FROM sales.orders o
            JOIN sales.customers c ON c.id = o.customer_id AND c.active
            WHERE o.created_at >= DATEADD(day, -90, GETDATE()) AND o.status IN ('paid', 'shipped')
            GROUP BY 1, 2
        ),
        ranked AS (
            SELECT d.*, RANK() OVER (PARTITION BY d.day ORDER BY d.total DESC) AS day_rank,
                   AVG(d.total) OVER (PARTITION BY d.customer_id ORDER BY d.day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS week_avg
            FROM daily d
        )
        SELECT r.customer_id,
               c.name,
               r.day,
               r.total,
               r.week_avg,
               CASE WHEN r.day_rank <= 10 THEN 'top'
                    WHEN r.total > 2 * r.week_avg THEN 'spike'
                    ELSE 'normal' END AS label,
               (SELECT MAX(p.amount) FROM sales.payments p WHERE p.customer_id = r.customer_id) AS largest_payment,
               COALESCE(NULLIF(TRIM(c.region), ''), 'unknown') AS region,
               r.total / NULLIF(r.orders, 0) AS avg_order
        FROM ranked r
        JOIN sales.customers c ON c.id = r.customer_id
        LEFT JOIN sales.segments s ON s.customer_id = r.customer_id AND s.valid_to IS NULL
        WHERE r.day_rank <= 100
          AND EXISTS (SELECT 1 FROM sales.orders o2 WHERE o2.customer_id = r.customer_id AND o2.amount > 100)
          AND c.name NOT LIKE 'test%'
        UNION ALL
        SELECT NULL, 'total', day, SUM(total), NULL, 'sum', NULL, NULL, NULL
        FROM daily
        GROUP BY day
        HAVING SUM(total) > 0
        ORDER BY 3 DESC, 4 DESC
        LIMIT 1000
        """;

    /// <summary>
    /// What the endpoint does to a statement before the engine sees it (parse to a tree, collect what it touches,
    /// translate to the engine's dialect), per statement, beside what the engine itself does to prepare the
    /// translated statement (parse, bind, plan) in the same process. Goal: the front end under 50 µs.
    /// </summary>
    private static void FrontEnd()
    {
        var context = new LocalShift.Sql.Dialect.TranslationContext("bench", "dev");
        // As a session does it: the text lexed once, the parser and the translator reading the same tokens, the translator
        // placing what the tree found (divisions, table-function aliases) on them.
        void Ours()
        {
            var tokens = LocalShift.Sql.Lexing.SqlLexer.Tokenize(AnalyticQuery);
            var tree = LocalShift.Sql.Syntax.SqlParser.Parse(AnalyticQuery, tokens);
            var touched = LocalShift.Sql.Syntax.StatementAccess.Of(tree);
            _ = LocalShift.Sql.Dialect.RedshiftTranslator.Translate(AnalyticQuery, tokens, LocalShift.Sql.Dialect.TranslationSites.Of(tree, touched), context);
        }
        using var engine = new LocalShift.Engine.DuckDb.DuckDbEngine(":memory:");
        using var session = engine.OpenSession();
        session.Execute("CREATE SCHEMA sales; " +
            "CREATE TABLE sales.orders (id INT, customer_id INT, created_at TIMESTAMP, amount DECIMAL(12,2), status VARCHAR); " +
            "CREATE TABLE sales.customers (id INT, name VARCHAR, active BOOLEAN, region VARCHAR); " +
            "CREATE TABLE sales.payments (customer_id INT, amount DECIMAL(12,2)); " +
            "CREATE TABLE sales.segments (customer_id INT, valid_to TIMESTAMP); " +
            "CREATE MACRO getdate() AS current_timestamp; CREATE MACRO dateadd(p, n, t) AS t + to_days(n); " +
            "CREATE MACRO ls_div(a, b) AS a / b; CREATE MACRO ls_mod(a, b) AS a % b");
        var translated = LocalShift.Sql.Dialect.RedshiftTranslator.Translate(AnalyticQuery, context).Sql;
        // Warm enough for the JIT's optimized tier: the figure is a steady state's, as for a server that has run a while.
        for (var i = 0; i < 5_000; i++) Ours();
        const int runs = 2_000;
        // Timed as 15 blocks of 1,000 statements: on a shared machine one block can hold a collection or a stall of the
        // host, so the line reports the median block (and the range), not one long stretch's mean.
        const int blocks = 15, perBlock = 1_000;
        var blockMicros = new double[blocks];
        for (var b = 0; b < blocks; b++)
        {
            var block = Stopwatch.StartNew();
            for (var i = 0; i < perBlock; i++) Ours();
            blockMicros[b] = block.Elapsed.TotalMicroseconds / perBlock;
        }
        Array.Sort(blockMicros);
        session.Check(translated, bind: true);
        const int engineRuns = 200;
        var theirs = Stopwatch.StartNew();
        for (var i = 0; i < engineRuns; i++) session.Check(translated, bind: true);
        theirs.Stop();
        double Each(Action step)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < runs; i++) step();
            return watch.Elapsed.TotalMicroseconds / runs;
        }
        var lexed = LocalShift.Sql.Lexing.SqlLexer.Tokenize(AnalyticQuery);
        var parsed = LocalShift.Sql.Syntax.SqlParser.Parse(AnalyticQuery, lexed);
        var lex = Each(() => LocalShift.Sql.Lexing.SqlLexer.Tokenize(AnalyticQuery));
        var parse = Each(() => LocalShift.Sql.Syntax.SqlParser.Parse(AnalyticQuery, lexed));
        var access = Each(() => LocalShift.Sql.Syntax.StatementAccess.Of(parsed));
        var sites = LocalShift.Sql.Dialect.TranslationSites.Of(parsed, LocalShift.Sql.Syntax.StatementAccess.Of(parsed));
        var translate = Each(() => LocalShift.Sql.Dialect.RedshiftTranslator.Translate(AnalyticQuery, lexed, sites, context));
        var oursMicros = blockMicros[blocks / 2];
        var theirsMicros = theirs.Elapsed.TotalMicroseconds / engineRuns;
        Console.WriteLine($"  {"(d) parse+check+translate, 40 lines",-34} localshift {oursMicros,9:F1} µs   engine prepare {theirsMicros,9:F1} µs   ratio {theirsMicros / oursMicros,6:F2}   (goal: under 50 µs)");
        Console.WriteLine($"      median of {blocks} blocks of {perBlock:N0} statements; blocks ranged {blockMicros[0]:F1}–{blockMicros[^1]:F1} µs");
        Console.WriteLine($"      of which: lex {lex:F1} µs, parse {parse:F1} µs, relations and functions {access:F1} µs, translation {translate:F1} µs");
    }

    private static void Report(string name, TimeSpan ours, TimeSpan theirs) =>
        Console.WriteLine($"  {name,-34} localshift {ours.TotalMilliseconds,9:F0} ms   postgresql {theirs.TotalMilliseconds,9:F0} ms   ratio {theirs / ours,6:F2}");

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var value) ? value : fallback;
    }


    private sealed record Target(string Name, int Port, string User, string Password, string Database)
    {
        private string ConnectionString => $"Host=127.0.0.1;Port={Port};Username={User};Password={Password};Database={Database};Pooling=false;Timeout=30;Command Timeout=300";

        public TimeSpan Time(Action<Target> run)
        {
            run(this); // warm-up: JIT, caches, plans
            var sw = Stopwatch.StartNew();
            run(this);
            return sw.Elapsed;
        }

        public void Execute(string sql)
        {
            using var connection = new NpgsqlConnection(ConnectionString);
            connection.Open();
            using var command = new NpgsqlCommand(sql, connection);
            using var reader = command.ExecuteReader();
            while (reader.Read()) { }
        }

        public void StreamAll()
        {
            using var connection = new NpgsqlConnection(ConnectionString);
            connection.Open();
            using var command = new NpgsqlCommand("SELECT * FROM bench_rows", connection);
            using var reader = command.ExecuteReader();
            long sum = 0;
            while (reader.Read()) sum += reader.GetInt32(0) + reader.GetString(2).Length;
            if (sum == 0) throw new InvalidOperationException("no rows");
        }

        public void RoundTrips(string sql, int count)
        {
            using var connection = new NpgsqlConnection(ConnectionString);
            connection.Open();
            for (var i = 0; i < count; i++)
            {
                using var command = new NpgsqlCommand(sql, connection);
                command.ExecuteScalar();
            }
        }

        /// <summary>
        /// The CPU time of <see cref="RoundTrips"/> after a warm-up: this process's (the client, and LocalShift's endpoint,
        /// which runs in it) plus, for PostgreSQL, its backend process's for the connection (from /proc).
        /// </summary>
        public TimeSpan RoundTripsCpu(string sql, int count)
        {
            using var connection = new NpgsqlConnection(ConnectionString);
            connection.Open();
            int? backend = null;
            if (Name == "postgresql")
                using (var pid = new NpgsqlCommand("SELECT pg_backend_pid()", connection)) backend = (int)pid.ExecuteScalar()!;
            void Trips()
            {
                for (var i = 0; i < count; i++)
                {
                    using var command = new NpgsqlCommand(sql, connection);
                    command.ExecuteScalar();
                }
            }
            Trips();
            var process = Process.GetCurrentProcess();
            var before = process.TotalProcessorTime + BackendCpu(backend);
            Trips();
            process.Refresh();
            return process.TotalProcessorTime + BackendCpu(backend) - before;
        }

        /// <summary>utime + stime of a process, from /proc/pid/stat (clock ticks of 10 ms).</summary>
        private static TimeSpan BackendCpu(int? pid)
        {
            if (pid is null) return TimeSpan.Zero;
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10);
        }

        public void Psql(string sql)
        {
            var info = new ProcessStartInfo("/usr/bin/psql") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", User, "-d", Database, "-c", sql })
                info.ArgumentList.Add(arg);
            info.Environment["PGPASSWORD"] = Password;
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            output.GetAwaiter().GetResult();
            if (process.ExitCode != 0) throw new InvalidOperationException($"psql against {Name} failed: {error.Result}");
        }
    }
}
