using LocalShift.Aws;
using LocalShift.Core;
using Api = LocalShift.Services.Iam.Shapes;

namespace LocalShift.Services.Iam;

public sealed partial class IamService
{
    private void RegisterUsers()
    {
        Operation<Api.CreateUserRequest, Api.CreateUserResponse>("CreateUser", CreateUser);
        Operation<Api.GetUserRequest, Api.GetUserResponse>("GetUser", GetUser);
        Operation<Api.ListUsersRequest, Api.ListUsersResponse>("ListUsers", ListUsers);
        Operation<Api.DeleteUserRequest>("DeleteUser", DeleteUser);
        Operation<Api.TagUserRequest>("TagUser", TagUser);
        Operation<Api.UntagUserRequest>("UntagUser", UntagUser);
        Operation<Api.ListUserTagsRequest, Api.ListUserTagsResponse>("ListUserTags", ListUserTags);
        Operation<Api.PutUserPolicyRequest>("PutUserPolicy", (c, p) =>
            PutInline(c, IamEntityKind.User, p.UserName, UserArn(c, p.UserName), p.PolicyName, p.PolicyDocument));
        Operation<Api.GetUserPolicyRequest, Api.GetUserPolicyResponse>("GetUserPolicy", (c, p) =>
        {
            var (user, name, document) = GetInline(c, IamEntityKind.User, p.UserName, UserArn(c, p.UserName), p.PolicyName);
            return new(user, name, document);
        });
        Operation<Api.DeleteUserPolicyRequest>("DeleteUserPolicy", (c, p) =>
            DeleteInline(c, IamEntityKind.User, p.UserName, UserArn(c, p.UserName), p.PolicyName));
        Operation<Api.ListUserPoliciesRequest, Api.ListUserPoliciesResponse>("ListUserPolicies", (c, p) =>
        {
            var page = ListInline(c, IamEntityKind.User, p.UserName, UserArn(c, p.UserName), p.Marker, p.MaxItems);
            return new(page.Items, page.IsTruncated, page.Marker);
        });
        Operation<Api.AttachUserPolicyRequest>("AttachUserPolicy", (c, p) =>
            Attach(c, IamEntityKind.User, p.UserName, UserArn(c, p.UserName), p.PolicyArn));
        Operation<Api.DetachUserPolicyRequest>("DetachUserPolicy", (c, p) =>
            Detach(c, IamEntityKind.User, p.UserName, UserArn(c, p.UserName), p.PolicyArn));
        Operation<Api.ListAttachedUserPoliciesRequest, Api.ListAttachedUserPoliciesResponse>("ListAttachedUserPolicies", (c, p) =>
        {
            var page = ListAttached(c, IamEntityKind.User, p.UserName, UserArn(c, p.UserName), p.PathPrefix, p.Marker, p.MaxItems);
            return new(page.Items, page.IsTruncated, page.Marker);
        });
        Operation<Api.PutUserPermissionsBoundaryRequest>("PutUserPermissionsBoundary", (c, p) =>
            PutBoundary(c, IamEntityKind.User, p.UserName, UserArn(c, p.UserName), p.PermissionsBoundary));
        Operation<Api.DeleteUserPermissionsBoundaryRequest>("DeleteUserPermissionsBoundary", (c, p) =>
            DeleteBoundary(c, IamEntityKind.User, p.UserName, UserArn(c, p.UserName)));
    }

    /// <summary>The ARN to authorize an operation on a user: the user's (its path included) when it exists.</summary>
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

    /// <summary>A user as responses carry it: listings omit the boundary and tags.</summary>
    private static Api.User ToUser(UserRow user, bool full) => new(
        user.Path, user.UserName, user.UserId, user.Arn, user.CreateDate,
        PermissionsBoundary: full ? Boundary(user.PermissionsBoundaryArn) : null,
        Tags: full ? TagsOrNull(user.Tags) : null);

    private Api.CreateUserResponse CreateUser(AwsCall call, Api.CreateUserRequest p)
    {
        var path = p.Path ?? "/";
        if (p.PermissionsBoundary is { } boundary) CheckArn(boundary);
        call.Authorize(Action("CreateUser"), Arn.User(Account(call), path, p.UserName));
        var user = Store.CreateUser(Account(call), p.UserName, path, p.PermissionsBoundary, ReadTags(p.Tags));
        return new(ToUser(user, full: true));
    }

    private Api.GetUserResponse GetUser(AwsCall call, Api.GetUserRequest p)
    {
        var name = TargetUser(call, p.UserName);
        if (name is null)
        {
            // A root asking about itself: IAM answers with the account's root, which has no user name or path.
            call.Authorize(Action("GetUser"), call.Caller.Arn);
            var created = Store.AccountCreateDate(Account(call));
            return new(new Api.User(null, null, Account(call), Arn.Root(Account(call)), created));
        }
        call.Authorize(Action("GetUser"), UserArn(call, name));
        var user = Store.GetUser(Account(call), name) ?? throw IamErrors.NoSuchUser(name);
        return new(ToUser(user, full: true));
    }

    private Api.ListUsersResponse ListUsers(AwsCall call, Api.ListUsersRequest p)
    {
        call.Authorize(Action("ListUsers"), "*");
        var page = NamePage(Store.ListUsers(Account(call), p.PathPrefix ?? "/"), u => u.UserName, p.Marker, p.MaxItems);
        return new(page.Items.Select(u => ToUser(u, full: false)).ToList(), page.IsTruncated, page.Marker);
    }

    private void DeleteUser(AwsCall call, Api.DeleteUserRequest p)
    {
        call.Authorize(Action("DeleteUser"), UserArn(call, p.UserName));
        Store.DeleteUser(Account(call), p.UserName);
    }

    private void TagUser(AwsCall call, Api.TagUserRequest p)
    {
        var tags = ReadTags(p.Tags);
        call.Authorize(Action("TagUser"), UserArn(call, p.UserName));
        Store.RetagUser(Account(call), p.UserName, existing => IamStore.MergeTags(existing, tags));
    }

    private void UntagUser(AwsCall call, Api.UntagUserRequest p)
    {
        var keys = p.TagKeys ?? [];
        call.Authorize(Action("UntagUser"), UserArn(call, p.UserName));
        Store.RetagUser(Account(call), p.UserName, existing =>
            existing.Where(t => !keys.Contains(t.Key, StringComparer.OrdinalIgnoreCase)).ToList());
    }

    private Api.ListUserTagsResponse ListUserTags(AwsCall call, Api.ListUserTagsRequest p)
    {
        call.Authorize(Action("ListUserTags"), UserArn(call, p.UserName));
        var user = Store.GetUser(Account(call), p.UserName) ?? throw IamErrors.NoSuchUser(p.UserName);
        var page = PositionPage(user.Tags, p.Marker, p.MaxItems);
        return new(ToTags(page.Items), page.IsTruncated, page.Marker);
    }
}
