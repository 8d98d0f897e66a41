using System.Text.Json;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Redshift;

/// <summary>
/// A cluster belongs to the region of the request's credential scope (issue 14): with Debian's CLI and --region, another
/// region neither sees nor modifies it, the same identifier is a second cluster there, and each cluster's SQL endpoint
/// assumes roles as the db user of its own region.
/// </summary>
public class RedshiftRegionTests
{
    private const string Account = LocalShiftServer.AccountId;
    private const string West = "us-west-2";
    private const string EastOnlyPolicy = """
        { "Version": "2012-10-17", "Statement": [
          { "Effect": "Allow", "Action": "redshift:*", "Resource": "arn:aws:redshift:us-east-1:123456789012:cluster:*" },
          { "Effect": "Allow", "Action": "redshift:DescribeClusters", "Resource": "*" } ] }
        """;
    private const string WestDbUserTrust = """
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole",
          "Condition":{"StringEquals":{"sts:ExternalId":"arn:aws:redshift:us-west-2:123456789012:dbuser:shared/admin"}}}]}
        """;

    [Fact]
    public async Task Clusters_belong_to_the_region_of_the_request()
    {
        await using var server = await LocalShiftServer.StartAsync(null, "--role-apply-delay", "1s", "--cluster-create-delay", "1s");
        var story = new RoleStory(server);
        var loader = await story.CreateRoleAsync("WestLoader", WestDbUserTrust, RoleStory.S3Policy("region-data", "s3:GetObject", "s3:ListBucket"));
        await story.MakeBucketAsync("region-data", ("in.txt", "1|a\n2|b\n"));
        Task<CommandResult> Root(string region, params string[] args) => server.AwsAsync([.. args, "--region", region]);

        var eastPort = await CreateAvailableAsync(server, "us-east-1");

        // A user whose policy names only us-east-1 clusters: in us-west-2 it is refused on the us-west-2 ARN, as AWS
        // authorizes before it looks the cluster up; in us-east-1 the same call is allowed.
        (await server.AwsAsync("iam", "create-user", "--user-name", "east-only")).EnsureSuccess();
        (await server.AwsAsync("iam", "put-user-policy", "--user-name", "east-only", "--policy-name", "east", "--policy-document", EastOnlyPolicy)).EnsureSuccess();
        var key = (await server.AwsAsync("iam", "create-access-key", "--user-name", "east-only")).Json().GetProperty("AccessKey");
        Task<CommandResult> User(string region, params string[] args) =>
            server.AwsAsAsync(key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!, null, [.. args, "--region", region]);
        string[] modify = ["redshift", "modify-cluster-iam-roles", "--cluster-identifier", "shared", "--remove-iam-roles", loader];

        var denied = await User(West, modify);
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("An error occurred (AccessDenied) when calling the ModifyClusterIamRoles operation: User: arn:aws:iam::123456789012:user/east-only " +
            "is not authorized to perform: redshift:ModifyClusterIamRoles on resource: arn:aws:redshift:us-west-2:123456789012:cluster:shared", denied.Stderr);
        (await User("us-east-1", modify)).EnsureSuccess();
        Assert.Empty(Clusters(await User(West, "redshift", "describe-clusters")));

        // The account root is allowed everywhere, and finds nothing of that name in us-west-2.
        var notFound = await Root(West, modify);
        Assert.Contains("An error occurred (ClusterNotFound) when calling the ModifyClusterIamRoles operation: Cluster shared not found.", notFound.Stderr);
        Assert.Contains("(ClusterNotFound) when calling the DescribeClusters operation: Cluster shared not found.",
            (await Root(West, "redshift", "describe-clusters", "--cluster-identifier", "shared")).Stderr);
        Assert.Contains("(ClusterNotFound) when calling the DeleteCluster operation: Cluster shared not found.",
            (await Root(West, "redshift", "delete-cluster", "--cluster-identifier", "shared", "--skip-final-cluster-snapshot")).Stderr);
        Assert.Empty(Clusters(await Root(West, "redshift", "describe-clusters")));

        // The same identifier in us-west-2 is another cluster: its own ARN, zone and SQL endpoint.
        var westPort = await CreateAvailableAsync(server, West, loader);
        Assert.NotEqual(eastPort, westPort);
        var east = Assert.Single(Clusters(await Root("us-east-1", "redshift", "describe-clusters")));
        var west = Assert.Single(Clusters(await Root(West, "redshift", "describe-clusters")));
        Assert.StartsWith("arn:aws:redshift:us-east-1:123456789012:namespace:", east.GetProperty("ClusterNamespaceArn").GetString());
        Assert.StartsWith("arn:aws:redshift:us-west-2:123456789012:namespace:", west.GetProperty("ClusterNamespaceArn").GetString());
        Assert.Equal("us-west-2a", west.GetProperty("AvailabilityZone").GetString());
        Assert.Equal(0, east.GetProperty("IamRoles").GetArrayLength());
        var tags = await Root(West, "redshift", "describe-tags", "--resource-name", $"arn:aws:redshift:us-east-1:{Account}:cluster:shared");
        Assert.Contains("(ResourceNotFoundFault)", tags.Stderr);

        // COPY on the us-west-2 cluster assumes the role as that region's db user, which the trust policy names; the
        // bucket is in us-east-1, so the COPY names its region, as Redshift requires of a bucket in another region.
        var copy = await story.PsqlAsync(westPort, "CREATE TABLE t(id INTEGER, name VARCHAR(8))",
            $"COPY t FROM 's3://region-data/in.txt' IAM_ROLE '{loader}' REGION 'us-east-1'", "SELECT count(*) FROM t");
        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.Equal("2", copy.Stdout.Trim().Split('\n')[^1]);
        // The us-east-1 cluster has its own warehouse, and with the role associated its db user is us-east-1's.
        (await Root("us-east-1", "redshift", "modify-cluster-iam-roles", "--cluster-identifier", "shared", "--add-iam-roles", loader)).EnsureSuccess();
        await UntilAsync(server, "us-east-1", c => c.GetProperty("IamRoles").EnumerateArray().All(r => r.GetProperty("ApplyStatus").GetString() == "in-sync"));
        var eastCopy = await story.PsqlAsync(eastPort, "CREATE TABLE t(id INTEGER, name VARCHAR(8))", $"COPY t FROM 's3://region-data/in.txt' IAM_ROLE '{loader}'");
        Assert.NotEqual(0, eastCopy.ExitCode);
        Assert.Contains($"sts:ExternalId=arn:aws:redshift:us-east-1:{Account}:dbuser:shared/admin was denied", eastCopy.Stderr);

        // Deleting in one region leaves the other.
        (await Root(West, "redshift", "delete-cluster", "--cluster-identifier", "shared", "--skip-final-cluster-snapshot")).EnsureSuccess();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Clusters(await Root(West, "redshift", "describe-clusters")).Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(250);
        Assert.Empty(Clusters(await Root(West, "redshift", "describe-clusters")));
        Assert.Equal("available", Assert.Single(Clusters(await Root("us-east-1", "redshift", "describe-clusters"))).GetProperty("ClusterStatus").GetString());
        var still = await story.PsqlAsync(eastPort, "SELECT count(*) FROM t");
        Assert.True(still.ExitCode == 0, still.ToString());
        Assert.Equal("0", still.Stdout.Trim());
    }

    private static List<JsonElement> Clusters(CommandResult describe) =>
        describe.Json().GetProperty("Clusters").EnumerateArray().ToList();

    /// <summary>Creates cluster "shared" in <paramref name="region"/>, waits until it and its roles are ready; returns its SQL port.</summary>
    private static async Task<int> CreateAvailableAsync(LocalShiftServer server, string region, params string[] roles)
    {
        (await server.AwsAsync(["redshift", "create-cluster", "--cluster-identifier", "shared", "--node-type", "dc2.large",
            "--master-username", "admin", "--master-user-password", RoleStory.Password, "--region", region,
            .. roles.Length > 0 ? ["--iam-roles", .. roles] : Array.Empty<string>()])).EnsureSuccess();
        var c = await UntilAsync(server, region, c => c.GetProperty("ClusterStatus").GetString() == "available"
            && c.GetProperty("IamRoles").EnumerateArray().All(r => r.GetProperty("ApplyStatus").GetString() == "in-sync"));
        return c.GetProperty("Endpoint").GetProperty("Port").GetInt32();
    }

    private static async Task<JsonElement> UntilAsync(LocalShiftServer server, string region, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var c = (await server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", "shared", "--region", region)).Json().GetProperty("Clusters")[0];
            if (done(c)) return c;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"cluster shared in {region} not ready: {c}");
            await Task.Delay(250);
        }
    }
}
