using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Edge;

/// <summary>
/// What a server listening beyond loopback exposes: a warning in the banner while the default root keys are in use, and
/// the /_localshift/* admin endpoints answering callers on this machine only unless <c>--admin-from-anywhere on</c>.
/// </summary>
public class ExposureTests
{
    /// <summary>An address of this machine that is not loopback: a call to it does not come from loopback.</summary>
    private static IPAddress OwnAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? throw new InvalidOperationException("this machine has no non-loopback IPv4 address to call from");

    [Fact]
    public async Task On_0_0_0_0_with_the_default_root_keys_the_banner_warns_and_admin_answers_only_loopback()
    {
        await using var server = await LocalShiftServer.StartAsync(null, "--host", "0.0.0.0");
        Assert.Contains("WARNING: listening on 0.0.0.0 with the default root keys (test/test)", server.Output);

        using var http = new HttpClient();
        var remote = await http.GetAsync($"http://{OwnAddress()}:{server.Port}/_localshift/health");
        Assert.Equal(HttpStatusCode.Forbidden, remote.StatusCode);
        Assert.Contains("--admin-from-anywhere on", await remote.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{server.Port}/_localshift/health")).StatusCode);
        // The AWS endpoint itself answers callers from anywhere.
        Assert.Equal(0, (await server.AwsAsync("sts", "get-caller-identity")).ExitCode);
    }

    [Fact]
    public async Task With_admin_from_anywhere_on_and_own_root_keys_admin_answers_any_caller_and_the_banner_does_not_warn()
    {
        await using var server = await LocalShiftServer.StartAsync(null, "--host", "0.0.0.0", "--admin-from-anywhere", "on",
            "--root-access-key", "AKIDOWN", "--root-secret-key", "own-secret");
        Assert.DoesNotContain("WARNING", server.Output);

        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://{OwnAddress()}:{server.Port}/_localshift/health")).StatusCode);
    }

    [Fact]
    public async Task On_loopback_the_banner_does_not_warn()
    {
        await using var server = await LocalShiftServer.StartAsync();
        Assert.DoesNotContain("WARNING", server.Output);
    }
}
