using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Services.Iam;

namespace LocalShift.Services.Authorization;

/// <summary>Resolves the long-term access keys IAM issued (to users, or to an account root) into principals.</summary>
public sealed class IamKeyResolver(IamStore iam) : ICredentialResolver
{
    public ResolvedCredential? Find(string accessKeyId)
    {
        if (!accessKeyId.StartsWith("AKIA", StringComparison.Ordinal)) return null;
        var key = iam.FindAccessKey(accessKeyId);
        if (key is null) return null;
        var principal = key.UserName is null
            ? Principal.Root(key.AccountId)
            : new Principal
            {
                Kind = PrincipalKind.User,
                AccountId = key.AccountId,
                Arn = key.Arn,
                UserId = key.UserId ?? key.AccountId,
                Name = key.UserName,
                Tags = key.Tags,
            };
        return new ResolvedCredential(key.AccessKeyId, key.SecretAccessKey, principal, Active: key.Status == "Active");
    }
}
