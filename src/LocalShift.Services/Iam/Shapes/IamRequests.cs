namespace LocalShift.Services.Iam.Shapes;

// The IAM model's shapes that LocalShift reads and writes, named as the model names them and written from it once
// (src/LocalShift.Aws/Model/models/iam.json); the query protocol reads and writes them from the model. Members
// LocalShift does not use are left out; ShapeConformanceTests checks every property against its shape.

// The input shapes of the emulated operations.

public sealed record AddUserToGroupRequest(string GroupName, string UserName);
public sealed record AttachGroupPolicyRequest(string GroupName, string PolicyArn);
public sealed record AttachRolePolicyRequest(string RoleName, string PolicyArn);
public sealed record AttachUserPolicyRequest(string UserName, string PolicyArn);
public sealed record CreateAccessKeyRequest(string? UserName = null);
public sealed record CreateGroupRequest(string GroupName, string? Path = null);
public sealed record CreatePolicyRequest(
    string PolicyName,
    string PolicyDocument,
    string? Path = null,
    string? Description = null,
    List<Tag>? Tags = null);
public sealed record CreatePolicyVersionRequest(string PolicyArn, string PolicyDocument, bool? SetAsDefault = null);
public sealed record CreateRoleRequest(
    string RoleName,
    string AssumeRolePolicyDocument,
    string? Path = null,
    string? Description = null,
    int? MaxSessionDuration = null,
    string? PermissionsBoundary = null,
    List<Tag>? Tags = null);
public sealed record CreateUserRequest(
    string UserName,
    string? Path = null,
    string? PermissionsBoundary = null,
    List<Tag>? Tags = null);
public sealed record DeleteAccessKeyRequest(string AccessKeyId, string? UserName = null);
public sealed record DeleteGroupRequest(string GroupName);
public sealed record DeleteGroupPolicyRequest(string GroupName, string PolicyName);
public sealed record DeletePolicyRequest(string PolicyArn);
public sealed record DeletePolicyVersionRequest(string PolicyArn, string VersionId);
public sealed record DeleteRoleRequest(string RoleName);
public sealed record DeleteRolePermissionsBoundaryRequest(string RoleName);
public sealed record DeleteRolePolicyRequest(string RoleName, string PolicyName);
public sealed record DeleteUserRequest(string UserName);
public sealed record DeleteUserPermissionsBoundaryRequest(string UserName);
public sealed record DeleteUserPolicyRequest(string UserName, string PolicyName);
public sealed record DetachGroupPolicyRequest(string GroupName, string PolicyArn);
public sealed record DetachRolePolicyRequest(string RoleName, string PolicyArn);
public sealed record DetachUserPolicyRequest(string UserName, string PolicyArn);
public sealed record GetGroupRequest(string GroupName, string? Marker = null, int? MaxItems = null);
public sealed record GetGroupPolicyRequest(string GroupName, string PolicyName);
public sealed record GetPolicyRequest(string PolicyArn);
public sealed record GetPolicyVersionRequest(string PolicyArn, string VersionId);
public sealed record GetRoleRequest(string RoleName);
public sealed record GetRolePolicyRequest(string RoleName, string PolicyName);
public sealed record GetUserRequest(string? UserName = null);
public sealed record GetUserPolicyRequest(string UserName, string PolicyName);
public sealed record ListAccessKeysRequest(string? UserName = null, string? Marker = null, int? MaxItems = null);
public sealed record ListAttachedGroupPoliciesRequest(
    string GroupName,
    string? PathPrefix = null,
    string? Marker = null,
    int? MaxItems = null);
public sealed record ListAttachedRolePoliciesRequest(
    string RoleName,
    string? PathPrefix = null,
    string? Marker = null,
    int? MaxItems = null);
public sealed record ListAttachedUserPoliciesRequest(
    string UserName,
    string? PathPrefix = null,
    string? Marker = null,
    int? MaxItems = null);
public sealed record ListEntitiesForPolicyRequest(
    string PolicyArn,
    string? EntityFilter = null,
    string? PathPrefix = null,
    string? PolicyUsageFilter = null,
    string? Marker = null,
    int? MaxItems = null);
public sealed record ListGroupPoliciesRequest(string GroupName, string? Marker = null, int? MaxItems = null);
public sealed record ListGroupsRequest(string? PathPrefix = null, string? Marker = null, int? MaxItems = null);
public sealed record ListGroupsForUserRequest(string UserName, string? Marker = null, int? MaxItems = null);
public sealed record ListInstanceProfilesForRoleRequest(string RoleName, string? Marker = null, int? MaxItems = null);
public sealed record ListPoliciesRequest(
    string? Scope = null,
    bool? OnlyAttached = null,
    string? PathPrefix = null,
    string? PolicyUsageFilter = null,
    string? Marker = null,
    int? MaxItems = null);
public sealed record ListPolicyVersionsRequest(string PolicyArn, string? Marker = null, int? MaxItems = null);
public sealed record ListRolePoliciesRequest(string RoleName, string? Marker = null, int? MaxItems = null);
public sealed record ListRoleTagsRequest(string RoleName, string? Marker = null, int? MaxItems = null);
public sealed record ListRolesRequest(string? PathPrefix = null, string? Marker = null, int? MaxItems = null);
public sealed record ListUserPoliciesRequest(string UserName, string? Marker = null, int? MaxItems = null);
public sealed record ListUserTagsRequest(string UserName, string? Marker = null, int? MaxItems = null);
public sealed record ListUsersRequest(string? PathPrefix = null, string? Marker = null, int? MaxItems = null);
public sealed record PutGroupPolicyRequest(string GroupName, string PolicyName, string PolicyDocument);
public sealed record PutRolePermissionsBoundaryRequest(string RoleName, string PermissionsBoundary);
public sealed record PutRolePolicyRequest(string RoleName, string PolicyName, string PolicyDocument);
public sealed record PutUserPermissionsBoundaryRequest(string UserName, string PermissionsBoundary);
public sealed record PutUserPolicyRequest(string UserName, string PolicyName, string PolicyDocument);
public sealed record RemoveUserFromGroupRequest(string GroupName, string UserName);
public sealed record SetDefaultPolicyVersionRequest(string PolicyArn, string VersionId);
public sealed record SimulateCustomPolicyRequest(
    List<string> PolicyInputList,
    List<string> ActionNames,
    List<string>? PermissionsBoundaryPolicyInputList = null,
    List<string>? ResourceArns = null,
    string? ResourcePolicy = null,
    string? ResourceOwner = null,
    string? CallerArn = null,
    List<ContextEntry>? ContextEntries = null,
    string? ResourceHandlingOption = null,
    int? MaxItems = null,
    string? Marker = null);
public sealed record SimulatePrincipalPolicyRequest(
    string PolicySourceArn,
    List<string> ActionNames,
    List<string>? PolicyInputList = null,
    List<string>? PermissionsBoundaryPolicyInputList = null,
    List<string>? ResourceArns = null,
    string? ResourcePolicy = null,
    string? ResourceOwner = null,
    string? CallerArn = null,
    List<ContextEntry>? ContextEntries = null,
    string? ResourceHandlingOption = null,
    int? MaxItems = null,
    string? Marker = null);
public sealed record TagRoleRequest(string RoleName, List<Tag> Tags);
public sealed record TagUserRequest(string UserName, List<Tag> Tags);
public sealed record UntagRoleRequest(string RoleName, List<string> TagKeys);
public sealed record UntagUserRequest(string UserName, List<string> TagKeys);
public sealed record UpdateAccessKeyRequest(string AccessKeyId, string Status, string? UserName = null);
public sealed record UpdateAssumeRolePolicyRequest(string RoleName, string PolicyDocument);
public sealed record UpdateRoleRequest(string RoleName, string? Description = null, int? MaxSessionDuration = null);
public sealed record UpdateRoleDescriptionRequest(string RoleName, string Description);
