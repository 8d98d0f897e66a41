using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Redshift;

/// <summary>
/// The user story's IAM policy attached to a user, through the real CLI: describe everything, create or modify only the
/// two named clusters, pass only the three named roles — and nothing more.
/// </summary>
public class RedshiftPolicyTests
{
    private const string Role = "arn:aws:iam::123456789012:role/";
    private const string Password = "Passw0rdLocal";
    private const string StoryPolicy = """
        { "Version": "2012-10-17", "Statement": [
          { "Effect": "Allow", "Action": "redshift:DescribeClusters", "Resource": "*" },
          { "Effect": "Allow", "Action": [ "redshift:ModifyClusterIamRoles", "redshift:CreateCluster" ],
            "Resource": [ "arn:aws:redshift:us-east-1:123456789012:cluster:my-redshift-cluster",
                          "arn:aws:redshift:us-east-1:123456789012:cluster:my-second-redshift-cluster" ] },
          { "Effect": "Allow", "Action": "iam:PassRole",
            "Resource": [ "arn:aws:iam::123456789012:role/MyRedshiftRole", "arn:aws:iam::123456789012:role/SecondRedshiftRole",
                          "arn:aws:iam::123456789012:role/ThirdRedshiftRole" ] } ] }
        """;

    [Fact]
    public async Task User_holding_the_story_policy_gets_exactly_what_it_grants()
    {
        await using var server = await LocalShiftServer.StartAsync();
        foreach (var name in new[] { "MyRedshiftRole", "SecondRedshiftRole", "ThirdRedshiftRole", "RedshiftCopyUnload" })
            (await server.AwsAsync("iam", "create-role", "--role-name", name, "--assume-role-policy-document", RedshiftServerFixture.RedshiftTrust)).EnsureSuccess();
        (await server.AwsAsync("iam", "create-user", "--user-name", "alice")).EnsureSuccess();
        (await server.AwsAsync("iam", "put-user-policy", "--user-name", "alice", "--policy-name", "redshift-roles", "--policy-document", StoryPolicy)).EnsureSuccess();
        var key = (await server.AwsAsync("iam", "create-access-key", "--user-name", "alice")).Json().GetProperty("AccessKey");
        var akid = key.GetProperty("AccessKeyId").GetString()!;
        var secret = key.GetProperty("SecretAccessKey").GetString()!;
        Task<CommandResult> Alice(params string[] args) => server.AwsAsAsync(akid, secret, null, args);
        string[] Create(string id, params string[] roles) =>
            ["redshift", "create-cluster", "--cluster-identifier", id, "--node-type", "dc1.large", "--number-of-nodes", "2",
             "--master-username", "admin", "--master-user-password", Password, .. roles.Length > 0 ? ["--iam-roles", .. roles] : Array.Empty<string>()];

        // A cluster alice did not create, made by the account root.
        (await server.AwsAsync(Create("root-cluster"))).EnsureSuccess();

        // Allowed: create the named clusters passing the named roles; describe every cluster.
        (await Alice(Create("my-redshift-cluster", Role + "MyRedshiftRole", Role + "SecondRedshiftRole"))).EnsureSuccess();
        (await Alice(Create("my-second-redshift-cluster", Role + "ThirdRedshiftRole"))).EnsureSuccess();
        var all = (await Alice("redshift", "describe-clusters")).Json().GetProperty("Clusters");
        Assert.Equal(3, all.GetArrayLength());

        // Denied: another cluster, another role, other actions, another cluster's roles.
        var other = await Alice(Create("third-cluster"));
        Assert.Contains("An error occurred (AccessDenied) when calling the CreateCluster operation: User: arn:aws:iam::123456789012:user/alice is not authorized to perform: redshift:CreateCluster on resource: arn:aws:redshift:us-east-1:123456789012:cluster:third-cluster", other.Stderr);
        var unnamedRole = await Alice(Create("my-redshift-cluster", Role + "RedshiftCopyUnload"));
        Assert.Contains($"is not authorized to perform: iam:PassRole on resource: {Role}RedshiftCopyUnload", unnamedRole.Stderr);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var statuses = (await Alice("redshift", "describe-clusters")).Json().GetProperty("Clusters").EnumerateArray()
                .Select(c => c.GetProperty("ClusterStatus").GetString());
            if (statuses.All(s => s == "available")) break;
            await Task.Delay(250);
        }

        (await Alice("redshift", "modify-cluster-iam-roles", "--cluster-identifier", "my-second-redshift-cluster", "--add-iam-roles", Role + "MyRedshiftRole")).EnsureSuccess();
        var modifyOther = await Alice("redshift", "modify-cluster-iam-roles", "--cluster-identifier", "root-cluster", "--add-iam-roles", Role + "MyRedshiftRole");
        Assert.Contains("is not authorized to perform: redshift:ModifyClusterIamRoles on resource: arn:aws:redshift:us-east-1:123456789012:cluster:root-cluster", modifyOther.Stderr);
        var passUnnamed = await Alice("redshift", "modify-cluster-iam-roles", "--cluster-identifier", "my-redshift-cluster", "--add-iam-roles", Role + "RedshiftCopyUnload");
        Assert.Contains($"iam:PassRole on resource: {Role}RedshiftCopyUnload", passUnnamed.Stderr);
        var delete = await Alice("redshift", "delete-cluster", "--cluster-identifier", "my-redshift-cluster", "--skip-final-cluster-snapshot");
        Assert.Contains("(AccessDenied) when calling the DeleteCluster operation", delete.Stderr);
        var tag = await Alice("redshift", "create-tags", "--resource-name", "arn:aws:redshift:us-east-1:123456789012:cluster:my-redshift-cluster", "--tags", "Key=a,Value=b");
        Assert.Contains("(AccessDenied) when calling the CreateTags operation", tag.Stderr);
    }
}
