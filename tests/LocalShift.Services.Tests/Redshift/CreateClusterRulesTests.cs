using LocalShift.Services.Redshift;
using static LocalShift.Services.Tests.Redshift.RedshiftHarness;

namespace LocalShift.Services.Tests.Redshift;

public sealed class CreateClusterRulesTests : IDisposable
{
    private const string BadIdentifier =
        "The parameter ClusterIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.";
    private const string DelegateAccess = "is not valid. The IAM role must delegate access to an Amazon Redshift account.";

    private readonly RedshiftHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Theory]
    [InlineData("1cluster")]
    [InlineData("my--cluster")]
    [InlineData("my-cluster-")]
    [InlineData("my_cluster")]
    [InlineData("-cluster")]
    public void Bad_identifier_is_rejected_with_AWS_text(string id)
    {
        var e = _h.Fails("CreateCluster", ("ClusterIdentifier", id), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password));
        Assert.Equal(("InvalidParameterValue", BadIdentifier, 400), (e.Code, e.Message, e.HttpStatus));
    }

    [Fact]
    public void Identifier_longer_than_63_characters_is_rejected()
    {
        var e = _h.Fails("CreateCluster", ("ClusterIdentifier", "a" + new string('b', 63)), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password));
        Assert.Equal(("InvalidParameterValue", "The parameter ClusterIdentifier must be between 1 and 63 characters long."), (e.Code, e.Message));
    }

    [Fact]
    public void Identifier_of_63_characters_is_accepted_and_upper_case_is_lowered()
    {
        _h.Create("a" + new string('b', 62));
        var created = _h.Create("My-Cluster").Element("Cluster")!;
        Assert.Equal("my-cluster", created.Element("ClusterIdentifier")!.Value);
        Assert.Equal("my-cluster", _h.Describe("MY-CLUSTER").Element("ClusterIdentifier")!.Value);
    }

    [Fact]
    public void Missing_required_parameter_names_it()
    {
        var e = _h.Fails("CreateCluster", ("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"));
        Assert.Equal(("MissingParameter", "The request must contain the parameter MasterUserPassword"), (e.Code, e.Message));
    }

    [Fact]
    public void Second_cluster_with_the_same_identifier_already_exists()
    {
        _h.Create("c1");
        var e = _h.Fails("CreateCluster", ("ClusterIdentifier", "C1"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password));
        Assert.Equal(("ClusterAlreadyExists", "Cluster already exists", 400), (e.Code, e.Message, e.HttpStatus));
    }

    [Theory]
    [InlineData("dc1.large", "16", "16")]
    [InlineData("dc1.large", "10", "10")]
    [InlineData("ra3.xlplus", "2", "2")]
    [InlineData("ra3.16xlarge", "128", "128")]
    [InlineData("dc2.large", null, "1")]
    public void Node_types_and_counts_of_the_user_story_and_others_are_accepted(string nodeType, string? nodes, string expected)
    {
        var args = new List<(string, string)> { ("ClusterIdentifier", "c1"), ("NodeType", nodeType), ("MasterUsername", "admin"), ("MasterUserPassword", Password) };
        if (nodes is not null) args.Add(("NumberOfNodes", nodes));
        var c = _h.Call("CreateCluster", [.. args]).Element("Cluster")!;
        Assert.Equal(nodeType, c.Element("NodeType")!.Value);
        Assert.Equal(expected, c.Element("NumberOfNodes")!.Value);
    }

    [Theory]
    [InlineData("dc3.large", null, null, "InvalidParameterValue", "Invalid node type: dc3.large")]
    [InlineData("dc2.large", "multi-node", "1", "InvalidParameterValue", "Number of nodes for cluster type multi-node must be greater than or equal to 2.")]
    [InlineData("dc2.large", "multi-node", null, "InvalidParameterValue", "Number of nodes for cluster type multi-node must be greater than or equal to 2.")]
    [InlineData("dc2.large", "single-node", "3", "InvalidParameterValue", "Number of nodes must be 1 or not be supplied for cluster type single-node.")]
    [InlineData("dc2.large", null, "33", "NumberOfNodesPerClusterLimitExceeded", "The number of nodes (33) exceeds the limit of 32 nodes per cluster for node type dc2.large.")]
    [InlineData("dc2.8xlarge", null, null, "InvalidParameterValue", "Node type dc2.8xlarge does not support single-node clusters. Use cluster type multi-node with at least 2 nodes.")]
    [InlineData("dc2.large", "big", null, "InvalidParameterValue", "Invalid cluster type: big. Valid values are multi-node and single-node.")]
    public void Bad_node_type_or_count_is_rejected(string nodeType, string? clusterType, string? nodes, string code, string message)
    {
        var args = new List<(string, string)> { ("ClusterIdentifier", "c1"), ("NodeType", nodeType), ("MasterUsername", "admin"), ("MasterUserPassword", Password) };
        if (clusterType is not null) args.Add(("ClusterType", clusterType));
        if (nodes is not null) args.Add(("NumberOfNodes", nodes));
        var e = _h.Fails("CreateCluster", [.. args]);
        Assert.Equal((code, message), (e.Code, e.Message));
    }

    [Theory]
    [InlineData("Short1A", "Invalid master password. Password should be atleast 8 characters long.")]
    [InlineData("nouppercase1", "The parameter MasterUserPassword must contain at least 1 upper case letter.")]
    [InlineData("NOLOWERCASE1", "The parameter MasterUserPassword must contain at least 1 lower case letter.")]
    [InlineData("NoDigitsHere", "The parameter MasterUserPassword must contain at least 1 number.")]
    [InlineData("Has Space1", "The parameter MasterUserPassword is not a valid password. Only printable ASCII characters except for '/', '@', '\"', ' ', '\\', ''' may be used.")]
    [InlineData("Has@Sign12", "The parameter MasterUserPassword is not a valid password. Only printable ASCII characters except for '/', '@', '\"', ' ', '\\', ''' may be used.")]
    [InlineData("Slash/Pass1", "The parameter MasterUserPassword is not a valid password. Only printable ASCII characters except for '/', '@', '\"', ' ', '\\', ''' may be used.")]
    public void Weak_or_malformed_password_is_rejected(string password, string message)
    {
        var e = _h.Fails("CreateCluster", ("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", password));
        Assert.Equal(("InvalidParameterValue", message), (e.Code, e.Message));
    }

    [Fact]
    public void Password_longer_than_64_characters_is_rejected()
    {
        var e = _h.Fails("CreateCluster", ("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", "Aa1" + new string('x', 62)));
        Assert.Equal("The parameter MasterUserPassword is not a valid password because it is longer than 64 characters.", e.Message);
    }

    [Theory]
    [InlineData("1admin")]
    [InlineData("ad:min")]
    public void Bad_master_username_is_rejected(string username)
    {
        var e = _h.Fails("CreateCluster", ("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", username), ("MasterUserPassword", Password));
        Assert.Equal("InvalidParameterValue", e.Code);
        Assert.StartsWith("The parameter MasterUsername is not a valid user name.", e.Message);
    }

    [Theory]
    [InlineData("public")]
    [InlineData("PUBLIC")]
    public void Public_is_not_a_master_user_name(string username)
    {
        var e = _h.Fails("CreateCluster", ("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", username), ("MasterUserPassword", Password));
        Assert.Equal(("InvalidParameterValue", "The master username can't be named PUBLIC"), (e.Code, e.Message));
    }

    [Fact]
    public void Upper_case_database_name_is_rejected_with_AWS_text()
    {
        var e = _h.Fails("CreateCluster", ("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password), ("DBName", "Sales"));
        Assert.Equal(("InvalidParameterValue", "Only lowercase Database names are supported."), (e.Code, e.Message));
    }

    [Fact]
    public void Created_cluster_has_the_model_shape()
    {
        var role = _h.Roles.Add(Account, "R1");
        var c = _h.Create("c1", [("NumberOfNodes", "2"), ("DefaultIamRoleArn", role), ("Tags.Tag.1.Key", "env"), ("Tags.Tag.1.Value", "test"), .. RoleArgs("IamRoles", [role])]).Element("Cluster")!;
        Assert.Equal("admin", c.Element("MasterUsername")!.Value);
        Assert.Equal("dev", c.Element("DBName")!.Value);
        Assert.Equal("2026-11-28T05:00:00.000Z", c.Element("ClusterCreateTime")!.Value);
        Assert.Equal("us-east-1a", c.Element("AvailabilityZone")!.Value);
        Assert.Equal(role, c.Element("DefaultIamRoleArn")!.Value);
        Assert.Equal("env", c.Element("Tags")!.Element("Tag")!.Element("Key")!.Value);
        Assert.StartsWith("arn:aws:redshift:us-east-1:123456789012:namespace:", c.Element("ClusterNamespaceArn")!.Value);
        Assert.Equal("default.redshift-1.0", c.Element("ClusterParameterGroups")!.Element("ClusterParameterGroup")!.Element("ParameterGroupName")!.Value);
    }

    [Fact]
    public void Role_that_does_not_exist_is_not_valid()
    {
        var arn = "arn:aws:iam::123456789012:role/Nope";
        var e = _h.Fails("CreateCluster", [("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password), .. RoleArgs("IamRoles", [arn])]);
        Assert.Equal(("InvalidParameterValue", $"The IAM role {arn} {DelegateAccess}"), (e.Code, e.Message));
    }

    [Fact]
    public void Role_of_another_account_is_not_valid()
    {
        var arn = _h.Roles.Add(OtherAccount, "Theirs");
        var e = _h.Fails("CreateCluster", [("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password), .. RoleArgs("IamRoles", [arn])]);
        Assert.Equal(("InvalidParameterValue", $"The IAM role {arn} {DelegateAccess}"), (e.Code, e.Message));
    }

    [Fact]
    public void Role_that_does_not_trust_redshift_must_delegate_access()
    {
        var arn = _h.Roles.Add(Account, "Ec2Role", FakeRoles.TrustsEc2);
        var e = _h.Fails("CreateCluster", [("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password), .. RoleArgs("IamRoles", [arn])]);
        Assert.Equal(("InvalidParameterValue", $"The IAM role {arn} {DelegateAccess}"), (e.Code, e.Message));
    }

    [Fact]
    public void Role_name_instead_of_arn_is_not_valid()
    {
        var e = _h.Fails("CreateCluster", [("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password), .. RoleArgs("IamRoles", ["my-role"])]);
        Assert.Equal($"The IAM role my-role {DelegateAccess}", e.Message);
    }

    [Fact]
    public void Default_role_must_be_one_of_the_roles()
    {
        var r1 = _h.Roles.Add(Account, "R1");
        var r2 = _h.Roles.Add(Account, "R2");
        var e = _h.Fails("CreateCluster", [("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password), ("DefaultIamRoleArn", r2), .. RoleArgs("IamRoles", [r1])]);
        Assert.Equal(("InvalidParameterValue", "The list of Amazon Resource Names (ARNs) for customer roles should contain the ARN of the default IAM role when a default is specified."), (e.Code, e.Message));
    }

    [Fact]
    public void Fifty_roles_are_accepted_and_the_fifty_first_is_over_the_quota()
    {
        var roles = Enumerable.Range(1, 51).Select(i => _h.Roles.Add(Account, $"R{i}")).ToList();
        var c = _h.Create("c1", RoleArgs("IamRoles", roles.Take(50))).Element("Cluster")!;
        Assert.Equal(50, RolesOf(c).Count);
        var e = _h.Fails("CreateCluster", [("ClusterIdentifier", "c2"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password), .. RoleArgs("IamRoles", roles)]);
        Assert.Equal(("InvalidParameterValue", "You can associate at most 50 IAM roles with cluster c2."), (e.Code, e.Message));
    }

    [Fact]
    public void Create_asks_for_create_cluster_with_request_tags_and_pass_role_for_each_role()
    {
        var r1 = _h.Roles.Add(Account, "R1");
        var r2 = _h.Roles.Add(Account, "R2");
        _h.Create("c1", [("Tags.Tag.1.Key", "team"), ("Tags.Tag.1.Value", "data"), .. RoleArgs("IamRoles", [r1, r2])]);

        var checks = _h.Authorizer.Checks.ToList();
        var create = Assert.Single(checks, c => c.Action == "redshift:CreateCluster");
        Assert.Equal("arn:aws:redshift:us-east-1:123456789012:cluster:c1", create.Resource);
        Assert.Equal(["data"], create.Keys!["aws:RequestTag/team"]);
        Assert.Equal(["team"], create.Keys!["aws:TagKeys"]);

        var passes = checks.Where(c => c.Action == "iam:PassRole").ToList();
        Assert.Equal([r1, r2], passes.Select(p => p.Resource));
        Assert.All(passes, p => Assert.Equal(["redshift.amazonaws.com"], p.Keys!["iam:PassedToService"]));
    }

    [Fact]
    public void Denied_pass_role_fails_the_create_and_leaves_no_cluster()
    {
        var r1 = _h.Roles.Add(Account, "R1");
        _h.Authorizer.Deny = c => c.Action == "iam:PassRole";
        var e = _h.Fails("CreateCluster", [("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password), .. RoleArgs("IamRoles", [r1])]);
        Assert.Equal("AccessDenied", e.Code);
        Assert.Contains("iam:PassRole", e.Message);
        Assert.Equal("ClusterNotFound", _h.Fails("DescribeClusters", ("ClusterIdentifier", "c1")).Code);
    }

    [Fact]
    public void Denied_create_cluster_fails_before_any_role_is_passed()
    {
        var r1 = _h.Roles.Add(Account, "R1");
        _h.Authorizer.Deny = c => c.Action == "redshift:CreateCluster";
        Assert.Equal("AccessDenied", _h.Fails("CreateCluster", [("ClusterIdentifier", "c1"), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password), .. RoleArgs("IamRoles", [r1])]).Code);
        Assert.DoesNotContain(_h.Authorizer.Checks, c => c.Action == "iam:PassRole");
    }
}
