namespace LocalShift.Services.Iam;

/// <summary>What other services need to know of an IAM role.</summary>
public sealed record RoleRecord(
    string AccountId,
    string RoleName,
    string Path,
    string RoleId,
    string Arn,
    string AssumeRolePolicyDocument,
    int MaxSessionDuration,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset CreateDate);

/// <summary>Role lookups for STS, Redshift and the role path. Implemented by the IAM store.</summary>
public interface IRoleDirectory
{
    /// <summary>The role with this ARN (path included, case-sensitive name match as IAM ARNs are), or null.</summary>
    RoleRecord? FindByArn(string roleArn);
    RoleRecord? FindByName(string accountId, string roleName);
}
