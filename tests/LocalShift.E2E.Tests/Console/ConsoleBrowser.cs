using System.Net;
using System.Text;
using LocalShift.E2E.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LocalShift.E2E.Tests.Console;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright for .NET: one browser for a test class, a fresh context (cookies,
/// storage) per test. Never downloads a browser: it runs /usr/bin/chromium.
/// </summary>
public sealed class ConsoleBrowser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public async Task<IPage> NewPageAsync(LocalShiftServer server)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.Endpoint,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
    }
}

/// <summary>What the console tests set up through the real CLI (and, for bulk roles, signed requests).</summary>
internal static class ConsoleSetup
{
    public const string RoleArn = "arn:aws:iam::123456789012:role/";
    public const string Password = "Passw0rdLocal";
    public const string RedshiftTrust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
    public const string LambdaTrust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    /// <summary>The user story's policy, word for word.</summary>
    public const string SeedPolicy = """
        { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "redshift:DescribeClusters", "Resource": "*" }, { "Effect": "Allow", "Action": [ "redshift:ModifyClusterIamRoles", "redshift:CreateCluster" ], "Resource": [ "arn:aws:redshift:us-east-1:123456789012:cluster:my-redshift-cluster", "arn:aws:redshift:us-east-1:123456789012:cluster:my-second-redshift-cluster" ] }, { "Effect": "Allow", "Action": "iam:PassRole", "Resource": [ "arn:aws:iam::123456789012:role/MyRedshiftRole", "arn:aws:iam::123456789012:role/SecondRedshiftRole", "arn:aws:iam::123456789012:role/ThirdRedshiftRole" ] } ] }
        """;

    /// <summary>Creates roles with signed IAM requests: many at once, faster than one CLI process each.</summary>
    public static async Task CreateRolesAsync(LocalShiftServer server, string trust, params string[] names)
    {
        using var http = new HttpClient();
        foreach (var name in names)
        {
            var body = $"Action=CreateRole&Version=2010-05-08&RoleName={name}&AssumeRolePolicyDocument={Uri.EscapeDataString(trust)}";
            using var response = await http.SendAsync(server.SignedRequest(HttpMethod.Post, "/", "iam", body, "application/x-www-form-urlencoded"));
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
    }

    public static async Task CreateClusterAsync(LocalShiftServer server, string id, string[] roles, string? defaultRole = null)
    {
        var args = new List<string>
        {
            "redshift", "create-cluster", "--cluster-identifier", id, "--node-type", "dc2.large", "--number-of-nodes", "2",
            "--master-username", "admin", "--master-user-password", Password,
        };
        if (roles.Length > 0) { args.Add("--iam-roles"); args.AddRange(roles); }
        if (defaultRole is not null) { args.Add("--default-iam-role-arn"); args.Add(defaultRole); }
        (await server.AwsAsync([.. args])).EnsureSuccess();
        await WaitAsync(server, id, c => c.GetProperty("ClusterStatus").GetString() == "available"
            && c.GetProperty("IamRoles").EnumerateArray().All(r => r.GetProperty("ApplyStatus").GetString() == "in-sync"));
    }

    public static async Task<System.Text.Json.JsonElement> DescribeAsync(LocalShiftServer server, string id) =>
        (await server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", id)).EnsureSuccess().Json().GetProperty("Clusters")[0];

    public static async Task WaitAsync(LocalShiftServer server, string id, Func<System.Text.Json.JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var c = await DescribeAsync(server, id);
            if (done(c)) return;
            if (DateTime.UtcNow > deadline) Assert.Fail($"cluster {id} did not settle: {c}");
            await Task.Delay(250);
        }
    }

    /// <summary>An IAM user holding <paramref name="policy"/> inline, and its access key pair.</summary>
    public static async Task<(string AccessKeyId, string Secret)> CreateUserAsync(LocalShiftServer server, string name, string policy)
    {
        (await server.AwsAsync("iam", "create-user", "--user-name", name)).EnsureSuccess();
        (await server.AwsAsync("iam", "put-user-policy", "--user-name", name, "--policy-name", "console-test", "--policy-document", policy)).EnsureSuccess();
        var key = (await server.AwsAsync("iam", "create-access-key", "--user-name", name)).EnsureSuccess().Json().GetProperty("AccessKey");
        return (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
    }

    public static async Task SignInAsRootAsync(IPage page)
    {
        await page.GotoAsync("/console/");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in as root of account 123456789012" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clusters", Level = 1 })).ToBeVisibleAsync();
    }

    public static async Task SignInWithKeysAsync(IPage page, string accessKeyId, string secret, string? sessionToken = null)
    {
        await page.GotoAsync("/console/signin");
        await page.GetByLabel("Access key ID").FillAsync(accessKeyId);
        await page.GetByLabel("Secret access key").FillAsync(secret);
        if (sessionToken is not null) await page.GetByLabel("Session token").FillAsync(sessionToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    /// <summary>
    /// Where the tests' screenshots go: the README's images in docs/images when LOCALSHIFT_SCREENSHOTS=1 (to refresh
    /// them), otherwise a temporary folder, so a test run leaves the checkout as it was.
    /// </summary>
    public static string ImagesDir => Environment.GetEnvironmentVariable("LOCALSHIFT_SCREENSHOTS") == "1"
        ? Path.Combine(RepoPaths.Root, "docs", "images")
        : Path.Combine(Path.GetTempPath(), "localshift-console-screenshots");

    public static string Form(params (string Key, string Value)[] fields) =>
        string.Join("&", fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));

    public static StringContent FormContent(params (string Key, string Value)[] fields) =>
        new(Form(fields), Encoding.UTF8, "application/x-www-form-urlencoded");
}
