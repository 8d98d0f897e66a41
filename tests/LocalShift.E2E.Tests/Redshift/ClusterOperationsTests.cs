using System.Text.Json;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Redshift;

/// <summary>
/// What Terraform's aws_redshift_cluster calls besides create/delete, with /usr/bin/aws and psql: ModifyCluster (a new
/// master password is the SQL login's; a resize passes through resizing), the logging status, pause/resume (a paused
/// cluster refuses connections and keeps its data), reboot, and the default parameter and subnet groups.
/// </summary>
[Collection(SnapshotServerCollection.Name)]
public sealed class ClusterOperationsTests(SnapshotServerFixture fixture)
{
    private LocalShiftServer Server => fixture.Server;

    private async Task<JsonElement> UntilStatusAsync(string id, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var c = (await Server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", id)).Json().GetProperty("Clusters")[0];
            if (c.GetProperty("ClusterStatus").GetString() == status) return c;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"cluster {id} not {status}: {c}");
            await Task.Delay(200);
        }
    }

    private static string Status(JsonElement result) => result.GetProperty("Cluster").GetProperty("ClusterStatus").GetString()!;

    [Fact]
    public async Task Modify_logging_pause_resume_and_reboot_as_terraform_calls_them()
    {
        var story = new RoleStory(Server);
        var port = await story.CreateClusterAsync("ops", []);
        (await story.PsqlAsync(port, "CREATE TABLE kept(x INT)", "INSERT INTO kept VALUES (7)")).EnsureSuccess();

        // Logging: what every terraform refresh reads.
        Assert.False((await Server.AwsAsync("redshift", "describe-logging-status", "--cluster-identifier", "ops")).Json().GetProperty("LoggingEnabled").GetBoolean());
        var enabled = (await Server.AwsAsync("redshift", "enable-logging", "--cluster-identifier", "ops", "--bucket-name", "audit-logs",
            "--s3-key-prefix", "ops/")).Json();
        Assert.True(enabled.GetProperty("LoggingEnabled").GetBoolean());
        var status = (await Server.AwsAsync("redshift", "describe-logging-status", "--cluster-identifier", "ops")).Json();
        Assert.Equal(("audit-logs", "ops/"), (status.GetProperty("BucketName").GetString(), status.GetProperty("S3KeyPrefix").GetString()));
        Assert.False((await Server.AwsAsync("redshift", "disable-logging", "--cluster-identifier", "ops")).Json().GetProperty("LoggingEnabled").GetBoolean());

        // A new master password is the SQL login's at once; the old one no longer logs in.
        (await Server.AwsAsync("redshift", "modify-cluster", "--cluster-identifier", "ops", "--master-user-password", "N3wPassword")).EnsureSuccess();
        Assert.Equal("7", (await story.PsqlAsAsync(port, "admin", "N3wPassword", "SELECT x FROM kept")).EnsureSuccess().Stdout.Trim());
        var old = await story.PsqlAsync(port, "SELECT 1");
        Assert.Contains("password authentication failed", old.Stderr);

        // A resize passes through resizing.
        var resizing = (await Server.AwsAsync("redshift", "modify-cluster", "--cluster-identifier", "ops", "--node-type", "dc2.large",
            "--cluster-type", "multi-node", "--number-of-nodes", "2")).Json();
        Assert.Equal("resizing", Status(resizing));
        Assert.Equal(2, (await UntilStatusAsync("ops", "available")).GetProperty("NumberOfNodes").GetInt32());

        // A paused cluster refuses connections and keeps its data.
        Assert.Equal("pausing", Status((await Server.AwsAsync("redshift", "pause-cluster", "--cluster-identifier", "ops")).Json()));
        await UntilStatusAsync("ops", "paused");
        var refused = await story.PsqlAsAsync(port, "admin", "N3wPassword", "SELECT 1");
        Assert.NotEqual(0, refused.ExitCode);
        var again = await Server.AwsAsync("redshift", "pause-cluster", "--cluster-identifier", "ops");
        Assert.Contains("(InvalidClusterState)", again.Stderr);
        Assert.Equal("resuming", Status((await Server.AwsAsync("redshift", "resume-cluster", "--cluster-identifier", "ops")).Json()));
        var resumed = await UntilStatusAsync("ops", "available");
        port = resumed.GetProperty("Endpoint").GetProperty("Port").GetInt32();
        await UntilSqlAsync(story, port);

        Assert.Equal("rebooting", Status((await Server.AwsAsync("redshift", "reboot-cluster", "--cluster-identifier", "ops")).Json()));
        await UntilStatusAsync("ops", "available");
        await UntilSqlAsync(story, port);
    }

    /// <summary>Waits until the endpoint answers again (it starts on the lifecycle's next tick) and the data is there.</summary>
    private static async Task UntilSqlAsync(RoleStory story, int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var r = await story.PsqlAsAsync(port, "admin", "N3wPassword", "SELECT x FROM kept");
            if (r.ExitCode == 0) { Assert.Equal("7", r.Stdout.Trim()); return; }
            if (DateTime.UtcNow > deadline) throw new TimeoutException(r.ToString());
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Default_parameter_and_subnet_groups_versions_and_orderable_options_are_described()
    {
        var groups = (await Server.AwsAsync("redshift", "describe-cluster-parameter-groups")).Json().GetProperty("ParameterGroups");
        Assert.Equal("default.redshift-1.0", groups[0].GetProperty("ParameterGroupName").GetString());
        Assert.Equal("redshift-1.0", groups[0].GetProperty("ParameterGroupFamily").GetString());
        var parameters = (await Server.AwsAsync("redshift", "describe-cluster-parameters", "--parameter-group-name", "default.redshift-1.0"))
            .Json().GetProperty("Parameters").EnumerateArray().ToDictionary(x => x.GetProperty("ParameterName").GetString()!, x => x.GetProperty("ParameterValue").GetString());
        Assert.Equal("false", parameters["require_ssl"]);
        Assert.Equal("$user, public", parameters["search_path"]);
        var defaults = (await Server.AwsAsync("redshift", "describe-default-cluster-parameters", "--parameter-group-family", "redshift-1.0"))
            .Json().GetProperty("DefaultClusterParameters");
        Assert.Equal(parameters.Count, defaults.GetProperty("Parameters").GetArrayLength());
        var unknown = await Server.AwsAsync("redshift", "describe-cluster-parameters", "--parameter-group-name", "custom");
        Assert.Contains("(ClusterParameterGroupNotFound)", unknown.Stderr);

        var subnets = (await Server.AwsAsync("redshift", "describe-cluster-subnet-groups")).Json().GetProperty("ClusterSubnetGroups");
        Assert.Equal("default", subnets[0].GetProperty("ClusterSubnetGroupName").GetString());
        Assert.StartsWith("vpc-", subnets[0].GetProperty("VpcId").GetString());
        var missing = await Server.AwsAsync("redshift", "describe-cluster-subnet-groups", "--cluster-subnet-group-name", "nope");
        Assert.Contains("(ClusterSubnetGroupNotFoundFault)", missing.Stderr);

        var versions = (await Server.AwsAsync("redshift", "describe-cluster-versions")).Json().GetProperty("ClusterVersions");
        Assert.Equal("1.0", versions[0].GetProperty("ClusterVersion").GetString());
        var orderable = (await Server.AwsAsync("redshift", "describe-orderable-cluster-options", "--node-type", "ra3.16xlarge"))
            .Json().GetProperty("OrderableClusterOptions");
        Assert.Equal(["multi-node"], orderable.EnumerateArray().Select(o => o.GetProperty("ClusterType").GetString()));
    }
}
