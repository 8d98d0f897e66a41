using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using LocalShift.Server;
using Npgsql;

namespace LocalShift.Sql.Tests.ExternalFunctions;

/// <summary>
/// LocalShift in this process with <see cref="NodeFunctionInvoker"/> as its Lambda, so the SQL side runs end to end —
/// roles and clusters made with the real <c>/usr/bin/aws</c>, SQL through Npgsql and psql, every batch parsed by a
/// real JavaScript handler — before LocalShift's Lambda service is wired to external functions.
/// </summary>
public sealed class ExternalFunctionServer : IAsyncLifetime
{
    public const string Account = "123456789012";
    public const string Password = "Passw0rdLocal";
    public const string RedshiftTrust =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    private LocalShiftHost? _host;
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "localshift-exfunc-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly int _sqlPortStart = FreePortRange(40);

    public NodeFunctionInvoker Lambda { get; } = new();
    /// <summary>The first port of the range the server gives its clusters.</summary>
    public int SqlPortStart => _sqlPortStart;
    public string Endpoint => _host!.Endpoint.ToString().TrimEnd('/');

    public Task InitializeAsync() => StartAsync();

    private async Task StartAsync(bool withLambda = true)
    {
        var options = ServerOptions.Parse(["--port", "0", "--data-dir", _dataDir, "--log-level", "warning", "--sql-port-start", _sqlPortStart.ToString(),
            "--role-apply-delay", "1s", "--cluster-create-delay", "1s"], new Dictionary<string, string>());
        _host = await LocalShiftHost.StartAsync(options, TextWriter.Null,
            withLambda ? services => services.AddSingleton<LocalShift.Sql.External.IFunctionInvoker>(Lambda) : null);
    }

    /// <summary>Stops the server and starts it again on the same data dir (with or without Lambda).</summary>
    public async Task RestartAsync(bool withLambda = true)
    {
        if (_host is not null) await _host.DisposeAsync();
        await StartAsync(withLambda);
    }

    /// <summary>Stops the server; <see cref="RestartAsync"/> starts it again.</summary>
    public async Task StopAsync()
    {
        await _host!.DisposeAsync();
        _host = null;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        Lambda.Dispose();
        try { Directory.Delete(_dataDir, recursive: true); }
        catch (IOException) { }
    }

    public async Task<string> AwsAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/aws") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["--endpoint-url", Endpoint, .. args]) psi.ArgumentList.Add(a);
        psi.Environment["AWS_ACCESS_KEY_ID"] = "test";
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        psi.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        psi.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        psi.Environment["AWS_PAGER"] = "";
        psi.Environment.Remove("AWS_PROFILE");
        psi.Environment.Remove("AWS_SESSION_TOKEN");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"aws {string.Join(' ', args)} failed: {await stderr}");
        return await stdout;
    }

    public async Task<string> CreateRoleAsync(string name, string? trust = null)
    {
        await AwsAsync("iam", "create-role", "--role-name", name, "--assume-role-policy-document", trust ?? RedshiftTrust);
        return $"arn:aws:iam::{Account}:role/{name}";
    }

    /// <summary>A cluster with these roles, available and every role in-sync; returns its SQL port.</summary>
    public async Task<int> CreateClusterAsync(string id, params string[] roles)
    {
        await AwsAsync(["redshift", "create-cluster", "--cluster-identifier", id, "--node-type", "dc2.large", "--master-username", "admin",
            "--master-user-password", Password, "--cluster-type", "single-node", .. roles.Length > 0 ? ["--iam-roles", .. roles] : Array.Empty<string>()]);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var doc = JsonDocument.Parse(await AwsAsync("redshift", "describe-clusters", "--cluster-identifier", id));
            var c = doc.RootElement.GetProperty("Clusters")[0];
            if (c.GetProperty("ClusterStatus").GetString() == "available"
                && c.GetProperty("IamRoles").EnumerateArray().All(r => r.GetProperty("ApplyStatus").GetString() == "in-sync")
                && c.TryGetProperty("Endpoint", out var endpoint) && await AcceptsAsync(endpoint.GetProperty("Port").GetInt32()))
                return endpoint.GetProperty("Port").GetInt32();
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"cluster {id} not ready: {c}");
            await Task.Delay(100);
        }
    }

    /// <summary>The SQL endpoint opens just after the cluster shows available.</summary>
    public static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static async Task<NpgsqlConnection> ConnectAsync(int port, string user = "admin", string password = Password)
    {
        var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username={user};Password={password};Database=dev;Pooling=false;" +
                                              "Server Compatibility Mode=Redshift;Include Error Detail=true;Timeout=30;Command Timeout=120");
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<int> RunAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    public static async Task<List<object?[]>> RowsAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// The error a statement fails with, on a connection of its own: Npgsql gives up a connection after an XX000
    /// (internal_error) answer, which is the SQLSTATE Redshift fails these statements with.
    /// </summary>
    public static async Task<PostgresException> FailsAsync(int port, string sql, string user = "admin", string password = Password)
    {
        await using var connection = await ConnectAsync(port, user, password);
        return await Assert.ThrowsAsync<PostgresException>(async () => await RowsAsync(connection, sql));
    }

    /// <summary>psql -c for each statement: unaligned, tuples only; (exit code, stdout, stderr).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> PsqlAsync(int port, params string[] statements)
    {
        var psi = new ProcessStartInfo("/usr/bin/psql") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-h", "127.0.0.1", "-p", port.ToString(), "-U", "admin", "-d", "dev", "-v", "ON_ERROR_STOP=1", "-At", "-X" })
            psi.ArgumentList.Add(a);
        foreach (var s in statements) { psi.ArgumentList.Add("-c"); psi.ArgumentList.Add(s); }
        psi.Environment["PGPASSWORD"] = Password;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, (await stdout).Replace("\r", ""), await stderr);
    }

    private static int FreePortRange(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var start = Random.Shared.Next(20000, 60000 - count);
            if (Enumerable.Range(start, count).All(IsFree)) return start;
        }
        throw new InvalidOperationException("No free port range found.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Loopback, port);
            l.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
