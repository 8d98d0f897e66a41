using System.Globalization;
using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Services.Redshift.Snapshots;
using Api = LocalShift.Services.Redshift.Shapes;

namespace LocalShift.Services.Redshift;

/// <summary>
/// Manual snapshots: CreateClusterSnapshot, DescribeClusterSnapshots, DeleteClusterSnapshot, the final snapshot of
/// DeleteCluster, and RestoreFromClusterSnapshot. A snapshot holds a copy of the warehouse, so a restored cluster has
/// the tables, users and grants it had; its IAM roles are the restore's own (vetted as CreateCluster vets them).
/// Authorized on the snapshot ARN <c>arn:aws:redshift:&lt;region&gt;:&lt;account&gt;:snapshot:&lt;cluster&gt;/&lt;snapshot&gt;</c>.
/// </summary>
public sealed partial class RedshiftService
{
    /// <summary>What <c>EngineFullVersion</c> reports (the padb version the SQL endpoint announces).</summary>
    private const string EngineFullVersion = "Redshift 1.0.77467";

    private Api.CreateClusterSnapshotResult CreateClusterSnapshot(AwsCall call, Api.CreateClusterSnapshotMessage p)
    {
        var region = RegionOf(call);
        var account = call.Caller.AccountId;
        var clusterId = ClusterRules.NormalizeIdentifier(p.ClusterIdentifier);
        var snapshotId = p.SnapshotIdentifier.ToLowerInvariant();
        var tags = ReadTags(p.Tags);
        var keys = new Dictionary<string, IReadOnlyList<string>>();
        TagRules.AddRequestKeys(keys, tags);
        call.Authorize("redshift:CreateClusterSnapshot", ClusterSnapshot.SnapshotArn(region, account, clusterId, snapshotId), keys);

        ClusterRules.ValidateSnapshotIdentifier(snapshotId);
        var retention = p.ManualSnapshotRetentionPeriod ?? -1;
        ClusterRules.ValidateManualSnapshotRetentionPeriod(retention);
        TagRules.Validate(tags);
        TagRules.Merge([], tags);
        var now = _time.GetUtcNow();
        var cluster = _store.Find(account, region, clusterId, now) ?? throw RedshiftErrors.ClusterNotFound(p.ClusterIdentifier);
        if (cluster.Status != ClusterStatus.Available) throw RedshiftErrors.ConcurrentOperation();
        return new Api.CreateClusterSnapshotResult(View(TakeSnapshot(cluster, snapshotId, retention, tags, now, final: false), now));
    }

    /// <summary>Reserves the snapshot's identifier, copies the warehouse, and records its size; a failed copy leaves nothing.</summary>
    private ClusterSnapshot TakeSnapshot(Cluster cluster, string snapshotId, int retention, IReadOnlyList<ClusterTag> tags, DateTimeOffset now, bool final)
    {
        var snapshot = new ClusterSnapshot
        {
            AccountId = cluster.AccountId,
            Region = cluster.Region,
            SnapshotIdentifier = snapshotId,
            ClusterIdentifier = cluster.Identifier,
            CreateTime = now,
            AvailableAt = now + (_options.SnapshotCreateDelay ?? _options.CreateDelay),
            ClusterCreateTime = cluster.CreateTime,
            NodeType = cluster.NodeType,
            NumberOfNodes = cluster.NumberOfNodes,
            MasterUsername = cluster.MasterUsername,
            MasterPasswordSecret = cluster.MasterPasswordSecret,
            DbName = cluster.DbName,
            Attributes = cluster.Attributes,
            ManualSnapshotRetentionPeriod = retention,
            Tags = tags,
        };
        _snapshots.Add(snapshot);
        long size;
        try
        {
            size = _endpoints.SnapshotAsync(cluster.EndpointSpec(_options.SqlHost), snapshot.Location).GetAwaiter().GetResult();
        }
        catch
        {
            _snapshots.Remove(snapshot.AccountId, snapshot.Region, snapshot.SnapshotIdentifier);
            _endpoints.DeleteSnapshotAsync(snapshot.Location).GetAwaiter().GetResult();
            throw;
        }
        _snapshots.SetSize(snapshot.AccountId, snapshot.Region, snapshot.SnapshotIdentifier, size);
        Record(SnapshotEvent(final ? Events.EventCatalog.FinalSnapshotStarted : Events.EventCatalog.SnapshotStarted, snapshot, now),
            SnapshotEvent(final ? Events.EventCatalog.FinalSnapshotCompleted : Events.EventCatalog.SnapshotCompleted, snapshot, snapshot.AvailableAt));
        return snapshot with { SizeBytes = size };
    }

    private Api.SnapshotMessage DescribeClusterSnapshots(AwsCall call, Api.DescribeClusterSnapshotsMessage p)
    {
        var region = RegionOf(call);
        var account = call.Caller.AccountId;
        var clusterId = NullIfEmpty(p.ClusterIdentifier) is { } c ? ClusterRules.NormalizeIdentifier(c) : null;
        var snapshotId = NullIfEmpty(p.SnapshotIdentifier)?.ToLowerInvariant();
        var snapshotArn = NullIfEmpty(p.SnapshotArn);
        var maxRecords = p.MaxRecords ?? 100;
        var marker = NullIfEmpty(p.Marker);
        var now = _time.GetUtcNow();

        if (snapshotArn is not null)
        {
            if (snapshotId is not null)
                // unverified: AWS's text.
                throw RedshiftErrors.InvalidParameterCombination("A request can specify either SnapshotIdentifier or SnapshotArn, but not both.");
            (clusterId, snapshotId) = ParseSnapshotArn(snapshotArn, account, region);
        }
        var found = snapshotId is null ? null : _snapshots.Find(account, region, snapshotId);
        var resource = ClusterSnapshot.SnapshotArn(region, account, found?.ClusterIdentifier ?? clusterId ?? "*", snapshotId ?? "*");
        call.Authorize("redshift:DescribeClusterSnapshots", resource);
        if (maxRecords is < 20 or > 100)
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterValue($"MaxRecords must be between 20 and 100, but was {maxRecords}.");
        if (p.OwnerAccount is { Length: > 0 } owner && owner != account) return new Api.SnapshotMessage([]);

        IEnumerable<ClusterSnapshot> matching;
        if (snapshotId is not null)
        {
            if (found is null || (clusterId is not null && found.ClusterIdentifier != clusterId))
                throw RedshiftErrors.SnapshotNotFound(p.SnapshotIdentifier ?? snapshotId);
            matching = [found];
        }
        else
        {
            matching = _snapshots.List(account, region).Where(s => clusterId is null || s.ClusterIdentifier == clusterId);
        }
        var tagKeys = p.TagKeys ?? [];
        var tagValues = p.TagValues ?? [];
        matching = matching
            // LocalShift takes no automated snapshots: asking for them finds none.
            .Where(s => NullIfEmpty(p.SnapshotType) is not { } type || type.Equals(s.SnapshotType, StringComparison.OrdinalIgnoreCase))
            .Where(s => p.StartTime is not { } start || s.CreateTime >= start)
            .Where(s => p.EndTime is not { } end || s.CreateTime <= end)
            .Where(s => (tagKeys.Count == 0 && tagValues.Count == 0)
                        || s.Tags.Any(t => (tagKeys.Count == 0 || tagKeys.Contains(t.Key, StringComparer.Ordinal))
                                        && (tagValues.Count == 0 || tagValues.Contains(t.Value, StringComparer.Ordinal))));
        if (p.ClusterExists is { } exists)
            matching = matching.Where(s => (_store.Find(account, region, s.ClusterIdentifier, now) is not null) == exists);
        var list = Sort(matching, p.SortingEntities ?? []).ToList();

        var start0 = marker is null ? 0 : int.TryParse(DecodeMarker(marker), NumberStyles.None, CultureInfo.InvariantCulture, out var s0) ? s0 : throw InvalidMarker();
        var page = list.Skip(start0).Take(maxRecords).ToList();
        return new Api.SnapshotMessage(page.Select(s => View(s, now)).ToList(),
            start0 + page.Count < list.Count ? EncodeMarker((start0 + page.Count).ToString(CultureInfo.InvariantCulture)) : null);
    }

    /// <summary>Orders by the request's SortingEntities (CREATE_TIME, TOTAL_SIZE, SOURCE_TYPE; ASC or DESC); default: newest first.</summary>
    private static IEnumerable<ClusterSnapshot> Sort(IEnumerable<ClusterSnapshot> snapshots, List<Api.SnapshotSortingEntity> order)
    {
        if (order.Count == 0) return snapshots.OrderByDescending(s => s.CreateTime).ThenBy(s => s.SnapshotIdentifier, StringComparer.Ordinal);
        IOrderedEnumerable<ClusterSnapshot>? sorted = null;
        foreach (var entity in order)
        {
            var descending = (entity.SortOrder ?? "DESC").Equals("DESC", StringComparison.OrdinalIgnoreCase);
            Func<ClusterSnapshot, IComparable> key = (entity.Attribute ?? "").ToUpperInvariant() switch
            {
                "CREATE_TIME" => s => s.CreateTime,
                "TOTAL_SIZE" => s => s.SizeBytes,
                "SOURCE_TYPE" => s => s.SnapshotType,
                // unverified: AWS's text.
                _ => throw RedshiftErrors.InvalidParameterValue($"Invalid sort attribute: {entity.Attribute}. Valid values are SOURCE_TYPE, TOTAL_SIZE and CREATE_TIME."),
            };
            sorted = sorted is null
                ? (descending ? snapshots.OrderByDescending(key) : snapshots.OrderBy(key))
                : (descending ? sorted.ThenByDescending(key) : sorted.ThenBy(key));
        }
        return sorted!;
    }

    private Api.DeleteClusterSnapshotResult DeleteClusterSnapshot(AwsCall call, Api.DeleteClusterSnapshotMessage p)
    {
        var region = RegionOf(call);
        var account = call.Caller.AccountId;
        var snapshotId = p.SnapshotIdentifier.ToLowerInvariant();
        var clusterId = NullIfEmpty(p.SnapshotClusterIdentifier) is { } c ? ClusterRules.NormalizeIdentifier(c) : null;
        var found = _snapshots.Find(account, region, snapshotId);
        call.Authorize("redshift:DeleteClusterSnapshot",
            ClusterSnapshot.SnapshotArn(region, account, clusterId ?? found?.ClusterIdentifier ?? "*", snapshotId));
        if (found is null || (clusterId is not null && found.ClusterIdentifier != clusterId))
            throw RedshiftErrors.SnapshotNotFound(p.SnapshotIdentifier);
        var now = _time.GetUtcNow();
        var removed = _snapshots.Remove(account, region, snapshotId, s =>
        {
            if (s.Status(now) != SnapshotStatus.Available) throw RedshiftErrors.SnapshotNotAvailableForDelete(p.SnapshotIdentifier);
        }) ?? throw RedshiftErrors.SnapshotNotFound(p.SnapshotIdentifier);
        _endpoints.DeleteSnapshotAsync(removed.Location).GetAwaiter().GetResult();
        Record(SnapshotEvent(Events.EventCatalog.SnapshotDeleted, removed, now));
        // unverified: AWS answers the deleted snapshot with Status "deleted".
        return new Api.DeleteClusterSnapshotResult(View(removed, now) with { Status = SnapshotStatus.Deleted });
    }

    private Api.RestoreFromClusterSnapshotResult RestoreFromClusterSnapshot(AwsCall call, Api.RestoreFromClusterSnapshotMessage p)
    {
        var region = RegionOf(call);
        var account = call.Caller.AccountId;
        var id = ClusterRules.NormalizeIdentifier(p.ClusterIdentifier);
        var snapshotIdParam = NullIfEmpty(p.SnapshotIdentifier);
        var snapshotArn = NullIfEmpty(p.SnapshotArn);
        var sourceCluster = NullIfEmpty(p.SnapshotClusterIdentifier) is { } sc ? ClusterRules.NormalizeIdentifier(sc) : null;
        string snapshotId;
        if (snapshotArn is not null)
        {
            if (snapshotIdParam is not null)
                // unverified: AWS's text.
                throw RedshiftErrors.InvalidParameterCombination("A request can specify either SnapshotIdentifier or SnapshotArn, but not both.");
            (sourceCluster, snapshotId) = ParseSnapshotArn(snapshotArn, account, region);
        }
        else
        {
            snapshotId = (snapshotIdParam ?? throw AwsException.MissingParameter("SnapshotIdentifier")).ToLowerInvariant();
        }
        var roleArns = p.IamRoles ?? [];
        var defaultRole = NullIfEmpty(p.DefaultIamRoleArn);
        var snapshot = _snapshots.Find(account, region, snapshotId);
        call.Authorize("redshift:RestoreFromClusterSnapshot",
            ClusterSnapshot.SnapshotArn(region, account, sourceCluster ?? snapshot?.ClusterIdentifier ?? "*", snapshotId));
        call.Authorize("redshift:RestoreFromClusterSnapshot", Arn.Cluster(region, account, id));

        ClusterRules.ValidateIdentifier(id);
        if (p.OwnerAccount is { Length: > 0 } owner && owner != account) throw RedshiftErrors.SnapshotNotFoundForRestore();
        if (snapshot is null || (sourceCluster is not null && snapshot.ClusterIdentifier != sourceCluster))
            throw RedshiftErrors.SnapshotNotFoundForRestore();
        var now = _time.GetUtcNow();
        if (snapshot.Status(now) != SnapshotStatus.Available) throw RedshiftErrors.SnapshotNotAvailableForRestore(snapshotIdParam ?? snapshotId);

        var nodeType = NullIfEmpty(p.NodeType) ?? snapshot.NodeType;
        var nodes = p.NodeType is null && p.NumberOfNodes is null
            ? snapshot.NumberOfNodes
            : ClusterRules.ValidateNodes(nodeType, null, p.NumberOfNodes ?? snapshot.NumberOfNodes);
        var port = p.Port ?? snapshot.Attributes.RequestedPort;
        ClusterRules.ValidatePort(port);
        var retention = p.AutomatedSnapshotRetentionPeriod ?? snapshot.Attributes.AutomatedSnapshotRetentionPeriod;
        ClusterRules.ValidateAutomatedSnapshotRetentionPeriod(retention);
        ClusterRules.ValidateGroupsAndKey(NullIfEmpty(p.ClusterParameterGroupName), NullIfEmpty(p.ClusterSubnetGroupName), NullIfEmpty(p.KmsKeyId), region);
        if (roleArns.Distinct(StringComparer.Ordinal).Count() > _options.RoleQuota) throw RedshiftErrors.RoleQuotaExceeded(id, _options.RoleQuota);
        if (defaultRole is not null && !roleArns.Contains(defaultRole, StringComparer.Ordinal)) throw RedshiftErrors.DefaultRoleNotInRoles();
        _vetting.Vet(call, account, roleArns);

        var attributes = snapshot.Attributes with
        {
            AvailabilityZone = NullIfEmpty(p.AvailabilityZone) ?? snapshot.Attributes.AvailabilityZone,
            PreferredMaintenanceWindow = NullIfEmpty(p.PreferredMaintenanceWindow) ?? snapshot.Attributes.PreferredMaintenanceWindow,
            AutomatedSnapshotRetentionPeriod = retention,
            ManualSnapshotRetentionPeriod = p.ManualSnapshotRetentionPeriod ?? snapshot.Attributes.ManualSnapshotRetentionPeriod,
            PubliclyAccessible = p.PubliclyAccessible ?? snapshot.Attributes.PubliclyAccessible,
            Encrypted = p.Encrypted ?? snapshot.Attributes.Encrypted,
            AllowVersionUpgrade = p.AllowVersionUpgrade ?? snapshot.Attributes.AllowVersionUpgrade,
            EnhancedVpcRouting = p.EnhancedVpcRouting ?? snapshot.Attributes.EnhancedVpcRouting,
            ClusterParameterGroupName = NullIfEmpty(p.ClusterParameterGroupName) ?? snapshot.Attributes.ClusterParameterGroupName,
            ClusterSubnetGroupName = NullIfEmpty(p.ClusterSubnetGroupName) ?? snapshot.Attributes.ClusterSubnetGroupName,
            VpcSecurityGroupIds = p.VpcSecurityGroupIds ?? snapshot.Attributes.VpcSecurityGroupIds,
            ClusterSecurityGroups = p.ClusterSecurityGroups ?? snapshot.Attributes.ClusterSecurityGroups,
            MaintenanceTrackName = NullIfEmpty(p.MaintenanceTrackName) ?? snapshot.Attributes.MaintenanceTrackName,
            KmsKeyId = NullIfEmpty(p.KmsKeyId) ?? snapshot.Attributes.KmsKeyId,
            RequestedPort = port,
        };

        // The warehouse is put in place before the cluster exists, so the lifecycle can never start it empty; an
        // identifier in use (even by a cluster still being deleted) is refused first, so no live folder is touched.
        if (_store.Find(account, region, id, now) is not null) throw RedshiftErrors.ClusterAlreadyExists();
        var availableAt = now + _options.CreateDelay;
        var spec = new ClusterEndpointSpec(account, region, id, snapshot.DbName, snapshot.MasterUsername, snapshot.MasterPasswordSecret,
            _options.SqlHost, 0) { RegionalFolder = true };
        _endpoints.RestoreAsync(spec, snapshot.Location).GetAwaiter().GetResult();

        var cluster = _store.Create(account, region, id, now, _options.SqlPortStart, _options.SqlPortEnd, sqlPort => new Cluster
        {
            AccountId = account,
            Region = region,
            Identifier = id,
            NodeType = nodeType,
            NumberOfNodes = nodes,
            MasterUsername = snapshot.MasterUsername,
            MasterPasswordSecret = snapshot.MasterPasswordSecret,
            DbName = snapshot.DbName,
            SqlPort = sqlPort,
            Status = ClusterStatus.Creating,
            CreateTime = now,
            AvailableAt = availableAt,
            NamespaceId = Guid.NewGuid().ToString(),
            DefaultIamRoleArn = defaultRole,
            Attributes = attributes,
            Roles = roleArns.Distinct(StringComparer.Ordinal).Select(r => new RoleAssociation(r, ApplyStatus.Adding, availableAt)).ToList(),
        });
        Record([ClusterEvent(Events.EventCatalog.RestoreStarted, cluster, now, snapshot: snapshot.SnapshotIdentifier),
            ClusterEvent(Events.EventCatalog.Restored, cluster, availableAt, snapshot: snapshot.SnapshotIdentifier),
            .. RoleChangeEvents(cluster with { Roles = [], DefaultIamRoleArn = null }, cluster, now)]);
        _lifecycle.Wake();
        return new Api.RestoreFromClusterSnapshotResult(View(cluster, now));
    }

    /// <summary>The final snapshot of DeleteCluster: its identifier checked, then taken while the cluster still runs.</summary>
    private void TakeFinalSnapshot(AwsCall call, Cluster cluster, string snapshotId, int? retentionPeriod)
    {
        // LocalShift's choice: a final snapshot is a CreateClusterSnapshot on the caller's behalf, authorized as one.
        call.Authorize("redshift:CreateClusterSnapshot", ClusterSnapshot.SnapshotArn(cluster.Region, cluster.AccountId, cluster.Identifier, snapshotId));
        var retention = retentionPeriod ?? -1;
        ClusterRules.ValidateManualSnapshotRetentionPeriod(retention);
        if (cluster.Status is not (ClusterStatus.Available or ClusterStatus.Paused)) throw RedshiftErrors.OperationRunningOnDelete();
        TakeSnapshot(cluster, snapshotId, retention, [], _time.GetUtcNow(), final: true);
    }

    private static Events.RedshiftEvent SnapshotEvent(Events.EventDefinition d, ClusterSnapshot s, DateTimeOffset at) =>
        Events.RedshiftEvent.Of(d, s.AccountId, s.Region, s.SnapshotIdentifier, at, cluster: s.ClusterIdentifier, snapshot: s.SnapshotIdentifier);

    /// <summary>Reads <c>arn:aws:redshift:&lt;region&gt;:&lt;account&gt;:snapshot:&lt;cluster&gt;/&lt;snapshot&gt;</c>.</summary>
    private static (string Cluster, string Snapshot) ParseSnapshotArn(string snapshotArn, string account, string region)
    {
        const string prefix = "snapshot:";
        if (Arn.TryParse(snapshotArn, out var arn) && arn.Service == "redshift" && arn.Resource.StartsWith(prefix, StringComparison.Ordinal)
            && arn.Resource[prefix.Length..].Split('/') is [{ Length: > 0 } cluster, { Length: > 0 } snapshot])
        {
            if (arn.Account != account || arn.Region != region) throw RedshiftErrors.SnapshotNotFound(snapshot);
            return (cluster.ToLowerInvariant(), snapshot.ToLowerInvariant());
        }
        // unverified: AWS's text.
        throw RedshiftErrors.InvalidParameterValue($"The ARN {snapshotArn} is not a valid snapshot ARN.");
    }

    private Api.Snapshot View(ClusterSnapshot s, DateTimeOffset now)
    {
        var a = s.Attributes;
        var megabytes = Math.Round(s.SizeBytes / 1048576.0, 3);
        var creating = s.Status(now) == SnapshotStatus.Creating;
        return new Api.Snapshot
        {
            SnapshotIdentifier = s.SnapshotIdentifier,
            ClusterIdentifier = s.ClusterIdentifier,
            SnapshotCreateTime = s.CreateTime,
            Status = s.Status(now),
            Port = a.RequestedPort,
            AvailabilityZone = a.AvailabilityZone,
            ClusterCreateTime = s.ClusterCreateTime,
            MasterUsername = s.MasterUsername,
            ClusterVersion = a.ClusterVersion,
            EngineFullVersion = EngineFullVersion,
            SnapshotType = s.SnapshotType,
            NodeType = s.NodeType,
            NumberOfNodes = s.NumberOfNodes,
            DBName = s.DbName,
            VpcId = ClusterView.VpcId(s.AccountId, s.Region),
            Encrypted = a.Encrypted,
            KmsKeyId = a.KmsKeyId,
            EncryptedWithHSM = false,
            OwnerAccount = s.AccountId,
            TotalBackupSizeInMegaBytes = megabytes,
            ActualIncrementalBackupSizeInMegaBytes = megabytes,
            BackupProgressInMegaBytes = megabytes,
            CurrentBackupRateInMegaBytesPerSecond = 0,
            EstimatedSecondsToCompletion = creating ? Math.Max(0, (long)Math.Ceiling((s.AvailableAt - now).TotalSeconds)) : 0,
            ElapsedTimeInSeconds = (long)Math.Max(0, ((creating ? now : s.AvailableAt) - s.CreateTime).TotalSeconds),
            Tags = s.Tags.Select(t => new Api.Tag(t.Key, t.Value)).ToList(),
            RestorableNodeTypes = [s.NodeType],
            EnhancedVpcRouting = a.EnhancedVpcRouting,
            MaintenanceTrackName = a.MaintenanceTrackName,
            ManualSnapshotRetentionPeriod = s.ManualSnapshotRetentionPeriod,
            ManualSnapshotRemainingDays = s.ManualSnapshotRetentionPeriod < 0 ? -1
                : Math.Max(0, s.ManualSnapshotRetentionPeriod - (int)(now - s.CreateTime).TotalDays),
            SnapshotRetentionStartTime = s.CreateTime,
        };
    }
}
