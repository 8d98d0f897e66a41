using System.Text.Json;

namespace LocalShift.Policy;

public enum PolicyKind
{
    /// <summary>Attached to a user, group or role (inline or managed); no Principal allowed.</summary>
    Identity,
    /// <summary>Attached to a resource (bucket policy, ...); Principal required.</summary>
    Resource,
    /// <summary>A role's AssumeRolePolicyDocument; Principal required, actions sts:*.</summary>
    Trust,
}

/// <summary>
/// Entry points the services use to validate documents and to answer static questions about them.
/// PLACEHOLDER until the policy engine lands: checks JSON well-formedness only.
/// </summary>
public static class PolicyValidator
{
    /// <summary>Returns null when the document is valid for its kind, else the MalformedPolicyDocument message.</summary>
    public static string? Validate(string json, PolicyKind kind)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? null : "Syntax errors in policy.";
        }
        catch (JsonException)
        {
            return "Syntax errors in policy.";
        }
    }

    /// <summary>
    /// True when some Allow statement of the trust policy names <paramref name="servicePrincipal"/> as a Service principal
    /// for an action matching sts:AssumeRole, conditions aside (Redshift's association-time check).
    /// </summary>
    public static bool TrustsService(string trustPolicyJson, string servicePrincipal)
    {
        try
        {
            using var doc = JsonDocument.Parse(trustPolicyJson);
            if (!doc.RootElement.TryGetProperty("Statement", out var st)) return false;
            foreach (var s in st.ValueKind == JsonValueKind.Array ? st.EnumerateArray().ToArray() : [st])
            {
                if (!s.TryGetProperty("Effect", out var e) || e.GetString() != "Allow") continue;
                if (!s.TryGetProperty("Principal", out var p) || !p.TryGetProperty("Service", out var svc)) continue;
                var services = svc.ValueKind == JsonValueKind.Array ? svc.EnumerateArray().Select(x => x.GetString()) : [svc.GetString()];
                if (!services.Contains(servicePrincipal)) continue;
                if (!s.TryGetProperty("Action", out var a)) continue;
                var actions = a.ValueKind == JsonValueKind.Array ? a.EnumerateArray().Select(x => x.GetString() ?? "") : [a.GetString() ?? ""];
                if (actions.Any(x => x.Equals("sts:AssumeRole", StringComparison.OrdinalIgnoreCase) || x == "*" || x.Equals("sts:*", StringComparison.OrdinalIgnoreCase))) return true;
            }
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
