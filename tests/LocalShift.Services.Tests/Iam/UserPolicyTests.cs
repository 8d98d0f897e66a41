namespace LocalShift.Services.Tests.Iam;

public sealed class UserPolicyTests : IDisposable
{
    private readonly IamHarness _iam = new();
    public void Dispose() => _iam.Dispose();

    [Fact]
    public void User_inline_policy_round_trips_and_lists()
    {
        _iam.Call("CreateUser", ("UserName", "u"));
        _iam.Call("PutUserPolicy", ("UserName", "u"), ("PolicyName", "read"), ("PolicyDocument", IamHarness.ReadS3));
        var got = _iam.Call("GetUserPolicy", ("UserName", "u"), ("PolicyName", "read"));
        Assert.Equal(("u", "read", IamHarness.ReadS3), (got.Text("UserName"), got.Text("PolicyName"), Uri.UnescapeDataString(got.Text("PolicyDocument"))));
        Assert.Equal(["read"], _iam.Call("ListUserPolicies", ("UserName", "u")).Members("PolicyNames").Select(m => m.Value));
        Assert.Equal("The user policy with name nope cannot be found.", _iam.Fails("GetUserPolicy", ("UserName", "u"), ("PolicyName", "nope")).Message);
    }

    [Fact]
    public void User_attachments_list_filter_by_path_and_detach()
    {
        _iam.Call("CreateUser", ("UserName", "u"));
        var mine = _iam.CreatePolicy("Mine");
        _iam.Call("AttachUserPolicy", ("UserName", "u"), ("PolicyArn", mine));
        _iam.Call("AttachUserPolicy", ("UserName", "u"), ("PolicyArn", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"));

        Assert.Equal(["AWSLambdaRole", "Mine"], Attached("u"));
        Assert.Equal(["AWSLambdaRole"], _iam.Call("ListAttachedUserPolicies", ("UserName", "u"), ("PathPrefix", "/service-role/"))
            .Members("AttachedPolicies").Select(p => p.Text("PolicyName")));

        _iam.Call("DetachUserPolicy", ("UserName", "u"), ("PolicyArn", mine));
        Assert.Equal(["AWSLambdaRole"], Attached("u"));
        var e = _iam.Fails("DetachUserPolicy", ("UserName", "u"), ("PolicyArn", mine));
        Assert.Equal(("NoSuchEntity", $"Policy {mine} was not found."), (e.Code, e.Message));
    }

    [Fact]
    public void User_permissions_boundary_is_set_shown_and_removed()
    {
        var boundary = _iam.CreatePolicy("B");
        _iam.Call("CreateUser", ("UserName", "u"), ("PermissionsBoundary", boundary));
        Assert.Equal(boundary, _iam.Call("GetUser", ("UserName", "u")).Text("User", "PermissionsBoundary", "PermissionsBoundaryArn"));
        _iam.Call("DeleteUserPermissionsBoundary", ("UserName", "u"));
        Assert.Null(_iam.Call("GetUser", ("UserName", "u")).Element("User")!.Element("PermissionsBoundary"));
        _iam.Call("PutUserPermissionsBoundary", ("UserName", "u"), ("PermissionsBoundary", "arn:aws:iam::aws:policy/AmazonS3FullAccess"));
        Assert.Equal("1", _iam.Call("GetPolicy", ("PolicyArn", "arn:aws:iam::aws:policy/AmazonS3FullAccess")).Text("Policy", "PermissionsBoundaryUsageCount"));
    }

    [Fact]
    public void List_users_pages_and_filters_by_path()
    {
        _iam.Call("CreateUser", ("UserName", "b"));
        _iam.Call("CreateUser", ("UserName", "a"), ("Path", "/ops/"));
        Assert.Equal(["a", "b"], _iam.Call("ListUsers").Members("Users").Select(u => u.Text("UserName")));
        Assert.Equal(["a"], _iam.Call("ListUsers", ("PathPrefix", "/ops")).Members("Users").Select(u => u.Text("UserName")));
        var page = _iam.Call("ListUsers", ("MaxItems", "1"));
        Assert.Equal(("true", "a"), (page.Text("IsTruncated"), page.Members("Users")[0].Text("UserName")));
        Assert.Equal(["b"], _iam.Call("ListUsers", ("Marker", page.Text("Marker"))).Members("Users").Select(u => u.Text("UserName")));
    }

    [Fact]
    public void Group_policy_detach_and_group_delete()
    {
        _iam.Call("CreateGroup", ("GroupName", "g"));
        var arn = _iam.CreatePolicy("P");
        _iam.Call("AttachGroupPolicy", ("GroupName", "g"), ("PolicyArn", arn));
        Assert.Equal("Cannot delete entity, must detach all policies first.", _iam.Fails("DeleteGroup", ("GroupName", "g")).Message);
        _iam.Call("DetachGroupPolicy", ("GroupName", "g"), ("PolicyArn", arn));
        _iam.Call("DeleteGroup", ("GroupName", "g"));
        Assert.Empty(_iam.Call("ListGroups").Members("Groups"));
    }

    [Fact]
    public void Update_role_description_answers_the_role()
    {
        _iam.CreateRole("R");
        Assert.Equal("now described", _iam.Call("UpdateRoleDescription", ("RoleName", "R"), ("Description", "now described")).Text("Role", "Description"));
    }

    private List<string> Attached(string user) =>
        _iam.Call("ListAttachedUserPolicies", ("UserName", user)).Members("AttachedPolicies").Select(p => p.Text("PolicyName")).ToList();
}
