using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Redshift;

/// <summary>Cluster and role transitions live in state.db: a crash in the middle of one resumes it after restart.</summary>
public class RedshiftRestartTests
{
    private const string Role = "arn:aws:iam::123456789012:role/";

    [Fact]
    public async Task Role_adding_when_the_server_crashed_is_in_sync_after_restart()
    {
        await using var server = await LocalShiftServer.StartAsync(null, "--role-apply-delay", "3s", "--cluster-create-delay", "1s");
        (await server.AwsAsync("iam", "create-role", "--role-name", "RedshiftCopyUnload", "--assume-role-policy-document", RedshiftServerFixture.RedshiftTrust)).EnsureSuccess();
        (await server.AwsAsync("redshift", "create-cluster", "--cluster-identifier", "survivor", "--node-type", "dc2.large",
            "--master-username", "admin", "--master-user-password", "Passw0rdLocal")).EnsureSuccess();
        var cluster = await UntilAsync(server, c => c.GetProperty("ClusterStatus").GetString() == "available");
        var port = cluster.GetProperty("Endpoint").GetProperty("Port").GetInt32();

        var adding = (await server.AwsAsync("redshift", "modify-cluster-iam-roles", "--cluster-identifier", "survivor",
            "--add-iam-roles", Role + "RedshiftCopyUnload")).Json();
        Assert.Equal("adding", adding.GetProperty("Cluster").GetProperty("IamRoles")[0].GetProperty("ApplyStatus").GetString());

        await server.RestartAsync(crash: true);

        var after = await UntilAsync(server, c => c.GetProperty("IamRoles")[0].GetProperty("ApplyStatus").GetString() == "in-sync");
        Assert.Equal("in-sync", after.GetProperty("IamRoles")[0].GetProperty("ApplyStatus").GetString());
        Assert.Equal("available", after.GetProperty("ClusterStatus").GetString());
        Assert.Equal(port, after.GetProperty("Endpoint").GetProperty("Port").GetInt32());
    }

    private static async Task<JsonElement> UntilAsync(LocalShiftServer server, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var c = (await server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", "survivor")).Json().GetProperty("Clusters")[0];
            if (done(c) || DateTime.UtcNow > deadline) return c;
            await Task.Delay(250);
        }
    }
}
