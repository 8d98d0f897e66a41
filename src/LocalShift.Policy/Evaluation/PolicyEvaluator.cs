using LocalShift.Core;
using LocalShift.Policy.Documents;
using LocalShift.Policy.Matching;

namespace LocalShift.Policy.Evaluation;

/// <summary>
/// IAM's decision logic as a pure function (IAM User Guide, "Policy evaluation logic"):
/// 1. an explicit Deny in any applicable policy wins;
/// 2. same account: an Allow in identity policies (limited by the permissions boundary and session policies) or in
///    the resource policy suffices; a resource policy naming the user or session itself bypasses boundary and
///    session policies, one naming the session's role does not, one naming the account only delegates;
/// 3. cross account: both the identity side and the resource policy must allow;
/// 4. the account root is allowed in its own account; services and anonymous callers need the resource policy.
/// </summary>
public static class PolicyEvaluator
{
    private static readonly IReadOnlyList<string> NoKeys = [];
    private static readonly IReadOnlyList<StatementRef> NoStatements = [];

    public static Decision Evaluate(EvaluationRequest request) => Evaluate(request, resourcePolicyRequired: false);

    /// <summary>
    /// Decides sts:AssumeRole-like requests against a role's trust policy: the trust policy must allow the caller
    /// explicitly (like a resource policy that is always required); naming only the caller's account also needs the
    /// caller's identity policies to allow.
    /// </summary>
    public static Decision EvaluateTrust(AttachedPolicy trustPolicy, EvaluationRequest request) =>
        Evaluate(request with { ResourcePolicy = trustPolicy }, resourcePolicyRequired: true);

    private static Decision Evaluate(EvaluationRequest request, bool resourcePolicyRequired)
    {
        var scan = new Scan(request);
        foreach (var p in request.IdentityPolicies) scan.Run(p, PolicyLayer.Identity);
        if (request.SessionPolicies.Count > 0)
            foreach (var p in request.SessionPolicies) scan.Run(p, PolicyLayer.Session);
        if (request.PermissionsBoundary is { } boundary) scan.Run(boundary, PolicyLayer.PermissionsBoundary);
        if (request.ResourcePolicy is { } resource) scan.Run(resource, PolicyLayer.Resource);

        if (scan.Denies is { Count: > 0 } denies)
            return new Decision(DecisionKind.ExplicitDeny, denies, DenyLayer(denies), scan.MissingKeys);

        var kind = request.PrincipalKind;
        if (kind is PrincipalKind.Service or PrincipalKind.Anonymous)
            return scan.ResourceBest != PrincipalMatch.None
                ? scan.Allow(scan.ResourceAllows!)
                : scan.ImplicitDeny(PolicyLayer.Resource);

        var isRoot = kind == PrincipalKind.Root;
        var identityAllowed = isRoot || scan.IdentityAllows is not null;
        var boundaryOk = isRoot || request.PermissionsBoundary is null || scan.BoundaryAllows is not null;
        var sessionOk = request.SessionPolicies.Count == 0 || scan.SessionAllows is not null;

        if (!request.IsCrossAccount)
        {
            // A resource policy that names the user or the session itself grants directly (IAM User Guide,
            // "Permissions boundaries" and "Session policies": not limited by either).
            if (scan.ResourceBest == PrincipalMatch.Direct)
                return scan.Allow(scan.ResourceAllowsWith(PrincipalMatch.Direct));

            if (resourcePolicyRequired && scan.ResourceBest == PrincipalMatch.None)
                return scan.ImplicitDeny(PolicyLayer.Resource);
            var roleGrant = scan.ResourceBest == PrincipalMatch.RoleOfSession;
            // Naming only the account (trust policies) delegates: the identity policies must allow too.
            var granted = roleGrant || identityAllowed;
            if (!granted) return scan.ImplicitDeny(PolicyLayer.Identity);
            if (!boundaryOk) return scan.ImplicitDeny(PolicyLayer.PermissionsBoundary);
            if (!sessionOk) return scan.ImplicitDeny(PolicyLayer.Session);
            return scan.Allow(scan.AllowingStatements(includeResource: roleGrant || resourcePolicyRequired));
        }

        if (!identityAllowed) return scan.ImplicitDeny(PolicyLayer.Identity);
        if (!boundaryOk) return scan.ImplicitDeny(PolicyLayer.PermissionsBoundary);
        if (!sessionOk) return scan.ImplicitDeny(PolicyLayer.Session);
        if (scan.ResourceBest == PrincipalMatch.None) return scan.ImplicitDeny(PolicyLayer.Resource);
        return scan.Allow(scan.AllowingStatements(includeResource: true));
    }

    private static PolicyLayer DenyLayer(List<StatementRef> denies)
    {
        // AWS names one policy type in the message; prefer the caller's own policies, then the resource's.
        foreach (var layer in (ReadOnlySpan<PolicyLayer>)[PolicyLayer.Identity, PolicyLayer.Session, PolicyLayer.PermissionsBoundary, PolicyLayer.Resource])
            foreach (var d in denies)
                if (d.Layer == layer) return layer;
        return denies[0].Layer;
    }

    /// <summary>One pass over the applicable statements, collecting what matched. Allocates only on matches.</summary>
    private struct Scan(EvaluationRequest request)
    {
        private readonly ArnSplit resource = new(request.Resource);
        private readonly bool hasBoundary = request.PermissionsBoundary is not null;
        public List<StatementRef>? Denies;
        public List<StatementRef>? IdentityAllows;
        public List<StatementRef>? BoundaryAllows;
        public List<StatementRef>? SessionAllows;
        public List<(StatementRef Ref, PrincipalMatch Match)>? ResourceAllows;
        public PrincipalMatch ResourceBest;
        private List<string>? missing;

        public readonly IReadOnlyList<string> MissingKeys => missing ?? NoKeys;

        public void Run(AttachedPolicy policy, PolicyLayer layer)
        {
            var doc = policy.Document;
            var indices = doc.StatementsFor(request.Action);
            for (var n = 0; n < indices.Length; n++)
            {
                var st = doc.Statements[indices[n]];
                if (!MatchesResource(st)) continue;
                var principalMatch = PrincipalMatch.Direct;
                if (layer == PolicyLayer.Resource)
                {
                    principalMatch = MatchPrincipal(st);
                    if (principalMatch == PrincipalMatch.None) continue;
                }
                if (!MatchesConditions(st)) continue;
                var r = new StatementRef(layer, policy.Label, st.Sid, st.Index, st.Effect);
                if (st.Effect == Effect.Deny)
                {
                    (Denies ??= []).Add(r);
                    continue;
                }
                switch (layer)
                {
                    case PolicyLayer.Identity: (IdentityAllows ??= []).Add(r); break;
                    case PolicyLayer.PermissionsBoundary: (BoundaryAllows ??= []).Add(r); break;
                    case PolicyLayer.Session: (SessionAllows ??= []).Add(r); break;
                    default:
                        (ResourceAllows ??= []).Add((r, principalMatch));
                        if (ResourceBest == PrincipalMatch.None || principalMatch < ResourceBest) ResourceBest = principalMatch;
                        break;
                }
            }
        }

        private readonly bool MatchesResource(PolicyStatement st)
        {
            var patterns = st.Resources;
            if (patterns is null) return true;
            var any = false;
            for (var i = 0; i < patterns.Count && !any; i++) any = patterns[i].IsMatch(resource, request.Context);
            return any != st.NotResource;
        }

        private readonly PrincipalMatch MatchPrincipal(PolicyStatement st)
        {
            if (st.Principal is null) return PrincipalMatch.Direct;
            var m = st.Principal.Match(request);
            if (!st.NotPrincipal) return m;
            // NotPrincipal applies to everyone it does not name. With a Deny it also hits any principal that has a
            // permissions boundary, whatever it names (IAM User Guide, "NotPrincipal").
            if (st.Effect == Effect.Deny && hasBoundary) return PrincipalMatch.Direct;
            return m == PrincipalMatch.None ? PrincipalMatch.Direct : PrincipalMatch.None;
        }

        private bool MatchesConditions(PolicyStatement st)
        {
            var conditions = st.Conditions;
            for (var i = 0; i < conditions.Count; i++)
            {
                var ok = conditions[i].Evaluate(request.Context, out var keyMissing);
                if (keyMissing)
                {
                    missing ??= [];
                    if (!missing.Contains(conditions[i].Key, StringComparer.OrdinalIgnoreCase)) missing.Add(conditions[i].Key);
                }
                if (!ok) return false;
            }
            return true;
        }

        public readonly IReadOnlyList<StatementRef> ResourceAllowsWith(PrincipalMatch match)
        {
            var list = new List<StatementRef>();
            foreach (var (r, m) in ResourceAllows!)
                if (m == match) list.Add(r);
            return list;
        }

        public readonly IReadOnlyList<StatementRef> AllowingStatements(bool includeResource)
        {
            var list = new List<StatementRef>();
            if (IdentityAllows is not null) list.AddRange(IdentityAllows);
            if (includeResource && ResourceAllows is not null)
                foreach (var (r, _) in ResourceAllows) list.Add(r);
            if (BoundaryAllows is not null) list.AddRange(BoundaryAllows);
            if (SessionAllows is not null) list.AddRange(SessionAllows);
            return list;
        }

        public readonly Decision Allow(IReadOnlyList<StatementRef> statements) =>
            new(DecisionKind.Allow, statements, PolicyLayer.None, MissingKeys);

        public readonly Decision Allow(List<(StatementRef Ref, PrincipalMatch Match)> resourceAllows) =>
            Allow(resourceAllows.Select(x => x.Ref).ToArray());

        public readonly Decision ImplicitDeny(PolicyLayer layer) =>
            new(DecisionKind.ImplicitDeny, NoStatements, layer, MissingKeys);
    }
}
