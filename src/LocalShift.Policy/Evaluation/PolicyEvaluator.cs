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
        try
        {
            return Decide(request, resourcePolicyRequired, ref scan);
        }
        finally
        {
            scan.Release();
        }
    }

    private static Decision Decide(EvaluationRequest request, bool resourcePolicyRequired, ref Scan scan)
    {
        var identity = request.IdentityPolicies;
        for (var i = 0; i < identity.Count; i++) scan.Run(identity[i], PolicyLayer.Identity);
        var sessions = request.SessionPolicies;
        for (var i = 0; i < sessions.Count; i++) scan.Run(sessions[i], PolicyLayer.Session);
        if (request.PermissionsBoundary is { } boundary) scan.Run(boundary, PolicyLayer.PermissionsBoundary);
        if (request.ResourcePolicy is { } resource) scan.Run(resource, PolicyLayer.Resource);

        if (scan.Denies > 0)
            return scan.Decide(DecisionKind.ExplicitDeny, scan.DenyLayer(), static h => h.Effect == Effect.Deny);

        var kind = request.PrincipalKind;
        if (kind is PrincipalKind.Service or PrincipalKind.Anonymous)
            return scan.ResourceBest != PrincipalMatch.None
                ? scan.Allow(static h => h.Layer == PolicyLayer.Resource)
                : scan.ImplicitDeny(PolicyLayer.Resource);

        var isRoot = kind == PrincipalKind.Root;
        var identityAllowed = isRoot || scan.Allows(PolicyLayer.Identity);
        var boundaryOk = isRoot || request.PermissionsBoundary is null || scan.Allows(PolicyLayer.PermissionsBoundary);
        var sessionOk = request.SessionPolicies.Count == 0 || scan.Allows(PolicyLayer.Session);

        if (!request.IsCrossAccount)
        {
            // A resource policy that names the user or the session itself grants directly (IAM User Guide,
            // "Permissions boundaries" and "Session policies": not limited by either).
            if (scan.ResourceBest == PrincipalMatch.Direct)
                return scan.Allow(static h => h.Layer == PolicyLayer.Resource && h.Match == PrincipalMatch.Direct);
            // "*" is not limited by a permissions boundary either, but a session policy still applies: only a
            // resource policy naming the session's own ARN escapes it.
            if (scan.ResourceBest == PrincipalMatch.Everyone)
                return sessionOk
                    ? scan.Allow(static h => h.Layer == PolicyLayer.Resource && h.Match == PrincipalMatch.Everyone)
                    : scan.ImplicitDeny(PolicyLayer.Session);

            if (resourcePolicyRequired && scan.ResourceBest == PrincipalMatch.None)
                return scan.ImplicitDeny(PolicyLayer.Resource);
            var roleGrant = scan.ResourceBest == PrincipalMatch.RoleOfSession;
            // Naming only the account (trust policies) delegates: the identity policies must allow too.
            if (!roleGrant && !identityAllowed) return scan.ImplicitDeny(PolicyLayer.Identity);
            if (!boundaryOk) return scan.ImplicitDeny(PolicyLayer.PermissionsBoundary);
            if (!sessionOk) return scan.ImplicitDeny(PolicyLayer.Session);
            return roleGrant || resourcePolicyRequired
                ? scan.Allow(static _ => true)
                : scan.Allow(static h => h.Layer != PolicyLayer.Resource);
        }

        if (!identityAllowed) return scan.ImplicitDeny(PolicyLayer.Identity);
        if (!boundaryOk) return scan.ImplicitDeny(PolicyLayer.PermissionsBoundary);
        if (!sessionOk) return scan.ImplicitDeny(PolicyLayer.Session);
        if (scan.ResourceBest == PrincipalMatch.None) return scan.ImplicitDeny(PolicyLayer.Resource);
        return scan.Allow(static _ => true);
    }

    /// <summary>A statement that matched the request (before the layers are combined).</summary>
    private readonly record struct Hit(AttachedPolicy Policy, PolicyStatement Statement, PolicyLayer Layer, PrincipalMatch Match)
    {
        public Effect Effect => Statement.Effect;
        public StatementRef ToRef() => new(Layer, Policy.Label, Statement.Sid, Statement.Index, Statement.Effect);
    }

    /// <summary>
    /// One pass over the applicable statements, collecting what matched into a per-thread list that is reused
    /// (evaluation never re-enters itself), so a decision allocates little beyond its own result.
    /// </summary>
    private struct Scan
    {
        [ThreadStatic] private static List<Hit>? pool;

        private readonly EvaluationRequest request;
        private readonly ArnSplit resource;
        private readonly bool hasBoundary;
        private readonly int actionId;
        private readonly List<Hit> hits;
        private List<string>? missing;
        public int Denies;
        public PrincipalMatch ResourceBest;
        private int allowLayers;

        public Scan(EvaluationRequest request)
        {
            this.request = request;
            resource = new ArnSplit(request.Resource);
            hasBoundary = request.PermissionsBoundary is not null;
            actionId = PolicyDocument.ActionId(request.Action);
            hits = pool ?? [];
            pool = null;
        }

        public readonly void Release()
        {
            hits.Clear();
            pool = hits;
        }

        private readonly IReadOnlyList<string> MissingKeys => missing ?? NoKeys;

        public readonly bool Allows(PolicyLayer layer) => (allowLayers & (1 << (int)layer)) != 0;

        public void Run(AttachedPolicy policy, PolicyLayer layer)
        {
            var doc = policy.Document;
            var indices = doc.StatementsFor(request.Action, actionId);
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
                hits.Add(new Hit(policy, st, layer, principalMatch));
                if (st.Effect == Effect.Deny) Denies++;
                else
                {
                    allowLayers |= 1 << (int)layer;
                    if (layer == PolicyLayer.Resource && (ResourceBest == PrincipalMatch.None || principalMatch < ResourceBest))
                        ResourceBest = principalMatch;
                }
            }
        }

        private readonly bool MatchesResource(PolicyStatement st)
        {
            var patterns = st.Resources;
            if (patterns is null) return true;
            var unresolved = false;
            for (var i = 0; i < patterns.Count; i++)
            {
                var m = patterns[i].Match(resource, request.Context);
                if (m == true) return !st.NotResource;
                unresolved |= m is null;
            }
            // An entry whose variable has no value matches nothing, and NotResource does not turn it into a match:
            // the statement simply does not apply (same reading as for conditions).
            return st.NotResource && !unresolved;
        }

        private readonly PrincipalMatch MatchPrincipal(PolicyStatement st)
        {
            if (st.Principal is null) return PrincipalMatch.Direct;
            var m = st.Principal.Match(request);
            if (!st.NotPrincipal) return m;
            // NotPrincipal applies to everyone it does not name. With a Deny it also hits any principal that has a
            // permissions boundary, whatever it names (IAM User Guide, "NotPrincipal").
            if (st.Effect == Effect.Deny && hasBoundary) return PrincipalMatch.Everyone;
            return m == PrincipalMatch.None ? PrincipalMatch.Everyone : PrincipalMatch.None;
        }

        private bool MatchesConditions(PolicyStatement st)
        {
            var conditions = st.Conditions;
            for (var i = 0; i < conditions.Count; i++)
            {
                var ok = conditions[i].Evaluate(request.Context, out var keyMissing);
                if (keyMissing) NoteMissing(conditions[i].Key);
                if (!ok) return false;
            }
            return true;
        }

        private void NoteMissing(string key)
        {
            missing ??= [];
            foreach (var k in missing)
                if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) return;
            missing.Add(key);
        }

        public readonly PolicyLayer DenyLayer()
        {
            // AWS names one policy type in the message; prefer the caller's own policies, then the resource's.
            var best = PolicyLayer.None;
            foreach (var h in hits)
                if (h.Effect == Effect.Deny && (best == PolicyLayer.None || Rank(h.Layer) < Rank(best))) best = h.Layer;
            return best;
        }

        private static int Rank(PolicyLayer layer) => layer switch
        {
            PolicyLayer.Identity => 0,
            PolicyLayer.Session => 1,
            PolicyLayer.PermissionsBoundary => 2,
            _ => 3,
        };

        public readonly Decision Decide(DecisionKind kind, PolicyLayer layer, Func<Hit, bool> reported)
        {
            var count = 0;
            foreach (var h in hits)
                if (reported(h)) count++;
            var refs = new StatementRef[count];
            count = 0;
            foreach (var h in hits)
                if (reported(h)) refs[count++] = h.ToRef();
            return new Decision(kind, refs, layer, MissingKeys);
        }

        /// <summary>An allow reporting the allowing statements <paramref name="reported"/> selects.</summary>
        public readonly Decision Allow(Func<Hit, bool> reported) =>
            Decide(DecisionKind.Allow, PolicyLayer.None, h => h.Effect == Effect.Allow && reported(h));

        // Decisions are immutable: implicit denies without missing keys are shared, so the common "no" allocates nothing.
        private static readonly Decision[] SharedImplicitDenies =
            Enum.GetValues<PolicyLayer>().Select(l => new Decision(DecisionKind.ImplicitDeny, NoStatements, l, NoKeys)).ToArray();

        public readonly Decision ImplicitDeny(PolicyLayer layer) =>
            missing is null ? SharedImplicitDenies[(int)layer] : new(DecisionKind.ImplicitDeny, NoStatements, layer, MissingKeys);
    }
}
