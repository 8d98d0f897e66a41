using LocalShift.Policy.Evaluation;

namespace LocalShift.Services.Authorization;

/// <summary>One authorization decision as a user reads it in /_localshift/decisions.</summary>
public sealed record DecisionRecord(
    DateTimeOffset Time,
    string? RequestId,
    string Principal,
    string Action,
    string Resource,
    string Decision,
    string? DeniedBy,
    IReadOnlyList<string> Statements,
    IReadOnlyList<string> MissingContextKeys,
    string? Message,
    string? Note);

/// <summary>The most recent decisions, bounded; old ones fall off. Safe for concurrent writers.</summary>
public sealed class DecisionLog(int capacity = 10_000)
{
    private readonly DecisionRecord?[] _ring = new DecisionRecord?[capacity];
    private long _next;
    private readonly Lock _lock = new();

    public void Add(DecisionRecord record)
    {
        lock (_lock)
        {
            _ring[_next % _ring.Length] = record;
            _next++;
        }
    }

    public DecisionRecord Add(Decision decision, string principal, string action, string resource, DateTimeOffset time,
        string? requestId, string? message, string? note = null)
    {
        var r = new DecisionRecord(time, requestId, principal, action, resource, decision.EvalDecision,
            decision.DeniedBy == PolicyLayer.None ? null : decision.DeniedBy.ToString(),
            decision.Statements.Select(s => $"{s.Layer}: {s}").ToArray(),
            decision.MissingContextKeys, message, note);
        Add(r);
        return r;
    }

    /// <summary>Newest first, filtered by principal (substring), action (case-insensitive) and decision.</summary>
    public IReadOnlyList<DecisionRecord> Query(string? principal, string? action, string? decision, int limit)
    {
        var result = new List<DecisionRecord>();
        lock (_lock)
        {
            var count = Math.Min(_next, _ring.Length);
            for (long i = 0; i < count && result.Count < limit; i++)
            {
                var r = _ring[(_next - 1 - i) % _ring.Length]!;
                if (principal is { Length: > 0 } && !r.Principal.Contains(principal, StringComparison.Ordinal)) continue;
                if (action is { Length: > 0 } && !r.Action.Equals(action, StringComparison.OrdinalIgnoreCase)) continue;
                if (decision is { Length: > 0 } && !r.Decision.Equals(decision, StringComparison.OrdinalIgnoreCase)) continue;
                result.Add(r);
            }
        }
        return result;
    }
}
