using LocalShift.Services.Iam;

namespace LocalShift.Services.Tests.Iam;

public sealed class RoleOperationsTests : IDisposable
{
    private readonly IamHarness _iam = new();
    public void Dispose() => _iam.Dispose();

    [Fact]
    public void Create_role_answers_the_role_with_an_AROA_id_and_the_encoded_trust_policy()
    {
        var role = _iam.CreateRole("MyRedshiftRole", IamHarness.TrustRedshift, ("Description", "loads"), ("Path", "/service/")).Element("Role")!;

        Assert.Equal("MyRedshiftRole", role.Text("RoleName"));
        Assert.Equal("/service/", role.Text("Path"));
        Assert.Equal("arn:aws:iam::123456789012:role/service/MyRedshiftRole", role.Text("Arn"));
        Assert.Matches("^AROA[A-Z2-7]{17}$", role.Text("RoleId"));
        Assert.Equal("3600", role.Text("MaxSessionDuration"));
        Assert.Equal("2026-11-28T04:00:00.000Z", role.Text("CreateDate"));
        Assert.Equal(Uri.EscapeDataString(IamHarness.TrustRedshift), role.Text("AssumeRolePolicyDocument"));
        Assert.StartsWith("%7B%22Version%22%3A%222012-10-17%22", role.Text("AssumeRolePolicyDocument"));
    }

    [Fact]
    public void Get_role_finds_the_role_whatever_the_case_of_its_name()
    {
        _iam.CreateRole("MyRole");
        Assert.Equal("MyRole", _iam.Call("GetRole", ("RoleName", "myrole")).Text("Role", "RoleName"));
    }

    [Fact]
    public void Get_missing_role_is_NoSuchEntity_404()
    {
        var e = _iam.Fails("GetRole", ("RoleName", "Nope"));
        Assert.Equal(("NoSuchEntity", 404, "The role with name Nope cannot be found."), (e.Code, e.HttpStatus, e.Message));
    }

    [Fact]
    public void Creating_a_role_twice_is_EntityAlreadyExists_409()
    {
        _iam.CreateRole("R1");
        var e = Assert.Throws<LocalShift.Core.AwsException>(() => _iam.CreateRole("r1"));
        Assert.Equal(("EntityAlreadyExists", 409, "Role with name r1 already exists."), (e.Code, e.HttpStatus, e.Message));
    }

    [Fact]
    public void List_roles_pages_with_marker_and_filters_by_path_prefix()
    {
        foreach (var n in new[] { "c", "a", "B", "d" }) _iam.CreateRole(n);
        _iam.CreateRole("e", IamHarness.TrustRedshift, ("Path", "/x/"));

        var first = _iam.Call("ListRoles", ("MaxItems", "2"));
        Assert.Equal(["a", "B"], first.Members("Roles").Select(r => r.Text("RoleName")));
        Assert.Equal("true", first.Text("IsTruncated"));
        var second = _iam.Call("ListRoles", ("MaxItems", "10"), ("Marker", first.Text("Marker")));
        Assert.Equal(["c", "d", "e"], second.Members("Roles").Select(r => r.Text("RoleName")));
        Assert.Equal("false", second.Text("IsTruncated"));
        Assert.Null(second.Element("Marker"));

        Assert.Equal(["e"], _iam.Call("ListRoles", ("PathPrefix", "/x/")).Members("Roles").Select(r => r.Text("RoleName")));
    }

    [Fact]
    public void Inline_role_policy_round_trips_encoded_and_blocks_role_deletion()
    {
        _iam.CreateRole("R");
        _iam.Call("PutRolePolicy", ("RoleName", "R"), ("PolicyName", "read"), ("PolicyDocument", IamHarness.ReadS3));

        var got = _iam.Call("GetRolePolicy", ("RoleName", "R"), ("PolicyName", "read"));
        Assert.Equal(("R", "read"), (got.Text("RoleName"), got.Text("PolicyName")));
        Assert.Equal(IamHarness.ReadS3, Uri.UnescapeDataString(got.Text("PolicyDocument")));
        Assert.Equal(["read"], _iam.Call("ListRolePolicies", ("RoleName", "R")).Members("PolicyNames").Select(m => m.Value));

        var e = _iam.Fails("DeleteRole", ("RoleName", "R"));
        Assert.Equal(("DeleteConflict", 409, "Cannot delete entity, must delete policies first."), (e.Code, e.HttpStatus, e.Message));

        _iam.Call("DeleteRolePolicy", ("RoleName", "R"), ("PolicyName", "read"));
        _iam.Call("DeleteRole", ("RoleName", "R"));
        Assert.Equal("NoSuchEntity", _iam.Fails("GetRole", ("RoleName", "R")).Code);
    }

    [Fact]
    public void Missing_inline_policy_is_NoSuchEntity_with_IAM_text()
    {
        _iam.CreateRole("R");
        var e = _iam.Fails("GetRolePolicy", ("RoleName", "R"), ("PolicyName", "nope"));
        Assert.Equal(("NoSuchEntity", "The role policy with name nope cannot be found."), (e.Code, e.Message));
    }

    [Fact]
    public void Attached_policy_blocks_role_deletion_until_detached()
    {
        _iam.CreateRole("R");
        var arn = _iam.CreatePolicy("P");
        _iam.Call("AttachRolePolicy", ("RoleName", "R"), ("PolicyArn", arn));

        var attached = _iam.Call("ListAttachedRolePolicies", ("RoleName", "R")).Members("AttachedPolicies");
        Assert.Equal(("P", arn), (attached.Single().Text("PolicyName"), attached.Single().Text("PolicyArn")));
        Assert.Equal("1", _iam.Call("GetPolicy", ("PolicyArn", arn)).Text("Policy", "AttachmentCount"));

        var e = _iam.Fails("DeleteRole", ("RoleName", "R"));
        Assert.Equal(("DeleteConflict", "Cannot delete entity, must detach all policies first."), (e.Code, e.Message));
        var p = _iam.Fails("DeletePolicy", ("PolicyArn", arn));
        Assert.Equal(("DeleteConflict", "Cannot delete a policy attached to entities."), (p.Code, p.Message));

        _iam.Call("DetachRolePolicy", ("RoleName", "R"), ("PolicyArn", arn));
        _iam.Call("DeleteRole", ("RoleName", "R"));
        _iam.Call("DeletePolicy", ("PolicyArn", arn));
    }

    [Fact]
    public void Attaching_a_missing_policy_is_NoSuchEntity_not_attachable()
    {
        _iam.CreateRole("R");
        var e = _iam.Fails("AttachRolePolicy", ("RoleName", "R"), ("PolicyArn", "arn:aws:iam::123456789012:policy/Nope"));
        Assert.Equal(("NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/Nope does not exist or is not attachable."), (e.Code, e.Message));
    }

    [Fact]
    public void Aws_managed_policy_can_be_attached_to_a_role()
    {
        _iam.CreateRole("R");
        _iam.Call("AttachRolePolicy", ("RoleName", "R"), ("PolicyArn", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"));
        Assert.Equal("AmazonS3ReadOnlyAccess",
            _iam.Call("ListAttachedRolePolicies", ("RoleName", "R")).Members("AttachedPolicies").Single().Text("PolicyName"));
    }

    [Fact]
    public void Update_role_changes_description_and_max_session_duration()
    {
        _iam.CreateRole("R");
        _iam.Call("UpdateRole", ("RoleName", "R"), ("Description", "new"), ("MaxSessionDuration", "7200"));
        var role = _iam.Call("GetRole", ("RoleName", "R")).Element("Role")!;
        Assert.Equal(("new", "7200"), (role.Text("Description"), role.Text("MaxSessionDuration")));
    }

    [Fact]
    public void Update_assume_role_policy_replaces_the_trust_policy()
    {
        _iam.CreateRole("R");
        const string trustAccount = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole"}]}""";
        _iam.Call("UpdateAssumeRolePolicy", ("RoleName", "R"), ("PolicyDocument", trustAccount));
        Assert.Equal(trustAccount, Uri.UnescapeDataString(_iam.Call("GetRole", ("RoleName", "R")).Text("Role", "AssumeRolePolicyDocument")));
    }

    [Fact]
    public void Trust_policy_naming_a_missing_role_is_an_invalid_principal()
    {
        const string missing = "arn:aws:iam::123456789012:role/Ghost";
        var trust = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{missing}}"},"Action":"sts:AssumeRole"}]}""";
        var e = Assert.Throws<LocalShift.Core.AwsException>(() => _iam.CreateRole("R", trust));
        Assert.Equal(("MalformedPolicyDocument", 400, $"Invalid principal in policy: \"AWS\":\"{missing}\""), (e.Code, e.HttpStatus, e.Message));

        _iam.CreateRole("Ghost");
        Assert.Equal("R", _iam.CreateRole("R", trust).Text("Role", "RoleName"));
    }

    [Fact]
    public void Trust_policy_may_name_accounts_roots_and_services_of_any_account()
    {
        var trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["210987654321","arn:aws:iam::999999999999:root"],"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
        Assert.Equal("R", _iam.CreateRole("R", trust).Text("Role", "RoleName"));
    }

    [Fact]
    public void Trust_policy_over_2048_characters_is_LimitExceeded()
    {
        var padding = string.Join(",", Enumerable.Range(0, 120).Select(i => $"\"arn:aws:iam::{i:D12}:root\""));
        var trust = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":[{{padding}}]},"Action":"sts:AssumeRole"}]}""";
        var e = Assert.Throws<LocalShift.Core.AwsException>(() => _iam.CreateRole("R", trust));
        Assert.Equal(("LimitExceeded", 409, "Cannot exceed quota for ACLSizePerRole: 2048"), (e.Code, e.HttpStatus, e.Message));
    }

    [Fact]
    public void Role_inline_policies_share_a_10240_character_quota()
    {
        _iam.CreateRole("R");
        string Big(int n) => $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{new string('b', n)}}/*"}]}""";
        _iam.Call("PutRolePolicy", ("RoleName", "R"), ("PolicyName", "a"), ("PolicyDocument", Big(6000)));
        var e = _iam.Fails("PutRolePolicy", ("RoleName", "R"), ("PolicyName", "b"), ("PolicyDocument", Big(5000)));
        Assert.Equal(("LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role R"), (e.Code, e.Message));
        // Replacing the same policy does not count its old version.
        _iam.Call("PutRolePolicy", ("RoleName", "R"), ("PolicyName", "a"), ("PolicyDocument", Big(9000)));
    }

    [Fact]
    public void Tags_are_added_replaced_listed_and_removed()
    {
        _iam.CreateRole("R", IamHarness.TrustRedshift, ("Tags.member.1.Key", "team"), ("Tags.member.1.Value", "data"));
        _iam.Call("TagRole", ("RoleName", "R"), ("Tags.member.1.Key", "TEAM"), ("Tags.member.1.Value", "bi"), ("Tags.member.2.Key", "env"), ("Tags.member.2.Value", "dev"));
        var tags = _iam.Call("ListRoleTags", ("RoleName", "R")).Members("Tags").Select(t => (t.Text("Key"), t.Text("Value"))).ToList();
        Assert.Equal([("TEAM", "bi"), ("env", "dev")], tags);

        _iam.Call("UntagRole", ("RoleName", "R"), ("TagKeys.member.1", "team"));
        Assert.Equal(["env"], _iam.Call("GetRole", ("RoleName", "R")).Element("Role")!.Members("Tags").Select(t => t.Text("Key")));
    }

    [Fact]
    public void Permissions_boundary_is_shown_on_the_role_and_counted_on_the_policy()
    {
        _iam.CreateRole("R");
        var arn = _iam.CreatePolicy("Boundary");
        _iam.Call("PutRolePermissionsBoundary", ("RoleName", "R"), ("PermissionsBoundary", arn));
        var role = _iam.Call("GetRole", ("RoleName", "R")).Element("Role")!;
        Assert.Equal(arn, role.Text("PermissionsBoundary", "PermissionsBoundaryArn"));
        Assert.Equal("PermissionsBoundaryPolicy", role.Text("PermissionsBoundary", "PermissionsBoundaryType"));
        Assert.Equal("1", _iam.Call("GetPolicy", ("PolicyArn", arn)).Text("Policy", "PermissionsBoundaryUsageCount"));

        _iam.Call("DeleteRolePermissionsBoundary", ("RoleName", "R"));
        Assert.Null(_iam.Call("GetRole", ("RoleName", "R")).Element("Role")!.Element("PermissionsBoundary"));
    }

    [Fact]
    public void Role_directory_finds_roles_by_exact_arn_and_by_name()
    {
        _iam.CreateRole("MyRole", IamHarness.TrustRedshift, ("Path", "/a/"));
        IRoleDirectory directory = _iam.Service.Store;
        var role = directory.FindByArn("arn:aws:iam::123456789012:role/a/MyRole");
        Assert.NotNull(role);
        Assert.Equal(IamHarness.TrustRedshift, role.AssumeRolePolicyDocument);
        Assert.Null(directory.FindByArn("arn:aws:iam::123456789012:role/MyRole"));
        Assert.Null(directory.FindByArn("arn:aws:iam::123456789012:role/a/myrole"));
        Assert.Equal("MyRole", directory.FindByName(IamHarness.Account, "myrole")!.RoleName);
        Assert.Null(directory.FindByName("210987654321", "MyRole"));
    }

    [Fact]
    public void Roles_are_scoped_to_the_callers_account()
    {
        _iam.CreateRole("R");
        var other = LocalShift.Core.Principal.Root("210987654321");
        Assert.Empty(_iam.CallAs(other, "ListRoles").Members("Roles"));
        Assert.Throws<LocalShift.Core.AwsException>(() => _iam.CallAs(other, "GetRole", ("RoleName", "R")));
    }

    [Fact]
    public void Everything_survives_reopening_the_state_file()
    {
        _iam.CreateRole("R");
        var arn = _iam.CreatePolicy("P");
        _iam.Call("AttachRolePolicy", ("RoleName", "R"), ("PolicyArn", arn));
        _iam.Call("CreateUser", ("UserName", "u"));
        var key = _iam.Call("CreateAccessKey", ("UserName", "u")).Text("AccessKey", "AccessKeyId");

        _iam.Reopen();

        Assert.Equal("R", _iam.Call("GetRole", ("RoleName", "R")).Text("Role", "RoleName"));
        Assert.Equal(arn, _iam.Call("ListAttachedRolePolicies", ("RoleName", "R")).Members("AttachedPolicies").Single().Text("PolicyArn"));
        Assert.Equal(key, _iam.Service.Store.FindAccessKey(key)!.AccessKeyId);
    }
}

public sealed class TrustPrincipalIdentityTests : IDisposable
{
    private readonly IamHarness _iam = new();
    public void Dispose() => _iam.Dispose();

    private static string TrustOf(string arn) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{arn}}"},"Action":"sts:AssumeRole"}]}""";

    private string ShownTrust(string role) => Uri.UnescapeDataString(_iam.Call("GetRole", ("RoleName", role)).Text("Role", "AssumeRolePolicyDocument"));

    [Fact]
    public void A_deleted_trusted_role_shows_as_its_unique_id_even_after_a_namesake_is_created()
    {
        var hopId = _iam.CreateRole("Hop").Text("Role", "RoleId");
        const string hopArn = "arn:aws:iam::123456789012:role/Hop";
        _iam.CreateRole("Target", TrustOf(hopArn));
        Assert.Equal(TrustOf(hopArn), ShownTrust("Target"));

        _iam.Call("DeleteRole", ("RoleName", "Hop"));
        Assert.Equal(TrustOf(hopId), ShownTrust("Target"));
        Assert.Equal(TrustOf(hopId), _iam.Service.Store.FindByArn("arn:aws:iam::123456789012:role/Target")!.AssumeRolePolicyDocument);

        _iam.CreateRole("Hop");
        Assert.Equal(TrustOf(hopId), ShownTrust("Target"));

        // Saving the policy again binds it to the new role.
        _iam.Call("UpdateAssumeRolePolicy", ("RoleName", "Target"), ("PolicyDocument", TrustOf(hopArn)));
        Assert.Equal(TrustOf(hopArn), ShownTrust("Target"));
    }

    [Fact]
    public void A_deleted_trusted_user_shows_as_its_unique_id()
    {
        var userId = _iam.Call("CreateUser", ("UserName", "dev")).Text("User", "UserId");
        _iam.CreateRole("R", TrustOf("arn:aws:iam::123456789012:user/dev"));
        _iam.Call("DeleteUser", ("UserName", "dev"));
        Assert.Equal(TrustOf(userId), ShownTrust("R"));
    }

    [Fact]
    public void A_role_cannot_trust_itself_before_it_exists()
    {
        var e = Assert.Throws<LocalShift.Core.AwsException>(() => _iam.CreateRole("Self", TrustOf("arn:aws:iam::123456789012:role/Self")));
        Assert.Equal("Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:role/Self\"", e.Message);
    }
}
