namespace LocalShift.Services.Tests.Iam;

public sealed class MoreOperationsTests : IDisposable
{
    private readonly IamHarness _iam = new();
    public void Dispose() => _iam.Dispose();

    [Fact]
    public void Role_last_used_is_empty_until_a_session_is_recorded()
    {
        var created = _iam.CreateRole("R").Element("Role")!;
        Assert.Null(created.Element("RoleLastUsed"));
        Assert.Empty(_iam.Call("GetRole", ("RoleName", "R")).Element("Role")!.Element("RoleLastUsed")!.Elements());

        _iam.Service.Store.RecordRoleUse("arn:aws:iam::123456789012:role/R", "us-west-2", new DateTimeOffset(2026, 11, 28, 5, 0, 0, TimeSpan.Zero));

        var used = _iam.Call("GetRole", ("RoleName", "R")).Element("Role")!.Element("RoleLastUsed")!;
        Assert.Equal(("2026-11-28T05:00:00.000Z", "us-west-2"), (used.Text("LastUsedDate"), used.Text("Region")));
    }

    [Fact]
    public void Role_use_within_a_minute_keeps_the_recorded_time_and_never_invalidates_the_policy_caches()
    {
        _iam.CreateRole("R");
        const string arn = "arn:aws:iam::123456789012:role/R";
        var t0 = new DateTimeOffset(2026, 11, 28, 5, 0, 0, TimeSpan.Zero);
        var generation = _iam.Service.Store.Generation;
        string Used() => _iam.Call("GetRole", ("RoleName", "R")).Element("Role")!.Element("RoleLastUsed")!.Text("LastUsedDate");

        _iam.Service.Store.RecordRoleUse(arn, "us-west-2", t0);
        _iam.Service.Store.RecordRoleUse(arn, "us-west-2", t0.AddSeconds(30));
        Assert.Equal("2026-11-28T05:00:00.000Z", Used());
        _iam.Service.Store.RecordRoleUse(arn, "us-west-2", t0.AddSeconds(61));
        Assert.Equal("2026-11-28T05:01:01.000Z", Used());
        _iam.Service.Store.RecordRoleUse(arn, "eu-west-1", t0.AddSeconds(62));
        Assert.Equal("2026-11-28T05:01:02.000Z", Used());
        Assert.Equal(generation, _iam.Service.Store.Generation);

        // A role made again under the same name is a new role: its first use is recorded at once.
        _iam.Call("DeleteRole", ("RoleName", "R"));
        _iam.CreateRole("R");
        _iam.Service.Store.RecordRoleUse(arn, "eu-west-1", t0.AddSeconds(63));
        Assert.Equal("2026-11-28T05:01:03.000Z", Used());
    }

    [Fact]
    public void User_tags_are_added_listed_and_removed()
    {
        _iam.Call("CreateUser", ("UserName", "u"), ("Tags.member.1.Key", "team"), ("Tags.member.1.Value", "data"));
        _iam.Call("TagUser", ("UserName", "u"), ("Tags.member.1.Key", "env"), ("Tags.member.1.Value", "dev"));
        Assert.Equal(["team", "env"], _iam.Call("ListUserTags", ("UserName", "u")).Members("Tags").Select(t => t.Text("Key")));
        _iam.Call("UntagUser", ("UserName", "u"), ("TagKeys.member.1", "TEAM"));
        Assert.Equal(["env"], _iam.Call("GetUser", ("UserName", "u")).Element("User")!.Members("Tags").Select(t => t.Text("Key")));
        Assert.Equal("dev", _iam.Service.Store.FindAccessKey(_iam.Call("CreateAccessKey", ("UserName", "u")).Text("AccessKey", "AccessKeyId"))!
            .ToPrincipal().Tags["env"]);
    }

    [Fact]
    public void List_entities_for_policy_names_attached_users_groups_and_roles()
    {
        var arn = _iam.CreatePolicy("P");
        _iam.CreateRole("R");
        _iam.Call("CreateUser", ("UserName", "u"));
        _iam.Call("CreateGroup", ("GroupName", "g"));
        _iam.Call("AttachRolePolicy", ("RoleName", "R"), ("PolicyArn", arn));
        _iam.Call("AttachUserPolicy", ("UserName", "u"), ("PolicyArn", arn));
        _iam.Call("AttachGroupPolicy", ("GroupName", "g"), ("PolicyArn", arn));

        var all = _iam.Call("ListEntitiesForPolicy", ("PolicyArn", arn));
        Assert.Equal(["R"], all.Members("PolicyRoles").Select(x => x.Text("RoleName")));
        Assert.Equal(["u"], all.Members("PolicyUsers").Select(x => x.Text("UserName")));
        Assert.Equal(["g"], all.Members("PolicyGroups").Select(x => x.Text("GroupName")));
        Assert.StartsWith("AROA", all.Members("PolicyRoles")[0].Text("RoleId"));

        var roles = _iam.Call("ListEntitiesForPolicy", ("PolicyArn", arn), ("EntityFilter", "Role"));
        Assert.Single(roles.Members("PolicyRoles"));
        Assert.Empty(roles.Members("PolicyUsers"));
    }

    [Fact]
    public void A_role_has_no_instance_profiles()
    {
        _iam.CreateRole("R");
        Assert.Empty(_iam.Call("ListInstanceProfilesForRole", ("RoleName", "R")).Members("InstanceProfiles"));
        Assert.Equal("NoSuchEntity", _iam.Fails("ListInstanceProfilesForRole", ("RoleName", "Nope")).Code);
    }

    [Fact]
    public void Default_version_can_be_switched_back()
    {
        var arn = _iam.CreatePolicy("P");
        _iam.Call("CreatePolicyVersion", ("PolicyArn", arn), ("PolicyDocument", IamHarness.ReadS3), ("SetAsDefault", "true"));
        _iam.Call("SetDefaultPolicyVersion", ("PolicyArn", arn), ("VersionId", "v1"));
        Assert.Equal("v1", _iam.Call("GetPolicy", ("PolicyArn", arn)).Text("Policy", "DefaultVersionId"));
        Assert.Equal("NoSuchEntity", _iam.Fails("SetDefaultPolicyVersion", ("PolicyArn", arn), ("VersionId", "v9")).Code);
    }
}

public sealed class PolicyArnShapeTests : IDisposable
{
    private readonly IamHarness _iam = new();
    public void Dispose() => _iam.Dispose();

    [Fact]
    public void A_role_arn_given_as_a_policy_arn_is_InvalidInput()
    {
        _iam.CreateRole("R");
        var e = _iam.Fails("AttachRolePolicy", ("RoleName", "R"), ("PolicyArn", "arn:aws:iam::123456789012:role/R"));
        Assert.Equal(("InvalidInput", "ARN arn:aws:iam::123456789012:role/R is not valid."), (e.Code, e.Message));
    }
}
