using System.Xml.Linq;
using LocalShift.Services.Redshift;
using static LocalShift.Services.Tests.Redshift.RedshiftHarness;

namespace LocalShift.Services.Tests.Redshift;

/// <summary>The snapshot and cluster-transition rules on a manual clock: states, faults, paging, restarts.</summary>
public sealed class SnapshotRulesTests : IDisposable
{
    private readonly RedshiftHarness _h = new();

    public SnapshotRulesTests() => _h.CreateAvailable("c1");

    public void Dispose() => _h.Dispose();

    private XElement Snapshot(string id, string cluster = "c1") =>
        _h.Call("CreateClusterSnapshot", ("SnapshotIdentifier", id), ("ClusterIdentifier", cluster)).Element("Snapshot")!;

    [Fact]
    public void A_snapshot_is_creating_until_the_delay_passes_and_then_restorable()
    {
        Assert.Equal("creating", Snapshot("s1").Element("Status")!.Value);
        Assert.Equal("InvalidClusterSnapshotState", _h.Fails("RestoreFromClusterSnapshot", ("ClusterIdentifier", "c2"), ("SnapshotIdentifier", "s1")).Code);
        Assert.Equal("InvalidClusterSnapshotState", _h.Fails("DeleteClusterSnapshot", ("SnapshotIdentifier", "s1")).Code);
        _h.Settle(_h.Options.CreateDelay);
        var restored = _h.Call("RestoreFromClusterSnapshot", ("ClusterIdentifier", "c2"), ("SnapshotIdentifier", "s1")).Element("Cluster")!;
        Assert.Equal("creating", restored.Element("ClusterStatus")!.Value);
        Assert.Equal("admin", restored.Element("MasterUsername")!.Value);
        Assert.Equal("ClusterAlreadyExists", _h.Fails("RestoreFromClusterSnapshot", ("ClusterIdentifier", "c2"), ("SnapshotIdentifier", "s1")).Code);
    }

    [Fact]
    public void Snapshot_identifiers_are_unique_and_faults_are_the_models()
    {
        Snapshot("s1");
        Assert.Equal("ClusterSnapshotAlreadyExists", _h.Fails("CreateClusterSnapshot", ("SnapshotIdentifier", "s1"), ("ClusterIdentifier", "c1")).Code);
        Assert.Equal("ClusterNotFound", _h.Fails("CreateClusterSnapshot", ("SnapshotIdentifier", "s2"), ("ClusterIdentifier", "nope")).Code);
        Assert.Equal("InvalidParameterValue", _h.Fails("CreateClusterSnapshot", ("SnapshotIdentifier", "bad--id"), ("ClusterIdentifier", "c1")).Code);
        Assert.Equal("ClusterSnapshotNotFound", _h.Fails("DescribeClusterSnapshots", ("SnapshotIdentifier", "nope")).Code);
        Assert.Equal("ClusterSnapshotNotFound", _h.Fails("DeleteClusterSnapshot", ("SnapshotIdentifier", "s1"), ("SnapshotClusterIdentifier", "other")).Code);
        var e = _h.Fails("RestoreFromClusterSnapshot", ("ClusterIdentifier", "c2"), ("SnapshotIdentifier", "nope"));
        Assert.Equal(("ClusterSnapshotNotFound", "Snapshot not found for cluster."), (e.Code, e.Message));
    }

    [Fact]
    public void Describe_pages_with_max_records_and_marker()
    {
        for (var i = 0; i < 25; i++)
        {
            Snapshot($"s{i:00}");
            _h.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        var first = _h.Call("DescribeClusterSnapshots", ("MaxRecords", "20"), ("SortingEntities.SnapshotSortingEntity.1.Attribute", "CREATE_TIME"),
            ("SortingEntities.SnapshotSortingEntity.1.SortOrder", "ASC"));
        var ids = first.Element("Snapshots")!.Elements("Snapshot").Select(s => s.Element("SnapshotIdentifier")!.Value).ToList();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"s{i:00}"), ids);
        var marker = first.Element("Marker")!.Value;
        var second = _h.Call("DescribeClusterSnapshots", ("MaxRecords", "20"), ("Marker", marker), ("SortingEntities.SnapshotSortingEntity.1.Attribute", "CREATE_TIME"),
            ("SortingEntities.SnapshotSortingEntity.1.SortOrder", "ASC"));
        Assert.Equal(Enumerable.Range(20, 5).Select(i => $"s{i:00}"), second.Element("Snapshots")!.Elements("Snapshot").Select(s => s.Element("SnapshotIdentifier")!.Value));
        Assert.Null(second.Element("Marker"));
    }

    [Fact]
    public void A_refused_deletion_takes_its_final_snapshot_back_and_snapshots_survive_a_restart()
    {
        _h.Create("c3");
        // c3 is still creating: the deletion is refused, and the final snapshot it asked for does not stay.
        Assert.Equal("InvalidClusterState", _h.Fails("DeleteCluster", ("ClusterIdentifier", "c3"), ("FinalClusterSnapshotIdentifier", "c3-final")).Code);
        Assert.Equal("ClusterSnapshotNotFound", _h.Fails("DescribeClusterSnapshots", ("SnapshotIdentifier", "c3-final")).Code);

        _h.Call("DeleteCluster", ("ClusterIdentifier", "c1"), ("FinalClusterSnapshotIdentifier", "c1-final"));
        using var restarted = _h.Restart();
        var kept = restarted.Call("DescribeClusterSnapshots", ("ClusterIdentifier", "c1")).Element("Snapshots")!.Element("Snapshot")!;
        Assert.Equal("c1-final", kept.Element("SnapshotIdentifier")!.Value);
    }

    [Fact]
    public void Pause_resume_reboot_and_resize_pass_through_their_states()
    {
        Assert.Equal("pausing", _h.Call("PauseCluster", ("ClusterIdentifier", "c1")).Element("Cluster")!.Element("ClusterStatus")!.Value);
        Assert.Equal("InvalidClusterState", _h.Fails("ResumeCluster", ("ClusterIdentifier", "c1")).Code);
        _h.Settle(_h.Options.CreateDelay);
        Assert.Equal("paused", _h.Describe("c1").Element("ClusterStatus")!.Value);
        Assert.Contains(_h.Endpoints.Events, e => e == "stop c1 False");
        Assert.Equal("InvalidClusterState", _h.Fails("ModifyCluster", ("ClusterIdentifier", "c1"), ("AllowVersionUpgrade", "false")).Code);
        _h.Call("ResumeCluster", ("ClusterIdentifier", "c1"));
        _h.Settle(_h.Options.CreateDelay);
        Assert.Equal("available", _h.Describe("c1").Element("ClusterStatus")!.Value);
        Assert.Equal(2, _h.Endpoints.Started.Count(s => s.ClusterIdentifier == "c1"));

        var resized = _h.Call("ModifyCluster", ("ClusterIdentifier", "c1"), ("NodeType", "ra3.4xlarge"), ("NumberOfNodes", "3"), ("ClusterType", "multi-node"));
        Assert.Equal("resizing", resized.Element("Cluster")!.Element("ClusterStatus")!.Value);
        _h.Settle(_h.Options.CreateDelay);
        var after = _h.Describe("c1");
        Assert.Equal(("available", "ra3.4xlarge", "3"), (after.Element("ClusterStatus")!.Value, after.Element("NodeType")!.Value, after.Element("NumberOfNodes")!.Value));
        Assert.Equal("UnsupportedOptionFault", _h.Fails("ModifyCluster", ("ClusterIdentifier", "c1"), ("NewClusterIdentifier", "c9")).Code);
        Assert.Equal("ClusterParameterGroupNotFound", _h.Fails("ModifyCluster", ("ClusterIdentifier", "c1"), ("ClusterParameterGroupName", "custom")).Code);
    }
}
