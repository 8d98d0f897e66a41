using System.Text;
using LocalShift.Aws;
using LocalShift.Aws.Model;
using LocalShift.Aws.Operations;
using LocalShift.Core;
using LocalShift.Services.Iam;
using Api = LocalShift.Services.Redshift.Shapes;

namespace LocalShift.Services.Redshift;

/// <summary>
/// The Redshift control plane as typed operations of the Redshift model: clusters, the IAM roles associated with them,
/// and their tags. Every operation authorizes <c>redshift:&lt;Operation&gt;</c> on the cluster ARN (with the tag
/// condition keys) before acting, and <c>iam:PassRole</c> on every role it associates.
/// </summary>
public sealed partial class RedshiftService : AwsService
{
    private const string ClusterResourceType = "cluster";
    private readonly RedshiftStore _store;
    private readonly RoleVetting _vetting;
    private readonly RedshiftOptions _options;
    private readonly TimeProvider _time;
    private readonly ClusterLifecycle _lifecycle;
    private readonly DbCredentials.TemporaryDbCredentials _dbCredentials;
    private readonly Snapshots.SnapshotStore _snapshots;
    private readonly IClusterEndpointHost _endpoints;
    private readonly Events.EventLog _events;

    public RedshiftService(RedshiftStore store, IRoleDirectory roles, RedshiftOptions options, TimeProvider time, ClusterLifecycle lifecycle,
        DbCredentials.TemporaryDbCredentials? dbCredentials = null, Snapshots.SnapshotStore? snapshots = null, IClusterEndpointHost? endpoints = null,
        Events.EventLog? events = null)
        : base("redshift")
    {
        _events = events ?? new Events.EventLog(store.State);
        _snapshots = snapshots ?? new Snapshots.SnapshotStore(store.State);
        _endpoints = endpoints ?? new NoClusterEndpoints();
        _dbCredentials = dbCredentials ?? new DbCredentials.TemporaryDbCredentials(time);
        _store = store;
        _vetting = new RoleVetting(roles);
        _options = options;
        _time = time;
        _lifecycle = lifecycle;
        Operation<Api.CreateClusterMessage, Api.CreateClusterResult>("CreateCluster", CreateCluster);
        Operation<Api.DescribeClustersMessage, Api.ClustersMessage>("DescribeClusters", DescribeClusters);
        Operation<Api.ModifyClusterIamRolesMessage, Api.ModifyClusterIamRolesResult>("ModifyClusterIamRoles", ModifyClusterIamRoles);
        Operation<Api.DeleteClusterMessage, Api.DeleteClusterResult>("DeleteCluster", DeleteCluster);
        Operation<Api.CreateTagsMessage>("CreateTags", CreateTags);
        Operation<Api.DeleteTagsMessage>("DeleteTags", DeleteTags);
        Operation<Api.DescribeTagsMessage, Api.TaggedResourceListMessage>("DescribeTags", DescribeTags);
        Operation<Api.GetClusterCredentialsMessage, Api.ClusterCredentials>("GetClusterCredentials", GetClusterCredentials);
        Operation<Api.GetClusterCredentialsWithIAMMessage, Api.ClusterExtendedCredentials>("GetClusterCredentialsWithIAM", GetClusterCredentialsWithIAM);
        Operation<Api.CreateClusterSnapshotMessage, Api.CreateClusterSnapshotResult>("CreateClusterSnapshot", CreateClusterSnapshot);
        Operation<Api.DescribeClusterSnapshotsMessage, Api.SnapshotMessage>("DescribeClusterSnapshots", DescribeClusterSnapshots);
        Operation<Api.DeleteClusterSnapshotMessage, Api.DeleteClusterSnapshotResult>("DeleteClusterSnapshot", DeleteClusterSnapshot);
        Operation<Api.RestoreFromClusterSnapshotMessage, Api.RestoreFromClusterSnapshotResult>("RestoreFromClusterSnapshot", RestoreFromClusterSnapshot);
        Operation<Api.ModifyClusterMessage, Api.ModifyClusterResult>("ModifyCluster", ModifyCluster);
        Operation<Api.ClusterIdentifierMessage, Api.PauseClusterResult>("PauseCluster", PauseCluster);
        Operation<Api.ClusterIdentifierMessage, Api.ResumeClusterResult>("ResumeCluster", ResumeCluster);
        Operation<Api.ClusterIdentifierMessage, Api.RebootClusterResult>("RebootCluster", RebootCluster);
        Operation<Api.ClusterIdentifierMessage, Api.LoggingStatus>("DescribeLoggingStatus", DescribeLoggingStatus);
        Operation<Api.EnableLoggingMessage, Api.LoggingStatus>("EnableLogging", EnableLogging);
        Operation<Api.ClusterIdentifierMessage, Api.LoggingStatus>("DisableLogging", DisableLogging);
        Operation<Api.DescribeClusterParameterGroupsMessage, Api.ClusterParameterGroupsMessage>("DescribeClusterParameterGroups", DescribeClusterParameterGroups);
        Operation<Api.DescribeClusterParametersMessage, Api.ClusterParameterGroupDetails>("DescribeClusterParameters", DescribeClusterParameters);
        Operation<Api.DescribeDefaultClusterParametersMessage, Api.DescribeDefaultClusterParametersResult>("DescribeDefaultClusterParameters", DescribeDefaultClusterParameters);
        Operation<Api.DescribeClusterSubnetGroupsMessage, Api.ClusterSubnetGroupMessage>("DescribeClusterSubnetGroups", DescribeClusterSubnetGroups);
        Operation<Api.DescribeClusterVersionsMessage, Api.ClusterVersionsMessage>("DescribeClusterVersions", DescribeClusterVersions);
        Operation<Api.DescribeOrderableClusterOptionsMessage, Api.OrderableClusterOptionsMessage>("DescribeOrderableClusterOptions", DescribeOrderableClusterOptions);
        Operation<Api.DescribeEventsMessage, Api.EventsMessage>("DescribeEvents", DescribeEvents);
        Operation<Api.DescribeEventCategoriesMessage, Api.EventCategoriesMessage>("DescribeEventCategories", DescribeEventCategories);
    }

    /// <summary>Redshift answers a missing parameter with MissingParameter and checks its values itself.</summary>
    public override ValidationStyle Validation => ValidationStyle.RequiredOnly;

    private Api.CreateClusterResult CreateCluster(AwsCall call, Api.CreateClusterMessage p)
    {
        var id = ClusterRules.NormalizeIdentifier(p.ClusterIdentifier);
        var nodeType = p.NodeType;
        var username = p.MasterUsername;
        var password = p.MasterUserPassword;
        var roleArns = p.IamRoles ?? [];
        var defaultRole = NullIfEmpty(p.DefaultIamRoleArn);
        var tags = ReadTags(p.Tags);
        var account = call.Caller.AccountId;
        var region = RegionOf(call);
        var arn = Arn.Cluster(region, account, id);

        var keys = new Dictionary<string, IReadOnlyList<string>>();
        TagRules.AddRequestKeys(keys, tags);
        call.Authorize("redshift:CreateCluster", arn, keys);

        ClusterRules.ValidateIdentifier(id);
        var nodes = ClusterRules.ValidateNodes(nodeType, NullIfEmpty(p.ClusterType), p.NumberOfNodes);
        ClusterRules.ValidateMasterUsername(username);
        ClusterRules.ValidateMasterUserPassword(password);
        var dbName = NullIfEmpty(p.DBName) ?? "dev";
        ClusterRules.ValidateDbName(dbName);
        var port = p.Port ?? 5439;
        ClusterRules.ValidatePort(port);
        var retention = p.AutomatedSnapshotRetentionPeriod ?? 1;
        ClusterRules.ValidateAutomatedSnapshotRetentionPeriod(retention);
        if (p.ManualSnapshotRetentionPeriod is { } manual) ClusterRules.ValidateManualSnapshotRetentionPeriod(manual);
        ClusterRules.ValidateGroupsAndKey(NullIfEmpty(p.ClusterParameterGroupName), NullIfEmpty(p.ClusterSubnetGroupName), NullIfEmpty(p.KmsKeyId), region);
        if (NullIfEmpty(p.ClusterVersion) is { } version && version != "1.0")
            // AWS's code and text (the 2026 CreateCluster probe).
            throw RedshiftErrors.InvalidParameterCombination($"Cannot find Cluster version {version}");
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
            AvailabilityZone = NullIfEmpty(p.AvailabilityZone) ?? region + "a",
            PreferredMaintenanceWindow = NullIfEmpty(p.PreferredMaintenanceWindow) ?? "sat:06:00-sat:06:30",
            AutomatedSnapshotRetentionPeriod = retention,
            ManualSnapshotRetentionPeriod = p.ManualSnapshotRetentionPeriod ?? -1,
            PubliclyAccessible = p.PubliclyAccessible ?? false,
            Encrypted = p.Encrypted ?? false,
            AllowVersionUpgrade = p.AllowVersionUpgrade ?? true,
            EnhancedVpcRouting = p.EnhancedVpcRouting ?? false,
            ClusterVersion = NullIfEmpty(p.ClusterVersion) ?? "1.0",
            ClusterParameterGroupName = NullIfEmpty(p.ClusterParameterGroupName) ?? "default.redshift-1.0",
            ClusterSubnetGroupName = NullIfEmpty(p.ClusterSubnetGroupName),
            VpcSecurityGroupIds = p.VpcSecurityGroupIds ?? [],
            ClusterSecurityGroups = p.ClusterSecurityGroups ?? [],
            MaintenanceTrackName = NullIfEmpty(p.MaintenanceTrackName) ?? "current",
            KmsKeyId = NullIfEmpty(p.KmsKeyId),
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
        Record([ClusterEvent(Events.EventCatalog.ClusterCreated, cluster, availableAt),
            .. RoleChangeEvents(cluster with { Roles = [], DefaultIamRoleArn = null }, cluster, now)]);
        _lifecycle.Wake();
        return new Api.CreateClusterResult(View(cluster, now));
    }

    private Api.ClustersMessage DescribeClusters(AwsCall call, Api.DescribeClustersMessage p)
    {
        var idParam = NullIfEmpty(p.ClusterIdentifier);
        var marker = NullIfEmpty(p.Marker);
        var maxRecords = p.MaxRecords ?? 100;
        var tagKeys = p.TagKeys ?? [];
        var tagValues = p.TagValues ?? [];
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
            return new Api.ClustersMessage([View(cluster, now)]);
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
        return new Api.ClustersMessage(page.Select(c => View(c, now)).ToList(),
            matching.Count > page.Count ? EncodeMarker(page[^1].Identifier) : null);
    }

    private Api.ModifyClusterIamRolesResult ModifyClusterIamRoles(AwsCall call, Api.ModifyClusterIamRolesMessage p)
    {
        var idParam = p.ClusterIdentifier;
        var id = ClusterRules.NormalizeIdentifier(idParam);
        var add = p.AddIamRoles ?? [];
        var remove = p.RemoveIamRoles ?? [];
        var defaultRole = NullIfEmpty(p.DefaultIamRoleArn);
        var account = call.Caller.AccountId;
        var region = RegionOf(call);
        var now = _time.GetUtcNow();

        // Clusters of other regions are not seen: the call is authorized on this region's ARN and then finds nothing.
        var existing = _store.Find(account, region, id, now);
        AuthorizeOnCluster(call, "redshift:ModifyClusterIamRoles", Arn.Cluster(region, account, id), existing);
        if (existing is null) throw RedshiftErrors.ClusterNotFound(idParam);
        _vetting.Vet(call, account, add);

        var settleAt = now + _options.RoleApplyDelay;
        Cluster? before = null;
        var cluster = _store.Update(account, region, id, now, current =>
        {
            before = current;
            if (current.Status != ClusterStatus.Available) throw RedshiftErrors.ConcurrentOperation();
            var (roles, newDefault) = RoleSetChange.Apply(id, current.Roles, current.DefaultIamRoleArn, add, remove, defaultRole, _options.RoleQuota, settleAt);
            return current with { Roles = roles, DefaultIamRoleArn = newDefault };
        });
        Record(RoleChangeEvents(before!, cluster, now).ToArray());
        _lifecycle.Wake();
        return new Api.ModifyClusterIamRolesResult(View(cluster, now));
    }

    private Api.DeleteClusterResult DeleteCluster(AwsCall call, Api.DeleteClusterMessage p)
    {
        var idParam = p.ClusterIdentifier;
        var id = ClusterRules.NormalizeIdentifier(idParam);
        var skipFinal = p.SkipFinalClusterSnapshot ?? false;
        var finalSnapshot = NullIfEmpty(p.FinalClusterSnapshotIdentifier);
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
        if (finalSnapshot is not null) ClusterRules.ValidateSnapshotIdentifier(finalSnapshot.ToLowerInvariant(), "FinalClusterSnapshotIdentifier");
        if (existing is null) throw RedshiftErrors.ClusterNotFound(idParam);

        // The final snapshot is taken while the cluster still runs; if the deletion is then refused, it is taken back.
        var finalId = finalSnapshot?.ToLowerInvariant();
        if (finalId is not null) TakeFinalSnapshot(call, existing, finalId, p.FinalClusterSnapshotRetentionPeriod);
        Cluster cluster;
        try
        {
            cluster = DeleteNow(account, region, id, idParam, now);
        }
        catch when (finalId is not null)
        {
            if (_snapshots.Remove(account, region, finalId) is { } taken) _endpoints.DeleteSnapshotAsync(taken.Location).GetAwaiter().GetResult();
            throw;
        }
        Record(ClusterEvent(Events.EventCatalog.ClusterDeleted, cluster, cluster.GoneAt ?? now));
        _lifecycle.Wake();
        _dbCredentials.Forget(account, region, id);
        return new Api.DeleteClusterResult(View(cluster, now));
    }

    private Cluster DeleteNow(string account, string region, string id, string idParam, DateTimeOffset now) =>
        _store.Update(account, region, id, now, current => current.Status switch
        {
            ClusterStatus.Available or ClusterStatus.Paused => current with { Status = ClusterStatus.Deleting, GoneAt = now + _options.DeleteDelay },
            ClusterStatus.Deleting => throw RedshiftErrors.AlreadyDeleting(idParam),
            _ => throw RedshiftErrors.OperationRunningOnDelete(),
        });

    private void CreateTags(AwsCall call, Api.CreateTagsMessage p)
    {
        var resourceName = p.ResourceName;
        var tags = ReadTags(p.Tags);
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

    private void DeleteTags(AwsCall call, Api.DeleteTagsMessage p)
    {
        var resourceName = p.ResourceName;
        var tagKeys = p.TagKeys;
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

    private Api.TaggedResourceListMessage DescribeTags(AwsCall call, Api.DescribeTagsMessage p)
    {
        var resourceName = NullIfEmpty(p.ResourceName);
        var resourceType = NullIfEmpty(p.ResourceType);
        var tagKeys = p.TagKeys ?? [];
        var tagValues = p.TagValues ?? [];
        var maxRecords = p.MaxRecords ?? 100;
        var marker = NullIfEmpty(p.Marker);
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
        return new Api.TaggedResourceListMessage(
            page.Select(x => new Api.TaggedResource(new Api.Tag(x.Tag.Key, x.Tag.Value), x.Cluster.Arn, ClusterResourceType)).ToList(),
            start + page.Count < tagged.Count ? EncodeMarker((start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture)) : null);
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
    internal static string RegionOf(AwsCall call) =>
        RegionName.IsValid(call.Region) ? call.Region
        // unverified for Redshift: the text AWS's front ends give a credential scoped to a region they do not serve.
        : throw new AwsException("SignatureDoesNotMatch", $"Credential should be scoped to a valid region, not '{call.Region}'.", 403);

    private Api.Cluster View(Cluster c, DateTimeOffset now) => ClusterView.Of(c, _options.SqlHost, now);

    private static List<ClusterTag> ReadTags(List<Api.Tag>? tags) =>
        (tags ?? []).Select(t => new ClusterTag(t.Key ?? "", t.Value ?? "")).ToList();

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
