using System.Xml;
using LocalShift.Aws;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;

namespace LocalShift.Services.Iam;

// Access keys: UserName is optional everywhere; without it the operation applies to the caller (a user, or a root's own keys).
public sealed partial class IamService
{
    private void RegisterAccessKeys()
    {
        Operation("CreateAccessKey", CreateAccessKey);
        Operation("ListAccessKeys", ListAccessKeys);
        Operation("UpdateAccessKey", UpdateAccessKey, hasResult: false);
        Operation("DeleteAccessKey", DeleteAccessKey, hasResult: false);
    }

    private string KeyOwnerArn(AwsCall call, string? user) => user is null ? Arn.Root(Account(call)) : UserArn(call, user);

    private void CreateAccessKey(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var given = input.OptionalExistingUserName();
        input.Check();
        var user = TargetUser(call, given);
        call.Authorize(Action("CreateAccessKey"), KeyOwnerArn(call, user));
        var key = Store.CreateAccessKey(Account(call), user);
        w.Struct("AccessKey", x => x.El("UserName", key.UserName).El("AccessKeyId", key.AccessKeyId).El("Status", key.Status)
            .El("SecretAccessKey", key.SecretAccessKey).El("CreateDate", key.CreateDate));
    }

    private void ListAccessKeys(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var given = input.OptionalExistingUserName();
        var paging = ReadPaging(input);
        input.Check();
        var user = TargetUser(call, given);
        call.Authorize(Action("ListAccessKeys"), KeyOwnerArn(call, user));
        WritePage(w, "AccessKeyMetadata", Store.ListAccessKeys(Account(call), user), k => k.AccessKeyId, paging,
            (x, k) => x.El("UserName", k.UserName).El("AccessKeyId", k.AccessKeyId).El("Status", k.Status).El("CreateDate", k.CreateDate));
    }

    private void UpdateAccessKey(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var given = input.OptionalExistingUserName();
        var id = input.AccessKeyId();
        var status = input.Status();
        input.Check();
        var user = TargetUser(call, given);
        call.Authorize(Action("UpdateAccessKey"), KeyOwnerArn(call, user));
        Store.UpdateAccessKey(Account(call), user, id, status);
    }

    private void DeleteAccessKey(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new IamInput(p);
        var given = input.OptionalExistingUserName();
        var id = input.AccessKeyId();
        input.Check();
        var user = TargetUser(call, given);
        call.Authorize(Action("DeleteAccessKey"), KeyOwnerArn(call, user));
        Store.DeleteAccessKey(Account(call), user, id);
    }
}
