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
    // (document, action); evaluation then checks resources and conditions of those few statements only.
    private const int ActionIndexLimit = 4096;
    private readonly ConcurrentDictionary<string, int[]> statementsByAction = new(StringComparer.OrdinalIgnoreCase);

    internal int[] StatementsFor(string action)
    {
        if (statementsByAction.TryGetValue(action, out var found)) return found;
        var list = new List<int>();
        for (var i = 0; i < Statements.Count; i++)
            if (Statements[i].MatchesAction(action)) list.Add(i);
        var result = list.ToArray();
        if (statementsByAction.Count < ActionIndexLimit) statementsByAction.TryAdd(action, result);
        return result;
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
