using LocalShift.Aws;
using LocalShift.Core;
using Api = LocalShift.Services.Iam.Shapes;

namespace LocalShift.Services.Iam;

public sealed partial class IamService
{
    private void RegisterRoles()
    {
        Operation<Api.CreateRoleRequest, Api.CreateRoleResponse>("CreateRole", CreateRole);
        Operation<Api.GetRoleRequest, Api.GetRoleResponse>("GetRole", GetRole);
        Operation<Api.ListRolesRequest, Api.ListRolesResponse>("ListRoles", ListRoles);
        Operation<Api.DeleteRoleRequest>("DeleteRole", DeleteRole);
        Operation<Api.UpdateRoleRequest>("UpdateRole", UpdateRole);
        Operation<Api.UpdateRoleDescriptionRequest, Api.UpdateRoleDescriptionResponse>("UpdateRoleDescription", UpdateRoleDescription);
        Operation<Api.UpdateAssumeRolePolicyRequest>("UpdateAssumeRolePolicy", UpdateAssumeRolePolicy);
        Operation<Api.TagRoleRequest>("TagRole", TagRole);
        Operation<Api.UntagRoleRequest>("UntagRole", UntagRole);
        Operation<Api.ListRoleTagsRequest, Api.ListRoleTagsResponse>("ListRoleTags", ListRoleTags);
        Operation<Api.ListInstanceProfilesForRoleRequest, Api.ListInstanceProfilesForRoleResponse>("ListInstanceProfilesForRole", ListInstanceProfilesForRole);
        Operation<Api.PutRolePolicyRequest>("PutRolePolicy", (c, p) =>
            PutInline(c, IamEntityKind.Role, p.RoleName, RoleArn(c, p.RoleName), p.PolicyName, p.PolicyDocument));
        Operation<Api.GetRolePolicyRequest, Api.GetRolePolicyResponse>("GetRolePolicy", (c, p) =>
        {
            var (role, name, document) = GetInline(c, IamEntityKind.Role, p.RoleName, RoleArn(c, p.RoleName), p.PolicyName);
            return new(role, name, document);
        });
        Operation<Api.DeleteRolePolicyRequest>("DeleteRolePolicy", (c, p) =>
            DeleteInline(c, IamEntityKind.Role, p.RoleName, RoleArn(c, p.RoleName), p.PolicyName));
        Operation<Api.ListRolePoliciesRequest, Api.ListRolePoliciesResponse>("ListRolePolicies", (c, p) =>
        {
            var page = ListInline(c, IamEntityKind.Role, p.RoleName, RoleArn(c, p.RoleName), p.Marker, p.MaxItems);
            return new(page.Items, page.IsTruncated, page.Marker);
        });
        Operation<Api.AttachRolePolicyRequest>("AttachRolePolicy", (c, p) =>
            Attach(c, IamEntityKind.Role, p.RoleName, RoleArn(c, p.RoleName), p.PolicyArn));
        Operation<Api.DetachRolePolicyRequest>("DetachRolePolicy", (c, p) =>
            Detach(c, IamEntityKind.Role, p.RoleName, RoleArn(c, p.RoleName), p.PolicyArn));
        Operation<Api.ListAttachedRolePoliciesRequest, Api.ListAttachedRolePoliciesResponse>("ListAttachedRolePolicies", (c, p) =>
        {
            var page = ListAttached(c, IamEntityKind.Role, p.RoleName, RoleArn(c, p.RoleName), p.PathPrefix, p.Marker, p.MaxItems);
            return new(page.Items, page.IsTruncated, page.Marker);
        });
        Operation<Api.PutRolePermissionsBoundaryRequest>("PutRolePermissionsBoundary", (c, p) =>
            PutBoundary(c, IamEntityKind.Role, p.RoleName, RoleArn(c, p.RoleName), p.PermissionsBoundary));
        Operation<Api.DeleteRolePermissionsBoundaryRequest>("DeleteRolePermissionsBoundary", (c, p) =>
            DeleteBoundary(c, IamEntityKind.Role, p.RoleName, RoleArn(c, p.RoleName)));
    }

    /// <summary>The ARN to authorize an operation on a role: the role's (its path included) when it exists.</summary>
    private string RoleArn(AwsCall call, string name) =>
        Store.GetRole(Account(call), name)?.Arn ?? Arn.Role(Account(call), "/", name);

    /// <summary>How much of a role a response carries: listings omit boundary, tags and last use; CreateRole omits last use.</summary>
    private enum RoleView { Listed, Created, Full }

    private static Api.Role ToRole(RoleRow role, RoleView view) => new(
        role.Path, role.RoleName, role.RoleId, role.Arn, role.CreateDate,
        AssumeRolePolicyDocument: PolicyDocuments.Encode(role.AssumeRolePolicyDocument),
        Description: role.Description,
        MaxSessionDuration: role.MaxSessionDuration,
        PermissionsBoundary: view == RoleView.Listed ? null : Boundary(role.PermissionsBoundaryArn),
        Tags: view == RoleView.Listed ? null : TagsOrNull(role.Tags),
        RoleLastUsed: view == RoleView.Full ? new Api.RoleLastUsed(role.LastUsedDate, role.LastUsedRegion) : null);

    private Api.CreateRoleResponse CreateRole(AwsCall call, Api.CreateRoleRequest p)
    {
        var path = p.Path ?? "/";
        if (p.PermissionsBoundary is { } boundary) CheckArn(boundary);
        call.Authorize(Action("CreateRole"), Arn.Role(Account(call), path, p.RoleName));
        CheckTrustDocument(p.AssumeRolePolicyDocument);
        var role = Store.CreateRole(Account(call), p.RoleName, path, p.AssumeRolePolicyDocument, p.Description,
            p.MaxSessionDuration ?? 3600, p.PermissionsBoundary, ReadTags(p.Tags));
        return new(ToRole(role, RoleView.Created));
    }

    private Api.GetRoleResponse GetRole(AwsCall call, Api.GetRoleRequest p)
    {
        call.Authorize(Action("GetRole"), RoleArn(call, p.RoleName));
        var role = Store.GetRole(Account(call), p.RoleName) ?? throw IamErrors.NoSuchRole(p.RoleName);
        return new(ToRole(role, RoleView.Full));
    }

    private Api.ListRolesResponse ListRoles(AwsCall call, Api.ListRolesRequest p)
    {
        call.Authorize(Action("ListRoles"), "*");
        var page = NamePage(Store.ListRoles(Account(call), p.PathPrefix ?? "/"), r => r.RoleName, p.Marker, p.MaxItems);
        return new(page.Items.Select(r => ToRole(r, RoleView.Listed)).ToList(), page.IsTruncated, page.Marker);
    }

    private void DeleteRole(AwsCall call, Api.DeleteRoleRequest p)
    {
        call.Authorize(Action("DeleteRole"), RoleArn(call, p.RoleName));
        Store.DeleteRole(Account(call), p.RoleName);
    }

    private void UpdateRole(AwsCall call, Api.UpdateRoleRequest p)
    {
        call.Authorize(Action("UpdateRole"), RoleArn(call, p.RoleName));
        Store.UpdateRole(Account(call), p.RoleName, p.Description, p.MaxSessionDuration);
    }

    private Api.UpdateRoleDescriptionResponse UpdateRoleDescription(AwsCall call, Api.UpdateRoleDescriptionRequest p)
    {
        call.Authorize(Action("UpdateRoleDescription"), RoleArn(call, p.RoleName));
        var role = Store.UpdateRole(Account(call), p.RoleName, p.Description ?? "", null);
        return new(ToRole(role, RoleView.Full));
    }

    private void UpdateAssumeRolePolicy(AwsCall call, Api.UpdateAssumeRolePolicyRequest p)
    {
        call.Authorize(Action("UpdateAssumeRolePolicy"), RoleArn(call, p.RoleName));
        if (Store.GetRole(Account(call), p.RoleName) is null) throw IamErrors.NoSuchRole(p.RoleName);
        CheckTrustDocument(p.PolicyDocument);
        Store.UpdateTrustPolicy(Account(call), p.RoleName, p.PolicyDocument);
    }

    private void TagRole(AwsCall call, Api.TagRoleRequest p)
    {
        var tags = ReadTags(p.Tags);
        call.Authorize(Action("TagRole"), RoleArn(call, p.RoleName));
        Store.RetagRole(Account(call), p.RoleName, existing => IamStore.MergeTags(existing, tags));
    }

    private void UntagRole(AwsCall call, Api.UntagRoleRequest p)
    {
        var keys = p.TagKeys ?? [];
        call.Authorize(Action("UntagRole"), RoleArn(call, p.RoleName));
        Store.RetagRole(Account(call), p.RoleName, existing =>
            existing.Where(t => !keys.Contains(t.Key, StringComparer.OrdinalIgnoreCase)).ToList());
    }

    private Api.ListRoleTagsResponse ListRoleTags(AwsCall call, Api.ListRoleTagsRequest p)
    {
        call.Authorize(Action("ListRoleTags"), RoleArn(call, p.RoleName));
        var role = Store.GetRole(Account(call), p.RoleName) ?? throw IamErrors.NoSuchRole(p.RoleName);
        var page = PositionPage(role.Tags, p.Marker, p.MaxItems);
        return new(ToTags(page.Items), page.IsTruncated, page.Marker);
    }

    /// <summary>LocalShift has no EC2 instance profiles; the list is always empty (tools such as Terraform ask before deleting a role).</summary>
    private Api.ListInstanceProfilesForRoleResponse ListInstanceProfilesForRole(AwsCall call, Api.ListInstanceProfilesForRoleRequest p)
    {
        call.Authorize(Action("ListInstanceProfilesForRole"), RoleArn(call, p.RoleName));
        if (Store.GetRole(Account(call), p.RoleName) is null) throw IamErrors.NoSuchRole(p.RoleName);
        return new([], false);
    }
}
