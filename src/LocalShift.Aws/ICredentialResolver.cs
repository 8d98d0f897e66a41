using LocalShift.Core;

namespace LocalShift.Aws;

/// <summary>What an access key id stands for: its secret, its principal, and for temporary keys the token and expiry.</summary>
public sealed record ResolvedCredential(
    string AccessKeyId,
    string SecretAccessKey,
    Principal Principal,
    string? SessionToken = null,
    DateTimeOffset? Expiration = null,
    bool Active = true);

public interface ICredentialResolver
{
    /// <summary>Finds the credential for an access key id, or null when no such key exists.</summary>
    ResolvedCredential? Find(string accessKeyId);
}
