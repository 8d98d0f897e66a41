using static LocalShift.Services.Tests.Redshift.RedshiftHarness;

namespace LocalShift.Services.Tests.Redshift;

/// <summary>Every Redshift operation asks the authorizer before acting: with everything denied, each one answers AccessDenied.</summary>
public sealed class AuthorizationCoverageTests : IDisposable
{
    private const string ClusterArn = "arn:aws:redshift:us-east-1:123456789012:cluster:c1";
    private readonly RedshiftHarness _h = new();

    // Valid arguments for each operation, so a missing authorization would show as success, not as a validation error.
    private static readonly Dictionary<string, (string, string)[]> Arguments = new()
    {
        ["CreateCluster"] = [("ClusterIdentifier", "c2"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password)],
        ["DescribeClusters"] = [],
        ["ModifyClusterIamRoles"] = [("ClusterIdentifier", "c1")],
        ["DeleteCluster"] = [("ClusterIdentifier", "c1"), ("SkipFinalClusterSnapshot", "true")],
        ["CreateTags"] = [("ResourceName", ClusterArn), ("Tags.Tag.1.Key", "k"), ("Tags.Tag.1.Value", "v")],
        ["DeleteTags"] = [("ResourceName", ClusterArn), ("TagKeys.TagKey.1", "k")],
        ["DescribeTags"] = [],
        ["GetClusterCredentials"] = [("ClusterIdentifier", "c1"), ("DbUser", "alice"), ("DbName", "dev")],
        ["GetClusterCredentialsWithIAM"] = [("ClusterIdentifier", "c1"), ("DbName", "dev")],
        ["CreateClusterSnapshot"] = [("SnapshotIdentifier", "s1"), ("ClusterIdentifier", "c1")],
        ["DescribeClusterSnapshots"] = [],
        ["DeleteClusterSnapshot"] = [("SnapshotIdentifier", "s1")],
        ["RestoreFromClusterSnapshot"] = [("ClusterIdentifier", "c2"), ("SnapshotIdentifier", "s1")],
        ["ModifyCluster"] = [("ClusterIdentifier", "c1"), ("AllowVersionUpgrade", "false")],
        ["PauseCluster"] = [("ClusterIdentifier", "c1")],
        ["ResumeCluster"] = [("ClusterIdentifier", "c1")],
        ["RebootCluster"] = [("ClusterIdentifier", "c1")],
        ["DescribeLoggingStatus"] = [("ClusterIdentifier", "c1")],
        ["EnableLogging"] = [("ClusterIdentifier", "c1"), ("BucketName", "b1")],
        ["DisableLogging"] = [("ClusterIdentifier", "c1")],
        ["DescribeClusterParameterGroups"] = [],
        ["DescribeClusterParameters"] = [("ParameterGroupName", "default.redshift-1.0")],
        ["DescribeDefaultClusterParameters"] = [("ParameterGroupFamily", "redshift-1.0")],
        ["DescribeClusterSubnetGroups"] = [],
        ["DescribeClusterVersions"] = [],
        ["DescribeOrderableClusterOptions"] = [],
        ["DescribeEvents"] = [],
        ["DescribeEventCategories"] = [],
    };

    public AuthorizationCoverageTests() => _h.CreateAvailable("c1");

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Every_operation_has_arguments_here()
    {
        Assert.Equal(Arguments.Keys.Order(), _h.Plane.Service.Operations.Keys.Order());
    }

    [Fact]
    public void Every_operation_is_denied_when_the_authorizer_denies()
    {
        _h.Authorizer.Deny = _ => true;
        foreach (var op in _h.Plane.Service.Operations.Keys)
        {
            // GetClusterCredentialsWithIAM maps the caller's IAM identity to a db user, which the root has none of.
            _h.Caller = op == "GetClusterCredentialsWithIAM"
                ? new LocalShift.Core.Principal
                {
                    Kind = LocalShift.Core.PrincipalKind.User, AccountId = Account, Arn = $"arn:aws:iam::{Account}:user/alice",
                    UserId = "AIDAEXAMPLEALICE00001", Name = "alice",
                }
                : LocalShift.Core.Principal.Root(Account);
            var e = _h.Fails(op, Arguments[op]);
            Assert.True(e.Code == "AccessDenied", $"{op} answered {e.Code}: {e.Message}");
            Assert.Contains(_h.Authorizer.Checks, c => c.Action == "redshift:" + op);
        }
    }
}
