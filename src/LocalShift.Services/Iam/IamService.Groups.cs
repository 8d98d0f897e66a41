using LocalShift.Aws;
using LocalShift.Core;
using Api = LocalShift.Services.Iam.Shapes;

namespace LocalShift.Services.Iam;

public sealed partial class IamService
{
    private void RegisterGroups()
    {
        Operation<Api.CreateGroupRequest, Api.CreateGroupResponse>("CreateGroup", CreateGroup);
        Operation<Api.GetGroupRequest, Api.GetGroupResponse>("GetGroup", GetGroup);
        Operation<Api.ListGroupsRequest, Api.ListGroupsResponse>("ListGroups", ListGroups);
        Operation<Api.DeleteGroupRequest>("DeleteGroup", DeleteGroup);
        Operation<Api.AddUserToGroupRequest>("AddUserToGroup", AddUserToGroup);
        Operation<Api.RemoveUserFromGroupRequest>("RemoveUserFromGroup", RemoveUserFromGroup);
        Operation<Api.ListGroupsForUserRequest, Api.ListGroupsForUserResponse>("ListGroupsForUser", ListGroupsForUser);
        Operation<Api.PutGroupPolicyRequest>("PutGroupPolicy", (c, p) =>
            PutInline(c, IamEntityKind.Group, p.GroupName, GroupArn(c, p.GroupName), p.PolicyName, p.PolicyDocument));
        Operation<Api.GetGroupPolicyRequest, Api.GetGroupPolicyResponse>("GetGroupPolicy", (c, p) =>
        {
            var (group, name, document) = GetInline(c, IamEntityKind.Group, p.GroupName, GroupArn(c, p.GroupName), p.PolicyName);
            return new(group, name, document);
        });
        Operation<Api.DeleteGroupPolicyRequest>("DeleteGroupPolicy", (c, p) =>
            DeleteInline(c, IamEntityKind.Group, p.GroupName, GroupArn(c, p.GroupName), p.PolicyName));
        Operation<Api.ListGroupPoliciesRequest, Api.ListGroupPoliciesResponse>("ListGroupPolicies", (c, p) =>
        {
            var page = ListInline(c, IamEntityKind.Group, p.GroupName, GroupArn(c, p.GroupName), p.Marker, p.MaxItems);
            return new(page.Items, page.IsTruncated, page.Marker);
        });
        Operation<Api.AttachGroupPolicyRequest>("AttachGroupPolicy", (c, p) =>
            Attach(c, IamEntityKind.Group, p.GroupName, GroupArn(c, p.GroupName), p.PolicyArn));
        Operation<Api.DetachGroupPolicyRequest>("DetachGroupPolicy", (c, p) =>
            Detach(c, IamEntityKind.Group, p.GroupName, GroupArn(c, p.GroupName), p.PolicyArn));
        Operation<Api.ListAttachedGroupPoliciesRequest, Api.ListAttachedGroupPoliciesResponse>("ListAttachedGroupPolicies", (c, p) =>
        {
            var page = ListAttached(c, IamEntityKind.Group, p.GroupName, GroupArn(c, p.GroupName), p.PathPrefix, p.Marker, p.MaxItems);
            return new(page.Items, page.IsTruncated, page.Marker);
        });
    }

    private string GroupArn(AwsCall call, string name) =>
        Store.GetGroup(Account(call), name)?.Arn ?? Arn.Iam(Account(call), $"group/{name}");

    private static Api.Group ToGroup(GroupRow group) => new(group.Path, group.GroupName, group.GroupId, group.Arn, group.CreateDate);

    private Api.CreateGroupResponse CreateGroup(AwsCall call, Api.CreateGroupRequest p)
    {
        var path = p.Path ?? "/";
        call.Authorize(Action("CreateGroup"), Arn.Iam(Account(call), $"group{path}{p.GroupName}"));
        return new(ToGroup(Store.CreateGroup(Account(call), p.GroupName, path)));
    }

    private Api.GetGroupResponse GetGroup(AwsCall call, Api.GetGroupRequest p)
    {
        call.Authorize(Action("GetGroup"), GroupArn(call, p.GroupName));
        var (group, users) = Store.GetGroupWithUsers(Account(call), p.GroupName);
        var page = NamePage(users, u => u.UserName, p.Marker, p.MaxItems);
        return new(ToGroup(group), page.Items.Select(u => ToUser(u, full: false)).ToList(), page.IsTruncated, page.Marker);
    }

    private Api.ListGroupsResponse ListGroups(AwsCall call, Api.ListGroupsRequest p)
    {
        call.Authorize(Action("ListGroups"), "*");
        var page = NamePage(Store.ListGroups(Account(call), p.PathPrefix ?? "/"), g => g.GroupName, p.Marker, p.MaxItems);
        return new(page.Items.Select(ToGroup).ToList(), page.IsTruncated, page.Marker);
    }

    private void DeleteGroup(AwsCall call, Api.DeleteGroupRequest p)
    {
        call.Authorize(Action("DeleteGroup"), GroupArn(call, p.GroupName));
        Store.DeleteGroup(Account(call), p.GroupName);
    }

    private void AddUserToGroup(AwsCall call, Api.AddUserToGroupRequest p)
    {
        call.Authorize(Action("AddUserToGroup"), GroupArn(call, p.GroupName));
        Store.AddUserToGroup(Account(call), p.GroupName, p.UserName);
    }

    private void RemoveUserFromGroup(AwsCall call, Api.RemoveUserFromGroupRequest p)
    {
        call.Authorize(Action("RemoveUserFromGroup"), GroupArn(call, p.GroupName));
        Store.RemoveUserFromGroup(Account(call), p.GroupName, p.UserName);
    }

    private Api.ListGroupsForUserResponse ListGroupsForUser(AwsCall call, Api.ListGroupsForUserRequest p)
    {
        call.Authorize(Action("ListGroupsForUser"), UserArn(call, p.UserName));
        var page = NamePage(Store.ListGroupsForUser(Account(call), p.UserName), g => g.GroupName, p.Marker, p.MaxItems);
        return new(page.Items.Select(ToGroup).ToList(), page.IsTruncated, page.Marker);
    }
}
