using static LocalShift.Services.Tests.Redshift.RedshiftHarness;

namespace LocalShift.Services.Tests.Redshift;

public sealed class DeleteAndDescribeTests : IDisposable
{
    private readonly RedshiftHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Delete_without_skip_or_final_snapshot_is_an_invalid_combination()
    {
        _h.CreateAvailable("c1");
        var e = _h.Fails("DeleteCluster", ("ClusterIdentifier", "c1"));
        Assert.Equal(("InvalidParameterCombination", "FinalClusterSnapshotIdentifier is required unless SkipFinalClusterSnapshot is specified.", 400), (e.Code, e.Message, e.HttpStatus));
    }

    [Fact]
    public void Delete_with_a_final_snapshot_identifier_is_accepted()
    {
        _h.CreateAvailable("c1");
        var c = _h.Call("DeleteCluster", ("ClusterIdentifier", "c1"), ("FinalClusterSnapshotIdentifier", "c1-final")).Element("Cluster")!;
        Assert.Equal("deleting", c.Element("ClusterStatus")!.Value);
    }

    [Fact]
    public void Delete_with_both_skip_and_final_snapshot_is_an_invalid_combination()
    {
        _h.CreateAvailable("c1");
        var e = _h.Fails("DeleteCluster", ("ClusterIdentifier", "c1"), ("SkipFinalClusterSnapshot", "true"), ("FinalClusterSnapshotIdentifier", "snap"));
        Assert.Equal("InvalidParameterCombination", e.Code);
    }

    [Fact]
    public void Delete_of_a_cluster_being_created_is_refused()
    {
        _h.Create("c1");
        var e = _h.Fails("DeleteCluster", ("ClusterIdentifier", "c1"), ("SkipFinalClusterSnapshot", "true"));
        Assert.Equal(("InvalidClusterState", "There is an operation running on the Cluster. Please try to delete it at a later time."), (e.Code, e.Message));
    }

    [Fact]
    public void Delete_of_an_unknown_cluster_is_not_found()
    {
        var e = _h.Fails("DeleteCluster", ("ClusterIdentifier", "ghost"), ("SkipFinalClusterSnapshot", "true"));
        Assert.Equal(("ClusterNotFound", "Cluster ghost not found.", 404), (e.Code, e.Message, e.HttpStatus));
    }

    [Fact]
    public void Describe_pages_with_max_records_and_marker()
    {
        for (var i = 0; i < 25; i++) _h.Create($"c{i:D2}");
        var first = _h.Call("DescribeClusters", ("MaxRecords", "20"));
        Assert.Equal(20, first.Element("Clusters")!.Elements("Cluster").Count());
        var marker = first.Element("Marker")!.Value;
        var second = _h.Call("DescribeClusters", ("MaxRecords", "20"), ("Marker", marker));
        Assert.Equal(["c20", "c21", "c22", "c23", "c24"], second.Element("Clusters")!.Elements("Cluster").Select(c => c.Element("ClusterIdentifier")!.Value));
        Assert.Null(second.Element("Marker"));
        Assert.Equal(25, _h.Call("DescribeClusters").Element("Clusters")!.Elements("Cluster").Count());
    }

    [Theory]
    [InlineData("19")]
    [InlineData("101")]
    public void Describe_max_records_outside_20_to_100_is_invalid(string max)
    {
        Assert.Equal("InvalidParameterValue", _h.Fails("DescribeClusters", ("MaxRecords", max)).Code);
    }

    [Fact]
    public void Describe_with_identifier_and_marker_is_an_invalid_combination()
    {
        _h.Create("c1");
        Assert.Equal("InvalidParameterCombination", _h.Fails("DescribeClusters", ("ClusterIdentifier", "c1"), ("Marker", "YzE=")).Code);
    }

    [Fact]
    public void Describe_filters_by_tag_keys_and_values()
    {
        _h.Create("a1", ("Tags.Tag.1.Key", "env"), ("Tags.Tag.1.Value", "prod"));
        _h.Create("a2", ("Tags.Tag.1.Key", "env"), ("Tags.Tag.1.Value", "test"));
        _h.Create("a3", ("Tags.Tag.1.Key", "owner"), ("Tags.Tag.1.Value", "prod"));
        _h.Create("a4");
        string[] Ids(params (string, string)[] args) =>
            _h.Call("DescribeClusters", args).Element("Clusters")!.Elements("Cluster").Select(c => c.Element("ClusterIdentifier")!.Value).ToArray();
        Assert.Equal(["a1", "a2"], Ids(("TagKeys.TagKey.1", "env")));
        Assert.Equal(["a1", "a3"], Ids(("TagValues.TagValue.1", "prod")));
        Assert.Equal(["a1"], Ids(("TagKeys.TagKey.1", "env"), ("TagValues.TagValue.1", "prod")));
    }

    [Fact]
    public void Describe_all_asks_on_the_cluster_wildcard_and_one_cluster_on_its_arn()
    {
        _h.Create("c1");
        _h.Call("DescribeClusters");
        _h.Call("DescribeClusters", ("ClusterIdentifier", "c1"));
        var describes = _h.Authorizer.Checks.Where(c => c.Action == "redshift:DescribeClusters").Select(c => c.Resource);
        Assert.Equal(["arn:aws:redshift:us-east-1:123456789012:cluster:*", "arn:aws:redshift:us-east-1:123456789012:cluster:c1"], describes);
    }

    [Fact]
    public void Denied_describe_of_an_unknown_cluster_is_denied_not_not_found()
    {
        _h.Authorizer.Deny = c => c.Action == "redshift:DescribeClusters";
        Assert.Equal("AccessDenied", _h.Fails("DescribeClusters", ("ClusterIdentifier", "ghost")).Code);
    }
}
