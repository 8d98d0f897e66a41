using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Redshift;

/// <summary>
/// The user story (seed/redshift-iam-roles.txt) with Debian's AWS CLI, and the JS SDK on the same flows. The CLI runs as
/// /usr/bin/aws processes of their own here (not the warm pool), exactly as the story's user starts it.
/// </summary>
public class RedshiftCliTests(RedshiftServerFixture fixture) : IClassFixture<RedshiftServerFixture>
{
    private const string Role = "arn:aws:iam::123456789012:role/";
    private const string Password = "Passw0rdLocal";
    private LocalShiftServer Server => fixture.Server;

    private async Task<JsonElement> DescribeAsync(string id) =>
        (await Server.AwsProcessAsync("redshift", "describe-clusters", "--cluster-identifier", id)).Json().GetProperty("Clusters")[0];

    private static List<(string Arn, string Status)> Roles(JsonElement cluster) =>
        cluster.GetProperty("IamRoles").EnumerateArray()
            .Select(r => (r.GetProperty("IamRoleArn").GetString()!, r.GetProperty("ApplyStatus").GetString()!)).ToList();

    /// <summary>Polls describe-clusters until <paramref name="done"/> holds (or 30s pass) and returns the last answer.</summary>
    private async Task<JsonElement> UntilAsync(string id, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var c = await DescribeAsync(id);
            if (done(c) || DateTime.UtcNow > deadline) return c;
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// describe-clusters right after a role change: while less than the role-apply delay has passed since the change
    /// was sent, the transitional status must show; past that, the settled one (null: the role is gone) is also right.
    /// A loaded machine can make one CLI run take seconds, so the strict check only applies when it can hold.
    /// </summary>
    private async Task AssertStillAsync(DateTime sentAt, (string, string) transitional, (string, string)? settled)
    {
        var roles = Roles(await DescribeAsync("my-redshift-cluster"));
        var (arn, _) = transitional;
        if (DateTime.UtcNow - sentAt < RedshiftServerFixture.RoleApplyDelay) Assert.Contains(transitional, roles);
        else if (settled is { } s) Assert.True(roles.Contains(transitional) || roles.Contains(s), string.Join(",", roles));
        else Assert.True(roles.Contains(transitional) || roles.All(r => r.Arn != arn), string.Join(",", roles));
    }

    [Fact]
    public async Task User_story_with_the_cli_associates_lists_and_disassociates_roles()
    {
        // The story's create-cluster, plus what the CLI itself insists on: --master-username/--master-user-password are
        // required by the service model, and the CLI's option is --iam-roles (the page's --iam-role-arns does not exist).
        var created = (await Server.AwsProcessAsync("redshift", "create-cluster",
            "--cluster-identifier", "my-redshift-cluster", "--node-type", "dc1.large", "--number-of-nodes", "16",
            "--iam-roles", Role + "RedshiftCopyUnload", Role + "SecondRedshiftRole",
            "--master-username", "admin", "--master-user-password", Password)).Json().GetProperty("Cluster");
        Assert.Equal("creating", created.GetProperty("ClusterStatus").GetString());
        Assert.Equal([(Role + "RedshiftCopyUnload", "adding"), (Role + "SecondRedshiftRole", "adding")], Roles(created));
        (await Server.AwsProcessAsync("redshift", "create-cluster",
            "--cluster-identifier", "my-second-redshift-cluster", "--node-type", "dc1.large", "--number-of-nodes", "10",
            "--iam-roles", Role + "MyRedshiftRole", Role + "SecondRedshiftRole", Role + "ThirdRedshiftRole",
            "--master-username", "admin", "--master-user-password", Password)).EnsureSuccess();

        await UntilAsync("my-redshift-cluster", c => c.GetProperty("ClusterStatus").GetString() == "available");
        await UntilAsync("my-second-redshift-cluster", c => c.GetProperty("ClusterStatus").GetString() == "available");
        (await Server.AwsProcessAsync("redshift", "wait", "cluster-available", "--cluster-identifier", "my-redshift-cluster")).EnsureSuccess();

        // Verbatim: associating a role the cluster already has leaves it in-sync.
        var again = (await Server.AwsProcessAsync("redshift", "modify-cluster-iam-roles",
            "--cluster-identifier", "my-redshift-cluster", "--add-iam-roles", "arn:aws:iam::123456789012:role/RedshiftCopyUnload")).Json();
        Assert.Contains((Role + "RedshiftCopyUnload", "in-sync"), Roles(again.GetProperty("Cluster")));

        // Associating a new role: adding, visible in describe-clusters, then in-sync.
        var sent = DateTime.UtcNow;
        var adding = (await Server.AwsProcessAsync("redshift", "modify-cluster-iam-roles",
            "--cluster-identifier", "my-redshift-cluster", "--add-iam-roles", Role + "MyRedshiftRole")).Json().GetProperty("Cluster");
        Assert.Contains((Role + "MyRedshiftRole", "adding"), Roles(adding));
        await AssertStillAsync(sent, (Role + "MyRedshiftRole", "adding"), (Role + "MyRedshiftRole", "in-sync"));
        var synced = await UntilAsync("my-redshift-cluster", c => Roles(c).All(r => r.Status == "in-sync"));
        Assert.Contains((Role + "MyRedshiftRole", "in-sync"), Roles(synced));

        // Verbatim: disassociating shows removing, then the role disappears.
        sent = DateTime.UtcNow;
        var removing = (await Server.AwsProcessAsync("redshift", "modify-cluster-iam-roles",
            "--cluster-identifier", "my-redshift-cluster", "--remove-iam-roles", "arn:aws:iam::123456789012:role/RedshiftCopyUnload")).Json().GetProperty("Cluster");
        Assert.Contains((Role + "RedshiftCopyUnload", "removing"), Roles(removing));
        await AssertStillAsync(sent, (Role + "RedshiftCopyUnload", "removing"), null);
        await UntilAsync("my-redshift-cluster", c => Roles(c).All(r => r.Arn != Role + "RedshiftCopyUnload"));

        // Verbatim: describe-clusters lists both clusters as in the story's sample output.
        var all = (await Server.AwsProcessAsync("redshift", "describe-clusters")).Json().GetProperty("Clusters").EnumerateArray()
            .ToDictionary(c => c.GetProperty("ClusterIdentifier").GetString()!);
        var first = all["my-redshift-cluster"];
        Assert.Equal("dc1.large", first.GetProperty("NodeType").GetString());
        Assert.Equal(16, first.GetProperty("NumberOfNodes").GetInt32());
        Assert.Equal([(Role + "SecondRedshiftRole", "in-sync"), (Role + "MyRedshiftRole", "in-sync")], Roles(first));
        var second = all["my-second-redshift-cluster"];
        Assert.Equal(10, second.GetProperty("NumberOfNodes").GetInt32());
        Assert.Equal([(Role + "MyRedshiftRole", "in-sync"), (Role + "SecondRedshiftRole", "in-sync"), (Role + "ThirdRedshiftRole", "in-sync")], Roles(second));
        Assert.NotEqual(first.GetProperty("Endpoint").GetProperty("Port").GetInt32(), second.GetProperty("Endpoint").GetProperty("Port").GetInt32());
        Assert.InRange(first.GetProperty("Endpoint").GetProperty("Port").GetInt32(), Server.SqlPortStart, Server.SqlPortStart + 19);
    }

    [Fact]
    public async Task Cli_shows_redshifts_error_texts()
    {
        var notFound = await Server.AwsProcessAsync("redshift", "describe-clusters", "--cluster-identifier", "no-such-cluster");
        Assert.Equal(254, notFound.ExitCode);
        Assert.Contains("An error occurred (ClusterNotFound) when calling the DescribeClusters operation: Cluster no-such-cluster not found.", notFound.Stderr);

        var badId = await Server.AwsProcessAsync("redshift", "create-cluster", "--cluster-identifier", "bad--id", "--node-type", "dc2.large",
            "--master-username", "admin", "--master-user-password", Password);
        Assert.Contains("(InvalidParameterValue) when calling the CreateCluster operation: The parameter ClusterIdentifier is not a valid identifier.", badId.Stderr);

        var untrusted = await Server.AwsProcessAsync("redshift", "create-cluster", "--cluster-identifier", "err-cluster", "--node-type", "dc2.large",
            "--master-username", "admin", "--master-user-password", Password, "--iam-roles", Role + "Ec2OnlyRole");
        Assert.Contains($"(InvalidParameterValue) when calling the CreateCluster operation: The IAM role {Role}Ec2OnlyRole is not valid. The IAM role must delegate access to an Amazon Redshift account.", untrusted.Stderr);

        var defaultNotIn = await Server.AwsProcessAsync("redshift", "create-cluster", "--cluster-identifier", "err-cluster", "--node-type", "dc2.large",
            "--master-username", "admin", "--master-user-password", Password, "--iam-roles", Role + "MyRedshiftRole", "--default-iam-role-arn", Role + "ThirdRedshiftRole");
        Assert.Contains("The list of Amazon Resource Names (ARNs) for customer roles should contain the ARN of the default IAM role when a default is specified.", defaultNotIn.Stderr);

        (await Server.AwsProcessAsync("redshift", "create-cluster", "--cluster-identifier", "err-cluster", "--node-type", "dc2.large",
            "--master-username", "admin", "--master-user-password", Password)).EnsureSuccess();
        var noSnapshotChoice = await Server.AwsProcessAsync("redshift", "delete-cluster", "--cluster-identifier", "err-cluster");
        Assert.Contains("(InvalidParameterCombination) when calling the DeleteCluster operation: FinalClusterSnapshotIdentifier is required unless SkipFinalClusterSnapshot is specified.", noSnapshotChoice.Stderr);
    }

    [Fact]
    public async Task Deleted_cluster_goes_deleting_then_wait_cluster_deleted_succeeds()
    {
        (await Server.AwsProcessAsync("redshift", "create-cluster", "--cluster-identifier", "doomed", "--node-type", "dc2.large",
            "--master-username", "admin", "--master-user-password", Password)).EnsureSuccess();
        var available = await UntilAsync("doomed", c => c.GetProperty("ClusterStatus").GetString() == "available");
        var port = available.GetProperty("Endpoint").GetProperty("Port").GetInt32();
        Assert.True(await AcceptsAsync(port), $"an available cluster listens on its endpoint port {port}");

        var deleting = (await Server.AwsProcessAsync("redshift", "delete-cluster", "--cluster-identifier", "doomed", "--skip-final-cluster-snapshot")).Json();
        Assert.Equal("deleting", deleting.GetProperty("Cluster").GetProperty("ClusterStatus").GetString());

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await Server.AwsProcessAsync("redshift", "describe-clusters", "--cluster-identifier", "doomed")).ExitCode == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        (await Server.AwsProcessAsync("redshift", "wait", "cluster-deleted", "--cluster-identifier", "doomed")).EnsureSuccess();
        Assert.False(await AcceptsAsync(port), $"a deleted cluster no longer listens on port {port}");
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        try
        {
            await tcp.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Tags_round_trip_and_filter_clusters()
    {
        (await Server.AwsProcessAsync("redshift", "create-cluster", "--cluster-identifier", "tagged", "--node-type", "dc2.large",
            "--master-username", "admin", "--master-user-password", Password, "--tags", "Key=team,Value=data")).EnsureSuccess();
        var arn = "arn:aws:redshift:us-east-1:123456789012:cluster:tagged";
        (await Server.AwsProcessAsync("redshift", "create-tags", "--resource-name", arn, "--tags", "Key=env,Value=test")).EnsureSuccess();
        var tags = (await Server.AwsProcessAsync("redshift", "describe-tags", "--resource-name", arn)).Json().GetProperty("TaggedResources");
        Assert.Equal(["team", "env"], tags.EnumerateArray().Select(t => t.GetProperty("Tag").GetProperty("Key").GetString()));
        (await Server.AwsProcessAsync("redshift", "delete-tags", "--resource-name", arn, "--tag-keys", "team")).EnsureSuccess();
        var filtered = (await Server.AwsProcessAsync("redshift", "describe-clusters", "--tag-keys", "env")).Json().GetProperty("Clusters");
        var only = Assert.Single(filtered.EnumerateArray());
        Assert.Equal("tagged", only.GetProperty("ClusterIdentifier").GetString());
        Assert.Equal("env", Assert.Single(only.GetProperty("Tags").EnumerateArray()).GetProperty("Key").GetString());
    }

    [Fact]
    public async Task Js_sdk_creates_waits_adds_and_removes_roles()
    {
        var r = await Server.NodeAsync("redshift-roles", new
        {
            id = "js-cluster", nodes = 10, password = Password,
            roles = new[] { Role + "SecondRedshiftRole" }, add = Role + "ThirdRedshiftRole", remove = Role + "SecondRedshiftRole",
        });
        Assert.Equal("creating", r.GetProperty("created").GetProperty("status").GetString());
        Assert.Equal(10, r.GetProperty("created").GetProperty("nodes").GetInt32());
        Assert.Equal("available", r.GetProperty("available").GetProperty("status").GetString());
        Assert.Equal("127.0.0.1", r.GetProperty("available").GetProperty("endpoint").GetProperty("Address").GetString());
        string Pairs(string key) => string.Join(",", r.GetProperty(key).EnumerateArray().Select(p => $"{p[0].GetString()}={p[1].GetString()}"));
        Assert.Equal($"{Role}SecondRedshiftRole=in-sync,{Role}ThirdRedshiftRole=adding", Pairs("added"));
        Assert.Equal($"{Role}SecondRedshiftRole=in-sync,{Role}ThirdRedshiftRole=in-sync", Pairs("inSync"));
        Assert.Equal($"{Role}SecondRedshiftRole=removing,{Role}ThirdRedshiftRole=in-sync", Pairs("removed"));
        Assert.Equal($"{Role}ThirdRedshiftRole=in-sync", Pairs("gone"));
        Assert.Equal("ClusterNotFoundFault", r.GetProperty("notFound").GetProperty("name").GetString());
        Assert.Equal("Cluster no-such-cluster not found.", r.GetProperty("notFound").GetProperty("message").GetString());
        Assert.Equal(404, r.GetProperty("notFound").GetProperty("status").GetInt32());
        Assert.Equal("InvalidParameterCombination", r.GetProperty("badDelete").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Member_spelling_of_the_dotnet_sdk_is_accepted_on_the_wire()
    {
        (await Server.AwsProcessAsync("redshift", "create-cluster", "--cluster-identifier", "member-spelling", "--node-type", "dc2.large",
            "--master-username", "admin", "--master-user-password", Password)).EnsureSuccess();
        await UntilAsync("member-spelling", c => c.GetProperty("ClusterStatus").GetString() == "available");

        var r = await Server.NodeAsync("redshift-member-spelling", new { id = "member-spelling", role = Role + "MyRedshiftRole" });
        Assert.Contains("AddIamRoles.member.1=", r.GetProperty("sentBody").GetString());
        var role = Assert.Single(r.GetProperty("roles").EnumerateArray());
        Assert.Equal(Role + "MyRedshiftRole", role.GetProperty("IamRoleArn").GetString());
        Assert.Equal("adding", role.GetProperty("ApplyStatus").GetString());
    }
}
