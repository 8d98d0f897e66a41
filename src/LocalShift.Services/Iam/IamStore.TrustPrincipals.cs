using System.Text.Json;
using LocalShift.Storage.State;
using System.Data.Common;

namespace LocalShift.Services.Iam;

// IAM keeps the users and roles a trust policy names by their unique ids: when such a principal is deleted, the
// trust policy shows its id instead of its ARN and no longer trusts anyone, even a new principal of the same name.
public sealed partial class IamStore
{
    private const string TrustIdsSchema = "ALTER TABLE iam_roles ADD COLUMN trust_ids TEXT;";

    /// <summary>The unique id (AIDA…/AROA…) of the user or role with this ARN, in any account; names compare without case.</summary>
    private static string? IdentityIdByArn(DbConnection c, DbTransaction? tx, string arn) =>
        c.Query(tx, "SELECT role_id FROM iam_roles WHERE arn=$arn UNION ALL SELECT user_id FROM iam_users WHERE arn=$arn",
            r => r.GetString(0), ("$arn", arn)).FirstOrDefault();

    /// <summary>
    /// Maps each user or role ARN the trust policy names to that principal's unique id; a principal that does not exist
    /// makes the document invalid, as in IAM. Returns null when the policy names no user or role.
    /// </summary>
    private static string? ResolveTrustPrincipals(DbConnection c, DbTransaction tx, string document)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var principal in PolicyDocuments.AwsPrincipals(document))
        {
            var shape = PolicyDocuments.Classify(principal, out _);
            if (shape is not (PolicyDocuments.PrincipalShape.User or PolicyDocuments.PrincipalShape.Role)) continue;
            ids[principal] = IdentityIdByArn(c, tx, principal) ?? throw PolicyDocuments.InvalidPrincipal(principal);
        }
        return ids.Count == 0 ? null : JsonSerializer.Serialize(ids);
    }

    /// <summary>The role with its trust policy as IAM shows it now: principals that were deleted (or replaced) appear as their old unique ids.</summary>
    private static RoleRow WithCurrentPrincipals(DbConnection c, DbTransaction? tx, RoleRow role, string? trustIds)
    {
        if (trustIds is null) return role;
        var document = role.AssumeRolePolicyDocument;
        foreach (var (arn, id) in JsonSerializer.Deserialize<Dictionary<string, string>>(trustIds)!)
            if (IdentityIdByArn(c, tx, arn) != id)
                document = document.Replace($"\"{arn}\"", $"\"{id}\"", StringComparison.Ordinal);
        return role with { AssumeRolePolicyDocument = document };
    }
}
