using LocalShift.Aws;

namespace LocalShift.Services.Iam;

/// <summary>Resolves long-term access keys created through IAM (users' keys and roots' own keys) for the edge's SigV4 check.</summary>
public sealed class IamCredentialResolver(IamStore store) : ICredentialResolver
{
    public ResolvedCredential? Find(string accessKeyId) =>
        store.FindAccessKey(accessKeyId) is { } key
            ? new ResolvedCredential(key.AccessKeyId, key.SecretAccessKey, key.ToPrincipal(), Active: key.IsActive)
            : null;
}
