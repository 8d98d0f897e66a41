using LocalShift.Core;

namespace LocalShift.Services.Authorization;

/// <summary>A policy document with where it came from, so a decision can name the statement that decided it.</summary>
/// <param name="Name">Inline policy name, or managed policy name.</param>
/// <param name="Arn">Managed policy ARN; null for inline policies.</param>
/// <param name="Source">Human-readable origin: "role/MyRole inline MyPolicy", "bucket policy of b".</param>
public sealed record NamedPolicy(string Name, string? Arn, string Document, string Source);

/// <summary>The identity-side policies of one principal.</summary>
public sealed record PrincipalPolicies(IReadOnlyList<NamedPolicy> Identity, NamedPolicy? PermissionsBoundary);

/// <summary>Gives the identity policies that apply to a user or a role (inline, attached, and the user's groups').</summary>
public interface IIdentityPolicySource
{
    /// <summary>For a user: its and its groups' policies. For a session: its role's policies. Roots get an empty set.</summary>
    PrincipalPolicies GetPolicies(Principal principal);
}

/// <summary>A resource policy and the account that owns the resource.</summary>
public sealed record ResourcePolicy(NamedPolicy Policy, string OwnerAccount);

/// <summary>One per service that has resource policies (S3 buckets, Lambda functions).</summary>
public interface IResourcePolicySource
{
    /// <summary>The service prefix this source answers for: "s3", "lambda".</summary>
    string Service { get; }
    /// <summary>The policy governing <paramref name="resourceArn"/>, and the owning account; null when the resource has none.</summary>
    ResourcePolicy? Find(string resourceArn);
}
