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
    /// for an action matching sts:AssumeRole, conditions aside (Redshift's association-time check).
    /// </summary>
    public static bool TrustsService(string trustPolicyJson, string servicePrincipal)
    {
        if (!PolicyCache.TryGet(trustPolicyJson, PolicyKind.Trust, out var doc, out _)) return false;
        foreach (var st in doc.Statements)
        {
            if (st.Effect != Effect.Allow || st.NotPrincipal || st.Principal is null) continue;
            if (!st.Principal.Service.Any(s => string.Equals(s, servicePrincipal, StringComparison.OrdinalIgnoreCase))) continue;
            if (st.MatchesAction("sts:AssumeRole")) return true;
        }
        return false;
    }
}
