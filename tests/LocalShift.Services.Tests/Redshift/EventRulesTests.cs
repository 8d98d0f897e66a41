using System.Xml.Linq;
using static LocalShift.Services.Tests.Redshift.RedshiftHarness;

namespace LocalShift.Services.Tests.Redshift;

/// <summary>DescribeEvents on a manual clock: which operations record what, when events appear, windows, filters, paging, retention.</summary>
public sealed class EventRulesTests : IDisposable
{
    private readonly RedshiftHarness _h = new(new LocalShift.Services.Redshift.RedshiftOptions
    {
        CreateDelay = TimeSpan.FromMinutes(2),
        RoleApplyDelay = TimeSpan.FromMinutes(1),
        DeleteDelay = TimeSpan.FromMinutes(1),
    });

    public void Dispose() => _h.Dispose();

    private sealed record Ev(string Source, string Type, string Id, string Category, string Message, DateTimeOffset Date);

    private List<Ev> Events(params (string, string)[] args) => Events(_h, args);

    private static List<Ev> Events(RedshiftHarness h, params (string, string)[] args) =>
        h.Call("DescribeEvents", args).Element("Events")!.Elements("Event").Select(e => new Ev(
            e.Element("SourceIdentifier")!.Value, e.Element("SourceType")!.Value, e.Element("EventId")!.Value,
            e.Element("EventCategories")!.Element("EventCategory")!.Value, e.Element("Message")!.Value,
            DateTimeOffset.Parse(e.Element("Date")!.Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();

    [Fact]
    public void Cluster_and_role_events_appear_when_they_happen_in_order()
    {
        var r1 = _h.Roles.Add(Account, "R1");
        var r2 = _h.Roles.Add(Account, "R2");
        var t0 = _h.Clock.GetUtcNow();
        _h.Create("c1", RoleArgs("IamRoles", [r1]));
        // Creation is not over: only the association that started is an event yet.
        Assert.Equal(["LOCALSHIFT-EVENT-2100"], Events().Select(e => e.Id));
        _h.Settle(TimeSpan.FromMinutes(2));
        var created = Events();
        Assert.Equal(["LOCALSHIFT-EVENT-2100", "REDSHIFT-EVENT-2000", "LOCALSHIFT-EVENT-2101"], created.Select(e => e.Id));
        Assert.Equal(new Ev("c1", "cluster", "REDSHIFT-EVENT-2000", "management", "Cluster c1 created at 2026-11-28 05:02 UTC.", t0.AddMinutes(2)), created[1]);
        Assert.Equal($"IAM role {r1} is associated with cluster c1 (in-sync) at 2026-11-28 05:02 UTC.", created[2].Message);

        _h.Call("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), ("DefaultIamRoleArn", r2), .. RoleArgs("AddIamRoles", [r2]), .. RoleArgs("RemoveIamRoles", [r1])]);
        _h.Clock.Advance(TimeSpan.FromMinutes(1)); // no tick: DescribeEvents settles what is due itself
        var ids = Events().Skip(3).Select(e => (e.Id, e.Message)).ToList();
        Assert.Equal(
        [
            ("LOCALSHIFT-EVENT-2102", $"IAM role {r1} is being disassociated from cluster c1 at 2026-11-28 05:02 UTC."),
            ("LOCALSHIFT-EVENT-2100", $"IAM role {r2} is being associated with cluster c1 at 2026-11-28 05:02 UTC."),
            ("LOCALSHIFT-EVENT-2104", $"Default IAM role of cluster c1 set to {r2} at 2026-11-28 05:02 UTC."),
            ("LOCALSHIFT-EVENT-2103", $"IAM role {r1} was disassociated from cluster c1 at 2026-11-28 05:03 UTC."),
            ("LOCALSHIFT-EVENT-2101", $"IAM role {r2} is associated with cluster c1 (in-sync) at 2026-11-28 05:03 UTC."),
        ], ids);
    }

    [Fact]
    public void Operations_record_aws_event_ids_and_snapshot_events_have_their_own_source()
    {
        _h.CreateAvailable("c1");
        _h.Call("ModifyCluster", ("ClusterIdentifier", "c1"), ("MasterUserPassword", "N3wPassword"));
        _h.Call("ModifyCluster", ("ClusterIdentifier", "c1"), ("NumberOfNodes", "4"), ("ClusterType", "multi-node"));
        _h.Settle(TimeSpan.FromMinutes(2));
        _h.Call("RebootCluster", ("ClusterIdentifier", "c1"));
        _h.Settle(TimeSpan.FromMinutes(2));
        _h.Call("PauseCluster", ("ClusterIdentifier", "c1"));
        _h.Settle(TimeSpan.FromMinutes(2));
        _h.Call("ResumeCluster", ("ClusterIdentifier", "c1"));
        _h.Settle(TimeSpan.FromMinutes(2));
        _h.Call("CreateClusterSnapshot", ("SnapshotIdentifier", "s1"), ("ClusterIdentifier", "c1"));
        _h.Settle(TimeSpan.FromMinutes(2));
        _h.Call("RestoreFromClusterSnapshot", ("ClusterIdentifier", "c2"), ("SnapshotIdentifier", "s1"));
        _h.Call("DeleteClusterSnapshot", ("SnapshotIdentifier", "s1"));
        _h.Call("DeleteCluster", ("ClusterIdentifier", "c1"), ("FinalClusterSnapshotIdentifier", "final1"));
        _h.Settle(TimeSpan.FromMinutes(2));

        var cluster = Events(("SourceType", "cluster"), ("SourceIdentifier", "c1")).Select(e => e.Id).ToList();
        Assert.Equal(
        [
            "REDSHIFT-EVENT-2000", "REDSHIFT-EVENT-4000", "REDSHIFT-EVENT-2006", "REDSHIFT-EVENT-3002", "REDSHIFT-EVENT-3000",
            "REDSHIFT-EVENT-3618", "REDSHIFT-EVENT-3619", "LOCALSHIFT-EVENT-3620", "LOCALSHIFT-EVENT-3621", "REDSHIFT-EVENT-2001",
        ], cluster);
        var snapshots = Events(("SourceType", "cluster-snapshot"));
        Assert.Equal(
        [
            ("s1", "REDSHIFT-EVENT-2009"), ("s1", "REDSHIFT-EVENT-3004"), ("s1", "REDSHIFT-EVENT-2011"),
            ("final1", "REDSHIFT-EVENT-2012"), ("final1", "REDSHIFT-EVENT-3005"),
        ], snapshots.Select(e => (e.Source, e.Id)));
        Assert.Equal("Cluster snapshot s1 for cluster c1 was deleted at 2026-11-28 05:12 UTC.", snapshots[2].Message);
        var restored = Events(("SourceType", "cluster"), ("SourceIdentifier", "C2"));
        Assert.Equal(["REDSHIFT-EVENT-2008", "REDSHIFT-EVENT-3003"], restored.Select(e => e.Id));
        Assert.Equal("Cluster c2 was restored from cluster snapshot s1 at 2026-11-28 05:14 UTC.", restored[1].Message);
    }

    [Fact]
    public void The_default_window_is_the_past_hour_and_events_are_kept_fourteen_days()
    {
        _h.CreateAvailable("c1");
        _h.Clock.Advance(TimeSpan.FromMinutes(90));
        Assert.Empty(Events());
        Assert.Single(Events(("Duration", "120")));
        var start = _h.Clock.GetUtcNow().AddHours(-3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Single(Events(("StartTime", start)));
        Assert.Empty(Events(("StartTime", start), ("EndTime", _h.Clock.GetUtcNow().AddHours(-2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture))));
        _h.Clock.Advance(TimeSpan.FromDays(14));
        Assert.Empty(Events(("StartTime", "2026-01-01T00:00:00Z")));
    }

    [Fact]
    public void Filters_are_validated_and_pages_follow_the_marker()
    {
        Assert.Equal("InvalidParameterCombination", _h.Fails("DescribeEvents", ("SourceIdentifier", "c1")).Code);
        Assert.Equal("InvalidParameterValue", _h.Fails("DescribeEvents", ("SourceType", "clusters")).Code);
        Assert.Equal("InvalidParameterValue", _h.Fails("DescribeEvents", ("MaxRecords", "19")).Code);
        Assert.Equal("InvalidParameterValue", _h.Fails("DescribeEvents", ("MaxRecords", "101")).Code);

        for (var i = 0; i < 25; i++) _h.Create($"c{i:00}");
        var first = _h.Call("DescribeEvents", ("Duration", "600"), ("MaxRecords", "20"));
        Assert.Empty(first.Element("Events")!.Elements()); // not created yet
        _h.Settle(TimeSpan.FromMinutes(2));
        first = _h.Call("DescribeEvents", ("MaxRecords", "20"));
        var marker = first.Element("Marker")!.Value;
        var second = _h.Call("DescribeEvents", ("MaxRecords", "20"), ("Marker", marker));
        Assert.Null(second.Element("Marker"));
        var all = first.Element("Events")!.Elements().Concat(second.Element("Events")!.Elements()).Select(e => e.Element("SourceIdentifier")!.Value);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"c{i:00}"), all);
    }

    [Fact]
    public void Events_outlive_a_restart()
    {
        var r1 = _h.Roles.Add(Account, "R1");
        _h.CreateAvailable("c1");
        _h.Call("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RoleArgs("AddIamRoles", [r1])]);
        using var restarted = _h.Restart();
        restarted.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(["REDSHIFT-EVENT-2000", "LOCALSHIFT-EVENT-2100", "LOCALSHIFT-EVENT-2101"], Events(restarted).Select(e => e.Id));
    }

    [Fact]
    public void Event_categories_list_what_is_recorded_by_source_type()
    {
        var maps = _h.Call("DescribeEventCategories").Element("EventCategoriesMapList")!.Elements("EventCategoriesMap").ToList();
        Assert.Equal(["cluster", "cluster-snapshot"], maps.Select(m => m.Element("SourceType")!.Value));
        var created = maps[0].Element("Events")!.Elements("EventInfoMap").First(e => e.Element("EventId")!.Value == "REDSHIFT-EVENT-2000");
        Assert.Equal("Cluster <cluster name> created at <time in UTC>.", created.Element("EventDescription")!.Value);
        Assert.Equal(("management", "INFO"), (created.Element("EventCategories")!.Element("EventCategory")!.Value, created.Element("Severity")!.Value));
        var snapshotOnly = _h.Call("DescribeEventCategories", ("SourceType", "cluster-snapshot")).Element("EventCategoriesMapList")!.Elements().ToList();
        Assert.Equal(["cluster-snapshot"], snapshotOnly.Select(m => m.Element("SourceType")!.Value));
    }
}
