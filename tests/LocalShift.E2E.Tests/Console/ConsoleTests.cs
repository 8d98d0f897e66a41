using System.Net;
using LocalShift.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static LocalShift.E2E.Tests.Console.ConsoleSetup;
using static Microsoft.Playwright.Assertions;

namespace LocalShift.E2E.Tests.Console;

/// <summary>
/// The web console in headless Chromium against the real server: the user story's console procedure, the seed policy's
/// allow and deny, live role status, the quota, the default role, cluster creation, sign-in, and that what the console
/// is refused changes nothing the CLI can see.
/// </summary>
/// <remarks>
/// One server serves every test but the first (which needs slow role changes to see "adding"): each test names its own
/// roles, users and clusters, and reads only those.
/// </remarks>
public sealed class ConsoleTests(ConsoleBrowser browser, ServerFixture shared) : IClassFixture<ConsoleBrowser>, IClassFixture<ServerFixture>
{
    /// <summary>Long enough that the page shows "adding" before the role settles.</summary>
    private static readonly string[] SlowRoles = ["--role-apply-delay", "4s"];

    [Fact]
    public async Task Seed_procedure_associates_a_role_and_its_status_moves_to_in_sync_on_screen()
    {
        await using var server = await LocalShiftServer.StartAsync(null, SlowRoles);
        await CreateRolesAsync(server, RedshiftTrust, "MyRedshiftRole", "SecondRedshiftRole");
        await CreateRolesAsync(server, LambdaTrust, "LambdaOnlyRole");
        await CreateClusterAsync(server, "my-redshift-cluster", []);
        var page = await browser.NewPageAsync(server);

        // 1. Sign in and open the console.
        await SignInAsRootAsync(page);
        // 2. On the navigation menu, choose Clusters, then the cluster.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Clusters" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "my-redshift-cluster" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "my-redshift-cluster", Level = 1 })).ToBeVisibleAsync();
        // 3. For Actions, choose Manage IAM roles.
        await page.GetByText("Actions", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Manage IAM roles" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Manage IAM roles" })).ToBeVisibleAsync();
        await Expect(page.Locator("#quota")).ToHaveTextAsync("IAM roles: 0 of 50");
        // A role Redshift cannot assume is listed as unavailable, with the reason.
        await Expect(page.Locator("#role option", new() { HasText = "LambdaOnlyRole" })).ToBeDisabledAsync();
        await Expect(page.Locator("#unavailable-roles")).ToContainTextAsync("LambdaOnlyRole: unavailable, its trust policy does not let redshift.amazonaws.com assume it");
        // 4. Choose the available IAM role to add, then add it.
        await page.GetByLabel("Choose an available IAM role").SelectOptionAsync(new SelectOptionValue { Label = "MyRedshiftRole" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Associate IAM role" }).ClickAsync();
        var row = page.Locator("#associated-roles tr", new() { HasText = "role/MyRedshiftRole" });
        await Expect(row).ToContainTextAsync("pending: associate");
        await Expect(page.Locator("#quota")).ToHaveTextAsync("IAM roles: 1 of 50");
        Directory.CreateDirectory(ImagesDir);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ImagesDir, "console-manage-iam-roles.png"), FullPage = true });
        // Nothing is sent before the changes are saved.
        Assert.Equal(0, (await DescribeAsync(server, "my-redshift-cluster")).GetProperty("IamRoles").GetArrayLength());
        // 5. Save the changes.
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        var status = page.Locator("#cluster-iam-roles tr", new() { HasText = "role/MyRedshiftRole" }).Locator(".status");
        await Expect(status).ToHaveTextAsync("adding");
        await page.EvaluateAsync("window.__sameDocument = true");
        await Expect(status).ToHaveTextAsync("in-sync");
        // The same document: the status changed without a reload.
        Assert.True(await page.EvaluateAsync<bool>("window.__sameDocument === true"));
        await Expect(page.GetByText("psql -h 127.0.0.1 -p ")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(ImagesDir, "console-cluster.png"), FullPage = true });

        var cluster = await DescribeAsync(server, "my-redshift-cluster");
        var roles = cluster.GetProperty("IamRoles");
        Assert.Equal(1, roles.GetArrayLength());
        Assert.Equal(RoleArn + "MyRedshiftRole", roles[0].GetProperty("IamRoleArn").GetString());
        Assert.Equal("in-sync", roles[0].GetProperty("ApplyStatus").GetString());

        // The console's call is in the decision log, as the root.
        await page.GetByRole(AriaRole.Link, new() { Name = "Decisions" }).ClickAsync();
        await page.GetByLabel("Action").FillAsync("redshift:ModifyClusterIamRoles");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page.Locator("#decisions tbody tr").First).ToContainTextAsync("arn:aws:iam::123456789012:root");
        await Expect(page.Locator("#decisions tbody tr").First).ToContainTextAsync("allowed");
    }

    [Fact]
    public async Task Seed_policy_user_associates_an_allowed_role_and_is_shown_the_PassRole_denial_for_another()
    {
        var server = shared.Server;
        await CreateRolesAsync(server, RedshiftTrust, "MyRedshiftRole", "RedshiftCopyUnload");
        await CreateClusterAsync(server, "my-second-redshift-cluster", []);
        var (akid, secret) = await CreateUserAsync(server, "alice", SeedPolicy);
        var page = await browser.NewPageAsync(server);
        await SignInWithKeysAsync(page, akid, secret);
        await Expect(page.GetByText("Signed in as")).ToContainTextAsync("arn:aws:iam::123456789012:user/alice");

        await page.GetByRole(AriaRole.Link, new() { Name = "my-second-redshift-cluster" }).ClickAsync();
        await page.GetByText("Actions", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Manage IAM roles" }).ClickAsync();
        // The seed's policy does not allow iam:ListRoles: the page says so, and takes an ARN instead.
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("is not authorized to perform: iam:ListRoles");

        // A role the policy does not name: Redshift refuses it with IAM's PassRole denial, shown on the page.
        await page.GetByLabel("Or enter an IAM role ARN").FillAsync(RoleArn + "RedshiftCopyUnload");
        await page.GetByRole(AriaRole.Button, new() { Name = "Associate IAM role" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "PassRole" })).ToContainTextAsync(
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/RedshiftCopyUnload");
        // The denied call changed nothing.
        Assert.Equal(0, (await DescribeAsync(server, "my-second-redshift-cluster")).GetProperty("IamRoles").GetArrayLength());

        // Drop it, associate a role the policy names: that succeeds.
        await page.Locator("#associated-roles tr", new() { HasText = "role/RedshiftCopyUnload" }).GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await page.GetByLabel("Or enter an IAM role ARN").FillAsync(RoleArn + "MyRedshiftRole");
        await page.GetByRole(AriaRole.Button, new() { Name = "Associate IAM role" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("IAM role changes saved");
        await Expect(page.Locator("#cluster-iam-roles tr", new() { HasText = "role/MyRedshiftRole" }).Locator(".status")).ToHaveTextAsync("in-sync");
        var roles = (await DescribeAsync(server, "my-second-redshift-cluster")).GetProperty("IamRoles");
        Assert.Equal(RoleArn + "MyRedshiftRole", Assert.Single(roles.EnumerateArray()).GetProperty("IamRoleArn").GetString());

        // Deleting is not in the policy: AWS's denial where the person acted, and the cluster is still there.
        await page.GetByText("Actions", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete cluster" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete cluster" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: redshift:DeleteCluster on resource: arn:aws:redshift:us-east-1:123456789012:cluster:my-second-redshift-cluster");
        Assert.Equal("available", (await DescribeAsync(server, "my-second-redshift-cluster")).GetProperty("ClusterStatus").GetString());

        // The denial is in the decision log, and opens to its details.
        await page.GetByRole(AriaRole.Link, new() { Name = "Decisions" }).ClickAsync();
        await page.GetByLabel("Principal").FillAsync("user/alice");
        await page.GetByLabel("Action").FillAsync("iam:PassRole");
        await page.GetByLabel("Outcome").SelectOptionAsync("implicitDeny");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var denial = page.Locator("#decisions tbody tr").First;
        await Expect(denial).ToContainTextAsync("role/RedshiftCopyUnload");
        await denial.GetByText("Statements").ClickAsync();
        await Expect(denial.Locator(".message")).ToContainTextAsync("is not authorized to perform: iam:PassRole");
    }

    [Fact]
    public async Task Quota_of_50_roles_is_shown_and_enforced()
    {
        var server = shared.Server;
        var names = Enumerable.Range(1, 51).Select(i => $"QuotaRole{i:00}").ToArray();
        await CreateRolesAsync(server, RedshiftTrust, names);
        await CreateClusterAsync(server, "quota-cluster", names.Take(50).Select(n => RoleArn + n).ToArray());
        var page = await browser.NewPageAsync(server);
        await SignInAsRootAsync(page);
        await page.GotoAsync("/console/clusters/quota-cluster/iam-roles");

        await Expect(page.Locator("#quota")).ToHaveTextAsync("IAM roles: 50 of 50");
        await Expect(page.GetByText("This cluster has reached its quota of 50 IAM roles.")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Associate IAM role" })).ToBeDisabledAsync();

        // Removing one makes room for another; both go in one ModifyClusterIamRoles.
        await page.Locator("#associated-roles tr", new() { HasText = "role/QuotaRole01" }).GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(page.Locator("#quota")).ToHaveTextAsync("IAM roles: 49 of 50");
        await page.GetByLabel("Choose an available IAM role").SelectOptionAsync(new SelectOptionValue { Label = "QuotaRole51" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Associate IAM role" }).ClickAsync();
        await Expect(page.Locator("#quota")).ToHaveTextAsync("IAM roles: 50 of 50");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Associate IAM role" })).ToBeDisabledAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("IAM role changes saved");

        await WaitAsync(server, "quota-cluster", c => c.GetProperty("IamRoles").GetArrayLength() == 50
            && c.GetProperty("IamRoles").EnumerateArray().All(r => r.GetProperty("ApplyStatus").GetString() == "in-sync"));
        var arns = (await DescribeAsync(server, "quota-cluster")).GetProperty("IamRoles").EnumerateArray().Select(r => r.GetProperty("IamRoleArn").GetString()).ToList();
        Assert.Contains(RoleArn + "QuotaRole51", arns);
        Assert.DoesNotContain(RoleArn + "QuotaRole01", arns);
    }

    [Fact]
    public async Task Removing_the_default_role_leaves_the_cluster_without_one()
    {
        var server = shared.Server;
        await CreateRolesAsync(server, RedshiftTrust, "DefaultRole", "OtherRole");
        await CreateClusterAsync(server, "default-cluster", [RoleArn + "DefaultRole", RoleArn + "OtherRole"], RoleArn + "DefaultRole");
        var page = await browser.NewPageAsync(server);
        await SignInAsRootAsync(page);
        await page.GotoAsync("/console/clusters/default-cluster/iam-roles");

        var defaultRow = page.Locator("#associated-roles tr", new() { HasText = "role/DefaultRole" });
        await Expect(defaultRow).ToContainTextAsync("Default");
        await defaultRow.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(page.Locator("#default-role")).ToHaveTextAsync("none");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("[data-field=defaultIamRoleArn]")).ToHaveTextAsync("none");
        // The removed role leaves the list once Redshift has let it go.
        await Expect(page.Locator("#cluster-iam-roles tr", new() { HasText = "role/DefaultRole" })).ToHaveCountAsync(0);

        var cluster = await DescribeAsync(server, "default-cluster");
        Assert.False(cluster.TryGetProperty("DefaultIamRoleArn", out _));
        Assert.Equal(RoleArn + "OtherRole", Assert.Single(cluster.GetProperty("IamRoles").EnumerateArray()).GetProperty("IamRoleArn").GetString());

        // Set as default, through the same page.
        await page.GetByText("Actions", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Manage IAM roles" }).ClickAsync();
        await page.Locator("#associated-roles tr", new() { HasText = "role/OtherRole" }).GetByRole(AriaRole.Button, new() { Name = "Set as default" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("[data-field=defaultIamRoleArn]")).ToHaveTextAsync(RoleArn + "OtherRole");
        Assert.Equal(RoleArn + "OtherRole", (await DescribeAsync(server, "default-cluster")).GetProperty("DefaultIamRoleArn").GetString());
    }

    [Fact]
    public async Task Create_cluster_with_roles_and_a_default_and_create_a_role_for_Redshift()
    {
        var server = shared.Server;
        await CreateRolesAsync(server, RedshiftTrust, "CopyRole", "UnloadRole");
        await CreateRolesAsync(server, LambdaTrust, "LambdaOnlyRole");
        var page = await browser.NewPageAsync(server);
        await SignInAsRootAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Create cluster" }).ClickAsync();
        await page.GetByLabel("Cluster identifier").FillAsync("console-made");
        await page.GetByLabel("Node type").SelectOptionAsync("ra3.xlplus");
        await page.GetByLabel("Number of nodes").FillAsync("2");
        await page.GetByLabel("Admin user name").FillAsync("admin");
        await page.GetByLabel("Admin user password").FillAsync(Password);
        await Expect(page.Locator("#iam_roles option", new() { HasText = "LambdaOnlyRole" })).ToBeDisabledAsync();
        await page.GetByLabel("IAM roles", new() { Exact = true }).SelectOptionAsync(new[] { new SelectOptionValue { Label = "CopyRole" }, new SelectOptionValue { Label = "UnloadRole" } });
        await page.GetByLabel("Default IAM role").SelectOptionAsync(new SelectOptionValue { Label = "UnloadRole" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Create cluster" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "console-made", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-field=clusterStatus]")).ToHaveTextAsync("available");
        await Expect(page.Locator("#cluster-iam-roles .status")).ToHaveTextAsync(["in-sync", "in-sync"]);
        var cluster = await DescribeAsync(server, "console-made");
        Assert.Equal("ra3.xlplus", cluster.GetProperty("NodeType").GetString());
        Assert.Equal(2, cluster.GetProperty("NumberOfNodes").GetInt32());
        Assert.Equal(RoleArn + "UnloadRole", cluster.GetProperty("DefaultIamRoleArn").GetString());
        Assert.Equal(2, cluster.GetProperty("IamRoles").GetArrayLength());

        // Create IAM role: trusted by Redshift, scoped to one bucket, associated on save.
        await page.GetByText("Actions", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Manage IAM roles" }).ClickAsync();
        await page.GetByLabel("Role name").FillAsync("ConsoleCopyRole");
        await page.GetByLabel("Specific S3 buckets").CheckAsync();
        await page.GetByLabel("S3 bucket names").FillAsync("sales-data");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create IAM role" }).ClickAsync();
        await Expect(page.Locator("#associated-roles tr", new() { HasText = "role/ConsoleCopyRole" })).ToContainTextAsync("pending: associate");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("#cluster-iam-roles tr", new() { HasText = "role/ConsoleCopyRole" }).Locator(".status")).ToHaveTextAsync("in-sync");
        var trust = (await server.AwsAsync("iam", "get-role", "--role-name", "ConsoleCopyRole")).EnsureSuccess().Json()
            .GetProperty("Role").GetProperty("AssumeRolePolicyDocument").ToString();
        Assert.Contains("redshift.amazonaws.com", trust);
        var policy = (await server.AwsAsync("iam", "get-role-policy", "--role-name", "ConsoleCopyRole", "--policy-name", "redshift-s3-access")).EnsureSuccess().Stdout;
        Assert.Contains("arn:aws:s3:::sales-data/*", policy);

        // The IAM role page shows the trust policy and the cluster using the role.
        await page.GetByRole(AriaRole.Link, new() { Name = "IAM roles" }).ClickAsync();
        await page.GetByLabel("Filter roles").FillAsync("ConsoleCopy");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "ConsoleCopyRole" }).ClickAsync();
        await Expect(page.Locator("pre").First).ToContainTextAsync("redshift.amazonaws.com");
        await Expect(page.Locator("#role-clusters")).ToContainTextAsync("console-made (in-sync)");
    }

    [Fact]
    public async Task Sign_in_with_a_wrong_secret_is_refused_and_signing_out_forgets_the_session()
    {
        var server = shared.Server;
        var (akid, secret) = await CreateUserAsync(server, "bob", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"redshift:DescribeClusters","Resource":"*"}]}""");
        var page = await browser.NewPageAsync(server);

        await SignInWithKeysAsync(page, akid, secret + "x");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The request signature we calculated does not match the signature you provided.");
        await page.GotoAsync("/console/clusters");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();

        await SignInWithKeysAsync(page, "AKIANOSUCHKEY0000000", secret);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The security token included in the request is invalid.");

        await SignInWithKeysAsync(page, akid, secret);
        await Expect(page.GetByText("Signed in as")).ToContainTextAsync("user/bob");
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "localshift-console");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        // bob may not list roles: the page says so with IAM's text.
        await page.GetByRole(AriaRole.Link, new() { Name = "IAM roles" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:ListRoles");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        // The old session id no longer signs anything in.
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, server.Endpoint + "/console/clusters");
        request.Headers.Add("Cookie", $"localshift-console={cookie.Value}");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/console/signin", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_form_without_the_sessions_anti_forgery_token_is_refused_and_changes_nothing()
    {
        var server = shared.Server;
        await CreateClusterAsync(server, "kept", []);
        var page = await browser.NewPageAsync(server);
        await SignInAsRootAsync(page);
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "localshift-console");

        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        foreach (var token in new[] { null, "forged" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, server.Endpoint + "/console/clusters/kept/delete")
            {
                Content = token is null ? FormContent() : FormContent(("_csrf", token)),
            };
            request.Headers.Add("Cookie", $"localshift-console={cookie.Value}");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        Assert.Equal("available", (await DescribeAsync(server, "kept")).GetProperty("ClusterStatus").GetString());
    }

    [Fact]
    public async Task Values_are_shown_as_text_never_as_markup()
    {
        var server = shared.Server;
        var page = await browser.NewPageAsync(server);
        var dialogs = 0;
        page.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };
        await SignInAsRootAsync(page);
        const string hostile = "\"><img src=x onerror=alert(1)><script>alert(2)</script>";
        await page.GotoAsync("/console/clusters?filter=" + Uri.EscapeDataString(hostile));
        await Expect(page.GetByLabel("Filter clusters")).ToHaveValueAsync(hostile);
        await page.GotoAsync("/console/iam/policy-check?principal=" + Uri.EscapeDataString(hostile) + "&action=" + Uri.EscapeDataString(hostile));
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(hostile[..10]);
        Assert.Equal(0, await page.Locator("main img, main script").CountAsync());
        Assert.Equal(0, dialogs);

        // The endpoint's home page links the console.
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the LocalShift console" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clusters", Level = 1 })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_region_switcher_shows_that_regions_clusters_pages_them_and_the_sign_in_keeps_it()
    {
        var server = shared.Server;
        using (var http = new HttpClient())
        {
            foreach (var i in Enumerable.Range(1, 11))
            {
                var body = $"Action=CreateCluster&Version=2012-12-01&ClusterIdentifier=west-{i:00}&NodeType=dc2.large&NumberOfNodes=2&MasterUsername=admin&MasterUserPassword={Password}";
                using var response = await http.SendAsync(server.SignedRequest(HttpMethod.Post, "/", "redshift", body, "application/x-www-form-urlencoded", "us-west-2"));
                Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            }
        }
        var page = await browser.NewPageAsync(server);
        await SignInAsRootAsync(page);
        var caption = page.Locator("#clusters caption");
        await Expect(caption).ToContainTextAsync("Clusters in us-east-1");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "west-01" })).ToHaveCountAsync(0);

        await page.GetByLabel("Region", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "US West (Oregon) us-west-2" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch region" }).ClickAsync();
        await Expect(caption).ToHaveTextAsync("Clusters in us-west-2: 1–11 of 11");

        // Ten a page: the second page holds the eleventh, and the filter stays in the page links.
        await page.GetByLabel("Filter clusters").FillAsync("west");
        await page.GetByLabel("Rows per page").SelectOptionAsync("10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(caption).ToHaveTextAsync("Clusters in us-west-2: 1–10 of 11 matching the filter (11 in all)");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "west-11" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Clusters pages" }).GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Expect(caption).ToHaveTextAsync("Clusters in us-west-2: 11 of 11 matching the filter (11 in all)");
        Assert.Contains("filter=west", page.Url);
        await Expect(page.GetByLabel("Filter clusters")).ToHaveValueAsync("west");

        // The region is the session's: signing out and in again keeps it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await SignInAsRootAsync(page);
        await Expect(page.GetByLabel("Region", new() { Exact = true })).ToHaveValueAsync("us-west-2");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "west-01" })).ToBeVisibleAsync();

        // Actions go to that region: delete west-11 in us-west-2, as the CLI then sees.
        await page.GotoAsync("/console/clusters/west-11");
        await Expect(page.Locator("dd", new() { HasText = "arn:aws:redshift:us-west-2:" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-field=clusterStatus]")).ToHaveTextAsync("available");
        await page.GetByText("Actions", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete cluster" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete cluster" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Deleting cluster west-11");
        var west = await server.AwsAsync("redshift", "describe-clusters", "--region", "us-west-2", "--cluster-identifier", "west-11");
        Assert.True(west.ExitCode != 0 || west.Json().GetProperty("Clusters")[0].GetProperty("ClusterStatus").GetString() == "deleting", west.Stdout + west.Stderr);
        var east = await server.AwsAsync("redshift", "describe-clusters", "--region", "us-east-1", "--cluster-identifier", "west-01");
        Assert.Contains("ClusterNotFound", east.Stderr);

        // Back to us-east-1 from an IAM page: IAM is global, so the page stays.
        await page.GotoAsync("/console/iam/users");
        await page.GetByLabel("Region", new() { Exact = true }).SelectOptionAsync("us-east-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch region" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "IAM users", Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Clusters" }).ClickAsync();
        await Expect(caption).ToContainTextAsync("Clusters in us-east-1");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "west-01" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Roles_and_decisions_are_paged_with_their_filters()
    {
        var server = shared.Server;
        await CreateRolesAsync(server, RedshiftTrust, Enumerable.Range(1, 60).Select(i => $"PagedRole{i:00}").ToArray());
        var page = await browser.NewPageAsync(server);
        await SignInAsRootAsync(page);

        await page.GotoAsync("/console/iam/roles");
        await page.GetByLabel("Filter roles").FillAsync("PagedRole");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var caption = page.Locator("#roles caption");
        await Expect(caption).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Roles: 1–50 of 60 matching the filter \\(\\d+ in all\\)$"));
        await Expect(page.Locator("#roles tbody tr")).ToHaveCountAsync(50);
        var pages = page.GetByRole(AriaRole.Navigation, new() { Name = "Roles pages" });
        await Expect(pages.GetByRole(AriaRole.Link, new() { Name = "Page 1" })).ToHaveAttributeAsync("aria-current", "page");
        await pages.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Expect(caption).ToContainTextAsync("Roles: 51–60 of 60 matching the filter");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "PagedRole60" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "PagedRole01" })).ToHaveCountAsync(0);
        await Expect(pages.GetByText("Next page")).ToHaveAttributeAsync("aria-disabled", "true");
        await pages.GetByRole(AriaRole.Link, new() { Name = "Page 1" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "PagedRole01" })).ToBeVisibleAsync();

        // The decision log: the 60 CreateRole decisions, 25 a page, the filter kept from page to page.
        await page.GotoAsync("/console/decisions");
        await page.GetByLabel("Principal").FillAsync("123456789012:root");
        await page.GetByLabel("Action").FillAsync("iam:CreateRole");
        await page.GetByLabel("Rows per page").SelectOptionAsync("25");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var decisions = page.Locator("#decisions caption");
        await Expect(decisions).ToContainTextAsync("Decisions, newest first: 1–25 of ");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Decisions pages" }).GetByRole(AriaRole.Link, new() { Name = "Page 2" }).ClickAsync();
        await Expect(decisions).ToContainTextAsync("Decisions, newest first: 26–50 of ");
        await Expect(page.GetByLabel("Action")).ToHaveValueAsync("iam:CreateRole");
        await Expect(page.Locator("#decisions tbody tr")).ToHaveCountAsync(25);
        foreach (var action in await page.Locator("#decisions tbody tr td:nth-child(3)").AllTextContentsAsync())
            Assert.Equal("iam:CreateRole", action);
    }
}
