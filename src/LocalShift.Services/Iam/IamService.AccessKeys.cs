using LocalShift.Aws;
using LocalShift.Core;
using Api = LocalShift.Services.Iam.Shapes;

namespace LocalShift.Services.Iam;

// Access keys: UserName is optional everywhere; without it the operation applies to the caller (a user, or a root's own keys).
public sealed partial class IamService
{
    private void RegisterAccessKeys()
    {
        Operation<Api.CreateAccessKeyRequest, Api.CreateAccessKeyResponse>("CreateAccessKey", CreateAccessKey);
        Operation<Api.ListAccessKeysRequest, Api.ListAccessKeysResponse>("ListAccessKeys", ListAccessKeys);
        Operation<Api.UpdateAccessKeyRequest>("UpdateAccessKey", UpdateAccessKey);
        Operation<Api.DeleteAccessKeyRequest>("DeleteAccessKey", DeleteAccessKey);
    }

    private string KeyOwnerArn(AwsCall call, string? user) => user is null ? Arn.Root(Account(call)) : UserArn(call, user);

    private Api.CreateAccessKeyResponse CreateAccessKey(AwsCall call, Api.CreateAccessKeyRequest p)
    {
        var user = TargetUser(call, p.UserName);
        call.Authorize(Action("CreateAccessKey"), KeyOwnerArn(call, user));
        var key = Store.CreateAccessKey(Account(call), user);
        return new(new Api.AccessKey(key.UserName, key.AccessKeyId, key.Status, key.SecretAccessKey, key.CreateDate));
    }

    private Api.ListAccessKeysResponse ListAccessKeys(AwsCall call, Api.ListAccessKeysRequest p)
    {
        var user = TargetUser(call, p.UserName);
        call.Authorize(Action("ListAccessKeys"), KeyOwnerArn(call, user));
        var page = NamePage(Store.ListAccessKeys(Account(call), user), k => k.AccessKeyId, p.Marker, p.MaxItems);
        return new(page.Items.Select(k => new Api.AccessKeyMetadata(k.UserName, k.AccessKeyId, k.Status, k.CreateDate)).ToList(),
            page.IsTruncated, page.Marker);
    }

    private void UpdateAccessKey(AwsCall call, Api.UpdateAccessKeyRequest p)
    {
        var user = TargetUser(call, p.UserName);
        call.Authorize(Action("UpdateAccessKey"), KeyOwnerArn(call, user));
        Store.UpdateAccessKey(Account(call), user, p.AccessKeyId, p.Status);
    }

    private void DeleteAccessKey(AwsCall call, Api.DeleteAccessKeyRequest p)
    {
        var user = TargetUser(call, p.UserName);
        call.Authorize(Action("DeleteAccessKey"), KeyOwnerArn(call, user));
        Store.DeleteAccessKey(Account(call), user, p.AccessKeyId);
    }
}
