using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Copy;

/// <summary>One server and cluster with a role for each way the role path can refuse.</summary>
public sealed class DenialFixture : IAsyncLifetime
{
    public const string Cluster = "denials";
    public LocalShiftServer Server { get; private set; } = null!;
    public RoleStory Story { get; private set; } = null!;
    public int Port { get; private set; }
    public string Good { get; private set; } = "";

    public static string DbUser(string user = "admin") => $"arn:aws:redshift:us-east-1:{RoleStory.Account}:dbuser:{Cluster}/{user}";

    public async Task InitializeAsync()
    {
        Server = await LocalShiftServer.StartAsync();
        Story = new RoleStory(Server);
        Good = await Story.CreateRoleAsync("Good", policy: RoleStory.S3Policy("deny-*", "s3:GetObject", "s3:ListBucket", "s3:PutObject"));
        var roles = new List<string> { Good };
        roles.Add(await Story.CreateRoleAsync("ListOnly", policy: RoleStory.S3Policy("deny-data", "s3:ListBucket")));
        roles.Add(await Story.CreateRoleAsync("GetOnly", policy: RoleStory.S3Policy("deny-data", "s3:GetObject")));
        roles.Add(await Story.CreateRoleAsync("ReadOnly", policy: RoleStory.S3Policy("deny-data", "s3:GetObject", "s3:ListBucket")));
        roles.Add(await Story.CreateRoleAsync("Untrusting", policy: RoleStory.S3Policy("deny-data", "s3:*")));
        roles.Add(await Story.CreateRoleAsync("OtherUserOnly", policy: RoleStory.S3Policy("deny-data", "s3:*"), trust:
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"redshift.amazonaws.com\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":[\"" + DbUser("someone_else") + "\"]}}}]}"));
        roles.Add(await Story.CreateRoleAsync("ChainStart", policy:
            $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{{RoleStory.RoleArn("ChainEnd")}}"}]}"""));
        await Story.CreateRoleAsync("ChainEnd", policy: RoleStory.S3Policy("deny-data", "s3:*"), trust:
            $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{RoleStory.RoleArn("ChainStart")}}"},"Action":"sts:AssumeRole"}]}""");
        await Story.CreateRoleAsync("Unassociated", policy: RoleStory.S3Policy("deny-data", "s3:*"));
        Port = await Story.CreateClusterAsync(Cluster, [.. roles]);
        (await Server.AwsAsync("iam", "update-assume-role-policy", "--role-name", "Untrusting", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}""")).EnsureSuccess();
        await Story.MakeBucketAsync("deny-data", ("in/a.txt", "1|a\n2|b\n"));
        await Story.MakeBucketAsync("deny-policy", ("in/a.txt", "1|a\n"));
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", "deny-policy", "--policy",
            $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"{{Good}}"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::deny-policy/*"}]}""")).EnsureSuccess();
        // The role may put the data files but not the manifest: an UNLOAD that fails after its first objects.
        await Story.MakeBucketAsync("deny-manifest", ("out/kept.txt", "older\n"));
        (await Server.AwsAsync("s3api", "put-bucket-policy", "--bucket", "deny-manifest", "--policy",
            $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"{{Good}}"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::deny-manifest/out/manifest"}]}""")).EnsureSuccess();
        (await Story.PsqlAsync(Port, "CREATE TABLE t(id INTEGER, name VARCHAR)")).EnsureSuccess();
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public class RolePathDenialTests(DenialFixture f) : IClassFixture<DenialFixture>
{
    private static string Arn(string name) => RoleStory.RoleArn(name);

    private async Task<string> CopyErrorAsync(string auth, string source = "s3://deny-data/in/")
    {
        var r = await f.Story.PsqlAsync(f.Port, $"COPY t FROM '{source}' {auth}");
        Assert.True(r.ExitCode != 0, $"COPY succeeded: {r}");
        return r.Stderr;
    }

    private static void AssertNotAuthorized(string stderr, string role, string why)
    {
        Assert.Contains($"ERROR:  User {DenialFixture.DbUser()} is not authorized to assume IAM Role {role}", stderr);
        Assert.Contains("code:      8001", stderr);
        Assert.Contains($"context:   IAM Role={role}", stderr);
        Assert.Contains(why, stderr);
    }

    [Fact]
    public async Task The_detail_block_names_the_failed_statements_query_id_in_stl_query()
    {
        var stderr = await CopyErrorAsync($"IAM_ROLE '{Arn("Unassociated")}'");
        var id = System.Text.RegularExpressions.Regex.Match(stderr, @"query:     (\d+)");
        Assert.True(id.Success && id.Groups[1].Value != "0", stderr);
        var logged = await f.Story.PsqlAsync(f.Port, $"SELECT trim(querytxt) FROM stl_query WHERE query = {id.Groups[1].Value}");
        Assert.StartsWith("COPY t FROM 's3://deny-data/in/'", logged.EnsureSuccess().Stdout);
    }

    [Fact]
    public async Task Copy_with_the_associated_role_loads()
    {
        var r = await f.Story.PsqlAsync(f.Port, "CREATE TABLE ok1(id INTEGER, name VARCHAR)", $"COPY ok1 FROM 's3://deny-data/in/' IAM_ROLE '{f.Good}'");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("COPY 2", r.Stdout);
    }

    [Fact]
    public async Task Copy_with_unassociated_role_fails_with_8001() =>
        AssertNotAuthorized(await CopyErrorAsync($"IAM_ROLE '{Arn("Unassociated")}'"), Arn("Unassociated"), "not associated with cluster denials");

    [Fact]
    public async Task Copy_with_iam_role_default_and_no_default_fails() =>
        Assert.Contains("ERROR:  Cannot find default IAM role on this cluster", await CopyErrorAsync("IAM_ROLE default"));

    [Fact]
    public async Task Copy_with_role_whose_trust_policy_left_redshift_fails_with_8001() =>
        AssertNotAuthorized(await CopyErrorAsync($"IAM_ROLE '{Arn("Untrusting")}'"), Arn("Untrusting"), "trust policy");

    [Fact]
    public async Task Copy_with_role_whose_external_id_names_another_db_user_fails_with_8001() =>
        AssertNotAuthorized(await CopyErrorAsync($"IAM_ROLE '{Arn("OtherUserOnly")}'"), Arn("OtherUserOnly"), "sts:ExternalId");

    [Fact]
    public async Task Copy_without_s3_get_object_is_access_denied() =>
        Assert.Matches(@"ERROR:  S3ServiceException:Access Denied,Status 403,Error AccessDenied,Rid \w+", await CopyErrorAsync($"IAM_ROLE '{Arn("ListOnly")}'"));

    [Fact]
    public async Task Copy_without_s3_list_bucket_is_access_denied() =>
        Assert.Matches(@"ERROR:  S3ServiceException:Access Denied,Status 403,Error AccessDenied,Rid \w+", await CopyErrorAsync($"IAM_ROLE '{Arn("GetOnly")}'"));

    [Fact]
    public async Task Unload_without_s3_put_object_is_access_denied()
    {
        var r = await f.Story.PsqlAsync(f.Port, $"UNLOAD ('select 1') TO 's3://deny-data/unload-denied/' IAM_ROLE '{Arn("ReadOnly")}'");
        Assert.Matches(@"ERROR:  S3ServiceException:Access Denied,Status 403,Error AccessDenied,Rid \w+", r.Stderr);
        Assert.Contains("s3:PutObject", r.Stderr);
    }

    [Fact]
    public async Task An_unload_refused_at_its_manifest_leaves_none_of_its_files_and_keeps_older_objects()
    {
        var r = await f.Story.PsqlAsync(f.Port,
            $"UNLOAD ('select g as id from generate_series(1, 1000) g') TO 's3://deny-manifest/out/' IAM_ROLE '{f.Good}' MANIFEST PARALLEL ON ALLOWOVERWRITE");
        Assert.Matches(@"ERROR:  S3ServiceException:Access Denied,Status 403,Error AccessDenied,Rid \w+", r.Stderr);
        Assert.Contains("deny-manifest/out/manifest", r.Stderr);
        Assert.Equal(["out/kept.txt"], await f.Story.KeysAsync("deny-manifest", "out/"));
    }

    [Fact]
    public async Task Copy_denied_by_an_explicit_deny_in_the_bucket_policy()
    {
        var stderr = await CopyErrorAsync($"IAM_ROLE '{f.Good}'", "s3://deny-policy/in/");
        Assert.Matches(@"ERROR:  S3ServiceException:Access Denied,Status 403,Error AccessDenied,Rid \w+", stderr);
        Assert.True(stderr.Contains("explicit deny"), stderr);
    }

    [Fact]
    public async Task Copy_from_a_missing_bucket_is_no_such_bucket() =>
        Assert.Matches(@"ERROR:  S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket,Rid \w+",
            await CopyErrorAsync($"IAM_ROLE '{f.Good}'", "s3://no-such-bucket-here/x"));

    [Fact]
    public async Task Copy_through_a_two_role_chain_loads_and_an_untrusted_hop_fails()
    {
        var r = await f.Story.PsqlAsync(f.Port, "CREATE TABLE chain1(id INTEGER, name VARCHAR)",
            $"COPY chain1 FROM 's3://deny-data/in/' IAM_ROLE '{Arn("ChainStart")},{Arn("ChainEnd")}'");
        Assert.True(r.ExitCode == 0, r.ToString());
        AssertNotAuthorized(await CopyErrorAsync($"IAM_ROLE '{f.Good},{Arn("ChainEnd")}'"), f.Good, "chain hop 2");
    }

    [Fact]
    public async Task Copy_with_an_eleven_role_chain_is_refused()
    {
        var chain = string.Join(',', Enumerable.Range(0, 11).Select(i => Arn("R" + i)));
        Assert.Contains("a role chain may hold at most 10 roles", await CopyErrorAsync($"IAM_ROLE '{chain}'"));
    }

    [Fact]
    public async Task Copy_with_a_malformed_role_arn_fails_with_8001() =>
        AssertNotAuthorized(await CopyErrorAsync("IAM_ROLE 'arn:aws:iam::role/nope'"), "arn:aws:iam::role/nope", "not a valid IAM role ARN");

    [Fact]
    public async Task Copy_mixing_iam_role_and_access_keys_is_a_syntax_error() =>
        Assert.Contains("conflicting or redundant options", await CopyErrorAsync($"IAM_ROLE '{f.Good}' ACCESS_KEY_ID 'AKIA' SECRET_ACCESS_KEY 'x'"));

    [Fact]
    public async Task Copy_with_root_access_keys_loads_and_a_wrong_secret_is_refused()
    {
        var ok = await f.Story.PsqlAsync(f.Port, "CREATE TABLE keys1(id INTEGER, name VARCHAR)",
            "COPY keys1 FROM 's3://deny-data/in/' ACCESS_KEY_ID 'test' SECRET_ACCESS_KEY 'test'",
            "COPY keys1 FROM 's3://deny-data/in/' CREDENTIALS 'aws_access_key_id=test;aws_secret_access_key=test'");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("SignatureDoesNotMatch", await CopyErrorAsync("CREDENTIALS 'aws_access_key_id=test;aws_secret_access_key=wrong'"));
    }

    [Fact]
    public async Task Assumerole_revoked_from_public_refuses_a_plain_user_until_granted()
    {
        var setup = await f.Story.PsqlAsync(f.Port, "CREATE USER bob PASSWORD 'Bobpass123'", "CREATE TABLE bobs(id INTEGER, name VARCHAR)",
            "GRANT ALL ON bobs TO bob", "REVOKE ASSUMEROLE ON ALL FROM PUBLIC FOR ALL");
        Assert.True(setup.ExitCode == 0, setup.ToString());
        try
        {
            var refused = await f.Story.PsqlAsAsync(f.Port, "bob", "Bobpass123", $"COPY bobs FROM 's3://deny-data/in/' IAM_ROLE '{f.Good}'");
            Assert.Contains($"ERROR:  User bob does not have ASSUMEROLE permission on IAM role \"{f.Good}\" for COPY", refused.Stderr);
            var notBySelf = await f.Story.PsqlAsAsync(f.Port, "bob", "Bobpass123", $"GRANT ASSUMEROLE ON '{f.Good}' TO bob FOR COPY");
            Assert.Contains("only superusers", notBySelf.Stderr);
            (await f.Story.PsqlAsync(f.Port, $"GRANT ASSUMEROLE ON '{f.Good}' TO bob FOR COPY")).EnsureSuccess();
            var allowed = await f.Story.PsqlAsAsync(f.Port, "bob", "Bobpass123", $"COPY bobs FROM 's3://deny-data/in/' IAM_ROLE '{f.Good}'");
            Assert.True(allowed.ExitCode == 0, allowed.ToString());
            var unload = await f.Story.PsqlAsAsync(f.Port, "bob", "Bobpass123", $"UNLOAD ('select 1') TO 's3://deny-data/bob/' IAM_ROLE '{f.Good}'");
            Assert.Contains("for UNLOAD", unload.Stderr);
        }
        finally
        {
            (await f.Story.PsqlAsync(f.Port, "GRANT ASSUMEROLE ON ALL TO PUBLIC FOR ALL")).EnsureSuccess();
        }
    }

    [Fact]
    public async Task Assumerole_granted_to_a_role_reaches_the_users_holding_it_and_the_functions_agree()
    {
        var setup = await f.Story.PsqlAsync(f.Port, "CREATE USER carl PASSWORD 'Carlpass123'", "CREATE TABLE carls(id INTEGER, name VARCHAR)",
            "GRANT ALL ON carls TO carl", "CREATE ROLE loaders", "REVOKE ASSUMEROLE ON ALL FROM PUBLIC FOR ALL",
            $"GRANT ASSUMEROLE ON '{f.Good}' TO ROLE loaders FOR COPY");
        Assert.True(setup.ExitCode == 0, setup.ToString());
        try
        {
            var copy = $"COPY carls FROM 's3://deny-data/in/' IAM_ROLE '{f.Good}'";
            var refused = await f.Story.PsqlAsAsync(f.Port, "carl", "Carlpass123", copy);
            Assert.Contains($"ERROR:  User carl does not have ASSUMEROLE permission on IAM role \"{f.Good}\" for COPY", refused.Stderr);

            (await f.Story.PsqlAsync(f.Port, "GRANT ROLE loaders TO carl")).EnsureSuccess();
            var allowed = await f.Story.PsqlAsAsync(f.Port, "carl", "Carlpass123", copy,
                $"SELECT has_assumerole_privilege('{f.Good}', 'copy'), has_assumerole_privilege('{f.Good}', 'unload')");
            Assert.True(allowed.ExitCode == 0, allowed.ToString());
            Assert.EndsWith("COPY 2\nt|f\n", allowed.Stdout.Replace("\r", ""));

            var asAdmin = await f.Story.PsqlAsync(f.Port, "SELECT pg_get_iam_role_by_user('carl')",
                "SELECT user_name, role_name FROM svv_user_grants WHERE user_name = 'carl'", "SELECT default_iam_role()");
            Assert.True(asAdmin.ExitCode == 0, asAdmin.ToString());
            Assert.Equal($"(carl,{f.Good},COPY)\ncarl|loaders\nnone\n", asAdmin.Stdout.Replace("\r", ""));

            (await f.Story.PsqlAsync(f.Port, "REVOKE ROLE loaders FROM carl")).EnsureSuccess();
            var again = await f.Story.PsqlAsAsync(f.Port, "carl", "Carlpass123", copy);
            Assert.Contains("does not have ASSUMEROLE permission", again.Stderr);
        }
        finally
        {
            (await f.Story.PsqlAsync(f.Port, "GRANT ASSUMEROLE ON ALL TO PUBLIC FOR ALL")).EnsureSuccess();
        }
    }
}

/// <summary>A role still being associated cannot be used yet.</summary>
public class RoleStillAddingTests
{
    [Fact]
    public async Task Copy_with_a_role_still_adding_fails_with_8001()
    {
        await using var server = await LocalShiftServer.StartAsync(null, "--role-apply-delay", "60m");
        var story = new RoleStory(server);
        var role = await story.CreateRoleAsync("Slow", policy: RoleStory.S3Policy("slow", "s3:*"));
        var port = await story.CreateClusterAsync("slow", []);
        (await server.AwsAsync("redshift", "modify-cluster-iam-roles", "--cluster-identifier", "slow", "--add-iam-roles", role)).EnsureSuccess();
        await story.MakeBucketAsync("slow", ("a.txt", "1\n"));
        var r = await story.PsqlAsync(port, "CREATE TABLE t(id INTEGER)", $"COPY t FROM 's3://slow/a.txt' IAM_ROLE '{role}'");
        Assert.Contains($"ERROR:  User arn:aws:redshift:us-east-1:{RoleStory.Account}:dbuser:slow/admin is not authorized to assume IAM Role {role}", r.Stderr);
        Assert.Contains("still being associated", r.Stderr);
    }

    [Fact]
    public async Task Copy_with_a_role_being_removed_fails_with_8001()
    {
        await using var server = await LocalShiftServer.StartAsync(null, "--role-apply-delay", "60m");
        var story = new RoleStory(server);
        var role = await story.CreateRoleAsync("Leaving", policy: RoleStory.S3Policy("leaving", "s3:*"));
        var port = await story.CreateClusterAsync("leaving", [role]);
        await story.MakeBucketAsync("leaving", ("a.txt", "1\n"));
        (await story.PsqlAsync(port, "CREATE TABLE t(id INTEGER)", $"COPY t FROM 's3://leaving/a.txt' IAM_ROLE '{role}'")).EnsureSuccess();
        (await server.AwsAsync("redshift", "modify-cluster-iam-roles", "--cluster-identifier", "leaving", "--remove-iam-roles", role)).EnsureSuccess();
        var r = await story.PsqlAsync(port, $"COPY t FROM 's3://leaving/a.txt' IAM_ROLE '{role}'");
        Assert.Contains($"is not authorized to assume IAM Role {role}", r.Stderr);
        Assert.Contains("being removed", r.Stderr);

        using var http = new HttpClient();
        var decisions = await http.GetStringAsync($"{server.Endpoint}/_localshift/decisions?limit=1000");
        Assert.Contains("dbuser:leaving/admin", decisions);
        Assert.Contains("RedshiftIamRoleSession", decisions);
    }
}
