using LocalShift.Core;
using LocalShift.Services.Redshift;
using static LocalShift.Services.Tests.Redshift.RedshiftHarness;

namespace LocalShift.Services.Tests.Redshift;

public sealed class ModifyClusterIamRolesTests : IDisposable
{
    private readonly RedshiftHarness _h = new();

    public void Dispose() => _h.Dispose();

    private System.Xml.Linq.XElement Modify(params (string, string)[] args) =>
        _h.Call("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. args]).Element("Cluster")!;

    [Fact]
    public void Unknown_cluster_is_not_found()
    {
        var e = _h.Fails("ModifyClusterIamRoles", ("ClusterIdentifier", "nope"));
        Assert.Equal(("ClusterNotFound", "Cluster nope not found.", 404), (e.Code, e.Message, e.HttpStatus));
    }

    [Fact]
    public void Cluster_still_creating_is_in_an_invalid_state()
    {
        var role = _h.Roles.Add(Account, "R1");
        _h.Create("c1");
        var e = _h.Fails("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RoleArgs("AddIamRoles", [role])]);
        Assert.Equal(("InvalidClusterState", "The Cluster is being modified by a concurrent operation. Please check the Cluster's status and try again.", 400),
            (e.Code, e.Message, e.HttpStatus));
    }

    [Fact]
    public void Dotnet_sdk_member_spelling_is_accepted()
    {
        var r1 = _h.Roles.Add(Account, "R1");
        var r2 = _h.Roles.Add(Account, "R2");
        _h.CreateAvailable("c1");
        var c = Modify(("AddIamRoles.member.1", r1), ("AddIamRoles.member.2", r2));
        Assert.Equal([(r1, "adding"), (r2, "adding")], RolesOf(c));
    }

    [Fact]
    public void Adding_the_fifty_first_role_is_over_the_quota_and_changes_nothing()
    {
        var roles = Enumerable.Range(1, 51).Select(i => _h.Roles.Add(Account, $"R{i}")).ToList();
        _h.CreateAvailable("c1", RoleArgs("IamRoles", roles.Take(50)));
        var e = _h.Fails("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RoleArgs("AddIamRoles", [roles[50]])]);
        Assert.Equal(("InvalidParameterValue", "You can associate at most 50 IAM roles with cluster c1."), (e.Code, e.Message));
        Assert.Equal(50, RolesOf(_h.Describe("c1")).Count);
    }

    [Fact]
    public void Removing_one_makes_room_for_another_in_the_same_request()
    {
        var roles = Enumerable.Range(1, 51).Select(i => _h.Roles.Add(Account, $"R{i}")).ToList();
        _h.CreateAvailable("c1", RoleArgs("IamRoles", roles.Take(50)));
        var c = Modify([.. RoleArgs("AddIamRoles", [roles[50]]), .. RoleArgs("RemoveIamRoles", [roles[0]])]);
        Assert.Contains((roles[0], "removing"), RolesOf(c));
        Assert.Contains((roles[50], "adding"), RolesOf(c));
    }

    [Fact]
    public void Quota_is_configurable()
    {
        using var h = new RedshiftHarness(new RedshiftOptions { RoleQuota = 1 });
        var r1 = h.Roles.Add(Account, "R1");
        var r2 = h.Roles.Add(Account, "R2");
        h.CreateAvailable("c1", RoleArgs("IamRoles", [r1]));
        var e = h.Fails("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RoleArgs("AddIamRoles", [r2])]);
        Assert.Equal("You can associate at most 1 IAM roles with cluster c1.", e.Message);
    }

    [Fact]
    public void Default_role_must_be_one_of_the_clusters_roles()
    {
        var r1 = _h.Roles.Add(Account, "R1");
        var r2 = _h.Roles.Add(Account, "R2");
        _h.CreateAvailable("c1", RoleArgs("IamRoles", [r1]));
        var e = _h.Fails("ModifyClusterIamRoles", ("ClusterIdentifier", "c1"), ("DefaultIamRoleArn", r2));
        Assert.Equal(("InvalidParameterValue", "The list of Amazon Resource Names (ARNs) for customer roles should contain the ARN of the default IAM role when a default is specified."), (e.Code, e.Message));

        var c = Modify([("DefaultIamRoleArn", r2), .. RoleArgs("AddIamRoles", [r2])]);
        Assert.Equal(r2, c.Element("DefaultIamRoleArn")!.Value);
    }

    [Fact]
    public void Removing_the_default_role_clears_the_default()
    {
        var r1 = _h.Roles.Add(Account, "R1");
        _h.CreateAvailable("c1", [("DefaultIamRoleArn", r1), .. RoleArgs("IamRoles", [r1])]);
        var c = Modify(RoleArgs("RemoveIamRoles", [r1]));
        Assert.Null(c.Element("DefaultIamRoleArn"));
    }

    [Fact]
    public void Modify_asks_for_modify_with_resource_tags_and_pass_role_only_for_added_roles()
    {
        var r1 = _h.Roles.Add(Account, "R1");
        var r2 = _h.Roles.Add(Account, "R2");
        _h.CreateAvailable("c1", [("Tags.Tag.1.Key", "env"), ("Tags.Tag.1.Value", "prod"), .. RoleArgs("IamRoles", [r1])]);
        while (_h.Authorizer.Checks.TryDequeue(out _)) { }

        Modify([.. RoleArgs("AddIamRoles", [r2]), .. RoleArgs("RemoveIamRoles", [r1])]);

        var checks = _h.Authorizer.Checks.ToList();
        var modify = Assert.Single(checks, c => c.Action == "redshift:ModifyClusterIamRoles");
        Assert.Equal("arn:aws:redshift:us-east-1:123456789012:cluster:c1", modify.Resource);
        Assert.Equal(["prod"], modify.Keys!["aws:ResourceTag/env"]);
        var pass = Assert.Single(checks, c => c.Action == "iam:PassRole");
        Assert.Equal(r2, pass.Resource);
        Assert.Equal(["redshift.amazonaws.com"], pass.Keys!["iam:PassedToService"]);
    }

    [Fact]
    public void Denied_pass_role_leaves_the_roles_unchanged()
    {
        var r1 = _h.Roles.Add(Account, "R1");
        _h.CreateAvailable("c1");
        _h.Authorizer.Deny = c => c.Action == "iam:PassRole" && c.Resource == r1;
        Assert.Equal("AccessDenied", _h.Fails("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RoleArgs("AddIamRoles", [r1])]).Code);
        Assert.Empty(RolesOf(_h.Describe("c1")));
    }

    [Fact]
    public void Role_not_trusting_redshift_is_refused_on_modify()
    {
        var r1 = _h.Roles.Add(Account, "Ec2", FakeRoles.TrustsEc2);
        _h.CreateAvailable("c1");
        var e = _h.Fails("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RoleArgs("AddIamRoles", [r1])]);
        Assert.Equal($"The IAM role {r1} is not valid. The IAM role must delegate access to an Amazon Redshift account.", e.Message);
    }

    [Fact]
    public void Same_role_added_and_removed_in_one_request_is_an_invalid_combination()
    {
        var r1 = _h.Roles.Add(Account, "R1");
        _h.CreateAvailable("c1");
        var e = _h.Fails("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RoleArgs("AddIamRoles", [r1]), .. RoleArgs("RemoveIamRoles", [r1])]);
        Assert.Equal(("InvalidParameterCombination", $"The IAM role {r1} cannot be both added and removed in the same request."), (e.Code, e.Message));
    }

    [Fact]
    public void Re_adding_a_role_being_removed_adds_it_again_and_adding_an_associated_role_changes_nothing()
    {
        var r1 = _h.Roles.Add(Account, "R1");
        _h.CreateAvailable("c1", RoleArgs("IamRoles", [r1]));
        Assert.Equal([(r1, "in-sync")], RolesOf(Modify(RoleArgs("AddIamRoles", [r1]))));
        Assert.Equal([(r1, "removing")], RolesOf(Modify(RoleArgs("RemoveIamRoles", [r1]))));
        Assert.Equal([(r1, "adding")], RolesOf(Modify(RoleArgs("AddIamRoles", [r1]))));
        _h.Settle(_h.Options.RoleApplyDelay);
        Assert.Equal([(r1, "in-sync")], RolesOf(_h.Describe("c1")));
    }

    [Fact]
    public void Concurrent_modifications_at_the_quota_never_exceed_it_nor_lose_a_change()
    {
        var roles = Enumerable.Range(1, 60).Select(i => _h.Roles.Add(Account, $"R{i}")).ToList();
        _h.CreateAvailable("c1", RoleArgs("IamRoles", roles.Take(45)));

        var extra = roles.Skip(45).ToList(); // 15 requests race for 5 free places
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<(string Role, string? Error)>();
        Parallel.ForEach(extra, new ParallelOptions { MaxDegreeOfParallelism = 8 }, role =>
        {
            try
            {
                _h.Call("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RoleArgs("AddIamRoles", [role])]);
                outcomes.Add((role, null));
            }
            catch (AwsException e)
            {
                outcomes.Add((role, e.Code));
            }
        });

        var succeeded = outcomes.Where(o => o.Error is null).Select(o => o.Role).ToHashSet();
        Assert.Equal(5, succeeded.Count);
        Assert.All(outcomes.Where(o => o.Error is not null), o => Assert.Equal("InvalidParameterValue", o.Error));
        var now = RolesOf(_h.Describe("c1")).Select(r => r.Arn).ToList();
        Assert.Equal(50, now.Count);
        Assert.True(succeeded.IsSubsetOf(now));
    }
}
