using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Policy.Evaluation;
using static LocalShift.Services.Tests.Redshift.RedshiftHarness;

namespace LocalShift.Services.Tests.Redshift;

/// <summary>Decides with the real policy engine over one identity policy, as the server's authorizer will.</summary>
public sealed class IdentityPolicyAuthorizer(string policyJson) : IAuthorizer
{
    public void Authorize(AuthorizationCheck check)
    {
        var request = EvaluationRequest.For(check.Call.Caller, check.Action, check.Resource) with
        {
            ResourceAccount = check.ResourceAccount,
            Context = RequestContext.From(check.Keys),
            IdentityPolicies = [AttachedPolicy.From("user-story", policyJson)],
        };
        var decision = PolicyEvaluator.Evaluate(request);
        if (!decision.IsAllowed)
            throw new AwsException("AccessDenied", decision.DenialMessage(check.Call.Caller.Arn, check.Action, check.Resource), 403);
    }
}

/// <summary>The user story's IAM policy: describe everything, create or modify two named clusters, pass three named roles.</summary>
public sealed class UserStoryPolicyTests : IDisposable
{
    private const string Policy = """
        { "Version": "2012-10-17", "Statement": [
          { "Effect": "Allow", "Action": "redshift:DescribeClusters", "Resource": "*" },
          { "Effect": "Allow", "Action": [ "redshift:ModifyClusterIamRoles", "redshift:CreateCluster" ],
            "Resource": [ "arn:aws:redshift:us-east-1:123456789012:cluster:my-redshift-cluster",
                          "arn:aws:redshift:us-east-1:123456789012:cluster:my-second-redshift-cluster" ] },
          { "Effect": "Allow", "Action": "iam:PassRole",
            "Resource": [ "arn:aws:iam::123456789012:role/MyRedshiftRole", "arn:aws:iam::123456789012:role/SecondRedshiftRole",
                          "arn:aws:iam::123456789012:role/ThirdRedshiftRole" ] } ] }
        """;

    private readonly RedshiftHarness _h = new();
    private readonly string _my, _second, _third, _copyUnload;

    public UserStoryPolicyTests()
    {
        _my = _h.Roles.Add(Account, "MyRedshiftRole");
        _second = _h.Roles.Add(Account, "SecondRedshiftRole");
        _third = _h.Roles.Add(Account, "ThirdRedshiftRole");
        _copyUnload = _h.Roles.Add(Account, "RedshiftCopyUnload");
        _h.CreateAvailable("someone-elses-cluster"); // made by the account root
        _h.Caller = new Principal { Kind = PrincipalKind.User, AccountId = Account, Arn = "arn:aws:iam::123456789012:user/alice", UserId = "AIDAALICE", Name = "alice" };
        _h.AuthorizerOverride = new IdentityPolicyAuthorizer(Policy);
    }

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Holder_can_create_the_named_clusters_with_the_named_roles_and_describe_all()
    {
        _h.CreateAvailable("my-redshift-cluster", RoleArgs("IamRoles", [_my, _second]));
        _h.CreateAvailable("my-second-redshift-cluster", RoleArgs("IamRoles", [_my, _second, _third]));
        var ids = _h.Call("DescribeClusters").Element("Clusters")!.Elements("Cluster").Select(c => c.Element("ClusterIdentifier")!.Value);
        Assert.Equal(["my-redshift-cluster", "my-second-redshift-cluster", "someone-elses-cluster"], ids);
        Assert.Equal("someone-elses-cluster", _h.Describe("someone-elses-cluster").Element("ClusterIdentifier")!.Value);
    }

    [Fact]
    public void Holder_cannot_create_another_cluster()
    {
        var e = _h.Fails("CreateCluster", ("ClusterIdentifier", "third-cluster"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password));
        Assert.Equal(("AccessDenied", "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: redshift:CreateCluster on resource: arn:aws:redshift:us-east-1:123456789012:cluster:third-cluster because no identity-based policy allows the redshift:CreateCluster action"),
            (e.Code, e.Message));
    }

    [Fact]
    public void Holder_cannot_pass_a_role_the_policy_does_not_name()
    {
        var e = _h.Fails("CreateCluster", [("ClusterIdentifier", "my-redshift-cluster"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password), .. RoleArgs("IamRoles", [_copyUnload])]);
        Assert.Equal("AccessDenied", e.Code);
        Assert.Contains($"iam:PassRole on resource: {_copyUnload}", e.Message);
    }

    [Fact]
    public void Holder_can_modify_the_named_cluster_but_not_another()
    {
        _h.CreateAvailable("my-redshift-cluster");
        var c = _h.Call("ModifyClusterIamRoles", [("ClusterIdentifier", "my-redshift-cluster"), .. RoleArgs("AddIamRoles", [_third])]);
        Assert.Equal([(_third, "adding")], RolesOf(c.Element("Cluster")!));

        var e = _h.Fails("ModifyClusterIamRoles", [("ClusterIdentifier", "someone-elses-cluster"), .. RoleArgs("AddIamRoles", [_third])]);
        Assert.Equal("AccessDenied", e.Code);
        Assert.Contains("redshift:ModifyClusterIamRoles on resource: arn:aws:redshift:us-east-1:123456789012:cluster:someone-elses-cluster", e.Message);
    }

    [Fact]
    public void Holder_cannot_delete_or_tag_even_the_named_clusters()
    {
        _h.CreateAvailable("my-redshift-cluster");
        Assert.Equal("AccessDenied", _h.Fails("DeleteCluster", ("ClusterIdentifier", "my-redshift-cluster"), ("SkipFinalClusterSnapshot", "true")).Code);
        Assert.Equal("AccessDenied", _h.Fails("CreateTags", ("ResourceName", "arn:aws:redshift:us-east-1:123456789012:cluster:my-redshift-cluster"), ("Tags.Tag.1.Key", "a"), ("Tags.Tag.1.Value", "b")).Code);
    }
}
