using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;
using Npgsql;

namespace LocalShift.E2E.Tests.Sql;

/// <summary>
/// TLS on the cluster SQL endpoints: offered by default with a self-signed certificate kept in the data dir (so
/// <c>sslmode=require</c> and <c>verify-full</c> against that certificate work), refused when turned off.
/// </summary>
public class TlsTests
{
    private static Task<CommandResult> Psql(string connection, string command) =>
        ProcessRunner.RunAsync("/usr/bin/psql", [connection, "-X", "-At", "-c", command],
            new Dictionary<string, string?> { ["PGPASSWORD"] = RoleStory.Password, ["PGCONNECT_TIMEOUT"] = "10" });

    [Fact]
    public async Task Psql_and_npgsql_connect_over_tls_and_verify_the_kept_certificate_across_a_restart()
    {
        await using var server = await LocalShiftServer.StartAsync();
        var port = await new RoleStory(server).CreateClusterAsync("tls", []);
        var rootCert = Path.Combine(server.DataDir, "tls", "sql-endpoint.crt");
        Assert.True(File.Exists(rootCert));

        var required = await Psql($"host=127.0.0.1 port={port} user=admin dbname=dev sslmode=require", @"\conninfo");
        Assert.True(required.ExitCode == 0, required.ToString());
        Assert.Contains("SSL connection (protocol: TLSv1.", required.Stdout);

        var plain = await Psql($"host=127.0.0.1 port={port} user=admin dbname=dev sslmode=disable", @"\conninfo");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.DoesNotContain("SSL connection", plain.Stdout);

        var firstCertificate = await File.ReadAllTextAsync(rootCert);
        await server.RestartAsync();
        Assert.Equal(firstCertificate, await File.ReadAllTextAsync(rootCert));

        // verify-full checks the chain against the kept certificate and the host name against its SAN.
        CommandResult verified;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            verified = await Psql($"host=localhost port={port} user=admin dbname=dev sslmode=verify-full sslrootcert={rootCert}", "SELECT 'verified'");
            if (verified.ExitCode == 0 || DateTime.UtcNow > deadline) break;
            await Task.Delay(250);
        } while (true);
        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.Equal("verified", verified.Stdout.Trim());

        await using var npgsql = new NpgsqlConnection(
            $"Host=localhost;Port={port};Username=admin;Password={RoleStory.Password};Database=dev;Pooling=false;SSL Mode=VerifyFull;Root Certificate={rootCert}");
        await npgsql.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 6 * 7", npgsql);
        Assert.Equal(42, Convert.ToInt32(await command.ExecuteScalarAsync()));
    }

    [Fact]
    public async Task With_tls_off_sslmode_require_is_refused_as_by_a_postgresql_without_ssl()
    {
        await using var server = await LocalShiftServer.StartAsync(null, "--sql-tls", "off");
        var port = await new RoleStory(server).CreateClusterAsync("plain", []);

        var refused = await Psql($"host=127.0.0.1 port={port} user=admin dbname=dev sslmode=require", "SELECT 1");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("server does not support SSL, but SSL was required", refused.Stderr);
        var preferred = await Psql($"host=127.0.0.1 port={port} user=admin dbname=dev sslmode=prefer", "SELECT 'plain'");
        Assert.True(preferred.ExitCode == 0, preferred.ToString());
        Assert.False(Directory.Exists(Path.Combine(server.DataDir, "tls")));
    }
}
