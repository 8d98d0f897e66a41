using System.Text;
using System.Xml;
using LocalShift.Aws;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;
using LocalShift.Services.Iam;

namespace LocalShift.Services.Redshift;

/// <summary>
/// The Redshift control plane over the query protocol: clusters, the IAM roles associated with them, and their tags.
/// Every operation authorizes <c>redshift:&lt;Operation&gt;</c> on the cluster ARN (with the tag condition keys) before
/// acting, and <c>iam:PassRole</c> on every role it associates.
/// </summary>
public sealed class RedshiftService : QueryService
{
    private const string ClusterResourceType = "cluster";
    private readonly RedshiftStore _store;
    private readonly RoleVetting _vetting;
    private readonly RedshiftOptions _options;
    private readonly TimeProvider _time;
    private readonly ClusterLifecycle _lifecycle;

    public RedshiftService(RedshiftStore store, IRoleDirectory roles, RedshiftOptions options, TimeProvider time, ClusterLifecycle lifecycle)
    {
        _store = store;
        _vetting = new RoleVetting(roles);
        _options = options;
        _time = time;
        _lifecycle = lifecycle;
        Operation("CreateCluster", CreateCluster);
        Operation("DescribeClusters", DescribeClusters);
        Operation("ModifyClusterIamRoles", ModifyClusterIamRoles);
        Operation("DeleteCluster", DeleteCluster);
        Operation("CreateTags", CreateTags, hasResult: false);
        Operation("DeleteTags", DeleteTags, hasResult: false);
        Operation("DescribeTags", DescribeTags);
    }

    public override string SigningName => "redshift";
    public override string Version => "2012-12-01";
    public override string XmlNamespace => "http://redshift.amazonaws.com/doc/2012-12-01/";

    private void CreateCluster(AwsCall call, QueryParameters p, XmlWriter result)
    {
        var id = ClusterRules.NormalizeIdentifier(p.Required("ClusterIdentifier"));
        var nodeType = p.Required("NodeType");
        var username = p.Required("MasterUsername");
        var password = p.Required("MasterUserPassword");
        var roleArns = p.List("IamRoles", "IamRoleArn") ?? [];
        var defaultRole = NullIfEmpty(p.Get("DefaultIamRoleArn"));
        var tags = ReadTags(p);
        var account = call.Caller.AccountId;
        var region = RegionOf(call);
        var arn = Arn.Cluster(region, account, id);

        var keys = new Dictionary<string, IReadOnlyList<string>>();
        TagRules.AddRequestKeys(keys, tags);
        call.Authorize("redshift:CreateCluster", arn, keys);

        ClusterRules.ValidateIdentifier(id);
        var nodes = ClusterRules.ValidateNodes(nodeType, NullIfEmpty(p.Get("ClusterType")), p.Int("NumberOfNodes"));
        ClusterRules.ValidateMasterUsername(username);
        ClusterRules.ValidateMasterUserPassword(password);
        var dbName = NullIfEmpty(p.Get("DBName")) ?? "dev";
        ClusterRules.ValidateDbName(dbName);
        var port = p.Int("Port") ?? 5439;
        ClusterRules.ValidatePort(port);
        var retention = p.Int("AutomatedSnapshotRetentionPeriod") ?? 1;
        ClusterRules.ValidateAutomatedSnapshotRetentionPeriod(retention);
        TagRules.Validate(tags);
        TagRules.Merge([], tags);
        if (roleArns.Distinct(StringComparer.Ordinal).Count() > _options.RoleQuota)
            throw RedshiftErrors.RoleQuotaExceeded(id, _options.RoleQuota);
        if (defaultRole is not null && !roleArns.Contains(defaultRole, StringComparer.Ordinal))
            throw RedshiftErrors.DefaultRoleNotInRoles();
        _vetting.Vet(call, account, roleArns);

        // Hashed before the store's write lock is taken: the SCRAM verifier takes 4096 rounds of PBKDF2.
        var secret = ClusterEndpointSpec.MasterSecret(username, password);
        var now = _time.GetUtcNow();
        var availableAt = now + _options.CreateDelay;
        // Roles given at creation are applied as part of the creation: in-sync once the cluster is available.
        var rolesSettleAt = availableAt;
        var attributes = new ClusterAttributes
        {
            AvailabilityZone = NullIfEmpty(p.Get("AvailabilityZone")) ?? region + "a",
            PreferredMaintenanceWindow = NullIfEmpty(p.Get("PreferredMaintenanceWindow")) ?? "sat:06:00-sat:06:30",
            AutomatedSnapshotRetentionPeriod = retention,
            ManualSnapshotRetentionPeriod = p.Int("ManualSnapshotRetentionPeriod") ?? -1,
            PubliclyAccessible = p.Bool("PubliclyAccessible") ?? false,
            Encrypted = p.Bool("Encrypted") ?? false,
            AllowVersionUpgrade = p.Bool("AllowVersionUpgrade") ?? true,
            EnhancedVpcRouting = p.Bool("EnhancedVpcRouting") ?? false,
            ClusterVersion = NullIfEmpty(p.Get("ClusterVersion")) ?? "1.0",
            ClusterParameterGroupName = NullIfEmpty(p.Get("ClusterParameterGroupName")) ?? "default.redshift-1.0",
            ClusterSubnetGroupName = NullIfEmpty(p.Get("ClusterSubnetGroupName")),
            VpcSecurityGroupIds = p.List("VpcSecurityGroupIds", "VpcSecurityGroupId") ?? [],
            ClusterSecurityGroups = p.List("ClusterSecurityGroups", "ClusterSecurityGroupName") ?? [],
            MaintenanceTrackName = NullIfEmpty(p.Get("MaintenanceTrackName")) ?? "current",
            KmsKeyId = NullIfEmpty(p.Get("KmsKeyId")),
            RequestedPort = port,
        };

        var cluster = _store.Create(account, region, id, now, _options.SqlPortStart, _options.SqlPortEnd, sqlPort => new Cluster
        {
            AccountId = account,
            Region = region,
            Identifier = id,
            NodeType = nodeType,
            NumberOfNodes = nodes,
            MasterUsername = username,
            MasterPasswordSecret = secret,
            DbName = dbName,
            SqlPort = sqlPort,
            Status = ClusterStatus.Creating,
            CreateTime = now,
            AvailableAt = availableAt,
            NamespaceId = Guid.NewGuid().ToString(),
            DefaultIamRoleArn = defaultRole,
            Attributes = attributes,
            Roles = roleArns.Distinct(StringComparer.Ordinal).Select(r => new RoleAssociation(r, ApplyStatus.Adding, rolesSettleAt)).ToList(),
            Tags = tags,
        });
        _lifecycle.Wake();
        result.WriteCluster("Cluster", cluster, _options.SqlHost);
    }

    private void DescribeClusters(AwsCall call, QueryParameters p, XmlWriter result)
    {
        var idParam = NullIfEmpty(p.Get("ClusterIdentifier"));
        var marker = NullIfEmpty(p.Get("Marker"));
        var maxRecords = p.Int("MaxRecords") ?? 100;
        var tagKeys = p.List("TagKeys", "TagKey") ?? [];
        var tagValues = p.List("TagValues", "TagValue") ?? [];
        var account = call.Caller.AccountId;
        var region = RegionOf(call);
        var now = _time.GetUtcNow();

        if (idParam is not null)
        {
            var id = ClusterRules.NormalizeIdentifier(idParam);
            var cluster = _store.Find(account, region, id, now);
            AuthorizeOnCluster(call, "redshift:DescribeClusters", Arn.Cluster(region, account, id), cluster);
            if (marker is not null)
                // unverified: AWS's text.
                throw RedshiftErrors.InvalidParameterCombination("A request can specify either ClusterIdentifier or Marker, but not both.");
            if (cluster is null || !MatchesTags(cluster, tagKeys, tagValues)) throw RedshiftErrors.ClusterNotFound(idParam);
            result.List("Clusters", [cluster], (w, c) => WriteClusterBody(w, c), "Cluster");
            return;
        }

        call.Authorize("redshift:DescribeClusters", Arn.Cluster(region, account, "*"));
        if (maxRecords is < 20 or > 100)
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterValue($"MaxRecords must be between 20 and 100, but was {maxRecords}.");
        var after = marker is null ? null : DecodeMarker(marker);
        var matching = _store.List(account, region, now)
            .Where(c => MatchesTags(c, tagKeys, tagValues))
            .Where(c => after is null || string.CompareOrdinal(c.Identifier, after) > 0)
            .ToList();
        var page = matching.Take(maxRecords).ToList();
        result.List("Clusters", page, (w, c) => WriteClusterBody(w, c), "Cluster");
        if (matching.Count > page.Count) result.El("Marker", EncodeMarker(page[^1].Identifier));
    }

    private void ModifyClusterIamRoles(AwsCall call, QueryParameters p, XmlWriter result)
    {
        var idParam = p.Required("ClusterIdentifier");
        var id = ClusterRules.NormalizeIdentifier(idParam);
        var add = p.List("AddIamRoles", "IamRoleArn") ?? [];
        var remove = p.List("RemoveIamRoles", "IamRoleArn") ?? [];
        var defaultRole = NullIfEmpty(p.Get("DefaultIamRoleArn"));
        var account = call.Caller.AccountId;
        var region = RegionOf(call);
        var now = _time.GetUtcNow();

        // Clusters of other regions are not seen: the call is authorized on this region's ARN and then finds nothing.
        var existing = _store.Find(account, region, id, now);
        AuthorizeOnCluster(call, "redshift:ModifyClusterIamRoles", Arn.Cluster(region, account, id), existing);
        if (existing is null) throw RedshiftErrors.ClusterNotFound(idParam);
        _vetting.Vet(call, account, add);

        var settleAt = now + _options.RoleApplyDelay;
        var cluster = _store.Update(account, region, id, now, current =>
        {
            if (current.Status != ClusterStatus.Available) throw RedshiftErrors.ConcurrentOperation();
            var (roles, newDefault) = RoleSetChange.Apply(id, current.Roles, current.DefaultIamRoleArn, add, remove, defaultRole, _options.RoleQuota, settleAt);
            return current with { Roles = roles, DefaultIamRoleArn = newDefault };
        });
        _lifecycle.Wake();
        result.WriteCluster("Cluster", cluster, _options.SqlHost);
    }

    private void DeleteCluster(AwsCall call, QueryParameters p, XmlWriter result)
    {
        var idParam = p.Required("ClusterIdentifier");
        var id = ClusterRules.NormalizeIdentifier(idParam);
        var skipFinal = p.Bool("SkipFinalClusterSnapshot") ?? false;
        var finalSnapshot = NullIfEmpty(p.Get("FinalClusterSnapshotIdentifier"));
        var account = call.Caller.AccountId;
        var region = RegionOf(call);
        var now = _time.GetUtcNow();

        var existing = _store.Find(account, region, id, now);
        AuthorizeOnCluster(call, "redshift:DeleteCluster", Arn.Cluster(region, account, id), existing);
        if (!skipFinal && finalSnapshot is null)
            throw RedshiftErrors.InvalidParameterCombination("FinalClusterSnapshotIdentifier is required unless SkipFinalClusterSnapshot is specified.");
        if (skipFinal && finalSnapshot is not null)
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterCombination("FinalClusterSnapshotIdentifier must not be specified when SkipFinalClusterSnapshot is true.");
        if (finalSnapshot is not null) ClusterRules.ValidateIdentifier(finalSnapshot.ToLowerInvariant(), "FinalClusterSnapshotIdentifier");
        if (existing is null) throw RedshiftErrors.ClusterNotFound(idParam);

        // LocalShift keeps no snapshots: a final snapshot is accepted and not taken.
        var cluster = _store.Update(account, region, id, now, current => current.Status switch
        {
            ClusterStatus.Available => current with { Status = ClusterStatus.Deleting, GoneAt = now + _options.DeleteDelay },
            ClusterStatus.Deleting => throw RedshiftErrors.AlreadyDeleting(idParam),
            _ => throw RedshiftErrors.OperationRunningOnDelete(),
        });
        _lifecycle.Wake();
        result.WriteCluster("Cluster", cluster, _options.SqlHost);
    }

    private void CreateTags(AwsCall call, QueryParameters p, XmlWriter result)
    {
        var resourceName = p.Required("ResourceName");
        var tags = ReadTags(p);
        if (tags.Count == 0) throw AwsException.MissingParameter("Tags");
        var (account, id, existing) = FindTaggedCluster(call, resourceName);
        var keys = new Dictionary<string, IReadOnlyList<string>>();
        TagRules.AddResourceKeys(keys, existing);
        TagRules.AddRequestKeys(keys, tags);
        call.Authorize("redshift:CreateTags", resourceName, keys);
        if (existing is null) throw RedshiftErrors.ResourceNotFound(resourceName);
        TagRules.Validate(tags);
        _store.Update(account, existing.Region, id, _time.GetUtcNow(), current => current with { Tags = TagRules.Merge(current.Tags, tags) });
    }

    private void DeleteTags(AwsCall call, QueryParameters p, XmlWriter result)
    {
        var resourceName = p.Required("ResourceName");
        var tagKeys = p.List("TagKeys", "TagKey");
        if (tagKeys is null || tagKeys.Count == 0) throw AwsException.MissingParameter("TagKeys");
        var (account, id, existing) = FindTaggedCluster(call, resourceName);
        var keys = new Dictionary<string, IReadOnlyList<string>>();
        TagRules.AddResourceKeys(keys, existing);
        keys["aws:TagKeys"] = tagKeys;
        call.Authorize("redshift:DeleteTags", resourceName, keys);
        if (existing is null) throw RedshiftErrors.ResourceNotFound(resourceName);
        _store.Update(account, existing.Region, id, _time.GetUtcNow(), current => current with
        {
            Tags = current.Tags.Where(t => !tagKeys.Contains(t.Key, StringComparer.Ordinal)).ToList(),
        });
    }

    private void DescribeTags(AwsCall call, QueryParameters p, XmlWriter result)
    {
        var resourceName = NullIfEmpty(p.Get("ResourceName"));
        var resourceType = NullIfEmpty(p.Get("ResourceType"));
        var tagKeys = p.List("TagKeys", "TagKey") ?? [];
        var tagValues = p.List("TagValues", "TagValue") ?? [];
        var maxRecords = p.Int("MaxRecords") ?? 100;
        var marker = NullIfEmpty(p.Get("Marker"));
        var now = _time.GetUtcNow();

        List<Cluster> clusters;
        if (resourceName is not null)
        {
            var (_, _, existing) = FindTaggedCluster(call, resourceName);
            var keys = new Dictionary<string, IReadOnlyList<string>>();
            TagRules.AddResourceKeys(keys, existing);
            call.Authorize("redshift:DescribeTags", resourceName, keys);
            if (existing is null) throw RedshiftErrors.ResourceNotFound(resourceName);
            clusters = [existing];
        }
        else
        {
            call.Authorize("redshift:DescribeTags", "*");
            clusters = _store.List(call.Caller.AccountId, RegionOf(call), now);
        }
        if (resourceType is not null && !resourceType.Equals(ClusterResourceType, StringComparison.OrdinalIgnoreCase))
            clusters = []; // LocalShift tags only clusters

        var tagged = clusters
            .SelectMany(c => c.Tags.Select(t => (Cluster: c, Tag: t)))
            .Where(x => (tagKeys.Count == 0 || tagKeys.Contains(x.Tag.Key, StringComparer.Ordinal))
                     && (tagValues.Count == 0 || tagValues.Contains(x.Tag.Value, StringComparer.Ordinal)))
            .ToList();
        var start = marker is null ? 0 : int.TryParse(DecodeMarker(marker), out var s) && s >= 0 ? s : throw InvalidMarker();
        var page = tagged.Skip(start).Take(Math.Max(1, maxRecords)).ToList();
        result.List("TaggedResources", page, (w, x) => w
            .Struct("Tag", t => t.El("Key", x.Tag.Key).El("Value", x.Tag.Value))
            .El("ResourceName", x.Cluster.Arn)
            .El("ResourceType", ClusterResourceType), "TaggedResource");
        if (start + page.Count < tagged.Count) result.El("Marker", EncodeMarker((start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>Authorizes an action on one cluster, with its aws:ResourceTag keys when it exists.</summary>
    private static void AuthorizeOnCluster(AwsCall call, string action, string clusterArn, Cluster? cluster)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>>();
        TagRules.AddResourceKeys(keys, cluster);
        call.Authorize(action, clusterArn, keys);
    }

    /// <summary>
    /// Resolves a tagging ResourceName (a cluster ARN of the caller's account and of the call's region) to the cluster,
    /// if it exists; an ARN of another region names nothing this call can see.
    /// </summary>
    private (string Account, string Id, Cluster? Cluster) FindTaggedCluster(AwsCall call, string resourceName)
    {
        const string prefix = "cluster:";
        var region = RegionOf(call);
        if (!Arn.TryParse(resourceName, out var arn) || arn.Service != "redshift")
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterValue($"The ARN {resourceName} is not a valid Amazon Redshift resource name.");
        if (!arn.Resource.StartsWith(prefix, StringComparison.Ordinal) || arn.Account != call.Caller.AccountId || arn.Region != region)
            return (arn.Account, "", null);
        var id = arn.Resource[prefix.Length..];
        return (arn.Account, id, _store.Find(arn.Account, region, id, _time.GetUtcNow()));
    }

    /// <summary>
    /// The region of the call's credential scope, which every cluster the call names or creates belongs to. It names
    /// folders and ARNs, so it must look like a region.
    /// </summary>
    private static string RegionOf(AwsCall call) =>
        RegionName.IsValid(call.Region) ? call.Region
        // unverified for Redshift: the text AWS's front ends give a credential scoped to a region they do not serve.
        : throw new AwsException("SignatureDoesNotMatch", $"Credential should be scoped to a valid region, not '{call.Region}'.", 403);

    private void WriteClusterBody(XmlWriter w, Cluster c) => w.WriteClusterMembers(c, _options.SqlHost);

    private static List<ClusterTag> ReadTags(QueryParameters p) =>
        (p.StructList("Tags", "Tag") ?? [])
        .Select(t => new ClusterTag(t.Get("Key") ?? "", t.Get("Value") ?? ""))
        .ToList();

    /// <summary>Whether a cluster carries a tag with one of the keys (when given) and one of the values (when given).</summary>
    private static bool MatchesTags(Cluster c, IReadOnlyList<string> keys, IReadOnlyList<string> values) =>
        (keys.Count == 0 && values.Count == 0)
        || c.Tags.Any(t => (keys.Count == 0 || keys.Contains(t.Key, StringComparer.Ordinal))
                        && (values.Count == 0 || values.Contains(t.Value, StringComparer.Ordinal)));

    private static string EncodeMarker(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));

    private static string DecodeMarker(string marker)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(marker));
        }
        catch (FormatException)
        {
            throw InvalidMarker();
        }
    }

    // unverified: AWS's text.
    private static AwsException InvalidMarker() => RedshiftErrors.InvalidParameterValue("The marker is not valid.");

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
