using System.Text.Json;
using LocalShift.Core;
using LocalShift.Policy;

namespace LocalShift.Services.Iam;

/// <summary>IAM's rules for policy documents: grammar (via the policy validator), size quotas, and how documents travel in responses.</summary>
public static class PolicyDocuments
{
    /// <summary>AWS quotas, in characters with white space not counted.</summary>
    public const int ManagedPolicyMax = 6144;
    public const int RoleInlineTotalMax = 10240;
    public const int UserInlineTotalMax = 2048;
    public const int GroupInlineTotalMax = 5120;
    public const int TrustPolicyMax = 2048;

    public static int InlineTotalMax(IamEntityKind kind) => kind switch
    {
        IamEntityKind.Role => RoleInlineTotalMax,
        IamEntityKind.User => UserInlineTotalMax,
        _ => GroupInlineTotalMax,
    };

    /// <summary>The size IAM counts against its quotas: every character except white space.</summary>
    public static int Size(string document)
    {
        var n = 0;
        foreach (var c in document) if (!char.IsWhiteSpace(c)) n++;
        return n;
    }

    /// <summary>Throws MalformedPolicyDocument when the document is not a valid policy of this kind.</summary>
    public static void Validate(string document, PolicyKind kind)
    {
        var problem = PolicyValidator.Validate(document, kind);
        if (problem is not null) throw IamErrors.Malformed(problem);
    }

    public static void CheckManagedSize(string document)
    {
        if (Size(document) > ManagedPolicyMax) throw IamErrors.Quota("PolicySize", ManagedPolicyMax);
    }

    public static void CheckTrustSize(string document)
    {
        if (Size(document) > TrustPolicyMax) throw IamErrors.Quota("ACLSizePerRole", TrustPolicyMax);
    }

    /// <summary>Policy documents are URL-encoded in IAM responses; the CLI decodes them, SDK users call decodeURIComponent.</summary>
    public static string Encode(string document) => Uri.EscapeDataString(document);

    /// <summary>
    /// The <c>"AWS"</c> principals a trust policy names, as written. IAM resolves user and role ARNs among them to
    /// unique ids when the policy is saved, so one that names a missing user or role is refused.
    /// </summary>
    public static IEnumerable<string> AwsPrincipals(string document)
    {
        using var doc = JsonDocument.Parse(document);
        if (!doc.RootElement.TryGetProperty("Statement", out var statements)) yield break;
        var list = statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray().ToList() : [statements];
        var found = new List<string>();
        foreach (var statement in list)
        {
            if (statement.ValueKind != JsonValueKind.Object) continue;
            foreach (var key in new[] { "Principal", "NotPrincipal" })
            {
                if (!statement.TryGetProperty(key, out var principal) || principal.ValueKind != JsonValueKind.Object) continue;
                if (!principal.TryGetProperty("AWS", out var aws)) continue;
                if (aws.ValueKind == JsonValueKind.String) found.Add(aws.GetString()!);
                else if (aws.ValueKind == JsonValueKind.Array)
                    found.AddRange(aws.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!));
            }
        }
        foreach (var p in found) yield return p;
    }

    /// <summary>What an "AWS" principal value stands for, as far as the trust-policy check cares.</summary>
    public enum PrincipalShape { Anyone, Account, User, Role, Session, Invalid }

    public static PrincipalShape Classify(string value, out Arn arn)
    {
        arn = null!;
        if (value == "*") return PrincipalShape.Anyone;
        if (AccountId.IsValid(value)) return PrincipalShape.Account;
        if (!Arn.TryParse(value, out arn) || !arn.Partition.StartsWith("aws", StringComparison.Ordinal) || !AccountId.IsValid(arn.Account))
            return PrincipalShape.Invalid;
        if (arn.Service == "iam" && arn.Region.Length == 0)
        {
            if (arn.Resource == "root") return PrincipalShape.Account;
            if (arn.Resource.StartsWith("user/", StringComparison.Ordinal)) return PrincipalShape.User;
            if (arn.Resource.StartsWith("role/", StringComparison.Ordinal)) return PrincipalShape.Role;
        }
        if (arn.Service == "sts" && arn.Region.Length == 0 && arn.Resource.StartsWith("assumed-role/", StringComparison.Ordinal))
            return PrincipalShape.Session;
        return PrincipalShape.Invalid;
    }

    public static AwsException InvalidPrincipal(string value) => IamErrors.Malformed($"Invalid principal in policy: \"AWS\":\"{value}\"");
}
