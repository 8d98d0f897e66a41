namespace LocalShift.Services.Redshift;

/// <summary>A node type, how many nodes a cluster of it may have, and its default number of slices per node.</summary>
public sealed record NodeTypeLimits(string NodeType, bool SingleNode, int MaxNodes, int SlicesPerNode);

/// <summary>The input rules of CreateCluster, each throwing Redshift's error.</summary>
public static class ClusterRules
{
    public const string SingleNode = "single-node";
    public const string MultiNode = "multi-node";

    /// <summary>Node types CreateCluster accepts, legacy ones included (the user story uses dc1.large).</summary>
    public static readonly IReadOnlyDictionary<string, NodeTypeLimits> NodeTypes = new NodeTypeLimits[]
    {
        new("dc1.large", true, 32, 2),
        new("dc1.8xlarge", false, 128, 32),
        new("dc2.large", true, 32, 2),
        new("dc2.8xlarge", false, 128, 16),
        new("ds2.xlarge", true, 32, 2),
        new("ds2.8xlarge", false, 128, 16),
        new("ra3.large", true, 16, 2),
        new("ra3.xlplus", true, 16, 2),
        new("ra3.4xlarge", true, 32, 4),
        new("ra3.16xlarge", false, 128, 16),
    }.ToDictionary(n => n.NodeType, StringComparer.Ordinal);

    /// <summary>The cluster's slices (nodes × the node type's default slices per node): UNLOAD's PARALLEL ON writes a file per slice.</summary>
    public static int Slices(string nodeType, int numberOfNodes) =>
        NodeTypes.TryGetValue(nodeType, out var limits) ? limits.SlicesPerNode * Math.Max(1, numberOfNodes) : 1;

    /// <summary>AWS lower-cases identifiers; every operation looks clusters up this way.</summary>
    public static string NormalizeIdentifier(string identifier) => identifier.ToLowerInvariant();

    /// <summary>1–63 letters, digits or hyphens; starts with a letter; no "--"; no trailing hyphen. Expects a lower-cased id.</summary>
    public static void ValidateIdentifier(string identifier, string parameter = "ClusterIdentifier", int maxLength = 63)
    {
        if (identifier.Length > maxLength)
            // unverified: AWS's text for an over-long identifier.
            throw RedshiftErrors.InvalidParameterValue($"The parameter {parameter} must be between 1 and {maxLength} characters long.");
        var ok = identifier.Length > 0
            && char.IsAsciiLetter(identifier[0])
            && identifier.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            && !identifier.Contains("--", StringComparison.Ordinal)
            && !identifier.EndsWith('-');
        if (!ok)
            throw RedshiftErrors.InvalidParameterValue(
                $"The parameter {parameter} is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.");
    }

    /// <summary>Checks the node type, cluster type and node count; returns the number of nodes the cluster gets.</summary>
    public static int ValidateNodes(string nodeType, string? clusterType, int? numberOfNodes)
    {
        if (!NodeTypes.TryGetValue(nodeType, out var limits))
            // AWS's text as a user reported it through CloudFormation (aws-samples/amazon-bedrock-agents-healthcare-lifesciences#122).
            throw RedshiftErrors.InvalidParameterValue($"Invalid node type: {nodeType}");
        if (clusterType is not null and not SingleNode and not MultiNode)
            throw RedshiftErrors.InvalidParameterValue($"Invalid cluster type: {clusterType}. Valid values are {MultiNode} and {SingleNode}.");
        if (numberOfNodes is < 1)
            throw RedshiftErrors.InvalidParameterValue("Number of nodes must be at least 1.");

        // Without a cluster type the node count decides; without either the model's documented default is one node.
        var type = clusterType ?? (numberOfNodes > 1 ? MultiNode : SingleNode);
        if (type == MultiNode)
        {
            if (numberOfNodes is null or < 2)
                // AWS's text (a CreateCluster probe against us-east-1 recorded in a public repository, 2026-09).
                throw RedshiftErrors.InvalidParameterValue("Number of nodes for cluster type multi-node must be greater than or equal to 2.");
            if (numberOfNodes > limits.MaxNodes)
                throw new Core.AwsException("NumberOfNodesPerClusterLimitExceeded",
                    $"The number of nodes ({numberOfNodes}) exceeds the limit of {limits.MaxNodes} nodes per cluster for node type {nodeType}.", 400);
            return numberOfNodes.Value;
        }
        // AWS's text as a 2026 CreateCluster probe recorded it (a single-node cluster with NumberOfNodes 1 is accepted);
        // older reports (astronomer/astronomer-providers#376, aws/aws-cdk#9856) show "must be not be supplied".
        if (numberOfNodes is > 1)
            throw RedshiftErrors.InvalidParameterValue("Number of nodes must be 1 or not be supplied for cluster type single-node.");
        if (!limits.SingleNode)
            throw RedshiftErrors.InvalidParameterValue($"Node type {nodeType} does not support single-node clusters. Use cluster type multi-node with at least 2 nodes.");
        return 1;
    }

    /// <summary>1–128 characters: a lower-case letter first, then lower-case letters, digits, _ + . @ -; not PUBLIC.</summary>
    public static void ValidateMasterUsername(string username)
    {
        var ok = username.Length is >= 1 and <= 128
            && char.IsAsciiLetterLower(username[0])
            && username.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '+' or '.' or '@' or '-')
            ;
        // AWS's text (the 2026 CreateCluster probe).
        if (username.Equals("public", StringComparison.OrdinalIgnoreCase))
            throw RedshiftErrors.InvalidParameterValue("The master username can't be named PUBLIC");
        if (!ok)
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterValue(
                "The parameter MasterUsername is not a valid user name. It must be 1 to 128 characters, begin with a lowercase letter, contain only lowercase letters, digits, and the characters _ + . @ -, and must not be PUBLIC.");
        if (ReservedWords.Contains(username))
            // unverified: AWS's text (the model's documentation gives the rule: "Cannot be a reserved word").
            throw RedshiftErrors.InvalidParameterValue($"The parameter MasterUsername is not a valid user name: {username} is a reserved word.");
    }

    /// <summary>
    /// Only the default parameter group and the default subnet group exist (LocalShift creates no others); a KMS key must be
    /// a key id, key ARN, alias or alias ARN of the call's region (LocalShift has no KMS to look keys up in).
    /// </summary>
    public static void ValidateGroupsAndKey(string? parameterGroup, string? subnetGroup, string? kmsKeyId, string region)
    {
        if (parameterGroup is not null && parameterGroup != RedshiftService.DefaultParameterGroup) throw RedshiftErrors.ParameterGroupNotFound(parameterGroup);
        if (subnetGroup is not null && !subnetGroup.Equals(RedshiftService.DefaultSubnetGroup, StringComparison.OrdinalIgnoreCase))
            throw RedshiftErrors.SubnetGroupNotFound(subnetGroup);
        if (kmsKeyId is not null && !IsKmsKeyOfRegion(kmsKeyId, region)) throw RedshiftErrors.InvalidKmsKey(kmsKeyId);
    }

    private static bool IsKmsKeyOfRegion(string key, string region)
    {
        if (Guid.TryParseExact(key, "D", out _) || key.StartsWith("mrk-", StringComparison.Ordinal) && key.Length == 36) return true;
        if (key.StartsWith("alias/", StringComparison.Ordinal)) return key.Length > "alias/".Length && !key.StartsWith("alias/aws/", StringComparison.Ordinal) || key == "alias/aws/redshift";
        return Core.Arn.TryParse(key, out var arn) && arn.Service == "kms" && arn.Region == region
            && (arn.Resource.StartsWith("key/", StringComparison.Ordinal) || arn.Resource.StartsWith("alias/", StringComparison.Ordinal));
    }

    /// <summary>8–64 printable ASCII characters except ' " \ / @ and space, with an upper-case letter, a lower-case letter and a digit.</summary>
    public static void ValidateMasterUserPassword(string password)
    {
        if (password.Length < 8)
            // AWS's text (the 2026 CreateCluster probe), spelling included.
            throw RedshiftErrors.InvalidParameterValue("Invalid master password. Password should be atleast 8 characters long.");
        if (password.Length > 64)
            throw RedshiftErrors.InvalidParameterValue("The parameter MasterUserPassword is not a valid password because it is longer than 64 characters.");
        if (password.Any(c => c < 33 || c > 126 || c is '\'' or '"' or '\\' or '/' or '@'))
            throw RedshiftErrors.InvalidParameterValue(
                "The parameter MasterUserPassword is not a valid password. Only printable ASCII characters except for '/', '@', '\"', ' ', '\\', ''' may be used.");
        // AWS's text for a missing upper-case letter (the 2026 CreateCluster probe); unverified: the lower-case and digit texts,
        // written the same way.
        if (!password.Any(char.IsAsciiLetterUpper))
            throw RedshiftErrors.InvalidParameterValue("The parameter MasterUserPassword must contain at least 1 upper case letter.");
        if (!password.Any(char.IsAsciiLetterLower))
            throw RedshiftErrors.InvalidParameterValue("The parameter MasterUserPassword must contain at least 1 lower case letter.");
        if (!password.Any(char.IsAsciiDigit))
            throw RedshiftErrors.InvalidParameterValue("The parameter MasterUserPassword must contain at least 1 number.");
    }

    /// <summary>1–64 characters: lower-case letters, digits, _ and $, not starting with a digit or $.</summary>
    public static void ValidateDbName(string dbName)
    {
        if (dbName.Any(char.IsAsciiLetterUpper))
            throw RedshiftErrors.InvalidParameterValue("Only lowercase Database names are supported.");
        var ok = dbName.Length is >= 1 and <= 64
            && (char.IsAsciiLetterLower(dbName[0]) || dbName[0] == '_')
            && dbName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '$');
        if (!ok)
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterValue(
                "The parameter DBName is not a valid database name. It must be 1 to 64 characters, begin with a letter or underscore, and contain only lowercase letters, digits, underscores and dollar signs.");
    }

    public static void ValidatePort(int port)
    {
        if (port is < 1150 or > 65535)
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterValue($"Invalid port {port}. The port must be between 1150 and 65535.");
    }

    /// <summary>Snapshot identifiers follow the cluster identifier's rules with up to 255 characters.</summary>
    public static void ValidateSnapshotIdentifier(string identifier, string parameter = "SnapshotIdentifier") =>
        ValidateIdentifier(identifier, parameter, 255);

    /// <summary>-1 (keep until deleted) or 1 to 3653 days.</summary>
    public static void ValidateManualSnapshotRetentionPeriod(int days)
    {
        if (days > 3653)
            // AWS's text (the 2026 CreateCluster probe).
            throw new Core.AwsException("InvalidRetentionPeriodFault", "Retention period cannot exceed 3653 days.", 400);
        if (days != -1 && days < 1)
            // unverified: AWS's text.
            throw new Core.AwsException("InvalidRetentionPeriodFault",
                "The manual snapshot retention period must be either -1 or an integer between 1 and 3,653.", 400);
    }

    public static void ValidateAutomatedSnapshotRetentionPeriod(int days)
    {
        if (days is < 0 or > 35)
            // AWS's code and text (the 2026 CreateCluster probe, for 36).
            throw RedshiftErrors.InvalidParameterValue($"Invalid automated snapshot retention period: {days}. Retention period must be between 0 and 35.");
    }
}
