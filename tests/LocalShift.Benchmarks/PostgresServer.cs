using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LocalShift.Benchmarks;

/// <summary>
/// A throw-away PostgreSQL 15 cluster (Debian's initdb + pg_ctl) on a free loopback port, run as the postgres user when
/// root, with fsync off. A baseline for benchmarks; stop it with Dispose.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _dataDir;

    private PostgresServer(string dataDir, int port)
    {
        _dataDir = dataDir;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts a cluster in <paramref name="dataDir"/> (created); null when the server binaries are not installed.</summary>
    public static PostgresServer? Start(string dataDir)
    {
        if (!File.Exists(Path.Combine(Bin, "initdb"))) return null;
        Directory.CreateDirectory(dataDir);
        var asRoot = Environment.UserName == "root";
        if (asRoot) RunChecked("/usr/bin/chown", "-R", "postgres:postgres", dataDir);
        var port = FreePort();
        RunAs(asRoot, Path.Combine(Bin, "initdb"), "-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync");
        RunAs(asRoot, Path.Combine(Bin, "pg_ctl"), "-D", dataDir, "-w", "-l", Path.Combine(dataDir, "server.log"),
            "-o", $"-p {port} -k {dataDir} -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        return new PostgresServer(dataDir, port);
    }

    /// <summary>Runs SQL through psql as the postgres superuser; throws with psql's error on failure.</summary>
    public void Psql(string sql) =>
        RunChecked("/usr/bin/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", "postgres", "-d", "postgres", "-c", sql);

    public void Dispose() =>
        RunAs(Environment.UserName == "root", Path.Combine(Bin, "pg_ctl"), "-D", _dataDir, "-m", "immediate", "stop");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void RunAs(bool asRoot, string file, params string[] args)
    {
        if (asRoot) RunChecked("/usr/sbin/runuser", ["-u", "postgres", "--", file, .. args]);
        else RunChecked(file, args);
    }

    private static void RunChecked(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {error.Result}{output.Result}");
    }
}
