using System.Collections.Concurrent;

namespace LocalShift.Policy.Documents;

/// <summary>A validated, compiled policy document. Immutable; share freely (see <see cref="PolicyCache"/>).</summary>
public sealed class PolicyDocument
{
    internal PolicyDocument(PolicyKind kind, string? version, string? id, PolicyStatement[] statements, string json)
    {
        Kind = kind;
        Version = version;
        Id = id;
        Statements = statements;
        Json = json;
    }

    public PolicyKind Kind { get; }
    /// <summary>"2012-10-17", "2008-10-17", or null when absent (treated as 2008-10-17: no policy variables).</summary>
    public string? Version { get; }
    public string? Id { get; }
    public IReadOnlyList<PolicyStatement> Statements { get; }
    public string Json { get; }
    public bool VariablesEnabled => Version == PolicyParser.CurrentVersion;

    // Action matching depends only on the action name, so the statements an action selects are computed once per
    // (document, action) and kept in an array indexed by a process-wide action id; evaluation then checks resources
    // and conditions of those few statements only. Races only recompute the same immutable answer.
    private const int ActionIndexLimit = 4096;
    private int[]?[] statementsByAction = new int[]?[16];

    internal int[] StatementsFor(string action, int actionId)
    {
        var table = statementsByAction;
        if ((uint)actionId < (uint)table.Length && table[actionId] is { } found) return found;
        var list = new List<int>();
        for (var i = 0; i < Statements.Count; i++)
            if (Statements[i].MatchesAction(action)) list.Add(i);
        var result = list.ToArray();
        if (actionId >= 0)
        {
            if (actionId >= table.Length)
            {
                var grown = new int[]?[Math.Max(actionId + 1, table.Length * 2)];
                Array.Copy(table, grown, table.Length);
                table = grown;
            }
            table[actionId] = result;
            statementsByAction = table;
        }
        return result;
    }

    private static int nextActionId;
    private static readonly ConcurrentDictionary<string, int> ActionIds = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A small integer per distinct action name (case-insensitive), or -1 once too many were seen.</summary>
    internal static int ActionId(string action)
    {
        if (ActionIds.TryGetValue(action, out var id)) return id;
        if (ActionIds.Count >= ActionIndexLimit) return -1;
        return ActionIds.GetOrAdd(action, _ => Interlocked.Increment(ref nextActionId) - 1);
    }

    /// <summary>Parses and validates; throws <see cref="PolicyFormatException"/> with the MalformedPolicyDocument text.</summary>
    public static PolicyDocument Parse(string json, PolicyKind kind) =>
        TryParse(json, kind, out var doc, out var error) ? doc : throw new PolicyFormatException(error!);

    public static bool TryParse(string json, PolicyKind kind, out PolicyDocument document, out string? error)
    {
        var parsed = PolicyParser.Parse(json, kind, out error);
        document = parsed!;
        return parsed is not null;
    }
}

/// <summary>A policy document that does not follow the grammar; the message is what IAM answers as MalformedPolicyDocument.</summary>
public sealed class PolicyFormatException(string message) : Exception(message);
