using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Iam;

/// <summary>IAM as /usr/bin/aws and the JS SDK see it: what they print for success and for each kind of mistake.</summary>
public class IamCliTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    private const string Trust = """
        {
          "Version": "2012-10-17",
          "Statement": [
            { "Effect": "Allow", "Principal": { "Service": "redshift.amazonaws.com" }, "Action": "sts:AssumeRole" }
          ]
        }
        """;
    private const string ReadS3 = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}""";

    private static string TempJson(string json)
    {
        var path = TestFiles.NewPath("iam-", ".json");
        File.WriteAllText(path, json);
        return "file://" + path;
    }

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Create_role_from_a_trust_file_then_inline_policy_round_trip_and_delete()
    {
        var name = Unique("MyRedshiftRole");
        var role = (await Server.AwsAsync("iam", "create-role", "--role-name", name, "--assume-role-policy-document", TempJson(Trust))).Json()
            .GetProperty("Role");
        Assert.Equal($"arn:aws:iam::123456789012:role/{name}", role.GetProperty("Arn").GetString());
        Assert.StartsWith("AROA", role.GetProperty("RoleId").GetString());
        // The CLI decodes the URL-encoded document back into JSON.
        Assert.Equal("redshift.amazonaws.com",
            role.GetProperty("AssumeRolePolicyDocument").GetProperty("Statement")[0].GetProperty("Principal").GetProperty("Service").GetString());

        (await Server.AwsAsync("iam", "put-role-policy", "--role-name", name, "--policy-name", "read", "--policy-document", ReadS3)).EnsureSuccess();
        var policy = (await Server.AwsAsync("iam", "get-role-policy", "--role-name", name, "--policy-name", "read")).Json();
        Assert.Equal("s3:GetObject", policy.GetProperty("PolicyDocument").GetProperty("Statement")[0].GetProperty("Action")[0].GetString());

        var conflict = await Server.AwsAsync("iam", "delete-role", "--role-name", name);
        Assert.Contains("An error occurred (DeleteConflict) when calling the DeleteRole operation: Cannot delete entity, must delete policies first.", conflict.Stderr);

        (await Server.AwsAsync("iam", "delete-role-policy", "--role-name", name, "--policy-name", "read")).EnsureSuccess();
        (await Server.AwsAsync("iam", "delete-role", "--role-name", name)).EnsureSuccess();
        var gone = await Server.AwsAsync("iam", "get-role", "--role-name", name);
        Assert.Equal(254, gone.ExitCode);
        Assert.Contains($"An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name {name} cannot be found.", gone.Stderr);
    }

    [Fact]
    public async Task Bad_role_name_prints_the_validation_error()
    {
        var r = await Server.AwsAsync("iam", "create-role", "--role-name", "bad name!", "--assume-role-policy-document", Trust);
        Assert.Contains(@"An error occurred (ValidationError) when calling the CreateRole operation: 1 validation error detected: Value 'bad name!' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+", r.Stderr);
    }

    [Fact]
    public async Task Trust_policy_naming_a_missing_role_prints_invalid_principal()
    {
        var ghost = $"arn:aws:iam::123456789012:role/{Unique("Ghost")}";
        var trust = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{ghost}}"},"Action":"sts:AssumeRole"}]}""";
        var r = await Server.AwsAsync("iam", "create-role", "--role-name", Unique("R"), "--assume-role-policy-document", trust);
        Assert.Contains($"An error occurred (MalformedPolicyDocument) when calling the CreateRole operation: Invalid principal in policy: \"AWS\":\"{ghost}\"", r.Stderr);
    }

    [Fact]
    public async Task Malformed_inline_policy_prints_MalformedPolicyDocument()
    {
        var name = Unique("R");
        (await Server.AwsAsync("iam", "create-role", "--role-name", name, "--assume-role-policy-document", Trust)).EnsureSuccess();
        var r = await Server.AwsAsync("iam", "put-role-policy", "--role-name", name, "--policy-name", "p",
            "--policy-document", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}""");
        Assert.Contains("An error occurred (MalformedPolicyDocument) when calling the PutRolePolicy operation: ", r.Stderr);
    }

    [Fact]
    public async Task Managed_policy_attach_list_and_delete_conflict()
    {
        var role = Unique("R");
        var policyName = Unique("P");
        (await Server.AwsAsync("iam", "create-role", "--role-name", role, "--assume-role-policy-document", Trust)).EnsureSuccess();
        var arn = (await Server.AwsAsync("iam", "create-policy", "--policy-name", policyName, "--policy-document", ReadS3)).Json()
            .GetProperty("Policy").GetProperty("Arn").GetString()!;
        Assert.Equal($"arn:aws:iam::123456789012:policy/{policyName}", arn);

        (await Server.AwsAsync("iam", "attach-role-policy", "--role-name", role, "--policy-arn", arn)).EnsureSuccess();
        var attached = (await Server.AwsAsync("iam", "list-attached-role-policies", "--role-name", role)).Json().GetProperty("AttachedPolicies");
        Assert.Equal(arn, attached[0].GetProperty("PolicyArn").GetString());

        var conflict = await Server.AwsAsync("iam", "delete-policy", "--policy-arn", arn);
        Assert.Contains("An error occurred (DeleteConflict) when calling the DeletePolicy operation: Cannot delete a policy attached to entities.", conflict.Stderr);

        var missing = await Server.AwsAsync("iam", "attach-role-policy", "--role-name", role, "--policy-arn", "arn:aws:iam::123456789012:policy/Nope");
        Assert.Contains("An error occurred (NoSuchEntity) when calling the AttachRolePolicy operation: Policy arn:aws:iam::123456789012:policy/Nope does not exist or is not attachable.", missing.Stderr);
    }

    [Fact]
    public async Task A_users_access_key_signs_requests_as_that_user_and_a_third_key_is_refused()
    {
        var user = Unique("alice");
        (await Server.AwsAsync("iam", "create-user", "--user-name", user)).EnsureSuccess();
        var key = (await Server.AwsAsync("iam", "create-access-key", "--user-name", user)).Json().GetProperty("AccessKey");
        var id = key.GetProperty("AccessKeyId").GetString()!;
        var secret = key.GetProperty("SecretAccessKey").GetString()!;
        Assert.StartsWith("AKIA", id);

        var me = (await Server.AwsAsAsync(id, secret, null, "sts", "get-caller-identity")).Json();
        Assert.Equal($"arn:aws:iam::123456789012:user/{user}", me.GetProperty("Arn").GetString());
        var denied = await Server.AwsAsAsync(id, secret, null, "iam", "get-user");
        Assert.Contains($"An error occurred (AccessDenied) when calling the GetUser operation: User: arn:aws:iam::123456789012:user/{user} is not authorized to perform: iam:GetUser on resource: arn:aws:iam::123456789012:user/{user} because no identity-based policy allows the iam:GetUser action", denied.Stderr);
        (await Server.AwsAsync("iam", "put-user-policy", "--user-name", user, "--policy-name", "self", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::123456789012:user/${aws:username}"}]}""")).EnsureSuccess();
        var self = (await Server.AwsAsAsync(id, secret, null, "iam", "get-user")).Json();
        Assert.Equal(user, self.GetProperty("User").GetProperty("UserName").GetString());

        (await Server.AwsAsync("iam", "create-access-key", "--user-name", user)).EnsureSuccess();
        var third = await Server.AwsAsync("iam", "create-access-key", "--user-name", user);
        Assert.Contains("An error occurred (LimitExceeded) when calling the CreateAccessKey operation: Cannot exceed quota for AccessKeysPerUser: 2", third.Stderr);

        (await Server.AwsAsync("iam", "update-access-key", "--user-name", user, "--access-key-id", id, "--status", "Inactive")).EnsureSuccess();
        var refused = await Server.AwsAsAsync(id, secret, null, "sts", "get-caller-identity");
        Assert.Contains("(InvalidClientTokenId)", refused.Stderr);
    }

    [Fact]
    public async Task Js_sdk_creates_reads_and_deletes_a_role_and_sees_IAM_errors()
    {
        var name = Unique("JsRole");
        var r = await Server.NodeAsync("iam-roles", new { roleName = name, trust = Trust, policy = ReadS3 });

        Assert.Equal(name, r.GetProperty("created").GetProperty("RoleName").GetString());
        Assert.Equal("ok", r.GetProperty("put").GetString());
        Assert.Equal(7200, r.GetProperty("role").GetProperty("MaxSessionDuration").GetInt32());
        Assert.Equal(Trust, r.GetProperty("trustDecoded").GetString());
        Assert.Equal(ReadS3, r.GetProperty("policyDecoded").GetString());
        Assert.True(r.GetProperty("listed").GetProperty("isTruncated").GetBoolean() || r.GetProperty("listed").GetProperty("count").GetInt32() == 1);
        AssertError(r.GetProperty("conflict"), "DeleteConflict", 409, "Cannot delete entity, must delete policies first.");
        AssertError(r.GetProperty("duplicate"), "EntityAlreadyExists", 409, $"Role with name {name} already exists.");
        Assert.Equal("ok", r.GetProperty("deleted").GetString());
        AssertError(r.GetProperty("missing"), "NoSuchEntity", 404, $"The role with name {name} cannot be found.");
    }

    [Fact]
    public async Task Js_sdk_sees_validation_malformed_policy_limit_and_missing_user_errors()
    {
        var user = Unique("js");
        var r = await Server.NodeAsync("iam-errors", new { trust = Trust, roleName = Unique("R"), userName = user });

        var badName = r.GetProperty("badName");
        Assert.Equal(("ValidationError", 400), (badName.GetProperty("name").GetString(), badName.GetProperty("status").GetInt32()));
        Assert.Equal(@"1 validation error detected: Value 'bad name!' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+",
            badName.GetProperty("message").GetString());
        Assert.Equal("MalformedPolicyDocumentException", r.GetProperty("badPolicy").GetProperty("name").GetString());
        AssertError(r.GetProperty("thirdKey"), "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2");
        AssertError(r.GetProperty("missingUser"), "NoSuchEntity", 404, $"The user with name {user}x cannot be found.");
    }

    private static void AssertError(JsonElement error, string code, int status, string message)
    {
        // The SDK names the modeled exception after the wire code.
        Assert.Equal(code + "Exception", error.GetProperty("name").GetString());
        Assert.Equal(status, error.GetProperty("status").GetInt32());
        Assert.Equal(message, error.GetProperty("message").GetString());
    }
}

/// <summary>IAM state lives in the data dir: a restart, even a kill -9, loses nothing that was acknowledged.</summary>
public class IamRestartTests
{
    [Fact]
    public async Task Roles_policies_users_and_keys_survive_a_crash_and_restart()
    {
        await using var server = await LocalShiftServer.StartAsync();
        (await server.AwsAsync("iam", "create-role", "--role-name", "Kept", "--assume-role-policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""")).EnsureSuccess();
        (await server.AwsAsync("iam", "put-role-policy", "--role-name", "Kept", "--policy-name", "p", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}""")).EnsureSuccess();
        (await server.AwsAsync("iam", "create-user", "--user-name", "bob")).EnsureSuccess();
        var key = (await server.AwsAsync("iam", "create-access-key", "--user-name", "bob")).Json().GetProperty("AccessKey");

        await server.RestartAsync(crash: true);

        var policies = (await server.AwsAsync("iam", "list-role-policies", "--role-name", "Kept")).Json().GetProperty("PolicyNames");
        Assert.Equal("p", policies[0].GetString());
        var me = (await server.AwsAsAsync(key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!, null,
            "sts", "get-caller-identity")).Json();
        Assert.Equal("arn:aws:iam::123456789012:user/bob", me.GetProperty("Arn").GetString());
    }
}
