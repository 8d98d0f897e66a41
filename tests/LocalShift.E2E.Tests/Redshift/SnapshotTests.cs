using System.Text.Json;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Redshift;

/// <summary>One server for the snapshot and cluster-operation tests: clusters, snapshots and transitions take 1s.</summary>
public sealed class SnapshotServerFixture : IAsyncLifetime
{
    public LocalShiftServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await LocalShiftServer.StartAsync(null, "--role-apply-delay", "1s", "--cluster-create-delay", "1s");

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();
}

[CollectionDefinition(Name)]
public sealed class SnapshotServerCollection : ICollectionFixture<SnapshotServerFixture>
{
    public const string Name = "redshift-cluster-operations";
}

/// <summary>
/// Snapshots with /usr/bin/aws and psql: a snapshot keeps the warehouse's tables, a final snapshot is taken on delete,
/// a restore gets its own roles (vetted as CreateCluster vets them), and snapshots survive a restart.
/// </summary>
[Collection(SnapshotServerCollection.Name)]
public sealed class SnapshotTests(SnapshotServerFixture fixture)
{
    private LocalShiftServer Server => fixture.Server;

    private async Task<JsonElement> SnapshotAsync(string id) =>
        (await Server.AwsAsync("redshift", "describe-cluster-snapshots", "--snapshot-identifier", id)).Json().GetProperty("Snapshots")[0];

    private async Task UntilSnapshotAvailableAsync(string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await SnapshotAsync(id)).GetProperty("Status").GetString() != "available")
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"snapshot {id} not available");
            await Task.Delay(200);
        }
    }

    /// <summary>Waits until a restored cluster is available with every role in-sync; returns it.</summary>
    private async Task<JsonElement> UntilClusterReadyAsync(string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var c = (await Server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", id)).Json().GetProperty("Clusters")[0];
            if (c.GetProperty("ClusterStatus").GetString() == "available"
                && c.GetProperty("IamRoles").EnumerateArray().All(r => r.GetProperty("ApplyStatus").GetString() == "in-sync")) return c;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"cluster {id} not ready: {c}");
            await Task.Delay(200);
        }
    }

    private static int Port(JsonElement cluster) => cluster.GetProperty("Endpoint").GetProperty("Port").GetInt32();

    [Fact]
    public async Task Snapshot_delete_and_restore_with_other_roles_keeps_the_tables_and_survives_a_restart()
    {
        var story = new RoleStory(Server);
        var loader = await story.CreateRoleAsync("SnapLoader");
        var other = await story.CreateRoleAsync("SnapOther");
        await story.CreateRoleAsync("SnapEc2Only", RedshiftServerFixture.Ec2Trust);
        var port = await story.CreateClusterAsync("snap-source", [loader], loader);
        (await story.PsqlAsync(port, "CREATE TABLE sales(id INT, amount INT)", "INSERT INTO sales VALUES (1, 10), (2, 20)")).EnsureSuccess();

        var created = (await Server.AwsAsync("redshift", "create-cluster-snapshot", "--snapshot-identifier", "before-third",
            "--cluster-identifier", "snap-source", "--tags", "Key=team,Value=data")).Json().GetProperty("Snapshot");
        Assert.Equal("creating", created.GetProperty("Status").GetString());
        Assert.Equal("manual", created.GetProperty("SnapshotType").GetString());
        Assert.Equal("snap-source", created.GetProperty("ClusterIdentifier").GetString());
        Assert.Equal("admin", created.GetProperty("MasterUsername").GetString());
        var duplicate = await Server.AwsAsync("redshift", "create-cluster-snapshot", "--snapshot-identifier", "before-third",
            "--cluster-identifier", "snap-source");
        Assert.Contains("(ClusterSnapshotAlreadyExists)", duplicate.Stderr);
        await UntilSnapshotAvailableAsync("before-third");

        // A row after the snapshot is in the final snapshot only.
        (await story.PsqlAsync(port, "INSERT INTO sales VALUES (3, 30)")).EnsureSuccess();
        var deleted = (await Server.AwsAsync("redshift", "delete-cluster", "--cluster-identifier", "snap-source",
            "--final-cluster-snapshot-identifier", "snap-source-final")).Json().GetProperty("Cluster");
        Assert.Equal("deleting", deleted.GetProperty("ClusterStatus").GetString());
        var listed = (await Server.AwsAsync("redshift", "describe-cluster-snapshots", "--cluster-identifier", "snap-source",
            "--sorting-entities", "Attribute=CREATE_TIME,SortOrder=ASC")).Json().GetProperty("Snapshots");
        Assert.Equal(["before-third", "snap-source-final"], listed.EnumerateArray().Select(s => s.GetProperty("SnapshotIdentifier").GetString()));
        var tagged = (await Server.AwsAsync("redshift", "describe-cluster-snapshots", "--tag-keys", "team")).Json().GetProperty("Snapshots");
        Assert.Equal(["before-third"], tagged.EnumerateArray().Select(s => s.GetProperty("SnapshotIdentifier").GetString()));
        await UntilSnapshotAvailableAsync("snap-source-final");
        // (aws redshift wait cluster-deleted polls once a minute.)
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await Server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", "snap-source")).Stderr.Contains("(ClusterNotFound)"))
        {
            Assert.True(DateTime.UtcNow < deadline, "snap-source is still there");
            await Task.Delay(200);
        }

        // Snapshots live in state.db and the data folder: a restart keeps them.
        await Server.RestartAsync();

        // The restore's roles are vetted as CreateCluster's: a role that does not trust Redshift is refused.
        var untrusted = await Server.AwsAsync("redshift", "restore-from-cluster-snapshot", "--cluster-identifier", "restored",
            "--snapshot-identifier", "before-third", "--iam-roles", RoleStory.RoleArn("SnapEc2Only"));
        Assert.Contains($"(InvalidParameterValue) when calling the RestoreFromClusterSnapshot operation: The IAM role {RoleStory.RoleArn("SnapEc2Only")} is not valid.", untrusted.Stderr);

        var restoring = (await Server.AwsAsync("redshift", "restore-from-cluster-snapshot", "--cluster-identifier", "restored",
            "--snapshot-identifier", "before-third", "--iam-roles", other, "--default-iam-role-arn", other)).Json().GetProperty("Cluster");
        Assert.Equal("creating", restoring.GetProperty("ClusterStatus").GetString());
        Assert.Equal("adding", restoring.GetProperty("IamRoles")[0].GetProperty("ApplyStatus").GetString());
        (await Server.AwsAsync("redshift", "restore-from-cluster-snapshot", "--cluster-identifier", "restored-final",
            "--snapshot-identifier", "snap-source-final")).EnsureSuccess();

        var restored = await UntilClusterReadyAsync("restored");
        Assert.Equal([other], restored.GetProperty("IamRoles").EnumerateArray().Select(r => r.GetProperty("IamRoleArn").GetString()));
        Assert.Equal(other, restored.GetProperty("DefaultIamRoleArn").GetString());
        // The master user logs in with the password it had; the table is there as it was when the snapshot was taken.
        var rows = (await story.PsqlAsync(Port(restored), "SELECT count(*) || ',' || sum(amount) FROM sales", "SELECT default_iam_role()")).EnsureSuccess();
        Assert.Equal(["2,30", other], rows.Stdout.Trim().Split('\n'));
        var final = await UntilClusterReadyAsync("restored-final");
        Assert.Empty(final.GetProperty("IamRoles").EnumerateArray());
        Assert.Equal("3,60", (await story.PsqlAsync(Port(final), "SELECT count(*) || ',' || sum(amount) FROM sales")).EnsureSuccess().Stdout.Trim());

        var gone = (await Server.AwsAsync("redshift", "delete-cluster-snapshot", "--snapshot-identifier", "before-third")).Json().GetProperty("Snapshot");
        Assert.Equal("deleted", gone.GetProperty("Status").GetString());
        var missing = await Server.AwsAsync("redshift", "describe-cluster-snapshots", "--snapshot-identifier", "before-third");
        Assert.Contains("(ClusterSnapshotNotFound)", missing.Stderr);
        var again = await Server.AwsAsync("redshift", "restore-from-cluster-snapshot", "--cluster-identifier", "restored-again",
            "--snapshot-identifier", "before-third");
        Assert.Contains("(ClusterSnapshotNotFound) when calling the RestoreFromClusterSnapshot operation: Snapshot not found for cluster.", again.Stderr);
    }

    [Fact]
    public async Task Delete_with_a_final_snapshot_identifier_in_use_keeps_the_cluster()
    {
        var story = new RoleStory(Server);
        await story.CreateClusterAsync("keep-me", []);
        (await Server.AwsAsync("redshift", "create-cluster-snapshot", "--snapshot-identifier", "taken", "--cluster-identifier", "keep-me")).EnsureSuccess();
        var refused = await Server.AwsAsync("redshift", "delete-cluster", "--cluster-identifier", "keep-me",
            "--final-cluster-snapshot-identifier", "taken");
        Assert.Contains("(ClusterSnapshotAlreadyExists)", refused.Stderr);
        var c = (await Server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", "keep-me")).Json().GetProperty("Clusters")[0];
        Assert.Equal("available", c.GetProperty("ClusterStatus").GetString());
        var notReady = await Server.AwsAsync("redshift", "delete-cluster-snapshot", "--snapshot-identifier", "taken");
        if (notReady.ExitCode != 0) Assert.Contains("(InvalidClusterSnapshotState)", notReady.Stderr);
    }
}
