namespace LocalShift.Services.Tests.Iam;

public sealed class ManagedPolicyTests : IDisposable
{
    private readonly IamHarness _iam = new();
    public void Dispose() => _iam.Dispose();

    private const string WriteS3 = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}""";

    [Fact]
    public void Create_policy_answers_an_ANPA_id_version_v1_and_an_arn_with_path()
    {
        var policy = _iam.Call("CreatePolicy", ("PolicyName", "P"), ("Path", "/team/"), ("PolicyDocument", IamHarness.ReadS3), ("Description", "d"))
            .Element("Policy")!;
        Assert.Matches("^ANPA[A-Z2-7]{17}$", policy.Text("PolicyId"));
        Assert.Equal(("arn:aws:iam::123456789012:policy/team/P", "v1", "0", "true"),
            (policy.Text("Arn"), policy.Text("DefaultVersionId"), policy.Text("AttachmentCount"), policy.Text("IsAttachable")));
        Assert.Equal("A policy called p already exists. Duplicate names are not allowed.",
            _iam.Fails("CreatePolicy", ("PolicyName", "p"), ("PolicyDocument", IamHarness.ReadS3)).Message);
    }

    [Fact]
    public void Get_missing_policy_is_NoSuchEntity()
    {
        var e = _iam.Fails("GetPolicy", ("PolicyArn", "arn:aws:iam::123456789012:policy/Nope"));
        Assert.Equal(("NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/Nope was not found."), (e.Code, e.Message));
    }

    [Fact]
    public void Versions_are_numbered_listed_newest_first_and_limited_to_five()
    {
        var arn = _iam.CreatePolicy("P");
        var v2 = _iam.Call("CreatePolicyVersion", ("PolicyArn", arn), ("PolicyDocument", WriteS3), ("SetAsDefault", "true")).Element("PolicyVersion")!;
        Assert.Equal(("v2", "true"), (v2.Text("VersionId"), v2.Text("IsDefaultVersion")));
        Assert.Equal("v2", _iam.Call("GetPolicy", ("PolicyArn", arn)).Text("Policy", "DefaultVersionId"));
        Assert.Equal(WriteS3, Uri.UnescapeDataString(_iam.Call("GetPolicyVersion", ("PolicyArn", arn), ("VersionId", "v2")).Text("PolicyVersion", "Document")));
        Assert.Equal(IamHarness.ReadS3, Uri.UnescapeDataString(_iam.Call("GetPolicyVersion", ("PolicyArn", arn), ("VersionId", "v1")).Text("PolicyVersion", "Document")));

        for (var i = 0; i < 3; i++) _iam.Call("CreatePolicyVersion", ("PolicyArn", arn), ("PolicyDocument", WriteS3));
        var e = _iam.Fails("CreatePolicyVersion", ("PolicyArn", arn), ("PolicyDocument", WriteS3));
        Assert.Equal(("LimitExceeded", 409), (e.Code, e.HttpStatus));
        Assert.Equal(["v5", "v4", "v3", "v2", "v1"],
            _iam.Call("ListPolicyVersions", ("PolicyArn", arn)).Members("Versions").Select(v => v.Text("VersionId")));
    }

    [Fact]
    public void The_default_version_cannot_be_deleted_and_others_must_go_before_the_policy()
    {
        var arn = _iam.CreatePolicy("P");
        _iam.Call("CreatePolicyVersion", ("PolicyArn", arn), ("PolicyDocument", WriteS3));
        Assert.Equal(("DeleteConflict", "Cannot delete the default version of a policy."),
            Pair(_iam.Fails("DeletePolicyVersion", ("PolicyArn", arn), ("VersionId", "v1"))));
        Assert.Equal("DeleteConflict", _iam.Fails("DeletePolicy", ("PolicyArn", arn)).Code);
        _iam.Call("DeletePolicyVersion", ("PolicyArn", arn), ("VersionId", "v2"));
        _iam.Call("DeletePolicy", ("PolicyArn", arn));
        Assert.Equal("NoSuchEntity", _iam.Fails("GetPolicy", ("PolicyArn", arn)).Code);
    }

    [Fact]
    public void List_policies_by_scope_and_only_attached()
    {
        var arn = _iam.CreatePolicy("Mine");
        _iam.CreatePolicy("Unused");
        _iam.CreateRole("R");
        _iam.Call("AttachRolePolicy", ("RoleName", "R"), ("PolicyArn", arn));

        Assert.Equal(["Mine", "Unused"], Names(_iam.Call("ListPolicies", ("Scope", "Local"))));
        Assert.Equal(["Mine"], Names(_iam.Call("ListPolicies", ("Scope", "Local"), ("OnlyAttached", "true"))));
        Assert.Contains("AmazonS3ReadOnlyAccess", Names(_iam.Call("ListPolicies", ("Scope", "AWS"))));
        Assert.DoesNotContain("Mine", Names(_iam.Call("ListPolicies", ("Scope", "AWS"))));
        Assert.Contains("Mine", Names(_iam.Call("ListPolicies")));
        Assert.Contains("Value 'Nope' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]",
            _iam.Fails("ListPolicies", ("Scope", "Nope")).Message);
    }

    [Fact]
    public void Aws_managed_policies_cannot_be_deleted()
    {
        Assert.Equal("InvalidInput", _iam.Fails("DeletePolicy", ("PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")).Code);
        Assert.Equal("AdministratorAccess", _iam.Call("GetPolicy", ("PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")).Text("Policy", "PolicyName"));
    }

    [Fact]
    public void A_policy_of_another_account_is_not_attachable()
    {
        var arn = _iam.CreatePolicy("P");
        var other = LocalShift.Core.Principal.Root("210987654321");
        _iam.CallAs(other, "CreateRole", ("RoleName", "R"), ("AssumeRolePolicyDocument", IamHarness.TrustRedshift));
        var e = Assert.Throws<LocalShift.Core.AwsException>(() => _iam.CallAs(other, "AttachRolePolicy", ("RoleName", "R"), ("PolicyArn", arn)));
        Assert.Equal($"Policy {arn} does not exist or is not attachable.", e.Message);
    }

    private static (string, string) Pair(LocalShift.Core.AwsException e) => (e.Code, e.Message);
    private static List<string> Names(System.Xml.Linq.XElement result) => result.Members("Policies").Select(p => p.Text("PolicyName")).ToList();
}
