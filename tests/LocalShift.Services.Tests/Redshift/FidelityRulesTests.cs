using static LocalShift.Services.Tests.Redshift.RedshiftHarness;

namespace LocalShift.Services.Tests.Redshift;

/// <summary>Issue 20 item 5: answers found by trying the control plane as a user would.</summary>
public sealed class FidelityRulesTests : IDisposable
{
    private const string DelegateAccess = "is not valid. The IAM role must delegate access to an Amazon Redshift account.";
    private readonly RedshiftHarness _h = new();

    public void Dispose() => _h.Dispose();

    private AwsFailure CreateFails(params (string, string)[] extra)
    {
        var e = _h.Fails("CreateCluster", [("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password), .. extra]);
        return new(e.Code, e.Message, e.HttpStatus);
    }

    private sealed record AwsFailure(string Code, string Message, int Status);

    [Fact]
    public void Role_of_another_account_is_not_valid_before_pass_role_is_asked()
    {
        var theirs = _h.Roles.Add(OtherAccount, "Theirs");
        // Even a caller whose PassRole would be refused gets Redshift's answer about the role, not a PassRole denial.
        _h.Authorizer.Deny = c => c.Action == "iam:PassRole";
        Assert.Equal(("InvalidParameterValue", $"The IAM role {theirs} {DelegateAccess}"), (CreateFails(RoleArgs("IamRoles", [theirs])) is var f ? (f.Code, f.Message) : default));
        Assert.DoesNotContain(_h.Authorizer.Checks, c => c.Action == "iam:PassRole");
        _h.CreateAvailable("c2");
        var e = _h.Fails("ModifyClusterIamRoles", [("ClusterIdentifier", "c2"), .. RoleArgs("AddIamRoles", [theirs])]);
        Assert.Equal(("InvalidParameterValue", $"The IAM role {theirs} {DelegateAccess}"), (e.Code, e.Message));
    }

    [Fact]
    public void Trust_policy_that_denies_redshift_is_refused_like_one_that_does_not_allow_it()
    {
        var denies = _h.Roles.Add(Account, "Denies", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""");
        var f = CreateFails(RoleArgs("IamRoles", [denies]));
        Assert.Equal(("InvalidParameterValue", $"The IAM role {denies} {DelegateAccess}"), (f.Code, f.Message));
    }

    [Fact]
    public void Service_linked_role_cannot_be_associated()
    {
        var arn = $"arn:aws:iam::{Account}:role/aws-service-role/redshift.amazonaws.com/AWSServiceRoleForRedshift";
        var f = CreateFails(RoleArgs("IamRoles", [arn]));
        Assert.Equal(("InvalidParameterValue", $"The IAM Role ARN {arn} can't be used since it's a AWS service-linked IAM role."), (f.Code, f.Message));
    }

    [Theory]
    [InlineData("user")]
    [InlineData("select")]
    [InlineData("authorization")]
    [InlineData("timestamp")]
    public void Reserved_word_is_not_a_master_user_name(string username)
    {
        var e = _h.Fails("CreateCluster", ("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", username), ("MasterUserPassword", Password));
        Assert.Equal(("InvalidParameterValue", $"The parameter MasterUsername is not a valid user name: {username} is a reserved word."), (e.Code, e.Message));
        // A name that merely contains one is fine.
        _h.Create("c-" + username, ("MasterUsername", username + "_admin"));
    }

    [Fact]
    public void Unknown_parameter_group_subnet_group_and_kms_key_are_refused_with_the_models_faults()
    {
        Assert.Equal(("ClusterParameterGroupNotFound", 404), CreateFails(("ClusterParameterGroupName", "custom")) is var a ? (a.Code, a.Status) : default);
        Assert.Equal(("ClusterSubnetGroupNotFoundFault", 400), CreateFails(("ClusterSubnetGroupName", "private")) is var b ? (b.Code, b.Status) : default);
        Assert.Equal("InvalidParameterValue", CreateFails(("Encrypted", "true"), ("KmsKeyId", "not-a-key")).Code);
        Assert.Equal(("InvalidParameterCombination", "Cannot find Cluster version 2.0"), CreateFails(("ClusterVersion", "2.0")) is var v ? (v.Code, v.Message) : default);
        Assert.Equal(("InvalidParameterValue", "Invalid automated snapshot retention period: 36. Retention period must be between 0 and 35."),
            CreateFails(("AutomatedSnapshotRetentionPeriod", "36")) is var r ? (r.Code, r.Message) : default);
        Assert.Equal(("InvalidRetentionPeriodFault", "Retention period cannot exceed 3653 days."),
            CreateFails(("ManualSnapshotRetentionPeriod", "3654")) is var m ? (m.Code, m.Message) : default);
        Assert.Equal("InvalidParameterValue", CreateFails(("Encrypted", "true"), ("KmsKeyId", $"arn:aws:kms:eu-west-1:{Account}:key/1234abcd-12ab-34cd-56ef-1234567890ab")).Code);
        // What exists: the default groups, and keys shaped like keys of this region.
        _h.Create("c1", ("ClusterParameterGroupName", "default.redshift-1.0"), ("ClusterSubnetGroupName", "default"), ("Encrypted", "true"),
            ("KmsKeyId", $"arn:aws:kms:us-east-1:{Account}:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
        _h.Create("c2", ("Encrypted", "true"), ("KmsKeyId", "alias/my-key"));
        _h.Create("c3", ("Encrypted", "true"), ("KmsKeyId", "1234abcd-12ab-34cd-56ef-1234567890ab"));
    }

    [Fact]
    public void Availability_status_follows_the_cluster_through_its_states()
    {
        string Status() => _h.Describe("c1").Element("ClusterAvailabilityStatus")!.Value;
        _h.Create("c1");
        Assert.Equal("Unavailable", Status()); // creating
        _h.Settle(_h.Options.CreateDelay);
        Assert.Equal("Available", Status());
        _h.Call("ModifyCluster", ("ClusterIdentifier", "c1"), ("NumberOfNodes", "4"), ("ClusterType", "multi-node"));
        Assert.Equal("Modifying", Status()); // resizing
        _h.Settle(_h.Options.CreateDelay);
        _h.Call("RebootCluster", ("ClusterIdentifier", "c1"));
        Assert.Equal("Unavailable", Status());
        _h.Settle(_h.Options.CreateDelay);
        _h.Call("PauseCluster", ("ClusterIdentifier", "c1"));
        Assert.Equal("Unavailable", Status());
        _h.Settle(_h.Options.CreateDelay);
        Assert.Equal("Unavailable", Status()); // paused
        var deleting = _h.Call("DeleteCluster", ("ClusterIdentifier", "c1"), ("SkipFinalClusterSnapshot", "true")).Element("Cluster")!;
        Assert.Equal(("deleting", "Unavailable"), (deleting.Element("ClusterStatus")!.Value, deleting.Element("ClusterAvailabilityStatus")!.Value));
    }
}
