using LocalShift.Core;
using LocalShift.Policy.Documents;

namespace LocalShift.Policy.Evaluation;

/// <summary>Which kind of policy a statement came from; also which layer caused a denial.</summary>
public enum PolicyLayer : byte { None, Identity, PermissionsBoundary, Session, Resource }

/// <summary>A compiled policy with the name a decision reports it by ("user/alice inline ReadOnly", "arn:aws:iam::aws:policy/X").</summary>
public sealed record AttachedPolicy(string Label, PolicyDocument Document)
{
    /// <summary>Compiles (through <see cref="PolicyCache"/>) and labels a document.</summary>
    public static AttachedPolicy From(string label, string json, PolicyKind kind = PolicyKind.Identity) =>
        new(label, PolicyCache.Get(json, kind));
}

/// <summary>Everything the evaluator needs to know about one request; no I/O happens during evaluation.</summary>
public sealed record EvaluationRequest
{
    /// <summary>arn:aws:iam::acct:user/x, arn:aws:sts::acct:assumed-role/r/s, arn:aws:iam::acct:root, a service name ("redshift.amazonaws.com"), or "*" for anonymous.</summary>
    public required string PrincipalArn { get; init; }
    /// <summary>The caller's account id; empty for services and anonymous callers.</summary>
    public string PrincipalAccount { get; init; } = "";
    public PrincipalKind PrincipalKind { get; init; } = PrincipalKind.User;
    /// <summary>For role sessions: the role's ARN (with path). A role ARN named in a Principal element matches its sessions.</summary>
    public string? SessionRoleArn { get; init; }

    public required string Action { get; init; }
    /// <summary>The resource ARN, or "*" for actions without a resource.</summary>
    public required string Resource { get; init; }
    /// <summary>The account owning the resource; null means the caller's own account.</summary>
    public string? ResourceAccount { get; init; }

    public RequestContext Context { get; init; } = RequestContext.Empty;

    public IReadOnlyList<AttachedPolicy> IdentityPolicies { get; init; } = [];
    public AttachedPolicy? PermissionsBoundary { get; init; }
    /// <summary>Session policies (AssumeRole Policy and PolicyArns); empty when the session has none.</summary>
    public IReadOnlyList<AttachedPolicy> SessionPolicies { get; init; } = [];
    /// <summary>The resource-based policy (bucket policy, or the role's trust policy for sts:AssumeRole).</summary>
    public AttachedPolicy? ResourcePolicy { get; init; }

    public bool IsCrossAccount => ResourceAccount is { Length: > 0 } owner && owner != PrincipalAccount;

    /// <summary>Builds the principal part of a request from an authenticated <see cref="Principal"/>.</summary>
    public static EvaluationRequest For(Principal principal, string action, string resource) => new()
    {
        PrincipalArn = principal.Arn,
        PrincipalAccount = principal.AccountId,
        PrincipalKind = principal.Kind,
        SessionRoleArn = principal.RoleArn,
        Action = action,
        Resource = resource,
        SessionPolicies = principal.SessionPolicies.Select((json, i) => AttachedPolicy.From($"session policy {i + 1}", json)).ToArray(),
    };

    /// <summary>The role ARN a session belongs to: <see cref="SessionRoleArn"/>, or derived from the session ARN (path-less).</summary>
    internal string? RoleOfSession
    {
        get
        {
            if (PrincipalKind != PrincipalKind.AssumedRole) return null;
            if (SessionRoleArn is not null) return SessionRoleArn;
            if (!Arn.TryParse(PrincipalArn, out var arn) || !arn.Resource.StartsWith("assumed-role/", StringComparison.Ordinal)) return null;
            var parts = arn.Resource.Split('/');
            return parts.Length >= 3 ? Arn.Role(arn.Account, "/", parts[1]) : null;
        }
    }
}
