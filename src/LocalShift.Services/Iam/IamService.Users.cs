using System.Xml;
using LocalShift.Aws;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;

namespace LocalShift.Services.Iam;

public sealed partial class IamService
{
    private void RegisterUsers()
    {
        Operation("CreateUser", CreateUser);
        Operation("GetUser", GetUser);
        Operation("ListUsers", ListUsers);
        Operation("DeleteUser", DeleteUser, hasResult: false);
        Operation("TagUser", TagUser, hasResult: false);
        Operation("UntagUser", UntagUser, hasResult: false);
        Operation("ListUserTags", ListUserTags);
        Operation("PutUserPolicy", (c, p, w) => OnUser(c, p, true, (i, name, arn) => PutInline(c, i, IamEntityKind.User, name, arn)), hasResult: false);
        Operation("GetUserPolicy", (c, p, w) => OnUser(c, p, true, (i, name, arn) => GetInline(c, i, w, IamEntityKind.User, name, "UserName", arn)));
        Operation("DeleteUserPolicy", (c, p, w) => OnUser(c, p, true, (i, name, arn) => DeleteInline(c, i, IamEntityKind.User, name, arn)), hasResult: false);
        Operation("ListUserPolicies", (c, p, w) => OnUser(c, p, true, (i, name, arn) => ListInline(c, i, w, IamEntityKind.User, name, arn)));
        Operation("AttachUserPolicy", (c, p, w) => OnUser(c, p, false, (i, name, arn) => Attach(c, i, IamEntityKind.User, name, arn)), hasResult: false);
        Operation("DetachUserPolicy", (c, p, w) => OnUser(c, p, false, (i, name, arn) => Detach(c, i, IamEntityKind.User, name, arn)), hasResult: false);
        Operation("ListAttachedUserPolicies", (c, p, w) => OnUser(c, p, false, (i, name, arn) => ListAttached(c, i, w, IamEntityKind.User, name, arn)));
        Operation("PutUserPermissionsBoundary", (c, p, w) => OnUser(c, p, false, (i, name, arn) => PutBoundary(c, i, IamEntityKind.User, name, arn)), hasResult: false);
        Operation("DeleteUserPermissionsBoundary", (c, p, w) => OnUser(c, p, false, (i, name, arn) => DeleteBoundary(c, i, IamEntityKind.User, name, arn)), hasResult: false);
    }

    /// <summary>Runs an operation on the user named by UserName (existingUserNameType allows 128 characters, userNameType 64).</summary>
    private void OnUser(AwsCall call, QueryParameters parameters, bool existingName, Action<IamInput, string, Func<string>> operation)
    {
        var input = new IamInput(parameters);
        var name = existingName ? input.ExistingUserName() : input.UserName();
        operation(input, name, () => UserArn(call, name));
    }

    private string UserArn(AwsCall call, string name) =>
        Store.GetUser(Account(call), name)?.Arn ?? Arn.User(Account(call), "/", name);

    /// <summary>
    /// The user an operation with an optional UserName acts on: the named one, else the calling user; null for a root
    /// caller (the operation then applies to the root). Role sessions must name a user, as in IAM.
    /// </summary>
    private static string? TargetUser(AwsCall call, string? userName)
    {
        if (userName is not null) return userName;
        return call.Caller.Kind switch
        {
            PrincipalKind.User => call.Caller.Name,
            PrincipalKind.Root => null,
            _ => throw AwsException.Validation("Must specify userName when calling with non-User credentials"),
        };
    }

    private static void WriteUser(XmlWriter w, UserRow user, bool full)
    {
        w.El("Path", user.Path).El("UserName", user.UserName).El("UserId", user.UserId).El("Arn", user.Arn).El("CreateDate", user.CreateDate);
        if (!full) return;
        WriteBoundary(w, user.PermissionsBoundaryArn);
        WriteTags(w, user.Tags);
    }

    private void CreateUser(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var path = input.Path();
        var name = input.UserName();
        var boundary = input.OptionalArn("PermissionsBoundary");
        var tags = input.Tags() ?? [];
        input.Check();
        if (boundary is not null) CheckArn(boundary);
        call.Authorize(Action("CreateUser"), Arn.User(Account(call), path, name));
        var user = Store.CreateUser(Account(call), name, path, boundary, tags);
        w.Struct("User", x => WriteUser(x, user, full: true));
    }

    private void GetUser(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var given = input.OptionalExistingUserName();
        input.Check();
        var name = TargetUser(call, given);
        if (name is null)
        {
            // A root asking about itself: IAM answers with the account's root, which has no user name or path.
            call.Authorize(Action("GetUser"), call.Caller.Arn);
            var created = Store.AccountCreateDate(Account(call));
            w.Struct("User", x => x.El("UserId", Account(call)).El("Arn", Arn.Root(Account(call))).El("CreateDate", created));
            return;
        }
        call.Authorize(Action("GetUser"), UserArn(call, name));
        var user = Store.GetUser(Account(call), name) ?? throw IamErrors.NoSuchUser(name);
        w.Struct("User", x => WriteUser(x, user, full: true));
    }

    private void ListUsers(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var prefix = input.PathPrefix();
        var paging = ReadPaging(input);
        input.Check();
        call.Authorize(Action("ListUsers"), "*");
        WritePage(w, "Users", Store.ListUsers(Account(call), prefix), u => u.UserName, paging, (x, u) => WriteUser(x, u, full: false));
    }

    private void DeleteUser(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.ExistingUserName();
        input.Check();
        call.Authorize(Action("DeleteUser"), UserArn(call, name));
        Store.DeleteUser(Account(call), name);
    }

    private void TagUser(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.ExistingUserName();
        var tags = input.Tags();
        if (tags is null) input.TagKeys("Tags");
        input.Check();
        call.Authorize(Action("TagUser"), UserArn(call, name));
        Store.RetagUser(Account(call), name, existing => IamStore.MergeTags(existing, tags ?? []));
    }

    private void UntagUser(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.ExistingUserName();
        var keys = input.TagKeys();
        input.Check();
        call.Authorize(Action("UntagUser"), UserArn(call, name));
        Store.RetagUser(Account(call), name, existing =>
            existing.Where(t => !keys.Contains(t.Key, StringComparer.OrdinalIgnoreCase)).ToList());
    }

    private void ListUserTags(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var name = input.ExistingUserName();
        var paging = ReadPaging(input);
        input.Check();
        call.Authorize(Action("ListUserTags"), UserArn(call, name));
        var user = Store.GetUser(Account(call), name) ?? throw IamErrors.NoSuchUser(name);
        WriteTagPage(w, user.Tags, paging);
    }
}
