using LocalShift.Policy.Documents;

namespace LocalShift.Policy.Evaluation;

public enum DecisionKind : byte { Allow, ImplicitDeny, ExplicitDeny }

/// <summary>A statement that took part in a decision: which policy, which statement, which layer.</summary>
public sealed record StatementRef(PolicyLayer Layer, string Policy, string? Sid, int Index, Effect Effect)
{
    /// <summary>"Sid" or "Statement[i]".</summary>
    public string Statement => Sid is { Length: > 0 } ? Sid : $"Statement[{Index}]";
    public override string ToString() => $"{Policy}#{Statement}";
}

/// <summary>
/// The answer for one request: the decision, the statements that decided it (the denying ones for an explicit
/// deny, the allowing ones for an allow, none for an implicit deny), the layer that denied, and the condition
/// keys that statements needed but the request lacked.
/// </summary>
public sealed record Decision(DecisionKind Kind, IReadOnlyList<StatementRef> Statements, PolicyLayer DeniedBy, IReadOnlyList<string> MissingContextKeys)
{
    public bool IsAllowed => Kind == DecisionKind.Allow;

    /// <summary>IAM's EvalDecision spelling: allowed, explicitDeny, implicitDeny.</summary>
    public string EvalDecision => Kind switch
    {
        DecisionKind.Allow => "allowed",
        DecisionKind.ExplicitDeny => "explicitDeny",
        _ => "implicitDeny",
    };

    /// <summary>AWS's AccessDenied text for this decision; see <see cref="DenialMessage"/>.</summary>
    public string DenialMessage(string principalArn, string action, string resource) =>
        Evaluation.DenialMessage.For(this, principalArn, action, resource);

    public override string ToString() =>
        $"{Kind}{(DeniedBy != PolicyLayer.None ? $" by {DeniedBy}" : "")} [{string.Join(", ", Statements)}]";
}
