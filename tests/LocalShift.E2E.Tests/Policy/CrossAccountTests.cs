using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Policy;

/// <summary>Two accounts on one server: a role in one trusts the other; both sides must allow.</summary>
public sealed class CrossAccountFixture : IAsyncLifetime
{
    public LocalShiftServer Server { get; private set; } = null!;
    public async Task InitializeAsync() => Server = await LocalShiftServer.StartAsync(null, "--account", "210987654321=AKIDOTHER:othersecret");
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public class CrossAccountTests(CrossAccountFixture fixture) : IClassFixture<CrossAccountFixture>
{
    private LocalShiftServer Server => fixture.Server;
    private Task<CommandResult> Other(params string[] args) => Server.AwsAsAsync("AKIDOTHER", "othersecret", null, args);

    [Fact]
    public async Task A_role_trusting_another_account_can_be_assumed_from_it_by_a_user_its_policy_allows()
    {
        (await Other("iam", "create-role", "--role-name", "SharedWithMain", "--assume-role-policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}""")).EnsureSuccess();
        (await Server.AwsAsync("iam", "create-user", "--user-name", "crosser")).EnsureSuccess();
        var key = (await Server.AwsAsync("iam", "create-access-key", "--user-name", "crosser")).Json().GetProperty("AccessKey");
        var (k, s) = (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
        var arn = "arn:aws:iam::210987654321:role/SharedWithMain";

        // The trust policy allows the account, but the user's own policies do not allow sts:AssumeRole yet.
        Assert.Contains("(AccessDenied)", (await Server.AwsAsAsync(k, s, null, "sts", "assume-role", "--role-arn", arn, "--role-session-name", "x1")).Stderr);

        (await Server.AwsAsync("iam", "put-user-policy", "--user-name", "crosser", "--policy-name", "hop", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::210987654321:role/*"}]}""")).EnsureSuccess();
        var ok = (await Server.AwsAsAsync(k, s, null, "sts", "assume-role", "--role-arn", arn, "--role-session-name", "x1")).Json();
        Assert.Equal("arn:aws:sts::210987654321:assumed-role/SharedWithMain/x1", ok.GetProperty("AssumedRoleUser").GetProperty("Arn").GetString());
    }

    [Fact]
    public async Task A_role_that_does_not_trust_the_other_account_cannot_be_assumed_from_it_even_by_its_administrator()
    {
        (await Server.AwsAsync("iam", "create-role", "--role-name", "MainOnly", "--assume-role-policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}""")).EnsureSuccess();
        var (k, s) = await Server.UserKeysAsync("other-admin", rootKey: "AKIDOTHER", rootSecret: "othersecret");
        var r = await Server.AwsAsAsync(k, s, null, "sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/MainOnly", "--role-session-name", "x1");
        Assert.Contains("User: arn:aws:iam::210987654321:user/other-admin is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/MainOnly", r.Stderr);
        // The other account's root is refused as every root is.
        var root = await Other("sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/MainOnly", "--role-session-name", "x1");
        Assert.Contains("Roles may not be assumed by root accounts.", root.Stderr);
    }
}
