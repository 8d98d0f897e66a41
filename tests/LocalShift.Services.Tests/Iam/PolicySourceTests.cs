using LocalShift.Core;
using LocalShift.Services.Iam;

namespace LocalShift.Services.Tests.Iam;

public sealed class PolicySourceTests : IDisposable
{
    private readonly IamHarness _iam = new();
    public void Dispose() => _iam.Dispose();

    private const string Boundary = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}""";

    [Fact]
    public void A_users_policies_are_its_own_and_its_groups_inline_and_attached_with_its_boundary()
    {
        _iam.Call("CreateUser", ("UserName", "u"));
        _iam.Call("PutUserPolicy", ("UserName", "u"), ("PolicyName", "own"), ("PolicyDocument", IamHarness.ReadS3));
        var attached = _iam.CreatePolicy("UserManaged");
        _iam.Call("AttachUserPolicy", ("UserName", "u"), ("PolicyArn", attached));
        _iam.Call("CreateGroup", ("GroupName", "g"));
        _iam.Call("AddUserToGroup", ("GroupName", "g"), ("UserName", "u"));
        _iam.Call("PutGroupPolicy", ("GroupName", "g"), ("PolicyName", "grp"), ("PolicyDocument", IamHarness.ReadS3));
        _iam.Call("AttachGroupPolicy", ("GroupName", "g"), ("PolicyArn", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"));
        var boundary = _iam.CreatePolicy("B", Boundary);
        _iam.Call("PutUserPermissionsBoundary", ("UserName", "u"), ("PermissionsBoundary", boundary));

        var policies = _iam.Service.PolicySource.GetPolicies(IamHarness.User("u"));

        Assert.Equal(["own", "UserManaged", "grp", "AmazonS3ReadOnlyAccess"], policies.Identity.Select(p => p.Name));
        Assert.Equal([null, attached, null, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"], policies.Identity.Select(p => p.Arn));
        Assert.Contains("s3:Get*", policies.Identity[3].Document);
        Assert.Equal(Boundary, policies.PermissionsBoundary!.Document);
    }

    [Fact]
    public void A_sessions_policies_are_its_roles_and_follow_the_default_version()
    {
        _iam.CreateRole("R");
        _iam.Call("PutRolePolicy", ("RoleName", "R"), ("PolicyName", "inline"), ("PolicyDocument", IamHarness.ReadS3));
        var arn = _iam.CreatePolicy("M");
        _iam.Call("AttachRolePolicy", ("RoleName", "R"), ("PolicyArn", arn));
        _iam.Call("CreatePolicyVersion", ("PolicyArn", arn), ("PolicyDocument", Boundary), ("SetAsDefault", "true"));

        var policies = _iam.Service.PolicySource.GetPolicies(IamHarness.Session("R"));

        Assert.Equal(["inline", "M"], policies.Identity.Select(p => p.Name));
        Assert.Equal(Boundary, policies.Identity[1].Document);
        Assert.Null(policies.PermissionsBoundary);
    }

    [Fact]
    public void Roots_and_unknown_principals_have_no_identity_policies()
    {
        Assert.Empty(_iam.Service.PolicySource.GetPolicies(IamHarness.Root).Identity);
        Assert.Empty(_iam.Service.PolicySource.GetPolicies(IamHarness.User("ghost")).Identity);
        Assert.Empty(_iam.Service.PolicySource.GetPolicies(Principal.ServicePrincipal("redshift.amazonaws.com")).Identity);
    }
}

public sealed class PolicySourceFreshnessTests : IDisposable
{
    private readonly IamHarness _iam = new();
    public void Dispose() => _iam.Dispose();

    [Fact]
    public void A_change_to_a_roles_policies_is_seen_by_the_next_request()
    {
        _iam.CreateRole("R");
        var session = IamHarness.Session("R");
        Assert.Empty(_iam.Service.PolicySource.GetPolicies(session).Identity);

        _iam.Call("PutRolePolicy", ("RoleName", "R"), ("PolicyName", "p"), ("PolicyDocument", IamHarness.ReadS3));
        Assert.Equal(["p"], _iam.Service.PolicySource.GetPolicies(session).Identity.Select(p => p.Name));

        _iam.Call("DeleteRolePolicy", ("RoleName", "R"), ("PolicyName", "p"));
        Assert.Empty(_iam.Service.PolicySource.GetPolicies(session).Identity);
    }
}
