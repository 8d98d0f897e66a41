using LocalShift.Core;
using LocalShift.Storage.State;
using System.Data.Common;

namespace LocalShift.Services.Iam;

// Long-term access keys of users (and of account roots, which IAM lets a root create for itself).
public sealed partial class IamStore
{
    private const string KeyColumns = "access_key_id, secret, account_id, user_name, status, create_date";

    private static AccessKeyRow ReadKey(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.StringOrNull(3), r.GetString(4), Time(r.GetString(5)));

    private static List<AccessKeyRow> KeysOf(DbConnection c, DbTransaction? tx, string accountId, string? userName) =>
        userName is null
            ? c.Query(tx, $"SELECT {KeyColumns} FROM iam_access_keys WHERE account_id=$a AND user_name IS NULL ORDER BY create_date", ReadKey, ("$a", accountId))
            : c.Query(tx, $"SELECT {KeyColumns} FROM iam_access_keys WHERE account_id=$a AND user_name=$u ORDER BY create_date", ReadKey,
                ("$a", accountId), ("$u", userName));

    /// <summary>Creates a key for the user (or, with a null user, for the account root); at most two per owner.</summary>
    public AccessKeyRow CreateAccessKey(string accountId, string? userName) => Change((c, tx) =>
    {
        var owner = userName is null ? null : RequireUser(c, tx, accountId, userName).UserName;
        if (KeysOf(c, tx, accountId, owner).Count >= MaxAccessKeysPerUser) throw IamErrors.Quota("AccessKeysPerUser", MaxAccessKeysPerUser);
        var key = new AccessKeyRow(AwsIds.AccessKeyId(), AwsIds.SecretAccessKey(), accountId, owner, "Active", Now());
        c.Exec(tx, $"INSERT INTO iam_access_keys({KeyColumns}) VALUES($id,$s,$a,$u,'Active',$cd)",
            ("$id", key.AccessKeyId), ("$s", key.SecretAccessKey), ("$a", accountId), ("$u", owner), ("$cd", Time(key.CreateDate)));
        return key;
    });

    /// <summary>The owner's keys; throws NoSuchEntity for a missing user.</summary>
    public List<AccessKeyRow> ListAccessKeys(string accountId, string? userName) => _store.Read(c =>
        KeysOf(c, null, accountId, userName is null ? null : RequireUser(c, null, accountId, userName).UserName));

    private static AccessKeyRow RequireKey(DbConnection c, DbTransaction? tx, string accountId, string? userName, string accessKeyId)
    {
        var owner = userName is null ? null : RequireUser(c, tx, accountId, userName).UserName;
        return KeysOf(c, tx, accountId, owner).FirstOrDefault(k => k.AccessKeyId == accessKeyId) ?? throw IamErrors.NoSuchAccessKey(accessKeyId);
    }

    public void DeleteAccessKey(string accountId, string? userName, string accessKeyId) => Change((c, tx) =>
    {
        RequireKey(c, tx, accountId, userName, accessKeyId);
        c.Exec(tx, "DELETE FROM iam_access_keys WHERE access_key_id=$id", ("$id", accessKeyId));
    });

    public void UpdateAccessKey(string accountId, string? userName, string accessKeyId, string status) => Change((c, tx) =>
    {
        RequireKey(c, tx, accountId, userName, accessKeyId);
        c.Exec(tx, "UPDATE iam_access_keys SET status=$s WHERE access_key_id=$id", ("$s", status), ("$id", accessKeyId));
    });

    /// <summary>For the credential resolver: the key's secret and owner, or null when no such key exists. Check <see cref="AccessKeyOwner.IsActive"/>.</summary>
    public AccessKeyOwner? FindAccessKey(string accessKeyId) => _store.Read(c =>
    {
        var key = c.Query(null, $"SELECT {KeyColumns} FROM iam_access_keys WHERE access_key_id=$id", ReadKey, ("$id", accessKeyId)).FirstOrDefault();
        if (key is null) return null;
        if (key.UserName is null)
            return new AccessKeyOwner(key.AccessKeyId, key.SecretAccessKey, key.AccountId, null, key.AccountId, Arn.Root(key.AccountId),
                key.Status, key.CreateDate, new Dictionary<string, string>());
        var user = UserIn(c, null, key.AccountId, key.UserName);
        if (user is null) return null;
        return new AccessKeyOwner(key.AccessKeyId, key.SecretAccessKey, key.AccountId, user.UserName, user.UserId, user.Arn,
            key.Status, key.CreateDate, user.Tags.ToDictionary(t => t.Key, t => t.Value));
    });
}
