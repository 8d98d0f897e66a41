using LocalShift.Core;

namespace LocalShift.Services.Tests.Iam;

public sealed class UserGroupAccessKeyTests : IDisposable
{
    private readonly IamHarness _iam = new();
    public void Dispose() => _iam.Dispose();

    [Fact]
    public void Create_user_answers_an_AIDA_id_and_user_arn()
    {
        var user = _iam.Call("CreateUser", ("UserName", "alice"), ("Path", "/eng/")).Element("User")!;
        Assert.Matches("^AIDA[A-Z2-7]{17}$", user.Text("UserId"));
        Assert.Equal("arn:aws:iam::123456789012:user/eng/alice", user.Text("Arn"));
        Assert.Equal("User with name Alice already exists.", _iam.Fails("CreateUser", ("UserName", "Alice")).Message);
    }

    [Fact]
    public void Get_user_without_a_name_answers_the_calling_user()
    {
        _iam.Call("CreateUser", ("UserName", "alice"));
        Assert.Equal("alice", _iam.CallAs(IamHarness.User("alice"), "GetUser").Text("User", "UserName"));
    }

    [Fact]
    public void Get_user_without_a_name_as_root_answers_the_root()
    {
        var user = _iam.Call("GetUser").Element("User")!;
        Assert.Equal(("123456789012", "arn:aws:iam::123456789012:root"), (user.Text("UserId"), user.Text("Arn")));
        Assert.Null(user.Element("UserName"));
    }

    [Fact]
    public void Get_user_without_a_name_from_a_role_session_is_a_ValidationError()
    {
        var e = Assert.Throws<AwsException>(() => _iam.CallAs(IamHarness.Session("R"), "GetUser"));
        Assert.Equal(("ValidationError", "Must specify userName when calling with non-User credentials"), (e.Code, e.Message));
    }

    [Fact]
    public void Missing_user_is_NoSuchEntity()
    {
        Assert.Equal("The user with name bob cannot be found.", _iam.Fails("GetUser", ("UserName", "bob")).Message);
    }

    [Fact]
    public void Access_keys_are_AKIA_with_40_character_secrets_at_most_two_per_user()
    {
        _iam.Call("CreateUser", ("UserName", "u"));
        var key = _iam.Call("CreateAccessKey", ("UserName", "u")).Element("AccessKey")!;
        Assert.Matches("^AKIA[A-Z2-7]{16}$", key.Text("AccessKeyId"));
        Assert.Equal(40, key.Text("SecretAccessKey").Length);
        Assert.Equal(("u", "Active"), (key.Text("UserName"), key.Text("Status")));
        _iam.Call("CreateAccessKey", ("UserName", "u"));

        var e = _iam.Fails("CreateAccessKey", ("UserName", "u"));
        Assert.Equal(("LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2"), (e.Code, e.HttpStatus, e.Message));
        Assert.Equal(2, _iam.Call("ListAccessKeys", ("UserName", "u")).Members("AccessKeyMetadata").Count);
    }

    [Fact]
    public void Find_access_key_gives_the_resolver_the_secret_owner_and_status()
    {
        _iam.Call("CreateUser", ("UserName", "u"));
        var created = _iam.Call("CreateAccessKey", ("UserName", "u")).Element("AccessKey")!;
        var id = created.Text("AccessKeyId");

        var found = _iam.Service.Store.FindAccessKey(id)!;
        Assert.Equal((created.Text("SecretAccessKey"), "u", "arn:aws:iam::123456789012:user/u", "123456789012", true),
            (found.SecretAccessKey, found.UserName, found.Arn, found.AccountId, found.IsActive));
        var principal = found.ToPrincipal();
        Assert.Equal((PrincipalKind.User, "u"), (principal.Kind, principal.Name));
        Assert.StartsWith("AIDA", principal.UserId);

        _iam.Call("UpdateAccessKey", ("UserName", "u"), ("AccessKeyId", id), ("Status", "Inactive"));
        Assert.False(_iam.Service.Store.FindAccessKey(id)!.IsActive);
        _iam.Call("DeleteAccessKey", ("UserName", "u"), ("AccessKeyId", id));
        Assert.Null(_iam.Service.Store.FindAccessKey(id));
        Assert.Null(_iam.Service.Store.FindAccessKey("AKIANOSUCHKEY00000"));
    }

    [Fact]
    public void A_user_without_user_name_creates_and_lists_its_own_keys()
    {
        _iam.Call("CreateUser", ("UserName", "u"));
        var key = _iam.CallAs(IamHarness.User("u"), "CreateAccessKey").Text("AccessKey", "UserName");
        Assert.Equal("u", key);
        Assert.Single(_iam.CallAs(IamHarness.User("u"), "ListAccessKeys").Members("AccessKeyMetadata"));
    }

    [Fact]
    public void A_root_without_user_name_creates_a_root_key()
    {
        var id = _iam.Call("CreateAccessKey").Text("AccessKey", "AccessKeyId");
        var found = _iam.Service.Store.FindAccessKey(id)!;
        Assert.True(found.IsRoot);
        Assert.Equal("arn:aws:iam::123456789012:root", found.ToPrincipal().Arn);
    }

    [Fact]
    public void Deleting_a_user_with_keys_policies_or_groups_is_a_DeleteConflict()
    {
        _iam.Call("CreateUser", ("UserName", "u"));
        var id = _iam.Call("CreateAccessKey", ("UserName", "u")).Text("AccessKey", "AccessKeyId");
        Assert.Equal("Cannot delete entity, must delete access keys first.", _iam.Fails("DeleteUser", ("UserName", "u")).Message);
        _iam.Call("DeleteAccessKey", ("UserName", "u"), ("AccessKeyId", id));

        _iam.Call("PutUserPolicy", ("UserName", "u"), ("PolicyName", "p"), ("PolicyDocument", IamHarness.ReadS3));
        Assert.Equal("Cannot delete entity, must delete policies first.", _iam.Fails("DeleteUser", ("UserName", "u")).Message);
        _iam.Call("DeleteUserPolicy", ("UserName", "u"), ("PolicyName", "p"));

        var arn = _iam.CreatePolicy("P");
        _iam.Call("AttachUserPolicy", ("UserName", "u"), ("PolicyArn", arn));
        Assert.Equal("Cannot delete entity, must detach all policies first.", _iam.Fails("DeleteUser", ("UserName", "u")).Message);
        _iam.Call("DetachUserPolicy", ("UserName", "u"), ("PolicyArn", arn));

        _iam.Call("CreateGroup", ("GroupName", "g"));
        _iam.Call("AddUserToGroup", ("GroupName", "g"), ("UserName", "u"));
        var e = _iam.Fails("DeleteUser", ("UserName", "u"));
        Assert.Equal(("DeleteConflict", 409), (e.Code, e.HttpStatus));
        _iam.Call("RemoveUserFromGroup", ("GroupName", "g"), ("UserName", "u"));

        _iam.Call("DeleteUser", ("UserName", "u"));
    }

    [Fact]
    public void User_inline_policies_share_a_2048_character_quota()
    {
        _iam.Call("CreateUser", ("UserName", "u"));
        var doc = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{new string('b', 2000)}}/*"}]}""";
        var e = _iam.Fails("PutUserPolicy", ("UserName", "u"), ("PolicyName", "p"), ("PolicyDocument", doc));
        Assert.Equal(("LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user u"), (e.Code, e.Message));
    }

    [Fact]
    public void Groups_list_their_users_and_users_list_their_groups()
    {
        _iam.Call("CreateUser", ("UserName", "u1"));
        _iam.Call("CreateUser", ("UserName", "u2"));
        var group = _iam.Call("CreateGroup", ("GroupName", "analysts")).Element("Group")!;
        Assert.Matches("^AGPA[A-Z2-7]{17}$", group.Text("GroupId"));
        Assert.Equal("arn:aws:iam::123456789012:group/analysts", group.Text("Arn"));
        _iam.Call("AddUserToGroup", ("GroupName", "analysts"), ("UserName", "u1"));
        _iam.Call("AddUserToGroup", ("GroupName", "analysts"), ("UserName", "u2"));

        var got = _iam.Call("GetGroup", ("GroupName", "analysts"));
        Assert.Equal("analysts", got.Text("Group", "GroupName"));
        Assert.Equal(["u1", "u2"], got.Members("Users").Select(u => u.Text("UserName")));
        Assert.Equal(["analysts"], _iam.Call("ListGroupsForUser", ("UserName", "u1")).Members("Groups").Select(g => g.Text("GroupName")));
        Assert.Equal(["analysts"], _iam.Call("ListGroups").Members("Groups").Select(g => g.Text("GroupName")));

        Assert.Equal("Cannot delete entity, must remove users from group first.", _iam.Fails("DeleteGroup", ("GroupName", "analysts")).Message);
    }

    [Fact]
    public void Group_policies_inline_and_attached()
    {
        _iam.Call("CreateGroup", ("GroupName", "g"));
        _iam.Call("PutGroupPolicy", ("GroupName", "g"), ("PolicyName", "p"), ("PolicyDocument", IamHarness.ReadS3));
        Assert.Equal("g", _iam.Call("GetGroupPolicy", ("GroupName", "g"), ("PolicyName", "p")).Text("GroupName"));
        Assert.Equal(["p"], _iam.Call("ListGroupPolicies", ("GroupName", "g")).Members("PolicyNames").Select(m => m.Value));
        var arn = _iam.CreatePolicy("P");
        _iam.Call("AttachGroupPolicy", ("GroupName", "g"), ("PolicyArn", arn));
        Assert.Single(_iam.Call("ListAttachedGroupPolicies", ("GroupName", "g")).Members("AttachedPolicies"));
        Assert.Equal("The group policy with name q cannot be found.", _iam.Fails("DeleteGroupPolicy", ("GroupName", "g"), ("PolicyName", "q")).Message);
        Assert.Equal("The group with name h cannot be found.", _iam.Fails("GetGroup", ("GroupName", "h")).Message);
    }
}
