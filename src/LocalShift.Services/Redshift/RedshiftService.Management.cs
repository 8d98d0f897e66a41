using System.Globalization;
using LocalShift.Aws;
using LocalShift.Core;
using Api = LocalShift.Services.Redshift.Shapes;

namespace LocalShift.Services.Redshift;

/// <summary>
/// The operations infrastructure tools call besides CreateCluster/DeleteCluster, after what Terraform's
/// aws_redshift_cluster calls: ModifyCluster (update), DescribeLoggingStatus (every read), EnableLogging/DisableLogging,
/// RebootCluster; and PauseCluster/ResumeCluster, the default parameter and subnet groups, versions and orderable options.
/// Each authorizes <c>redshift:&lt;Operation&gt;</c> on the cluster ARN (with its tag keys), or on the parameter or
/// subnet group's ARN.
/// </summary>
public sealed partial class RedshiftService
{
    public const string DefaultParameterGroup = "default.redshift-1.0";
    public const string ParameterGroupFamily = "redshift-1.0";
    public const string DefaultSubnetGroup = "default";

    private Api.ModifyClusterResult ModifyCluster(AwsCall call, Api.ModifyClusterMessage p)
    {
        var region = RegionOf(call);
        var account = call.Caller.AccountId;
        var id = ClusterRules.NormalizeIdentifier(p.ClusterIdentifier);
        var now = _time.GetUtcNow();
        var existing = _store.Find(account, region, id, now);
        AuthorizeOnCluster(call, "redshift:ModifyCluster", Arn.Cluster(region, account, id), existing);
        if (existing is null) throw RedshiftErrors.ClusterNotFound(p.ClusterIdentifier);
        if (NullIfEmpty(p.NewClusterIdentifier) is { } renamed && ClusterRules.NormalizeIdentifier(renamed) != id)
            // LocalShift's choice: a cluster's identifier names its folder, its ARN and its db users, so it stays.
            throw new AwsException("UnsupportedOptionFault", "LocalShift does not rename clusters (NewClusterIdentifier).", 400);

        var password = NullIfEmpty(p.MasterUserPassword);
        if (password is not null) ClusterRules.ValidateMasterUserPassword(password);
        var resize = p.NodeType is not null || p.NumberOfNodes is not null || p.ClusterType is not null;
        var nodeType = NullIfEmpty(p.NodeType) ?? existing.NodeType;
        var clusterType = NullIfEmpty(p.ClusterType);
        var nodes = resize
            ? ClusterRules.ValidateNodes(nodeType, clusterType, p.NumberOfNodes ?? (clusterType == ClusterRules.SingleNode ? null : existing.NumberOfNodes))
            : existing.NumberOfNodes;
        if (p.AutomatedSnapshotRetentionPeriod is { } automated) ClusterRules.ValidateAutomatedSnapshotRetentionPeriod(automated);
        if (p.ManualSnapshotRetentionPeriod is { } manual) ClusterRules.ValidateManualSnapshotRetentionPeriod(manual);
        if (p.Port is { } port) ClusterRules.ValidatePort(port);
        if (NullIfEmpty(p.ClusterParameterGroupName) is { } group && group != DefaultParameterGroup) throw ParameterGroupNotFound(group);
        // Hashed before the store's write lock is taken (4096 rounds of PBKDF2).
        var secret = password is null ? null : ClusterEndpointSpec.MasterSecret(existing.MasterUsername, password);

        var cluster = _store.Update(account, region, id, now, current =>
        {
            if (current.Status != ClusterStatus.Available) throw RedshiftErrors.ConcurrentOperation();
            var a = current.Attributes;
            var changedNodes = nodeType != current.NodeType || nodes != current.NumberOfNodes;
            return current with
            {
                NodeType = nodeType,
                NumberOfNodes = nodes,
                MasterPasswordSecret = secret ?? current.MasterPasswordSecret,
                // A resize passes through resizing (the SQL endpoint stays up, as in an elastic resize).
                Status = changedNodes ? ClusterStatus.Resizing : current.Status,
                AvailableAt = changedNodes ? now + _options.CreateDelay : current.AvailableAt,
                Attributes = a with
                {
                    VpcSecurityGroupIds = p.VpcSecurityGroupIds ?? a.VpcSecurityGroupIds,
                    ClusterSecurityGroups = p.ClusterSecurityGroups ?? a.ClusterSecurityGroups,
                    ClusterParameterGroupName = NullIfEmpty(p.ClusterParameterGroupName) ?? a.ClusterParameterGroupName,
                    AutomatedSnapshotRetentionPeriod = p.AutomatedSnapshotRetentionPeriod ?? a.AutomatedSnapshotRetentionPeriod,
                    ManualSnapshotRetentionPeriod = p.ManualSnapshotRetentionPeriod ?? a.ManualSnapshotRetentionPeriod,
                    PreferredMaintenanceWindow = NullIfEmpty(p.PreferredMaintenanceWindow) ?? a.PreferredMaintenanceWindow,
                    ClusterVersion = NullIfEmpty(p.ClusterVersion) ?? a.ClusterVersion,
                    AllowVersionUpgrade = p.AllowVersionUpgrade ?? a.AllowVersionUpgrade,
                    PubliclyAccessible = p.PubliclyAccessible ?? a.PubliclyAccessible,
                    EnhancedVpcRouting = p.EnhancedVpcRouting ?? a.EnhancedVpcRouting,
                    MaintenanceTrackName = NullIfEmpty(p.MaintenanceTrackName) ?? a.MaintenanceTrackName,
                    Encrypted = p.Encrypted ?? a.Encrypted,
                    KmsKeyId = NullIfEmpty(p.KmsKeyId) ?? a.KmsKeyId,
                    AvailabilityZone = NullIfEmpty(p.AvailabilityZone) ?? a.AvailabilityZone,
                    RequestedPort = p.Port ?? a.RequestedPort,
                },
            };
        });
        // The running endpoint takes the new password at once; its open sessions stay.
        if (secret is not null) _endpoints.SetMasterPasswordAsync(cluster.EndpointSpec(_options.SqlHost)).GetAwaiter().GetResult();
        var events = new List<Events.RedshiftEvent>();
        if (secret is not null) events.Add(ClusterEvent(Events.EventCatalog.MasterCredentialsUpdated, cluster, now));
        if (cluster.Status == ClusterStatus.Resizing)
        {
            events.Add(ClusterEvent(Events.EventCatalog.ResizeStarted, cluster, now));
            events.Add(ClusterEvent(Events.EventCatalog.ResizeCompleted, cluster, cluster.AvailableAt));
        }
        if (p.VpcSecurityGroupIds is { } groups && !groups.SequenceEqual(existing.Attributes.VpcSecurityGroupIds))
            events.Add(ClusterEvent(Events.EventCatalog.VpcSecurityGroupsUpdated, cluster, now));
        Record([.. events]);
        _lifecycle.Wake();
        return new Api.ModifyClusterResult(View(cluster, now));
    }

    private Api.PauseClusterResult PauseCluster(AwsCall call, Api.ClusterIdentifierMessage p) =>
        new(Transition(call, "redshift:PauseCluster", p.ClusterIdentifier, ClusterStatus.Available, ClusterStatus.Pausing));

    private Api.ResumeClusterResult ResumeCluster(AwsCall call, Api.ClusterIdentifierMessage p) =>
        new(Transition(call, "redshift:ResumeCluster", p.ClusterIdentifier, ClusterStatus.Paused, ClusterStatus.Resuming));

    private Api.RebootClusterResult RebootCluster(AwsCall call, Api.ClusterIdentifierMessage p) =>
        new(Transition(call, "redshift:RebootCluster", p.ClusterIdentifier, ClusterStatus.Available, ClusterStatus.Rebooting));

    /// <summary>Moves a cluster in status <paramref name="from"/> into the transitional status <paramref name="to"/>.</summary>
    private Api.Cluster Transition(AwsCall call, string action, string idParam, string from, string to)
    {
        var region = RegionOf(call);
        var account = call.Caller.AccountId;
        var id = ClusterRules.NormalizeIdentifier(idParam);
        var now = _time.GetUtcNow();
        AuthorizeOnCluster(call, action, Arn.Cluster(region, account, id), _store.Find(account, region, id, now));
        var cluster = _store.Update(account, region, id, now, current => current.Status == from
            ? current with { Status = to, AvailableAt = now + _options.CreateDelay }
            // unverified: AWS's texts for pausing a cluster that is not available and resuming one that is not paused.
            : throw new AwsException("InvalidClusterState", to == ClusterStatus.Resuming
                ? $"You can only resume a paused cluster. Cluster {idParam} is in state {current.Status}."
                : $"Cluster {idParam} must be available for this operation; it is {current.Status}.", 400));
        Record(to switch
        {
            ClusterStatus.Pausing => [ClusterEvent(Events.EventCatalog.PauseStarted, cluster, now), ClusterEvent(Events.EventCatalog.Paused, cluster, cluster.AvailableAt)],
            ClusterStatus.Resuming => [ClusterEvent(Events.EventCatalog.ResumeStarted, cluster, now), ClusterEvent(Events.EventCatalog.Resumed, cluster, cluster.AvailableAt)],
            _ => [ClusterEvent(Events.EventCatalog.Rebooted, cluster, cluster.AvailableAt)],
        });
        _lifecycle.Wake();
        return View(cluster, now);
    }

    private Api.LoggingStatus DescribeLoggingStatus(AwsCall call, Api.ClusterIdentifierMessage p)
    {
        var cluster = FindForLogging(call, "redshift:DescribeLoggingStatus", p.ClusterIdentifier);
        return Logging(cluster.Attributes.Logging);
    }

    private Api.LoggingStatus EnableLogging(AwsCall call, Api.EnableLoggingMessage p)
    {
        var cluster = FindForLogging(call, "redshift:EnableLogging", p.ClusterIdentifier);
        var destination = (NullIfEmpty(p.LogDestinationType) ?? "s3").ToLowerInvariant();
        if (destination is not ("s3" or "cloudwatch"))
            throw RedshiftErrors.InvalidParameterValue($"Invalid LogDestinationType: {p.LogDestinationType}. Valid values are s3 and cloudwatch."); // unverified
        var bucket = NullIfEmpty(p.BucketName);
        if (destination == "s3" && bucket is null)
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterCombination("BucketName is required when LogDestinationType is s3.");
        var exports = p.LogExports ?? [];
        foreach (var e in exports.Where(e => e is not ("connectionlog" or "userlog" or "useractivitylog")))
            throw RedshiftErrors.InvalidParameterValue($"Invalid log type: {e}. Valid values are connectionlog, userlog and useractivitylog."); // unverified
        var logging = new ClusterLogging
        {
            Enabled = true,
            BucketName = destination == "s3" ? bucket : null,
            S3KeyPrefix = destination == "s3" ? NullIfEmpty(p.S3KeyPrefix) : null,
            DestinationType = destination,
            LogExports = exports,
        };
        var updated = SetLogging(cluster, logging);
        return Logging(updated.Attributes.Logging);
    }

    private Api.LoggingStatus DisableLogging(AwsCall call, Api.ClusterIdentifierMessage p)
    {
        var cluster = FindForLogging(call, "redshift:DisableLogging", p.ClusterIdentifier);
        return Logging(SetLogging(cluster, new ClusterLogging()).Attributes.Logging);
    }

    private Cluster FindForLogging(AwsCall call, string action, string idParam)
    {
        var region = RegionOf(call);
        var account = call.Caller.AccountId;
        var id = ClusterRules.NormalizeIdentifier(idParam);
        var cluster = _store.Find(account, region, id, _time.GetUtcNow());
        AuthorizeOnCluster(call, action, Arn.Cluster(region, account, id), cluster);
        return cluster ?? throw RedshiftErrors.ClusterNotFound(idParam);
    }

    private Cluster SetLogging(Cluster cluster, ClusterLogging logging) =>
        _store.Update(cluster.AccountId, cluster.Region, cluster.Identifier, _time.GetUtcNow(), current =>
            current.Status is ClusterStatus.Deleting or ClusterStatus.Creating
                ? throw RedshiftErrors.ConcurrentOperation()
                : current with { Attributes = current.Attributes with { Logging = logging } });

    private static Api.LoggingStatus Logging(ClusterLogging l) =>
        new(l.Enabled, l.BucketName, l.S3KeyPrefix, l.Enabled ? l.DestinationType : null, l.Enabled ? l.LogExports.ToList() : null);

    private Api.ClusterParameterGroupsMessage DescribeClusterParameterGroups(AwsCall call, Api.DescribeClusterParameterGroupsMessage p)
    {
        var region = RegionOf(call);
        var name = NullIfEmpty(p.ParameterGroupName);
        call.Authorize("redshift:DescribeClusterParameterGroups", $"arn:aws:redshift:{region}:{call.Caller.AccountId}:parametergroup:{name ?? "*"}");
        if (name is not null && name != DefaultParameterGroup) throw ParameterGroupNotFound(name);
        // The default group carries no tags: a tag filter finds nothing.
        var groups = (p.TagKeys ?? []).Count + (p.TagValues ?? []).Count > 0
            ? []
            : new List<Api.ClusterParameterGroup> { new(DefaultParameterGroup, ParameterGroupFamily, "Default parameter group for " + ParameterGroupFamily, []) };
        return new Api.ClusterParameterGroupsMessage(groups);
    }

    private Api.ClusterParameterGroupDetails DescribeClusterParameters(AwsCall call, Api.DescribeClusterParametersMessage p)
    {
        var region = RegionOf(call);
        call.Authorize("redshift:DescribeClusterParameters", $"arn:aws:redshift:{region}:{call.Caller.AccountId}:parametergroup:{p.ParameterGroupName}");
        if (p.ParameterGroupName != DefaultParameterGroup) throw ParameterGroupNotFound(p.ParameterGroupName);
        var source = NullIfEmpty(p.Source);
        // Every parameter of the default group is the engine's default; "user" finds none.
        var parameters = source is null or "engine-default" ? DefaultParameters.All.ToList() : [];
        return new Api.ClusterParameterGroupDetails(parameters);
    }

    private Api.DescribeDefaultClusterParametersResult DescribeDefaultClusterParameters(AwsCall call, Api.DescribeDefaultClusterParametersMessage p)
    {
        call.Authorize("redshift:DescribeDefaultClusterParameters", "*");
        // unverified: what AWS answers for a family that does not exist (LocalShift: no parameters).
        var parameters = p.ParameterGroupFamily == ParameterGroupFamily ? DefaultParameters.All.ToList() : [];
        return new Api.DescribeDefaultClusterParametersResult(new Api.DefaultClusterParameters(p.ParameterGroupFamily, parameters));
    }

    private Api.ClusterSubnetGroupMessage DescribeClusterSubnetGroups(AwsCall call, Api.DescribeClusterSubnetGroupsMessage p)
    {
        var region = RegionOf(call);
        var account = call.Caller.AccountId;
        var name = NullIfEmpty(p.ClusterSubnetGroupName);
        call.Authorize("redshift:DescribeClusterSubnetGroups", $"arn:aws:redshift:{region}:{account}:subnetgroup:{name ?? "*"}");
        if (name is not null && name != DefaultSubnetGroup)
            throw RedshiftErrors.SubnetGroupNotFound(name);
        if ((p.TagKeys ?? []).Count + (p.TagValues ?? []).Count > 0) return new Api.ClusterSubnetGroupMessage([]);
        var vpc = ClusterView.VpcId(account, region);
        var subnets = new[] { "a", "b", "c" }.Select(zone => new Api.Subnet(
            "subnet-" + vpc[4..12] + zone.PadLeft(9, '0'), new Api.AvailabilityZone(region + zone, []), "Active")).ToList();
        return new Api.ClusterSubnetGroupMessage(
            [new Api.ClusterSubnetGroup(DefaultSubnetGroup, "default", vpc, "Complete", subnets, [])]);
    }

    private Api.ClusterVersionsMessage DescribeClusterVersions(AwsCall call, Api.DescribeClusterVersionsMessage p)
    {
        call.Authorize("redshift:DescribeClusterVersions", "*");
        var matches = (NullIfEmpty(p.ClusterVersion) ?? "1.0") == "1.0" && (NullIfEmpty(p.ClusterParameterGroupFamily) ?? ParameterGroupFamily) == ParameterGroupFamily;
        return new Api.ClusterVersionsMessage(matches ? [new Api.ClusterVersionInfo("1.0", ParameterGroupFamily, "Initial release of redshift")] : []);
    }

    private Api.OrderableClusterOptionsMessage DescribeOrderableClusterOptions(AwsCall call, Api.DescribeOrderableClusterOptionsMessage p)
    {
        var region = RegionOf(call);
        call.Authorize("redshift:DescribeOrderableClusterOptions", "*");
        var maxRecords = p.MaxRecords ?? 100;
        if (maxRecords is < 20 or > 100)
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterValue($"MaxRecords must be between 20 and 100, but was {maxRecords}.");
        var zones = new[] { "a", "b", "c" }.Select(z => new Api.AvailabilityZone(region + z, [])).ToList();
        var options = (NullIfEmpty(p.ClusterVersion) ?? "1.0") != "1.0" ? [] : ClusterRules.NodeTypes.Values
            .Where(n => NullIfEmpty(p.NodeType) is not { } wanted || wanted == n.NodeType)
            .OrderBy(n => n.NodeType, StringComparer.Ordinal)
            .SelectMany(n => (n.SingleNode ? new[] { ClusterRules.MultiNode, ClusterRules.SingleNode } : [ClusterRules.MultiNode])
                .Select(type => new Api.OrderableClusterOption("1.0", type, n.NodeType, zones)))
            .ToList();
        var start = NullIfEmpty(p.Marker) is { } marker
            ? int.TryParse(DecodeMarker(marker), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : throw InvalidMarker()
            : 0;
        var page = options.Skip(start).Take(maxRecords).ToList();
        return new Api.OrderableClusterOptionsMessage(page,
            start + page.Count < options.Count ? EncodeMarker((start + page.Count).ToString(CultureInfo.InvariantCulture)) : null);
    }

    private static AwsException ParameterGroupNotFound(string name) => RedshiftErrors.ParameterGroupNotFound(name);
}
