namespace LocalShift.Services.Iam.Shapes;

// The IAM model's shapes that LocalShift reads and writes, named as the model names them and written from it once
// (src/LocalShift.Aws/Model/models/iam.json); the query protocol reads and writes them from the model. Members
// LocalShift does not use are left out; ShapeConformanceTests checks every property against its shape.

// The output shapes of the emulated operations.

public sealed record CreateAccessKeyResponse(AccessKey AccessKey);
public sealed record CreateGroupResponse(Group Group);
public sealed record CreatePolicyResponse(Policy? Policy = null);
public sealed record CreatePolicyVersionResponse(PolicyVersion? PolicyVersion = null);
public sealed record CreateRoleResponse(Role Role);
public sealed record CreateUserResponse(User? User = null);
public sealed record GetGroupResponse(Group Group, List<User> Users, bool? IsTruncated = null, string? Marker = null);
public sealed record GetGroupPolicyResponse(string GroupName, string PolicyName, string PolicyDocument);
public sealed record GetPolicyResponse(Policy? Policy = null);
public sealed record GetPolicyVersionResponse(PolicyVersion? PolicyVersion = null);
public sealed record GetRoleResponse(Role Role);
public sealed record GetRolePolicyResponse(string RoleName, string PolicyName, string PolicyDocument);
public sealed record GetUserResponse(User User);
public sealed record GetUserPolicyResponse(string UserName, string PolicyName, string PolicyDocument);
public sealed record ListAccessKeysResponse(
    List<AccessKeyMetadata> AccessKeyMetadata,
    bool? IsTruncated = null,
    string? Marker = null);
public sealed record ListAttachedGroupPoliciesResponse(
    List<AttachedPolicy>? AttachedPolicies = null,
    bool? IsTruncated = null,
    string? Marker = null);
public sealed record ListAttachedRolePoliciesResponse(
    List<AttachedPolicy>? AttachedPolicies = null,
    bool? IsTruncated = null,
    string? Marker = null);
public sealed record ListAttachedUserPoliciesResponse(
    List<AttachedPolicy>? AttachedPolicies = null,
    bool? IsTruncated = null,
    string? Marker = null);
public sealed record ListEntitiesForPolicyResponse(
    List<PolicyGroup>? PolicyGroups = null,
    List<PolicyUser>? PolicyUsers = null,
    List<PolicyRole>? PolicyRoles = null,
    bool? IsTruncated = null,
    string? Marker = null);
public sealed record ListGroupPoliciesResponse(
    List<string> PolicyNames,
    bool? IsTruncated = null,
    string? Marker = null);
public sealed record ListGroupsResponse(List<Group> Groups, bool? IsTruncated = null, string? Marker = null);
public sealed record ListGroupsForUserResponse(List<Group> Groups, bool? IsTruncated = null, string? Marker = null);
public sealed record ListInstanceProfilesForRoleResponse(
    List<InstanceProfile> InstanceProfiles,
    bool? IsTruncated = null,
    string? Marker = null);
public sealed record ListPoliciesResponse(
    List<Policy>? Policies = null,
    bool? IsTruncated = null,
    string? Marker = null);
public sealed record ListPolicyVersionsResponse(
    List<PolicyVersion>? Versions = null,
    bool? IsTruncated = null,
    string? Marker = null);
public sealed record ListRolePoliciesResponse(
    List<string> PolicyNames,
    bool? IsTruncated = null,
    string? Marker = null);
public sealed record ListRoleTagsResponse(List<Tag> Tags, bool? IsTruncated = null, string? Marker = null);
public sealed record ListRolesResponse(List<Role> Roles, bool? IsTruncated = null, string? Marker = null);
public sealed record ListUserPoliciesResponse(
    List<string> PolicyNames,
    bool? IsTruncated = null,
    string? Marker = null);
public sealed record ListUserTagsResponse(List<Tag> Tags, bool? IsTruncated = null, string? Marker = null);
public sealed record ListUsersResponse(List<User> Users, bool? IsTruncated = null, string? Marker = null);
public sealed record SimulatePolicyResponse(
    List<EvaluationResult>? EvaluationResults = null,
    bool? IsTruncated = null,
    string? Marker = null);
public sealed record UpdateRoleDescriptionResponse(Role? Role = null);

// The structures they carry.

/// <summary>An account root's key has no user name.</summary>
public sealed record AccessKey(
    string? UserName,
    string AccessKeyId,
    string Status,
    string SecretAccessKey,
    DateTimeOffset? CreateDate = null);
public sealed record AccessKeyMetadata(
    string? UserName = null,
    string? AccessKeyId = null,
    string? Status = null,
    DateTimeOffset? CreateDate = null);
public sealed record AttachedPermissionsBoundary(
    string? PermissionsBoundaryType = null,
    string? PermissionsBoundaryArn = null);
public sealed record AttachedPolicy(string? PolicyName = null, string? PolicyArn = null);
public sealed record ContextEntry(
    string? ContextKeyName = null,
    List<string>? ContextKeyValues = null,
    string? ContextKeyType = null);
public sealed record EvaluationResult(
    string EvalActionName,
    string EvalDecision,
    string? EvalResourceName = null,
    List<Statement>? MatchedStatements = null,
    List<string>? MissingContextValues = null,
    PermissionsBoundaryDecisionDetail? PermissionsBoundaryDecisionDetail = null);
public sealed record Group(string Path, string GroupName, string GroupId, string Arn, DateTimeOffset CreateDate);
/// <summary>LocalShift has no EC2 instance profiles: only the type of an always-empty list.</summary>
public sealed record InstanceProfile(
    string Path,
    string InstanceProfileName,
    string InstanceProfileId,
    string Arn,
    DateTimeOffset CreateDate,
    List<Role> Roles);
public sealed record PermissionsBoundaryDecisionDetail(bool? AllowedByPermissionsBoundary = null);
public sealed record Policy(
    string? PolicyName = null,
    string? PolicyId = null,
    string? Arn = null,
    string? Path = null,
    string? DefaultVersionId = null,
    int? AttachmentCount = null,
    int? PermissionsBoundaryUsageCount = null,
    bool? IsAttachable = null,
    string? Description = null,
    DateTimeOffset? CreateDate = null,
    DateTimeOffset? UpdateDate = null,
    List<Tag>? Tags = null);
public sealed record PolicyGroup(string? GroupName = null, string? GroupId = null);
public sealed record PolicyRole(string? RoleName = null, string? RoleId = null);
public sealed record PolicyUser(string? UserName = null, string? UserId = null);
public sealed record PolicyVersion(
    string? Document = null,
    string? VersionId = null,
    bool? IsDefaultVersion = null,
    DateTimeOffset? CreateDate = null);
public sealed record Role(
    string Path,
    string RoleName,
    string RoleId,
    string Arn,
    DateTimeOffset CreateDate,
    string? AssumeRolePolicyDocument = null,
    string? Description = null,
    int? MaxSessionDuration = null,
    AttachedPermissionsBoundary? PermissionsBoundary = null,
    List<Tag>? Tags = null,
    RoleLastUsed? RoleLastUsed = null);
public sealed record RoleLastUsed(DateTimeOffset? LastUsedDate = null, string? Region = null);
public sealed record Statement(string? SourcePolicyId = null, string? SourcePolicyType = null);
public sealed record Tag(string Key, string Value);
/// <summary>A user; the account root answering GetUser about itself has no path or name.</summary>
public sealed record User(
    string? Path,
    string? UserName,
    string UserId,
    string Arn,
    DateTimeOffset CreateDate,
    AttachedPermissionsBoundary? PermissionsBoundary = null,
    List<Tag>? Tags = null);
