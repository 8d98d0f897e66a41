using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Redshift;

/// <summary>
/// A server whose role transitions last long enough (8s) that a describe-clusters run right after a change still
/// sees <c>adding</c>/<c>removing</c>, and whose clusters are created in 2s.
/// </summary>
public sealed class RedshiftServerFixture : IAsyncLifetime
{
    public const string RedshiftTrust =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
    public const string Ec2Trust =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    public static readonly TimeSpan RoleApplyDelay = TimeSpan.FromSeconds(8);

    public LocalShiftServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await LocalShiftServer.StartAsync(null, "--role-apply-delay", "8s", "--cluster-create-delay", "2s");
        foreach (var name in new[] { "RedshiftCopyUnload", "SecondRedshiftRole", "MyRedshiftRole", "ThirdRedshiftRole" })
            await CreateRoleAsync(name, RedshiftTrust);
        await CreateRoleAsync("Ec2OnlyRole", Ec2Trust);
    }

    public async Task CreateRoleAsync(string name, string trust) =>
        (await Server.AwsAsync("iam", "create-role", "--role-name", name, "--assume-role-policy-document", trust)).EnsureSuccess();

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();
}
