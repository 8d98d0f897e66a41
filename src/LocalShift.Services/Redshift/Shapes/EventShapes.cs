namespace LocalShift.Services.Redshift.Shapes;

// The Redshift model's shapes of DescribeEvents and DescribeEventCategories; see RedshiftShapes.cs for the conventions.

public sealed record DescribeEventsMessage(
    string? SourceIdentifier = null,
    string? SourceType = null,
    DateTimeOffset? StartTime = null,
    DateTimeOffset? EndTime = null,
    int? Duration = null,
    int? MaxRecords = null,
    string? Marker = null);

public sealed record Event(
    string SourceIdentifier,
    string SourceType,
    string Message,
    List<string> EventCategories,
    string Severity,
    DateTimeOffset Date,
    string EventId);

public sealed record EventsMessage(List<Event> Events, string? Marker = null);

public sealed record DescribeEventCategoriesMessage(string? SourceType = null);

public sealed record EventInfoMap(string EventId, List<string> EventCategories, string EventDescription, string Severity);
public sealed record EventCategoriesMap(string SourceType, List<EventInfoMap> Events);
public sealed record EventCategoriesMessage(List<EventCategoriesMap> EventCategoriesMapList);
