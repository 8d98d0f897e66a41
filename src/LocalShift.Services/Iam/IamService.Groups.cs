using System.Xml;
using LocalShift.Aws;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;

namespace LocalShift.Services.Iam;

public sealed partial class IamService
{
    private void RegisterGroups()
    {
        Operation("CreateGroup", CreateGroup);
        Operation("GetGroup", GetGroup);
        Operation("ListGroups", ListGroups);
        Operation("DeleteGroup", DeleteGroup, hasResult: false);
        Operation("AddUserToGroup", AddUserToGroup, hasResult: false);
        Operation("RemoveUserFromGroup", RemoveUserFromGroup, hasResult: false);
        Operation("ListGroupsForUser", ListGroupsForUser);
        Operation("PutGroupPolicy", (c, p, w) => OnGroup(c, p, (i, name, arn) => PutInline(c, i, IamEntityKind.Group, name, arn)), hasResult: false);
        Operation("GetGroupPolicy", (c, p, w) => OnGroup(c, p, (i, name, arn) => GetInline(c, i, w, IamEntityKind.Group, name, "GroupName", arn)));
        Operation("DeleteGroupPolicy", (c, p, w) => OnGroup(c, p, (i, name, arn) => DeleteInline(c, i, IamEntityKind.Group, name, arn)), hasResult: false);
        Operation("ListGroupPolicies", (c, p, w) => OnGroup(c, p, (i, name, arn) => ListInline(c, i, w, IamEntityKind.Group, name, arn)));
        Operation("AttachGroupPolicy", (c, p, w) => OnGroup(c, p, (i, name, arn) => Attach(c, i, IamEntityKind.Group, name, arn)), hasResult: false);
        Operation("DetachGroupPolicy", (c, p, w) => OnGroup(c, p, (i, name, arn) => Detach(c, i, IamEntityKind.Group, name, arn)), hasResult: false);
        Operation("ListAttachedGroupPolicies", (c, p, w) => OnGroup(c, p, (i, name, arn) => ListAttached(c, i, w, IamEntityKind.Group, name, arn)));
    }

    private void OnGroup(AwsCall call, QueryParameters parameters, Action<IamInput, string, Func<string>> operation)
    {
        var input = new IamInput(parameters);
        var name = input.GroupName();
        operation(input, name, () => GroupArn(call, name));
    }

    private string GroupArn(AwsCall call, string name) =>
        Store.GetGroup(Account(call), name)?.Arn ?? Arn.Iam(Account(call), $"group/{name}");

    private static void WriteGroup(XmlWriter w, GroupRow group) =>
        w.El("Path", group.Path).El("GroupName", group.GroupName).El("GroupId", group.GroupId).El("Arn", group.Arn).El("CreateDate", group.CreateDate);

    private void CreateGroup(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var path = input.Path();
        var name = input.GroupName();
        input.Check();
        call.Authorize(Action("CreateGroup"), Arn.Iam(Account(call), $"group{path}{name}"));
        var group = Store.CreateGroup(Account(call), name, path);
        w.Struct("Group", x => WriteGroup(x, group));
    }

    private void GetGroup(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.GroupName();
        var paging = ReadPaging(input);
        input.Check();
        call.Authorize(Action("GetGroup"), GroupArn(call, name));
        var (group, users) = Store.GetGroupWithUsers(Account(call), name);
        w.Struct("Group", x => WriteGroup(x, group));
        WritePage(w, "Users", users, u => u.UserName, paging, (x, u) => WriteUser(x, u, full: false));
    }

    private void ListGroups(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var prefix = input.PathPrefix();
        var paging = ReadPaging(input);
        input.Check();
        call.Authorize(Action("ListGroups"), "*");
        WritePage(w, "Groups", Store.ListGroups(Account(call), prefix), g => g.GroupName, paging, WriteGroup);
    }

    private void DeleteGroup(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.GroupName();
        input.Check();
        call.Authorize(Action("DeleteGroup"), GroupArn(call, name));
        Store.DeleteGroup(Account(call), name);
    }

    private void AddUserToGroup(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var group = input.GroupName();
        var user = input.ExistingUserName();
        input.Check();
        call.Authorize(Action("AddUserToGroup"), GroupArn(call, group));
        Store.AddUserToGroup(Account(call), group, user);
    }

    private void RemoveUserFromGroup(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var group = input.GroupName();
        var user = input.ExistingUserName();
        input.Check();
        call.Authorize(Action("RemoveUserFromGroup"), GroupArn(call, group));
        Store.RemoveUserFromGroup(Account(call), group, user);
    }

    private void ListGroupsForUser(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var user = input.ExistingUserName();
        var paging = ReadPaging(input);
        input.Check();
        call.Authorize(Action("ListGroupsForUser"), UserArn(call, user));
        WritePage(w, "Groups", Store.ListGroupsForUser(Account(call), user), g => g.GroupName, paging, WriteGroup);
    }
}
