using LocalShift.Core;
using LocalShift.Policy.Evaluation;

namespace LocalShift.Policy.Documents;

/// <summary>How a Principal element matched the caller; resource-policy rules depend on it.</summary>
public enum PrincipalMatch : byte
{
    None,
    /// <summary>Named exactly: user ARN, session ARN, service, federated id.</summary>
    Direct,
    /// <summary><c>"*"</c> or <c>{"AWS": "*"}</c>.</summary>
    Everyone,
    /// <summary>The role ARN of the caller's session.</summary>
    RoleOfSession,
    /// <summary>The caller's account (<c>123456789012</c> or <c>arn:aws:iam::123456789012:root</c>): delegates to the account's own policies.</summary>
    Account,
}

/// <summary>The parsed Principal or NotPrincipal element.</summary>
public sealed class PrincipalSet
{
    internal PrincipalSet(bool everyone, string[] aws, string[] service, string[] federated, string[] canonicalUser)
    {
        Everyone = everyone;
        Aws = aws;
        Service = service;
        Federated = federated;
        CanonicalUser = canonicalUser;
        foreach (var a in aws)
        {
            if (a == "*") AwsWildcard = true;
            else if (AccountId.IsValid(a)) accounts.Add(a);
            else if (a.StartsWith("arn:", StringComparison.Ordinal) && a.EndsWith(":root", StringComparison.Ordinal) && Arn.TryParse(a, out var arn) && arn.Service == "iam" && arn.Resource == "root")
                accounts.Add(arn.Account);
            else arns.Add(a);
        }
    }

    private readonly HashSet<string> accounts = new(StringComparer.Ordinal);
    private readonly HashSet<string> arns = new(StringComparer.Ordinal);

    /// <summary><c>"Principal": "*"</c>.</summary>
    public bool Everyone { get; }
    public bool AwsWildcard { get; }
    public IReadOnlyList<string> Aws { get; }
    public IReadOnlyList<string> Service { get; }
    public IReadOnlyList<string> Federated { get; }
    public IReadOnlyList<string> CanonicalUser { get; }

    /// <summary>The strongest way this element names the caller.</summary>
    public PrincipalMatch Match(EvaluationRequest request)
    {
        // "*" and {"AWS": "*"} are equivalent: everyone, anonymous callers included (IAM User Guide, "Principal").
        if (Everyone || AwsWildcard) return PrincipalMatch.Everyone;
        switch (request.PrincipalKind)
        {
            case PrincipalKind.Service:
                foreach (var s in Service)
                    if (string.Equals(s, request.PrincipalArn, StringComparison.OrdinalIgnoreCase)) return PrincipalMatch.Direct;
                return PrincipalMatch.None;
            case PrincipalKind.Anonymous:
                return PrincipalMatch.None;
        }
        if (arns.Contains(request.PrincipalArn)) return PrincipalMatch.Direct;
        foreach (var f in Federated)
            if (f == request.PrincipalArn) return PrincipalMatch.Direct;
        if (request.RoleOfSession is { } role && arns.Contains(role))
            return PrincipalMatch.RoleOfSession;
        if (request.PrincipalKind == PrincipalKind.Root && accounts.Contains(request.PrincipalAccount)) return PrincipalMatch.Direct;
        return accounts.Contains(request.PrincipalAccount) ? PrincipalMatch.Account : PrincipalMatch.None;
    }

    /// <summary>Whether a Service entry names <paramref name="service"/>.</summary>
    public bool NamesService(string service) =>
        Everyone || Service.Any(s => string.Equals(s, service, StringComparison.OrdinalIgnoreCase));
}
