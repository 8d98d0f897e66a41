using LocalShift.Policy.Documents;

namespace LocalShift.Policy;

/// <summary>Entry points the services use to validate documents and to answer static questions about them.</summary>
public static class PolicyValidator
{
    /// <summary>Returns null when the document is valid for its kind, else the MalformedPolicyDocument message.</summary>
    public static string? Validate(string json, PolicyKind kind) =>
        PolicyCache.TryGet(json, kind, out _, out var error) ? null : error;

    /// <summary>
    /// True when some Allow statement of the trust policy names <paramref name="servicePrincipal"/> as a Service principal
    /// for an action matching sts:AssumeRole, conditions aside (Redshift's association-time check), and no unconditional
    /// Deny statement refuses sts:AssumeRole to that service (named, or as everyone: <c>"*"</c>, <c>{"AWS": "*"}</c>).
    /// A Deny with conditions is left to the assume step, where its keys are known.
    /// </summary>
    public static bool TrustsService(string trustPolicyJson, string servicePrincipal)
    {
        if (!PolicyCache.TryGet(trustPolicyJson, PolicyKind.Trust, out var doc, out _)) return false;
        var allowed = false;
        foreach (var st in doc.Statements)
        {
            if (st.NotPrincipal || st.Principal is null || !st.MatchesAction("sts:AssumeRole")) continue;
            var namesService = st.Principal.Service.Any(s => string.Equals(s, servicePrincipal, StringComparison.OrdinalIgnoreCase));
            if (st.Effect == Effect.Allow && namesService) allowed = true;
            if (st.Effect == Effect.Deny && st.Conditions.Count == 0 && (namesService || st.Principal.Everyone || st.Principal.AwsWildcard)) return false;
        }
        return allowed;
    }
}
