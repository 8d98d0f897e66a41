using LocalShift.Services.Redshift;
using static LocalShift.Services.Tests.Redshift.RedshiftHarness;

namespace LocalShift.Services.Tests.Redshift;

public sealed class ClusterLifecycleTests : IDisposable
{
    private readonly RedshiftHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Create_reports_creating_without_endpoint_then_available_with_endpoint()
    {
        var created = _h.Create("c1").Element("Cluster")!;
        Assert.Equal("creating", created.Element("ClusterStatus")!.Value);
        Assert.Null(created.Element("Endpoint"));

        _h.Settle(TimeSpan.FromSeconds(1));
        Assert.Equal("creating", _h.Describe("c1").Element("ClusterStatus")!.Value);

        _h.Settle(TimeSpan.FromSeconds(1));
        var available = _h.Describe("c1");
        Assert.Equal("available", available.Element("ClusterStatus")!.Value);
        Assert.Equal("Available", available.Element("ClusterAvailabilityStatus")!.Value);
        Assert.Equal("127.0.0.1", available.Element("Endpoint")!.Element("Address")!.Value);
        Assert.Equal("5439", available.Element("Endpoint")!.Element("Port")!.Value);
    }

    [Fact]
    public void Available_cluster_gets_its_sql_endpoint_started_once()
    {
        _h.CreateAvailable("c1", ("DBName", "warehouse"));
        _h.Settle(TimeSpan.FromSeconds(5));
        Assert.Equal(["start c1 127.0.0.1:5439 warehouse admin"], _h.Endpoints.Events);
    }

    [Fact]
    public void Clusters_get_distinct_ports_from_the_start_and_a_deleted_clusters_port_is_reused()
    {
        _h.CreateAvailable("c1");
        _h.CreateAvailable("c2");
        Assert.Equal("5440", _h.Describe("c2").Element("Endpoint")!.Element("Port")!.Value);

        _h.Call("DeleteCluster", ("ClusterIdentifier", "c1"), ("SkipFinalClusterSnapshot", "true"));
        _h.Settle(_h.Options.DeleteDelay);
        _h.CreateAvailable("c3");
        Assert.Equal("5439", _h.Describe("c3").Element("Endpoint")!.Element("Port")!.Value);
    }

    [Fact]
    public void Delete_shows_deleting_stops_the_endpoint_then_cluster_is_not_found()
    {
        _h.CreateAvailable("c1");
        var deleting = _h.Call("DeleteCluster", ("ClusterIdentifier", "c1"), ("SkipFinalClusterSnapshot", "true")).Element("Cluster")!;
        Assert.Equal("deleting", deleting.Element("ClusterStatus")!.Value);

        _h.Settle(TimeSpan.Zero);
        Assert.Equal("deleting", _h.Describe("c1").Element("ClusterStatus")!.Value);
        Assert.Contains("stop c1 True", _h.Endpoints.Events);

        _h.Settle(_h.Options.DeleteDelay);
        var e = _h.Fails("DescribeClusters", ("ClusterIdentifier", "c1"));
        Assert.Equal(("ClusterNotFound", "Cluster c1 not found.", 404), (e.Code, e.Message, e.HttpStatus));
    }

    [Fact]
    public void Modify_adds_role_as_adding_then_in_sync()
    {
        var role = _h.Roles.Add(Account, "RedshiftCopyUnload");
        _h.CreateAvailable("c1");

        var modified = _h.Call("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RoleArgs("AddIamRoles", [role])]).Element("Cluster")!;
        Assert.Equal([(role, "adding")], RolesOf(modified));
        Assert.Equal([(role, "adding")], RolesOf(_h.Describe("c1")));

        _h.Settle(_h.Options.RoleApplyDelay);
        Assert.Equal([(role, "in-sync")], RolesOf(_h.Describe("c1")));
    }

    [Fact]
    public void Modify_removes_role_as_removing_then_it_disappears()
    {
        var role = _h.Roles.Add(Account, "RedshiftCopyUnload");
        _h.CreateAvailable("c1", RoleArgs("IamRoles", [role]));
        Assert.Equal([(role, "in-sync")], RolesOf(_h.Describe("c1")));

        _h.Call("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RoleArgs("RemoveIamRoles", [role])]);
        Assert.Equal([(role, "removing")], RolesOf(_h.Describe("c1")));

        _h.Settle(_h.Options.RoleApplyDelay);
        Assert.Empty(RolesOf(_h.Describe("c1")));
    }

    [Fact]
    public void Roles_given_at_create_are_in_sync_when_the_cluster_is_available()
    {
        var role = _h.Roles.Add(Account, "R1");
        var created = _h.Create("c1", RoleArgs("IamRoles", [role])).Element("Cluster")!;
        Assert.Equal([(role, "adding")], RolesOf(created));
        _h.Settle(_h.Options.CreateDelay);
        Assert.Equal([(role, "in-sync")], RolesOf(_h.Describe("c1")));
    }

    [Fact]
    public void Restart_resumes_a_role_that_was_adding()
    {
        var role = _h.Roles.Add(Account, "R1");
        _h.CreateAvailable("c1");
        _h.Call("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RoleArgs("AddIamRoles", [role])]);

        using var restarted = _h.Restart();
        Assert.Equal([(role, "adding")], RolesOf(restarted.Describe("c1")));
        restarted.Settle(_h.Options.RoleApplyDelay);
        Assert.Equal([(role, "in-sync")], RolesOf(restarted.Describe("c1")));
    }

    [Fact]
    public void Restart_starts_endpoints_of_available_clusters_and_finishes_creations_that_came_due()
    {
        _h.CreateAvailable("c1");
        _h.Create("c2");

        using var restarted = _h.Restart();
        restarted.Settle(_h.Options.CreateDelay);
        Assert.Equal("available", restarted.Describe("c2").Element("ClusterStatus")!.Value);
        Assert.Contains("start c1 127.0.0.1:5439 dev admin", restarted.Endpoints.Events);
        Assert.Contains("start c2 127.0.0.1:5440 dev admin", restarted.Endpoints.Events);
    }

    [Fact]
    public async Task Run_loop_makes_a_cluster_available_when_its_clock_passes_the_deadline()
    {
        using var h = new RedshiftHarness(new RedshiftOptions { CreateDelay = TimeSpan.Zero });
        using var cts = new CancellationTokenSource();
        var loop = h.Plane.Lifecycle.RunAsync(cts.Token);
        h.Create("c1");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (h.Describe("c1").Element("ClusterStatus")!.Value != "available" && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        await cts.CancelAsync();
        await loop;
        Assert.Equal("available", h.Describe("c1").Element("ClusterStatus")!.Value);
    }
}

public sealed class ClusterDirectoryTests : IDisposable
{
    private readonly RedshiftHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Only_an_in_sync_role_is_usable()
    {
        var r1 = _h.Roles.Add(RedshiftHarness.Account, "R1");
        var r2 = _h.Roles.Add(RedshiftHarness.Account, "R2");
        _h.CreateAvailable("c1", [("DefaultIamRoleArn", r1), .. RedshiftHarness.RoleArgs("IamRoles", [r1])]);
        _h.Call("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RedshiftHarness.RoleArgs("AddIamRoles", [r2])]);

        var clusters = _h.Plane.Clusters;
        Assert.True(clusters.IsUsable(RedshiftHarness.Account, RedshiftHarness.Region, "c1", r1));
        Assert.False(clusters.IsUsable(RedshiftHarness.Account, RedshiftHarness.Region, "c1", r2)); // still adding
        Assert.Equal(r1, clusters.Find(RedshiftHarness.Account, RedshiftHarness.Region, "c1")!.DefaultIamRoleArn);

        _h.Call("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RedshiftHarness.RoleArgs("RemoveIamRoles", [r1])]);
        Assert.False(clusters.IsUsable(RedshiftHarness.Account, RedshiftHarness.Region, "c1", r1)); // removing
        _h.Settle(_h.Options.RoleApplyDelay);
        Assert.True(clusters.IsUsable(RedshiftHarness.Account, RedshiftHarness.Region, "c1", r2));
        Assert.False(clusters.IsUsable(RedshiftHarness.Account, RedshiftHarness.Region, "nope", r2));
    }
}

/// <summary>An endpoint host on a machine where another program holds some ports.</summary>
public sealed class BusyPortEndpoints(params int[] busy) : IClusterEndpointHost
{
    public List<int> Started { get; } = [];

    public Task StartAsync(ClusterEndpointSpec spec, CancellationToken cancellationToken)
    {
        if (busy.Contains(spec.Port)) throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.AddressAlreadyInUse);
        Started.Add(spec.Port);
        return Task.CompletedTask;
    }

    public Task StopAsync(ClusterEndpointSpec spec, bool deleteData) => Task.CompletedTask;
}

public sealed class BusyPortTests
{
    [Fact]
    public async Task Cluster_whose_port_another_program_holds_moves_to_the_next_free_port()
    {
        using var h = new RedshiftHarness();
        var endpoints = new BusyPortEndpoints(5439, 5440);
        var lifecycle = new ClusterLifecycle(new RedshiftStore(h.State), endpoints, h.Options, h.Clock);
        h.Create("c1");
        h.Clock.Advance(h.Options.CreateDelay);
        await lifecycle.TickAsync();

        var c = h.Describe("c1");
        Assert.Equal("available", c.Element("ClusterStatus")!.Value);
        Assert.Equal("5441", c.Element("Endpoint")!.Element("Port")!.Value);
        Assert.Equal([5441], endpoints.Started);
        Assert.Empty(lifecycle.FailedEndpoints); // a port it moved off is not a failure
    }
}

/// <summary>A cluster whose endpoint cannot start still becomes available; the lifecycle says so for readiness.</summary>
public sealed class EndpointFailureTests
{
    [Fact]
    public async Task Endpoint_that_cannot_start_is_reported_with_its_port_and_error_until_the_cluster_is_deleted()
    {
        using var h = new RedshiftHarness();
        var lifecycle = new ClusterLifecycle(new RedshiftStore(h.State), new BrokenEndpoints(), h.Options, h.Clock);
        h.Create("c1");
        h.Clock.Advance(h.Options.CreateDelay);
        await lifecycle.TickAsync();

        Assert.Equal("available", h.Describe("c1").Element("ClusterStatus")!.Value);
        var failure = Assert.Single(lifecycle.FailedEndpoints);
        Assert.Equal((RedshiftHarness.Account, RedshiftHarness.Region, "c1"), failure.Key);
        Assert.Equal(new EndpointFailure(5439, "the warehouse file is not a database"), failure.Value);

        h.Call("DeleteCluster", ("ClusterIdentifier", "c1"), ("SkipFinalClusterSnapshot", "true"));
        await lifecycle.TickAsync();
        Assert.Empty(lifecycle.FailedEndpoints);
    }

    private sealed class BrokenEndpoints : IClusterEndpointHost
    {
        public Task StartAsync(ClusterEndpointSpec spec, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the warehouse file is not a database");
        public Task StopAsync(ClusterEndpointSpec spec, bool deleteData) => Task.CompletedTask;
    }
}
