using static LocalShift.Services.Tests.Redshift.RedshiftHarness;

namespace LocalShift.Services.Tests.Redshift;

public sealed class TagTests : IDisposable
{
    private const string ClusterArn = "arn:aws:redshift:us-east-1:123456789012:cluster:c1";
    private readonly RedshiftHarness _h = new();

    public TagTests() => _h.CreateAvailable("c1", ("Tags.Tag.1.Key", "env"), ("Tags.Tag.1.Value", "test"));

    public void Dispose() => _h.Dispose();

    private List<(string, string)> Tags() =>
        _h.Describe("c1").Element("Tags")!.Elements("Tag").Select(t => (t.Element("Key")!.Value, t.Element("Value")!.Value)).ToList();

    [Fact]
    public void Create_tags_adds_and_overwrites_then_delete_tags_removes()
    {
        _h.Call("CreateTags", ("ResourceName", ClusterArn), ("Tags.Tag.1.Key", "env"), ("Tags.Tag.1.Value", "prod"), ("Tags.Tag.2.Key", "owner"), ("Tags.Tag.2.Value", "ana"));
        Assert.Equal([("env", "prod"), ("owner", "ana")], Tags());
        _h.Call("DeleteTags", ("ResourceName", ClusterArn), ("TagKeys.TagKey.1", "env"));
        Assert.Equal([("owner", "ana")], Tags());
    }

    [Fact]
    public void Describe_tags_lists_tagged_resources()
    {
        var r = _h.Call("DescribeTags", ("ResourceName", ClusterArn));
        var tagged = Assert.Single(r.Element("TaggedResources")!.Elements("TaggedResource"));
        Assert.Equal("env", tagged.Element("Tag")!.Element("Key")!.Value);
        Assert.Equal(ClusterArn, tagged.Element("ResourceName")!.Value);
        Assert.Equal("cluster", tagged.Element("ResourceType")!.Value);
    }

    [Fact]
    public void Reserved_aws_prefix_is_an_invalid_tag()
    {
        var e = _h.Fails("CreateTags", ("ResourceName", ClusterArn), ("Tags.Tag.1.Key", "aws:owner"), ("Tags.Tag.1.Value", "x"));
        Assert.Equal(("InvalidTagFault", 400), (e.Code, e.HttpStatus));
    }

    [Fact]
    public void More_than_fifty_tags_exceed_the_limit()
    {
        var args = new List<(string, string)> { ("ResourceName", ClusterArn) };
        for (var i = 1; i <= 50; i++) { args.Add(($"Tags.Tag.{i}.Key", $"k{i}")); args.Add(($"Tags.Tag.{i}.Value", "v")); }
        var e = _h.Fails("CreateTags", [.. args]);
        Assert.Equal(("TagLimitExceededFault", "You have exceeded the number of tags allowed."), (e.Code, e.Message));
    }

    [Fact]
    public void Tagging_an_unknown_cluster_is_resource_not_found()
    {
        var e = _h.Fails("CreateTags", ("ResourceName", "arn:aws:redshift:us-east-1:123456789012:cluster:ghost"), ("Tags.Tag.1.Key", "a"), ("Tags.Tag.1.Value", "b"));
        Assert.Equal(("ResourceNotFoundFault", 404), (e.Code, e.HttpStatus));
    }

    [Fact]
    public void Tagging_asks_with_resource_request_and_tag_keys()
    {
        _h.Call("CreateTags", ("ResourceName", ClusterArn), ("Tags.Tag.1.Key", "owner"), ("Tags.Tag.1.Value", "ana"));
        _h.Call("DeleteTags", ("ResourceName", ClusterArn), ("TagKeys.TagKey.1", "owner"));
        var create = Assert.Single(_h.Authorizer.Checks, c => c.Action == "redshift:CreateTags");
        Assert.Equal(ClusterArn, create.Resource);
        Assert.Equal(["test"], create.Keys!["aws:ResourceTag/env"]);
        Assert.Equal(["ana"], create.Keys!["aws:RequestTag/owner"]);
        Assert.Equal(["owner"], create.Keys!["aws:TagKeys"]);
        var delete = Assert.Single(_h.Authorizer.Checks, c => c.Action == "redshift:DeleteTags");
        Assert.Equal(["owner"], delete.Keys!["aws:TagKeys"]);
    }
}
