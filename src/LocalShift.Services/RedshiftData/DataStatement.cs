using LocalShift.Services.RedshiftData.Shapes;

namespace LocalShift.Services.RedshiftData;

/// <summary>The statuses a Data API statement passes through (the model's <c>StatusString</c>).</summary>
public static class StatementStatus
{
    public const string Submitted = "SUBMITTED";
    public const string Picked = "PICKED";
    public const string Started = "STARTED";
    public const string Finished = "FINISHED";
    public const string Aborted = "ABORTED";
    public const string Failed = "FAILED";
    public const string All = "ALL";

    public static bool IsActive(string status) => status is Submitted or Picked or Started;
}

/// <summary>
/// One statement sent through the Data API (a batch's parent or a single statement): who sent it, where it runs, and
/// its parts (<see cref="Parts"/>: one for ExecuteStatement, one per SQL for BatchExecuteStatement). Mutable only under
/// its own lock, by the worker running it and by CancelStatement.
/// </summary>
public sealed class DataStatement
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string Region { get; init; }
    /// <summary>The caller's identity for visibility: the IAM user, or the role (any of its sessions).</summary>
    public required string OwnerIdentity { get; init; }
    /// <summary>The caller's own session (a role session's ARN; a user's ARN).</summary>
    public required string OwnerSession { get; init; }
    public required string ClusterIdentifier { get; init; }
    public required string Database { get; init; }
    public string? DbUser { get; init; }
    public string? StatementName { get; init; }
    public required bool IsBatch { get; init; }
    public List<SqlParameter>? Parameters { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required IReadOnlyList<StatementPart> Parts { get; init; }

    public Lock Sync { get; } = new();
    public string Status { get; set; } = StatementStatus.Submitted;
    public DateTimeOffset UpdatedAt { get; set; }
    public string? Error { get; set; }
    public int? ProcessId { get; set; }
    public bool CancelRequested { get; set; }
    public IClusterStatementSession? Session { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>The part an id names: <c>id</c> for a single statement's only part, <c>id:n</c> for a batch's n-th.</summary>
    public StatementPart? Part(int? index) =>
        index is null ? (IsBatch ? null : Parts[0]) : index >= 1 && index <= Parts.Count ? Parts[index.Value - 1] : null;
}

/// <summary>One SQL text of a statement, its status and, once finished, its result.</summary>
public sealed class StatementPart
{
    public required string Id { get; init; }
    public required string Sql { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string Status { get; set; } = StatementStatus.Submitted;
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? Error { get; set; }
    public StatementOutcome? Outcome { get; set; }
    /// <summary>The result as the Data API returns it, typed once when the statement finishes.</summary>
    public List<List<Field>>? Records { get; set; }
    public List<ColumnMetadata>? Columns { get; set; }
    public long ResultSize { get; set; }

    public long? DurationNanoseconds => StartedAt is { } s && EndedAt is { } e ? (long)((e - s).TotalMilliseconds * 1_000_000) : null;
}
