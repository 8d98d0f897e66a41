namespace LocalShift.Services.Iam;

/// <summary>A tag on an IAM entity. Keys are unique per entity, compared without case.</summary>
public sealed record IamTag(string Key, string Value);

/// <summary>Which kind of IAM identity an inline policy or an attachment belongs to.</summary>
public enum IamEntityKind { Role, User, Group }

public sealed record RoleRow(
    string AccountId,
    string RoleName,
    string Path,
    string RoleId,
    string Arn,
    string AssumeRolePolicyDocument,
    string? Description,
    int MaxSessionDuration,
    string? PermissionsBoundaryArn,
    IReadOnlyList<IamTag> Tags,
    DateTimeOffset CreateDate,
    DateTimeOffset? LastUsedDate = null,
    string? LastUsedRegion = null)
{
    public RoleRecord ToRecord() => new(AccountId, RoleName, Path, RoleId, Arn, AssumeRolePolicyDocument, MaxSessionDuration,
        Tags.ToDictionary(t => t.Key, t => t.Value), CreateDate);
}

public sealed record UserRow(
    string AccountId,
    string UserName,
    string Path,
    string UserId,
    string Arn,
    string? PermissionsBoundaryArn,
    IReadOnlyList<IamTag> Tags,
    DateTimeOffset CreateDate);

public sealed record GroupRow(string AccountId, string GroupName, string Path, string GroupId, string Arn, DateTimeOffset CreateDate);

/// <summary>A customer managed policy (account id = the owner) or an AWS managed one (account id "aws").</summary>
public sealed record ManagedPolicyRow(
    string AccountId,
    string PolicyName,
    string Path,
    string PolicyId,
    string Arn,
    string DefaultVersionId,
    string? Description,
    IReadOnlyList<IamTag> Tags,
    DateTimeOffset CreateDate,
    DateTimeOffset UpdateDate)
{
    public bool IsAwsManaged => AccountId == "aws";
}

public sealed record PolicyVersionRow(string PolicyArn, string VersionId, string Document, bool IsDefaultVersion, DateTimeOffset CreateDate);

/// <summary>A managed policy as seen from one account: with its attachment and boundary usage counts there.</summary>
public sealed record PolicyUsage(ManagedPolicyRow Policy, int AttachmentCount, int PermissionsBoundaryUsageCount);

public sealed record AttachedPolicy(string PolicyName, string PolicyArn);

public sealed record InlinePolicyRow(string PolicyName, string Document);

/// <summary>A long-term access key. <see cref="UserName"/> is null for an account root's key.</summary>
public sealed record AccessKeyRow(
    string AccessKeyId,
    string SecretAccessKey,
    string AccountId,
    string? UserName,
    string Status,
    DateTimeOffset CreateDate);

/// <summary>What the credential resolver needs of an access key: its secret, whose it is, and whether it is usable.</summary>
public sealed record AccessKeyOwner(
    string AccessKeyId,
    string SecretAccessKey,
    string AccountId,
    string? UserName,
    string? UserId,
    string Arn,
    string Status,
    DateTimeOffset CreateDate,
    IReadOnlyDictionary<string, string> Tags)
{
    public bool IsRoot => UserName is null;
    public bool IsActive => Status == "Active";

    public Core.Principal ToPrincipal() => IsRoot
        ? Core.Principal.Root(AccountId)
        : new Core.Principal
        {
            Kind = Core.PrincipalKind.User,
            AccountId = AccountId,
            Arn = Arn,
            UserId = UserId!,
            Name = UserName,
            Tags = Tags,
        };
}

/// <summary>A user, group or role a managed policy is attached to (or, for users and roles, is the permissions boundary of).</summary>
public sealed record PolicyEntity(IamEntityKind Kind, string Name, string Id, string Path);
