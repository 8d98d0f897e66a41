using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Redshift;

/// <summary>A server whose clusters are created and whose roles settle in 1s, shared by <see cref="RedshiftEventsTests"/>.</summary>
public sealed class EventsServerFixture : IAsyncLifetime
{
    public LocalShiftServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await LocalShiftServer.StartAsync(null, "--role-apply-delay", "1s", "--cluster-create-delay", "1s");

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();
}

/// <summary>
/// Issue 20: DescribeEvents with /usr/bin/aws and the JS SDK (a cluster's creation and its role associations, in order,
/// with filters, paging and validation), and item 5's answers through the CLI.
/// </summary>
public sealed class RedshiftEventsTests(EventsServerFixture fixture) : IClassFixture<EventsServerFixture>
{
    private const string Role = "arn:aws:iam::123456789012:role/";
    private const string Password = "Passw0rdLocal";
    private const string Trust =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
    private const string TrustThenDeny =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
    private LocalShiftServer Server => fixture.Server;

    private static string[] CreateCluster(string id, params string[] extra) =>
        ["redshift", "create-cluster", "--cluster-identifier", id, "--node-type", "dc2.large", "--master-username", "admin",
            "--master-user-password", Password, .. extra];

    private async Task<List<JsonElement>> EventsAsync(string id) =>
        (await Server.AwsAsync("redshift", "describe-events", "--source-type", "cluster", "--source-identifier", id, "--duration", "120"))
            .Json().GetProperty("Events").EnumerateArray().ToList();

    private async Task<List<JsonElement>> UntilEventsAsync(string id, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var events = await EventsAsync(id);
            if (events.Count >= count) return events;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{events.Count} events of {id}: {string.Join(", ", events)}");
            await Task.Delay(200);
        }
    }

    private async Task UntilAvailableAsync(string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await Server.AwsAsync("redshift", "describe-clusters", "--cluster-identifier", id)).Json()
               .GetProperty("Clusters")[0].GetProperty("ClusterStatus").GetString() != "available")
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"cluster {id} not available");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Cluster_and_role_association_events_with_the_cli_and_the_js_sdk()
    {
        foreach (var r in await Server.AwsBatchAsAsync(LocalShiftServer.RootKey, LocalShiftServer.RootSecret, null,
                     [["iam", "create-role", "--role-name", "EvRole1", "--assume-role-policy-document", Trust],
                      ["iam", "create-role", "--role-name", "EvRole2", "--assume-role-policy-document", Trust]]))
            r.EnsureSuccess();
        (await Server.AwsAsync(CreateCluster("ev1", "--iam-roles", Role + "EvRole1", "--default-iam-role-arn", Role + "EvRole1"))).EnsureSuccess();
        await UntilAvailableAsync("ev1");
        (await Server.AwsAsync("redshift", "modify-cluster-iam-roles", "--cluster-identifier", "ev1",
            "--add-iam-roles", Role + "EvRole2", "--remove-iam-roles", Role + "EvRole1")).EnsureSuccess();
        var events = await UntilEventsAsync("ev1", 8);

        (string, string?)[] expected =
        [
            ("LOCALSHIFT-EVENT-2100", "EvRole1"), ("LOCALSHIFT-EVENT-2104", "EvRole1"), ("REDSHIFT-EVENT-2000", null),
            ("LOCALSHIFT-EVENT-2101", "EvRole1"), ("LOCALSHIFT-EVENT-2102", "EvRole1"), ("LOCALSHIFT-EVENT-2100", "EvRole2"),
            ("LOCALSHIFT-EVENT-2103", "EvRole1"), ("LOCALSHIFT-EVENT-2101", "EvRole2"),
        ];
        Assert.Equal(expected.Select(e => e.Item1), events.Select(e => e.GetProperty("EventId").GetString()));
        foreach (var (e, (_, role)) in events.Zip(expected))
        {
            Assert.Equal(("ev1", "cluster", "INFO"), (e.GetProperty("SourceIdentifier").GetString(), e.GetProperty("SourceType").GetString(), e.GetProperty("Severity").GetString()));
            Assert.Equal(["management"], e.GetProperty("EventCategories").EnumerateArray().Select(c => c.GetString()));
            if (role is not null) Assert.Contains($"{Role}{role} ", e.GetProperty("Message").GetString());
        }
        var created = events[2];
        var at = created.GetProperty("Date").GetDateTimeOffset().UtcDateTime;
        Assert.Equal($"Cluster ev1 created at {at:yyyy-MM-dd HH:mm} UTC.", created.GetProperty("Message").GetString());
        Assert.True(events.Select(e => e.GetProperty("Date").GetDateTimeOffset()).SequenceEqual(events.Select(e => e.GetProperty("Date").GetDateTimeOffset()).Order()));

        // Validation, as the CLI shows it.
        var tooFew = await Server.AwsAsync("redshift", "describe-events", "--max-records", "19");
        Assert.Equal(254, tooFew.ExitCode);
        Assert.Contains("An error occurred (InvalidParameterValue) when calling the DescribeEvents operation: MaxRecords must be between 20 and 100, but was 19.", tooFew.Stderr);
        var noType = await Server.AwsAsync("redshift", "describe-events", "--source-identifier", "ev1");
        Assert.Contains("(InvalidParameterCombination) when calling the DescribeEvents operation: SourceType must be specified when SourceIdentifier is specified.", noType.Stderr);
        Assert.Empty((await Server.AwsAsync("redshift", "describe-events", "--source-type", "cluster-snapshot", "--duration", "120")).Json().GetProperty("Events").EnumerateArray());

        // The JS SDK reads the same events (through its paginator), the categories and the error.
        var js = await Server.NodeAsync("redshift-events", new { id = "ev1" });
        Assert.Equal(expected.Select(e => e.Item1), js.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        var jsCreated = js.GetProperty("events")[2];
        Assert.Equal(created.GetProperty("Message").GetString(), jsCreated.GetProperty("message").GetString());
        Assert.Equal(at, jsCreated.GetProperty("date").GetDateTimeOffset().UtcDateTime);
        Assert.Equal(["management"], jsCreated.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));
        var snapshotIds = js.GetProperty("categories")[0];
        Assert.Equal("cluster-snapshot", snapshotIds.GetProperty("type").GetString());
        Assert.Contains("REDSHIFT-EVENT-2009", snapshotIds.GetProperty("ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("InvalidParameterValue", js.GetProperty("tooFew").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Item_five_answers_with_the_cli()
    {
        var theirs = "arn:aws:iam::210987654321:role/Theirs";
        var results = await Server.AwsBatchAsAsync(LocalShiftServer.RootKey, LocalShiftServer.RootSecret, null,
        [
            ["iam", "create-role", "--role-name", "FidDenies", "--assume-role-policy-document", TrustThenDeny],
            ["iam", "create-role", "--role-name", "FidOk", "--assume-role-policy-document", Trust],
            CreateCluster("fid1", "--iam-roles", Role + "FidDenies"),
            CreateCluster("fid1", "--iam-roles", theirs),
            ["redshift", "create-cluster", "--cluster-identifier", "fid1", "--node-type", "dc2.large", "--master-username", "user", "--master-user-password", Password],
            CreateCluster("fid1", "--cluster-parameter-group-name", "custom"),
            CreateCluster("fid1", "--cluster-subnet-group-name", "private"),
            CreateCluster("fid1", "--encrypted", "--kms-key-id", "not-a-key"),
            CreateCluster("fid1", "--iam-roles", Role + "FidOk", "--default-iam-role-arn", Role + "FidOk"),
        ]);
        string Err(int i) => results[i].Stderr.Trim();
        Assert.All(results.Take(2), r => r.EnsureSuccess());
        Assert.Equal($"An error occurred (InvalidParameterValue) when calling the CreateCluster operation: The IAM role {Role}FidDenies is not valid. The IAM role must delegate access to an Amazon Redshift account.", Err(2));
        // The root of this account passing another account's role: Redshift's answer about the role, not a PassRole denial.
        Assert.Equal($"An error occurred (InvalidParameterValue) when calling the CreateCluster operation: The IAM role {theirs} is not valid. The IAM role must delegate access to an Amazon Redshift account.", Err(3));
        Assert.Equal("An error occurred (InvalidParameterValue) when calling the CreateCluster operation: The parameter MasterUsername is not a valid user name: user is a reserved word.", Err(4));
        Assert.StartsWith("An error occurred (ClusterParameterGroupNotFound) when calling the CreateCluster operation:", Err(5));
        Assert.StartsWith("An error occurred (ClusterSubnetGroupNotFoundFault) when calling the CreateCluster operation:", Err(6));
        Assert.StartsWith("An error occurred (InvalidParameterValue) when calling the CreateCluster operation: The KMS key not-a-key is not valid.", Err(7));
        var created = JsonDocument.Parse(results[8].EnsureSuccess().Stdout).RootElement.GetProperty("Cluster");
        Assert.Equal(("creating", "Unavailable"), (created.GetProperty("ClusterStatus").GetString(), created.GetProperty("ClusterAvailabilityStatus").GetString()));

        await UntilAvailableAsync("fid1");
        // An empty --default-iam-role-arn leaves the default as it was (LocalShift's reading; see the docs page).
        var kept = (await Server.AwsAsync("redshift", "modify-cluster-iam-roles", "--cluster-identifier", "fid1", "--default-iam-role-arn", "")).Json();
        Assert.Equal(Role + "FidOk", kept.GetProperty("Cluster").GetProperty("DefaultIamRoleArn").GetString());
        var deleting = (await Server.AwsAsync("redshift", "delete-cluster", "--cluster-identifier", "fid1", "--skip-final-cluster-snapshot")).Json().GetProperty("Cluster");
        Assert.Equal(("deleting", "Unavailable"), (deleting.GetProperty("ClusterStatus").GetString(), deleting.GetProperty("ClusterAvailabilityStatus").GetString()));
    }
}
