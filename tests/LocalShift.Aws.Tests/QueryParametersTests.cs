using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;

namespace LocalShift.Aws.Tests;

public class QueryParametersTests
{
    private static QueryParameters P(params (string, string)[] kv) => new(kv.Select(x => new KeyValuePair<string, string>(x.Item1, x.Item2)));

    [Fact]
    public void Lists_accept_the_member_name_spelling_of_the_cli_and_js_sdk()
    {
        var p = P(("AddIamRoles.IamRoleArn.2", "b"), ("AddIamRoles.IamRoleArn.1", "a"));
        Assert.Equal(["a", "b"], p.List("AddIamRoles", "IamRoleArn"));
    }

    [Fact]
    public void Lists_accept_the_member_spelling_of_the_dotnet_sdk()
    {
        var p = P(("AddIamRoles.member.1", "a"), ("AddIamRoles.member.10", "j"), ("AddIamRoles.member.2", "b"));
        Assert.Equal(["a", "b", "j"], p.List("AddIamRoles", "IamRoleArn"));
    }

    [Fact]
    public void An_empty_list_is_sent_as_the_bare_prefix()
    {
        Assert.Equal([], P(("RemoveIamRoles", "")).List("RemoveIamRoles", "IamRoleArn"));
        Assert.Null(P().List("RemoveIamRoles", "IamRoleArn"));
    }

    [Fact]
    public void Structure_lists_group_fields_by_index()
    {
        var p = P(("Tags.Tag.1.Key", "env"), ("Tags.Tag.1.Value", "dev"), ("Tags.Tag.2.Key", "team"), ("Tags.Tag.2.Value", "data"));
        var tags = p.StructList("Tags", "Tag")!;
        Assert.Equal(2, tags.Count);
        Assert.Equal(("env", "dev"), (tags[0].Get("Key"), tags[0].Get("Value")));
        Assert.Equal(("team", "data"), (tags[1].Get("Key"), tags[1].Get("Value")));
    }

    [Fact]
    public void Required_parameter_missing_is_a_missing_parameter_error()
    {
        var e = Assert.Throws<AwsException>(() => P().Required("RoleName"));
        Assert.Equal("MissingParameter", e.Code);
        Assert.Contains("RoleName", e.Message);
    }

    [Fact]
    public void Integers_and_booleans_are_validated()
    {
        Assert.Equal(20, P(("MaxRecords", "20")).Int("MaxRecords"));
        Assert.Equal("InvalidParameterValue", Assert.Throws<AwsException>(() => P(("MaxRecords", "x")).Int("MaxRecords")).Code);
        Assert.True(P(("Skip", "true")).Bool("Skip"));
        Assert.Equal("InvalidParameterValue", Assert.Throws<AwsException>(() => P(("Skip", "yes")).Bool("Skip")).Code);
    }
}
