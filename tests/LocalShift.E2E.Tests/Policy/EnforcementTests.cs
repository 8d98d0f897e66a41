using System.Net.Http.Json;
using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Policy;

/// <summary>Every request is authorized by the policy engine; users see AWS's AccessDenied texts.</summary>
public class EnforcementTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    private const string AccountRootTrust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}""";

    /// <summary>Creates a user with the given inline policy and returns its access key.</summary>
    private async Task<(string Key, string Secret)> UserWithPolicy(string name, string? policy)
    {
        (await Server.AwsAsync("iam", "create-user", "--user-name", name)).EnsureSuccess();
        if (policy is not null)
            (await Server.AwsAsync("iam", "put-user-policy", "--user-name", name, "--policy-name", "p", "--policy-document", policy)).EnsureSuccess();
        var key = (await Server.AwsAsync("iam", "create-access-key", "--user-name", name)).Json().GetProperty("AccessKey");
        return (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
    }

    [Fact]
    public async Task A_user_allowed_only_iam_list_reads_lists_and_is_denied_the_rest_with_aws_text()
    {
        var (key, secret) = await UserWithPolicy("reader", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}""");
        var list = await Server.AwsAsAsync(key, secret, null, "iam", "list-users");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("reader", list.Stdout);

        var create = await Server.AwsAsAsync(key, secret, null, "iam", "create-role", "--role-name", "NotMine", "--assume-role-policy-document", AccountRootTrust);
        Assert.Contains(
            "An error occurred (AccessDenied) when calling the CreateRole operation: User: arn:aws:iam::123456789012:user/reader is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/NotMine because no identity-based policy allows the iam:CreateRole action",
            create.Stderr);
    }

    [Fact]
    public async Task An_explicit_deny_wins_over_an_allow_and_says_so()
    {
        var (key, secret) = await UserWithPolicy("denied", """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"iam:*","Resource":"*"},
              {"Sid":"NoUsers","Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}
            """);
        var r = await Server.AwsAsAsync(key, secret, null, "iam", "list-users");
        Assert.Contains("User: arn:aws:iam::123456789012:user/denied is not authorized to perform: iam:ListUsers on resource: ", r.Stderr);
        Assert.Contains("with an explicit deny in an identity-based policy", r.Stderr);
    }

    [Fact]
    public async Task A_user_without_any_policy_still_gets_its_caller_identity()
    {
        var (key, secret) = await UserWithPolicy("nobody", null);
        var id = (await Server.AwsAsAsync(key, secret, null, "sts", "get-caller-identity")).Json();
        Assert.Equal("arn:aws:iam::123456789012:user/nobody", id.GetProperty("Arn").GetString());
        Assert.StartsWith("AIDA", id.GetProperty("UserId").GetString());
    }

    [Fact]
    public async Task Assume_role_allowed_by_trust_and_identity_gives_working_session_credentials()
    {
        (await Server.AwsAsync("iam", "create-role", "--role-name", "Assumable", "--assume-role-policy-document", AccountRootTrust)).EnsureSuccess();
        var (key, secret) = await UserWithPolicy("assumer", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/Assumable"}]}""");

        var assumed = (await Server.AwsAsAsync(key, secret, null, "sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/Assumable", "--role-session-name", "ci-run")).Json();
        var creds = assumed.GetProperty("Credentials");
        Assert.StartsWith("ASIA", creds.GetProperty("AccessKeyId").GetString());
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/Assumable/ci-run", assumed.GetProperty("AssumedRoleUser").GetProperty("Arn").GetString());

        var id = (await Server.AwsAsAsync(creds.GetProperty("AccessKeyId").GetString()!, creds.GetProperty("SecretAccessKey").GetString()!,
            creds.GetProperty("SessionToken").GetString(), "sts", "get-caller-identity")).Json();
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/Assumable/ci-run", id.GetProperty("Arn").GetString());
        Assert.Matches("^AROA[A-Z2-7]{17}:ci-run$", id.GetProperty("UserId").GetString());

        // Without the token the temporary key is refused.
        var noToken = await Server.AwsAsAsync(creds.GetProperty("AccessKeyId").GetString()!, creds.GetProperty("SecretAccessKey").GetString()!, null, "sts", "get-caller-identity");
        Assert.Contains("(InvalidClientTokenId)", noToken.Stderr);
    }

    [Fact]
    public async Task Assume_role_is_denied_when_the_trust_policy_does_not_name_the_caller()
    {
        (await Server.AwsAsync("iam", "create-role", "--role-name", "OnlyRedshift", "--assume-role-policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""")).EnsureSuccess();
        var (k, s) = await Server.UserKeysAsync("untrusted");
        var r = await Server.AwsAsAsync(k, s, null, "sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/OnlyRedshift", "--role-session-name", "s1");
        Assert.Contains("An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::123456789012:user/untrusted is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/OnlyRedshift", r.Stderr);
    }

    [Fact]
    public async Task The_account_root_may_not_assume_a_role_even_one_that_trusts_the_account()
    {
        (await Server.AwsAsync("iam", "create-role", "--role-name", "TrustsTheAccount", "--assume-role-policy-document", AccountRootTrust)).EnsureSuccess();
        var r = await Server.AwsAsync("sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/TrustsTheAccount", "--role-session-name", "s1");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("An error occurred (AccessDenied) when calling the AssumeRole operation: Roles may not be assumed by root accounts.", r.Stderr);
        // Invalid input is still reported as such first.
        var badName = await Server.AwsAsync("sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/TrustsTheAccount", "--role-session-name", "has space");
        Assert.Contains("(ValidationError)", badName.Stderr);
    }

    [Fact]
    public async Task Assume_role_requires_the_external_id_the_trust_policy_names()
    {
        (await Server.AwsAsync("iam", "create-role", "--role-name", "WithExternalId", "--assume-role-policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"secret-42"}}}]}""")).EnsureSuccess();
        var arn = "arn:aws:iam::123456789012:role/WithExternalId";
        var (k, s) = await Server.UserKeysAsync("external-id-user");
        Assert.Contains("(AccessDenied)", (await Server.AwsAsAsync(k, s, null, "sts", "assume-role", "--role-arn", arn, "--role-session-name", "s1")).Stderr);
        Assert.Contains("(AccessDenied)", (await Server.AwsAsAsync(k, s, null, "sts", "assume-role", "--role-arn", arn, "--role-session-name", "s1", "--external-id", "wrong-1")).Stderr);
        Assert.Equal(0, (await Server.AwsAsAsync(k, s, null, "sts", "assume-role", "--role-arn", arn, "--role-session-name", "s1", "--external-id", "secret-42")).ExitCode);
    }

    [Fact]
    public async Task Assume_role_validates_session_name_and_duration()
    {
        (await Server.AwsAsync("iam", "create-role", "--role-name", "Validated", "--assume-role-policy-document", AccountRootTrust)).EnsureSuccess();
        var arn = "arn:aws:iam::123456789012:role/Validated";
        var (k, s) = await Server.UserKeysAsync("validated-user");
        var badName = await Server.AwsAsAsync(k, s, null, "sts", "assume-role", "--role-arn", arn, "--role-session-name", "has space");
        Assert.Contains("(ValidationError)", badName.Stderr);
        Assert.Contains("Member must satisfy regular expression pattern: [\\w+=,.@-]*", badName.Stderr);
        var tooLong = await Server.AwsAsAsync(k, s, null, "sts", "assume-role", "--role-arn", arn, "--role-session-name", "s1", "--duration-seconds", "7200");
        Assert.Contains("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", tooLong.Stderr);
    }

    [Fact]
    public async Task Role_chaining_is_limited_to_one_hour()
    {
        (await Server.AwsAsync("iam", "create-role", "--role-name", "First", "--assume-role-policy-document", AccountRootTrust, "--max-session-duration", "43200")).EnsureSuccess();
        (await Server.AwsAsync("iam", "put-role-policy", "--role-name", "First", "--policy-name", "hop", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""")).EnsureSuccess();
        (await Server.AwsAsync("iam", "create-role", "--role-name", "Second", "--max-session-duration", "43200", "--assume-role-policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/First"},"Action":"sts:AssumeRole"}]}""")).EnsureSuccess();
        var (uk, us) = await Server.UserKeysAsync("chainer");
        var first = (await Server.AwsAsAsync(uk, us, null, "sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/First", "--role-session-name", "one")).Json().GetProperty("Credentials");
        var (k, s, t) = (first.GetProperty("AccessKeyId").GetString()!, first.GetProperty("SecretAccessKey").GetString()!, first.GetProperty("SessionToken").GetString());
        var tooLong = await Server.AwsAsAsync(k, s, t, "sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/Second", "--role-session-name", "two", "--duration-seconds", "7200");
        Assert.Contains("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.", tooLong.Stderr);
        var ok = (await Server.AwsAsAsync(k, s, t, "sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/Second", "--role-session-name", "two")).Json();
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/Second/two", ok.GetProperty("AssumedRoleUser").GetProperty("Arn").GetString());
    }

    [Fact]
    public async Task The_decision_log_explains_a_denial()
    {
        var (key, secret) = await UserWithPolicy("logged", null);
        await Server.AwsAsAsync(key, secret, null, "iam", "get-role", "--role-name", "Anything");
        using var http = new HttpClient();
        var json = await http.GetFromJsonAsync<JsonElement>($"{Server.Endpoint}/_localshift/decisions?principal=user/logged&decision=implicitDeny");
        var d = json.GetProperty("decisions")[0];
        Assert.Equal("iam:GetRole", d.GetProperty("action").GetString());
        Assert.Equal("arn:aws:iam::123456789012:role/Anything", d.GetProperty("resource").GetString());
        Assert.Equal("Identity", d.GetProperty("deniedBy").GetString());
    }

    [Fact]
    public async Task Js_sdk_assume_role_and_caller_identity_of_the_session()
    {
        (await Server.AwsAsync("iam", "create-role", "--role-name", "JsRole", "--assume-role-policy-document", AccountRootTrust)).EnsureSuccess();
        var (k, s) = await Server.UserKeysAsync("js-assumer");
        var r = await Server.NodeAsync("sts-assume-role", new { roleArn = "arn:aws:iam::123456789012:role/JsRole", sessionName = "js" }, k, s);
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/JsRole/js", r.GetProperty("identity").GetProperty("Arn").GetString());
    }
}

/// <summary>IAM's simulator answers what the authorizer decides for the same request.</summary>
public class SimulateTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    [Fact]
    public async Task Simulate_principal_policy_matches_what_the_user_gets()
    {
        (await Server.AwsAsync("iam", "create-user", "--user-name", "sim")).EnsureSuccess();
        (await Server.AwsAsync("iam", "put-user-policy", "--user-name", "sim", "--policy-name", "p", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Sid":"Reads","Effect":"Allow","Action":"iam:List*","Resource":"*"},{"Sid":"NoUsers","Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}""")).EnsureSuccess();
        var r = (await Server.AwsAsync("iam", "simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::123456789012:user/sim",
            "--action-names", "iam:ListRoles", "iam:ListUsers", "iam:CreateRole")).Json().GetProperty("EvaluationResults");
        var byAction = r.EnumerateArray().ToDictionary(e => e.GetProperty("EvalActionName").GetString()!, e => e);
        Assert.Equal("allowed", byAction["iam:ListRoles"].GetProperty("EvalDecision").GetString());
        Assert.Equal("explicitDeny", byAction["iam:ListUsers"].GetProperty("EvalDecision").GetString());
        Assert.Equal("implicitDeny", byAction["iam:CreateRole"].GetProperty("EvalDecision").GetString());
        Assert.Contains("inline p", byAction["iam:ListUsers"].GetProperty("MatchedStatements")[0].GetProperty("SourcePolicyId").GetString());

        var key = (await Server.AwsAsync("iam", "create-access-key", "--user-name", "sim")).Json().GetProperty("AccessKey");
        var (k, s) = (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
        Assert.Equal(0, (await Server.AwsAsAsync(k, s, null, "iam", "list-roles")).ExitCode);
        Assert.Contains("with an explicit deny", (await Server.AwsAsAsync(k, s, null, "iam", "list-users")).Stderr);
    }

    [Fact]
    public async Task Simulate_custom_policy_reports_missing_context_keys()
    {
        var r = (await Server.AwsAsync("iam", "simulate-custom-policy", "--policy-input-list",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"data"}}}]}""",
            "--action-names", "s3:GetObject")).Json().GetProperty("EvaluationResults")[0];
        Assert.Equal("implicitDeny", r.GetProperty("EvalDecision").GetString());
        Assert.Contains("aws:PrincipalTag/team", r.GetProperty("MissingContextValues").EnumerateArray().Select(x => x.GetString()));

        var allowed = (await Server.AwsAsync("iam", "simulate-custom-policy", "--policy-input-list",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"data"}}}]}""",
            "--action-names", "s3:GetObject", "--context-entries", "ContextKeyName=aws:PrincipalTag/team,ContextKeyValues=data,ContextKeyType=string")).Json().GetProperty("EvaluationResults")[0];
        Assert.Equal("allowed", allowed.GetProperty("EvalDecision").GetString());
    }
}
