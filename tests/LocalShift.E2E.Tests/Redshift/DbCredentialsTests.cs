using System.Text.Json;
using LocalShift.E2E.Tests.Copy;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Redshift;

/// <summary>
/// IAM database authentication end to end: temporary passwords from `aws redshift get-cluster-credentials(-with-iam)`,
/// psql logging in with them, and COPY going through the role path with the IAM login's db user as ExternalId.
/// </summary>
public sealed class DbCredentialsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Account = LocalShiftServer.AccountId;
    private RoleStory Story => new(fixture.Server);
    private LocalShiftServer Server => fixture.Server;

    private static string DbUserArn(string cluster, string user) => $"arn:aws:redshift:us-east-1:{Account}:dbuser:{cluster}/{user}";

    /// <summary>A role only Redshift may assume, and only for the given db user (the ExternalId the role path passes).</summary>
    private static string TrustFor(string dbUserArn) => JsonSerializer.Serialize(new
    {
        Version = "2012-10-17",
        Statement = new[]
        {
            new
            {
                Effect = "Allow", Principal = new { Service = "redshift.amazonaws.com" }, Action = "sts:AssumeRole",
                Condition = new { StringEquals = new Dictionary<string, string> { ["sts:ExternalId"] = dbUserArn } },
            },
        },
    });

    private async Task<(string Id, string Secret)> UserWithPolicyAsync(string name, object policy)
    {
        (await Server.AwsAsync("iam", "create-user", "--user-name", name)).EnsureSuccess();
        (await Server.AwsAsync("iam", "put-user-policy", "--user-name", name, "--policy-name", "p", "--policy-document", JsonSerializer.Serialize(policy))).EnsureSuccess();
        var key = (await Server.AwsAsync("iam", "create-access-key", "--user-name", name)).Json().GetProperty("AccessKey");
        return (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
    }

    [Fact]
    public async Task Psql_logs_in_with_GetClusterCredentials_and_copies_as_the_db_user_its_role_trusts()
    {
        var story = Story;
        const string cluster = "credcopy";
        var role = await story.CreateRoleAsync("AliceLoads", TrustFor(DbUserArn(cluster, "alice")), RoleStory.S3Policy("cred-data", "s3:GetObject", "s3:ListBucket"));
        var port = await story.CreateClusterAsync(cluster, [role]);
        await story.MakeBucketAsync("cred-data", ("sales.txt", "1|a\n2|b\n3|c\n"));
        (await story.PsqlAsync(port, "CREATE TABLE sales(id INTEGER, name VARCHAR(8))", "CREATE GROUP loaders",
            "GRANT INSERT, SELECT ON sales TO GROUP loaders")).EnsureSuccess();

        var (id, secret) = await UserWithPolicyAsync("etl", new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new
                {
                    Effect = "Allow", Action = new[] { "redshift:GetClusterCredentials", "redshift:CreateClusterUser" },
                    Resource = new[] { $"arn:aws:redshift:us-east-1:{Account}:dbuser:{cluster}/alice", $"arn:aws:redshift:us-east-1:{Account}:dbname:{cluster}/dev" },
                },
                new { Effect = "Allow", Action = "redshift:JoinGroup", Resource = $"arn:aws:redshift:us-east-1:{Account}:dbgroup:{cluster}/loaders" },
            },
        });

        var creds = (await Server.AwsAsAsync(id, secret, null, "redshift", "get-cluster-credentials", "--cluster-identifier", cluster,
            "--db-user", "alice", "--db-name", "dev", "--auto-create", "--db-groups", "loaders", "--duration-seconds", "900")).Json();
        Assert.Equal("IAMA:alice", creds.GetProperty("DbUser").GetString());
        var expiration = creds.GetProperty("Expiration").GetDateTimeOffset();
        Assert.InRange(expiration - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15.5));
        var password = creds.GetProperty("DbPassword").GetString()!;

        // The user is created at log on, joins loaders for the session, and its COPY assumes the role as dbuser .../alice.
        var copy = await story.PsqlAsAsync(port, "IAMA:alice", password,
            "SELECT current_user",
            $"COPY sales FROM 's3://cred-data/sales.txt' IAM_ROLE '{role}'",
            "SELECT count(*) FROM sales");
        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.Equal(["alice", "COPY 3", "3"], Lines(copy.Stdout));

        // The password is a login for IAMA:alice only, and a wrong one is Redshift's authentication failure.
        var wrong = await story.PsqlAsAsync(port, "IAMA:alice", password + "x", "SELECT 1");
        Assert.Contains("password authentication failed for user \"IAMA:alice\"", wrong.Stderr);
        var asAlice = await story.PsqlAsAsync(port, "alice", password, "SELECT 1");
        Assert.Contains("password authentication failed for user \"alice\"", asAlice.Stderr);

        // A second password for the same login works alongside the first (a connection pool asks once per connection).
        var second = (await Server.AwsAsAsync(id, secret, null, "redshift", "get-cluster-credentials", "--cluster-identifier", cluster,
            "--db-user", "alice", "--db-name", "dev", "--auto-create")).Json().GetProperty("DbPassword").GetString()!;
        (await story.PsqlAsAsync(port, "IAMA:alice", second, "SELECT 1")).EnsureSuccess();
        (await story.PsqlAsAsync(port, "IAMA:alice", password, "SELECT 1")).EnsureSuccess();

        // Without the group for this session, alice holds no privilege on sales.
        var noGroup = (await Server.AwsAsAsync(id, secret, null, "redshift", "get-cluster-credentials", "--cluster-identifier", cluster,
            "--db-user", "alice", "--db-name", "dev")).Json().GetProperty("DbPassword").GetString()!;
        var denied = await story.PsqlAsAsync(port, "IAM:alice", noGroup, "SELECT count(*) FROM sales");
        Assert.Contains("permission denied for relation sales", denied.Stderr);
    }

    [Fact]
    public async Task GetClusterCredentials_is_denied_on_the_dbuser_dbname_and_dbgroup_resources_the_policy_does_not_name()
    {
        const string cluster = "creddeny";
        await Story.CreateClusterAsync(cluster, []);
        var (id, secret) = await UserWithPolicyAsync("creddeny-user", new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new
                {
                    Effect = "Allow", Action = "redshift:GetClusterCredentials", Resource = "*",
                    Condition = new { StringEquals = new Dictionary<string, string> { ["redshift:DbUser"] = "bob" } },
                },
            },
        });
        var user = $"arn:aws:iam::{Account}:user/creddeny-user";

        var other = await Server.AwsAsAsync(id, secret, null, "redshift", "get-cluster-credentials", "--cluster-identifier", cluster, "--db-user", "carol");
        Assert.Contains($"(AccessDenied) when calling the GetClusterCredentials operation: User: {user} is not authorized to perform: redshift:GetClusterCredentials on resource: {DbUserArn(cluster, "carol")}", other.Stderr);

        (await Server.AwsAsAsync(id, secret, null, "redshift", "get-cluster-credentials", "--cluster-identifier", cluster, "--db-user", "bob")).EnsureSuccess();

        var create = await Server.AwsAsAsync(id, secret, null, "redshift", "get-cluster-credentials", "--cluster-identifier", cluster, "--db-user", "bob", "--auto-create");
        Assert.Contains($"is not authorized to perform: redshift:CreateClusterUser on resource: {DbUserArn(cluster, "bob")}", create.Stderr);

        var group = await Server.AwsAsAsync(id, secret, null, "redshift", "get-cluster-credentials", "--cluster-identifier", cluster, "--db-user", "bob", "--db-groups", "admins");
        Assert.Contains($"is not authorized to perform: redshift:JoinGroup on resource: arn:aws:redshift:us-east-1:{Account}:dbgroup:{cluster}/admins", group.Stderr);

        var duration = await Server.AwsAsync("redshift", "get-cluster-credentials", "--cluster-identifier", cluster, "--db-user", "bob", "--duration-seconds", "60");
        Assert.Contains("(InvalidParameterValue)", duration.Stderr);
        var missing = await Server.AwsAsync("redshift", "get-cluster-credentials", "--cluster-identifier", "nosuch", "--db-user", "bob");
        Assert.Contains("(ClusterNotFound) when calling the GetClusterCredentials operation: Cluster nosuch not found.", missing.Stderr);

        // A user that does not exist and was not to be created: the call succeeds, the log on fails.
        var bob = (await Server.AwsAsync("redshift", "get-cluster-credentials", "--cluster-identifier", cluster, "--db-user", "bob")).Json();
        var port = (await Server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", cluster)).Json()
            .GetProperty("Clusters")[0].GetProperty("Endpoint").GetProperty("Port").GetInt32();
        var login = await Story.PsqlAsAsync(port, bob.GetProperty("DbUser").GetString()!, bob.GetProperty("DbPassword").GetString()!, "SELECT 1");
        Assert.Contains("user \"bob\" does not exist", login.Stderr);
    }

    [Fact]
    public async Task A_role_session_logs_in_as_IAMR_with_GetClusterCredentialsWithIAM_joins_its_tagged_groups_and_copies()
    {
        var story = Story;
        const string cluster = "credrole";
        var loadRole = await story.CreateRoleAsync("AnalystLoads", TrustFor(DbUserArn(cluster, "IAMR:Analyst")),
            RoleStory.S3Policy("credrole-data", "s3:GetObject", "s3:ListBucket"));
        var port = await story.CreateClusterAsync(cluster, [loadRole]);
        await story.MakeBucketAsync("credrole-data", ("sales.txt", "1|a\n2|b\n"));
        (await story.PsqlAsync(port, "CREATE TABLE sales(id INTEGER, name VARCHAR(8))", "CREATE GROUP analysts",
            "GRANT INSERT, SELECT ON sales TO GROUP analysts")).EnsureSuccess();

        var trustAccount = JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new[] { new { Effect = "Allow", Principal = new { AWS = $"arn:aws:iam::{Account}:root" }, Action = "sts:AssumeRole" } },
        });
        (await Server.AwsAsync("iam", "create-role", "--role-name", "Analyst", "--assume-role-policy-document", trustAccount,
            "--tags", "Key=RedshiftDbGroups,Value=analysts:nosuchgroup")).EnsureSuccess();
        (await Server.AwsAsync("iam", "put-role-policy", "--role-name", "Analyst", "--policy-name", "p", "--policy-document", JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Effect = "Allow", Action = "redshift:GetClusterCredentialsWithIAM", Resource = $"arn:aws:redshift:us-east-1:{Account}:dbname:{cluster}/dev" },
                new { Effect = "Allow", Action = "redshift:JoinGroup", Resource = $"arn:aws:redshift:us-east-1:{Account}:dbgroup:{cluster}/*" },
            },
        }))).EnsureSuccess();
        // AWS refuses AssumeRole to root credentials: an IAM user of the account assumes the role.
        var (assumerKey, assumerSecret) = await Server.UserKeysAsync("analyst-assumer");
        var session = (await Server.AwsAsAsync(assumerKey, assumerSecret, null, "sts", "assume-role", "--role-arn", RoleStory.RoleArn("Analyst"), "--role-session-name", "jo")).Json().GetProperty("Credentials");
        var (key, secret, token) = (session.GetProperty("AccessKeyId").GetString()!, session.GetProperty("SecretAccessKey").GetString()!, session.GetProperty("SessionToken").GetString()!);

        var creds = (await Server.AwsAsAsync(key, secret, token, "redshift", "get-cluster-credentials-with-iam", "--cluster-identifier", cluster, "--db-name", "dev")).Json();
        Assert.Equal("IAMR:Analyst", creds.GetProperty("DbUser").GetString());
        var copy = await story.PsqlAsAsync(port, "IAMR:Analyst", creds.GetProperty("DbPassword").GetString()!,
            "SELECT current_user",
            $"COPY sales FROM 's3://credrole-data/sales.txt' IAM_ROLE '{loadRole}'",
            "SELECT count(*) FROM sales");
        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.Equal(["IAMR:Analyst", "COPY 2", "2"], Lines(copy.Stdout));

        var otherDb = await Server.AwsAsAsync(key, secret, token, "redshift", "get-cluster-credentials-with-iam", "--cluster-identifier", cluster, "--db-name", "other");
        Assert.Contains($"is not authorized to perform: redshift:GetClusterCredentialsWithIAM on resource: arn:aws:redshift:us-east-1:{Account}:dbname:{cluster}/other", otherDb.Stderr);
    }

    private static string[] Lines(string text) => text.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
