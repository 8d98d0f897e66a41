using System.Globalization;
using LocalShift.Aws;
using LocalShift.Services.Redshift.Events;
using Api = LocalShift.Services.Redshift.Shapes;

namespace LocalShift.Services.Redshift;

/// <summary>
/// DescribeEvents and DescribeEventCategories: the events the other operations record (<see cref="EventLog"/>), filtered
/// by source, time window (default: the past hour) and paged. Both are authorized as <c>redshift:&lt;Operation&gt;</c>
/// on <c>*</c> (the service authorization reference lists no resource type for them).
/// </summary>
public sealed partial class RedshiftService
{
    private const int DefaultEventMinutes = 60;

    private Api.EventsMessage DescribeEvents(AwsCall call, Api.DescribeEventsMessage p)
    {
        var region = RegionOf(call);
        call.Authorize("redshift:DescribeEvents", "*");
        var sourceType = NullIfEmpty(p.SourceType);
        var sourceId = NullIfEmpty(p.SourceIdentifier);
        var maxRecords = p.MaxRecords ?? 100;
        if (sourceType is not null && !EventSourceType.All.Contains(sourceType))
            // unverified: AWS's text (the CLI and SDKs send what they are given).
            throw RedshiftErrors.InvalidParameterValue($"Invalid source type: {sourceType}. Valid values are {string.Join(", ", EventSourceType.All)}.");
        if (sourceId is not null && sourceType is null)
            // The model's documentation: "If SourceIdentifier is supplied, SourceType must also be provided." unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterCombination("SourceType must be specified when SourceIdentifier is specified.");
        if (maxRecords is < 20 or > 100)
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterValue($"MaxRecords must be between 20 and 100, but was {maxRecords}.");
        if (p.Duration is < 0)
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterValue($"Duration must not be negative, but was {p.Duration}.");

        var now = _time.GetUtcNow();
        var from = p.StartTime ?? now.AddMinutes(-(p.Duration ?? DefaultEventMinutes));
        var to = p.EndTime ?? now;
        if (p.StartTime is { } s && p.EndTime is { } e && e < s)
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterCombination("EndTime must be later than StartTime.");
        // Role associations that settled since the last write become events now.
        _store.Settle(now);
        var matching = _events.List(call.Caller.AccountId, region, from, to, now)
            .Where(x => sourceType is null || x.SourceType == sourceType)
            .Where(x => sourceId is null || x.SourceIdentifier.Equals(sourceId, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var start = NullIfEmpty(p.Marker) is { } marker
            ? int.TryParse(DecodeMarker(marker), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw InvalidMarker()
            : 0;
        var page = matching.Skip(start).Take(maxRecords).ToList();
        return new Api.EventsMessage(
            page.Select(x => new Api.Event(x.SourceIdentifier, x.SourceType, x.Message, [x.Category], x.Severity, x.Date, x.EventId)).ToList(),
            start + page.Count < matching.Count ? EncodeMarker((start + page.Count).ToString(CultureInfo.InvariantCulture)) : null);
    }

    private Api.EventCategoriesMessage DescribeEventCategories(AwsCall call, Api.DescribeEventCategoriesMessage p)
    {
        call.Authorize("redshift:DescribeEventCategories", "*");
        var sourceType = NullIfEmpty(p.SourceType);
        if (sourceType is not null && !EventSourceType.All.Contains(sourceType))
            // unverified: AWS's text.
            throw RedshiftErrors.InvalidParameterValue($"Invalid source type: {sourceType}. Valid values are {string.Join(", ", EventSourceType.All)}.");
        var maps = EventCatalog.All
            .Where(d => sourceType is null || d.SourceType == sourceType)
            .GroupBy(d => d.SourceType)
            .Select(g => new Api.EventCategoriesMap(g.Key, g.Select(d => new Api.EventInfoMap(d.EventId, [d.Category], d.Description, d.Severity)).ToList()))
            .ToList();
        return new Api.EventCategoriesMessage(maps);
    }

    /// <summary>Records events of one cluster or snapshot operation (no-op for none).</summary>
    private void Record(params RedshiftEvent[] events)
    {
        if (events.Length > 0) _events.Record(events);
    }

    private static RedshiftEvent ClusterEvent(EventDefinition d, Cluster c, DateTimeOffset at, string? snapshot = null, string? role = null) =>
        RedshiftEvent.Of(d, c.AccountId, c.Region, c.Identifier, at, cluster: c.Identifier, snapshot: snapshot, role: role);

    /// <summary>The role events of a change of a cluster's associations: roles that started adding or removing, a new default.</summary>
    private static IEnumerable<RedshiftEvent> RoleChangeEvents(Cluster before, Cluster after, DateTimeOffset now)
    {
        foreach (var r in after.Roles)
        {
            var old = before.Roles.FirstOrDefault(x => x.RoleArn == r.RoleArn);
            if (old?.ApplyStatus == r.ApplyStatus && old.DueAt == r.DueAt) continue;
            if (r.ApplyStatus == ApplyStatus.Adding) yield return ClusterEvent(EventCatalog.RoleAdding, after, now, role: r.RoleArn);
            if (r.ApplyStatus == ApplyStatus.Removing) yield return ClusterEvent(EventCatalog.RoleRemoving, after, now, role: r.RoleArn);
        }
        if (after.DefaultIamRoleArn is { } d && d != before.DefaultIamRoleArn)
            yield return ClusterEvent(EventCatalog.DefaultRoleChanged, after, now, role: d);
    }
}
