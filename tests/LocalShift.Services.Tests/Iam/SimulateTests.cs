using System.Xml.Linq;

namespace LocalShift.Services.Tests.Iam;

public class SimulateTests
{
    private static List<(string Action, string Decision)> Results(XElement result) =>
        result.Element("EvaluationResults")!.Elements("member")
            .Select(m => (m.Element("EvalActionName")!.Value, m.Element("EvalDecision")!.Value)).ToList();

    [Fact]
    public void SimulatePrincipalPolicy_evaluates_a_users_own_and_group_policies()
    {
        using var iam = new IamHarness();
        iam.Call("CreateUser", ("UserName", "ana"));
        iam.Call("CreateGroup", ("GroupName", "readers"));
        iam.Call("AddUserToGroup", ("GroupName", "readers"), ("UserName", "ana"));
        iam.Call("PutGroupPolicy", ("GroupName", "readers"), ("PolicyName", "read"), ("PolicyDocument", IamHarness.ReadS3));
        iam.Call("PutUserPolicy", ("UserName", "ana"), ("PolicyName", "deny"), ("PolicyDocument",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:ListBucket","Resource":"*"}]}"""));
        var r = iam.Call("SimulatePrincipalPolicy", ("PolicySourceArn", "arn:aws:iam::123456789012:user/ana"),
            ("ActionNames.member.1", "s3:GetObject"), ("ActionNames.member.2", "s3:ListBucket"), ("ActionNames.member.3", "s3:PutObject"));
        Assert.Equal([("s3:GetObject", "allowed"), ("s3:ListBucket", "explicitDeny"), ("s3:PutObject", "implicitDeny")], Results(r));
        Assert.Equal("false", r.Element("IsTruncated")!.Value);
    }

    [Fact]
    public void SimulatePrincipalPolicy_for_a_role_and_a_missing_user()
    {
        using var iam = new IamHarness();
        iam.Call("CreateRole", ("RoleName", "R"), ("AssumeRolePolicyDocument", IamHarness.TrustRedshift));
        iam.Call("PutRolePolicy", ("RoleName", "R"), ("PolicyName", "read"), ("PolicyDocument", IamHarness.ReadS3));
        var r = iam.Call("SimulatePrincipalPolicy", ("PolicySourceArn", "arn:aws:iam::123456789012:role/R"),
            ("ActionNames.member.1", "s3:GetObject"), ("ResourceArns.member.1", "arn:aws:s3:::b/k"));
        Assert.Equal([("s3:GetObject", "allowed")], Results(r));
        var e = Assert.Throws<LocalShift.Core.AwsException>(() => iam.Call("SimulatePrincipalPolicy",
            ("PolicySourceArn", "arn:aws:iam::123456789012:user/ghost"), ("ActionNames.member.1", "s3:GetObject")));
        Assert.Equal("NoSuchEntity", e.Code);
    }

    [Fact]
    public void SimulateCustomPolicy_reports_missing_context_keys_and_pages()
    {
        using var iam = new IamHarness();
        const string policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}""";
        var r = iam.Call("SimulateCustomPolicy", ("PolicyInputList.member.1", policy),
            ("ActionNames.member.1", "s3:GetObject"), ("ActionNames.member.2", "s3:PutObject"), ("MaxItems", "1"));
        var first = r.Element("EvaluationResults")!.Element("member")!;
        Assert.Equal("implicitDeny", first.Element("EvalDecision")!.Value);
        Assert.Contains("aws:SecureTransport", first.Element("MissingContextValues")!.Elements("member").Select(x => x.Value));
        Assert.Equal("true", r.Element("IsTruncated")!.Value);

        var withKey = iam.Call("SimulateCustomPolicy", ("PolicyInputList.member.1", policy), ("ActionNames.member.1", "s3:GetObject"),
            ("ContextEntries.member.1.ContextKeyName", "aws:SecureTransport"), ("ContextEntries.member.1.ContextKeyValues.member.1", "true"),
            ("ContextEntries.member.1.ContextKeyType", "boolean"));
        Assert.Equal([("s3:GetObject", "allowed")], Results(withKey));
    }

    [Fact]
    public void SimulateCustomPolicy_refuses_a_malformed_policy()
    {
        using var iam = new IamHarness();
        var e = Assert.Throws<LocalShift.Core.AwsException>(() => iam.Call("SimulateCustomPolicy",
            ("PolicyInputList.member.1", "{not json"), ("ActionNames.member.1", "s3:GetObject")));
        Assert.Equal("MalformedPolicyDocument", e.Code);
    }
}
