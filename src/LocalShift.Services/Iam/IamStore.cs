using System.Globalization;
using System.Text.Json;
using LocalShift.Core;
using LocalShift.Storage.State;
using System.Data.Common;

namespace LocalShift.Services.Iam;

/// <summary>
/// IAM's state in the shared SQLite store, every row scoped by account id. Names of users, groups, roles and policies
/// are unique per account without regard to case, as in IAM. Rules that need the current state (existence,
/// conflicts, quotas) are checked inside the writing transaction so two requests cannot both pass them.
/// </summary>
public sealed partial class IamStore : IRoleDirectory
{
    private readonly IStateStore _store;
    private readonly TimeProvider _clock;

    public const int MaxManagedPoliciesPerEntity = 10;
    public const int MaxGroupsPerUser = 10;
    public const int MaxAccessKeysPerUser = 2;
    public const int MaxPolicyVersions = 5;
    public const int MaxTags = 50;

    public IamStore(IStateStore store, TimeProvider clock)
    {
        _store = store;
        _clock = clock;
        store.Migrate("iam", Schema, RoleLastUsedSchema, TrustIdsSchema);
    }

    private const string Schema = """
        CREATE TABLE iam_accounts(account_id TEXT PRIMARY KEY, create_date TEXT NOT NULL);
        CREATE TABLE iam_roles(
          account_id TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, role_id TEXT NOT NULL UNIQUE,
          arn TEXT NOT NULL COLLATE NOCASE, trust_policy TEXT NOT NULL, description TEXT, max_session INTEGER NOT NULL,
          boundary_arn TEXT, tags TEXT NOT NULL, create_date TEXT NOT NULL,
          PRIMARY KEY(account_id, name));
        CREATE INDEX iam_roles_arn ON iam_roles(arn);
        CREATE TABLE iam_users(
          account_id TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, user_id TEXT NOT NULL UNIQUE,
          arn TEXT NOT NULL COLLATE NOCASE, boundary_arn TEXT, tags TEXT NOT NULL, create_date TEXT NOT NULL,
          PRIMARY KEY(account_id, name));
        CREATE INDEX iam_users_arn ON iam_users(arn);
        CREATE TABLE iam_groups(
          account_id TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, group_id TEXT NOT NULL UNIQUE,
          arn TEXT NOT NULL, create_date TEXT NOT NULL,
          PRIMARY KEY(account_id, name));
        CREATE TABLE iam_group_members(
          account_id TEXT NOT NULL, group_name TEXT NOT NULL COLLATE NOCASE, user_name TEXT NOT NULL COLLATE NOCASE,
          PRIMARY KEY(account_id, group_name, user_name));
        CREATE TABLE iam_inline_policies(
          account_id TEXT NOT NULL, entity_kind TEXT NOT NULL, entity_name TEXT NOT NULL COLLATE NOCASE,
          policy_name TEXT NOT NULL COLLATE NOCASE, document TEXT NOT NULL,
          PRIMARY KEY(account_id, entity_kind, entity_name, policy_name));
        CREATE TABLE iam_managed_policies(
          account_id TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, policy_id TEXT NOT NULL UNIQUE,
          arn TEXT NOT NULL UNIQUE, default_version TEXT NOT NULL, next_version INTEGER NOT NULL, description TEXT,
          tags TEXT NOT NULL, create_date TEXT NOT NULL, update_date TEXT NOT NULL,
          PRIMARY KEY(account_id, name));
        CREATE TABLE iam_policy_versions(
          policy_arn TEXT NOT NULL, version_id TEXT NOT NULL, document TEXT NOT NULL, create_date TEXT NOT NULL,
          PRIMARY KEY(policy_arn, version_id));
        CREATE TABLE iam_attachments(
          account_id TEXT NOT NULL, entity_kind TEXT NOT NULL, entity_name TEXT NOT NULL COLLATE NOCASE, policy_arn TEXT NOT NULL,
          PRIMARY KEY(account_id, entity_kind, entity_name, policy_arn));
        CREATE INDEX iam_attachments_policy ON iam_attachments(account_id, policy_arn);
        CREATE TABLE iam_access_keys(
          access_key_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, user_name TEXT COLLATE NOCASE, secret TEXT NOT NULL,
          status TEXT NOT NULL, create_date TEXT NOT NULL);
        CREATE INDEX iam_access_keys_owner ON iam_access_keys(account_id, user_name);
        """;

    private const string RoleLastUsedSchema = """
        ALTER TABLE iam_roles ADD COLUMN last_used_date TEXT;
        ALTER TABLE iam_roles ADD COLUMN last_used_region TEXT;
        """;

    private DateTimeOffset Now()
    {
        // IAM reports whole seconds; keeping them avoids a create date that changes between create and get.
        var t = _clock.GetUtcNow();
        return new DateTimeOffset(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
    internal static DateTimeOffset Time(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    internal static string TagsJson(IReadOnlyList<IamTag> tags) =>
        JsonSerializer.Serialize(tags.Select(t => new[] { t.Key, t.Value }));

    internal static IReadOnlyList<IamTag> Tags(string json) =>
        JsonSerializer.Deserialize<string[][]>(json)!.Select(x => new IamTag(x[0], x[1])).ToList();

    /// <summary>Replaces tags with the same key (ignoring case) and appends new ones; refuses more than 50.</summary>
    internal static List<IamTag> MergeTags(IReadOnlyList<IamTag> existing, IReadOnlyList<IamTag> added)
    {
        var result = existing.ToList();
        foreach (var tag in added)
        {
            var i = result.FindIndex(t => t.Key.Equals(tag.Key, StringComparison.OrdinalIgnoreCase));
            if (i >= 0) result[i] = tag; else result.Add(tag);
        }
        if (result.Count > MaxTags) throw IamErrors.LimitExceeded($"The number of tags has reached the maximum limit of {MaxTags}.");
        return result;
    }

    private long _generation;

    /// <summary>Increases with every committed change; readers that cache derived views (the policy source) compare it.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Every write goes through here so that <see cref="Generation"/> moves after it commits.</summary>
    private T Change<T>(Func<DbConnection, DbTransaction, T> write)
    {
        var result = _store.Write(write);
        Interlocked.Increment(ref _generation);
        return result;
    }

    private void Change(Action<DbConnection, DbTransaction> write) => Change<bool>((c, tx) => { write(c, tx); return true; });

    // ---- accounts ----

    /// <summary>When IAM first saw this account: reported as the root's CreateDate by GetUser. (Not a change policies depend on.)</summary>
    public DateTimeOffset AccountCreateDate(string accountId) => _store.Write((c, tx) =>
    {
        c.Exec(tx, "INSERT OR IGNORE INTO iam_accounts(account_id, create_date) VALUES($a, $d)", ("$a", accountId), ("$d", Time(Now())));
        return Time(c.Query(tx, "SELECT create_date FROM iam_accounts WHERE account_id=$a", r => r.GetString(0), ("$a", accountId))[0]);
    });

    // ---- roles ----

    private const string RoleColumns = "account_id, name, path, role_id, arn, trust_policy, description, max_session, boundary_arn, tags, create_date";

    private const string RoleSelect = RoleColumns + ", last_used_date, last_used_region, trust_ids";

    private static (RoleRow Role, string? TrustIds) ReadRole(DbDataReader r) => (new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.StringOrNull(6),
        r.GetInt32(7), r.StringOrNull(8), Tags(r.GetString(9)), Time(r.GetString(10)),
        r.IsDBNull(11) ? null : Time(r.GetString(11)), r.StringOrNull(12)), r.StringOrNull(13));

    /// <summary>Roles matching a WHERE clause, each with its trust policy as IAM shows it now.</summary>
    private static List<RoleRow> RolesWhere(DbConnection c, DbTransaction? tx, string where, params (string, object?)[] args) =>
        c.Query(tx, $"SELECT {RoleSelect} FROM iam_roles WHERE {where}", ReadRole, args)
            .Select(x => WithCurrentPrincipals(c, tx, x.Role, x.TrustIds)).ToList();

    private static RoleRow? RoleIn(DbConnection c, DbTransaction? tx, string accountId, string name) =>
        RolesWhere(c, tx, "account_id=$a AND name=$n", ("$a", accountId), ("$n", name)).FirstOrDefault();

    private static RoleRow RequireRole(DbConnection c, DbTransaction? tx, string accountId, string name) =>
        RoleIn(c, tx, accountId, name) ?? throw IamErrors.NoSuchRole(name);

    public RoleRow? GetRole(string accountId, string name) => _store.Read(c => RoleIn(c, null, accountId, name));

    public List<RoleRow> ListRoles(string accountId, string pathPrefix) => _store.Read(c =>
        RolesWhere(c, null, "account_id=$a", ("$a", accountId)).Where(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList());

    public RoleRow CreateRole(string accountId, string name, string path, string trustPolicy, string? description,
        int maxSession, string? boundaryArn, IReadOnlyList<IamTag> tags) => Change((c, tx) =>
    {
        if (RoleIn(c, tx, accountId, name) is not null) throw IamErrors.RoleExists(name);
        if (boundaryArn is not null) RequireAttachable(c, tx, accountId, boundaryArn);
        if (tags.Count > MaxTags) throw IamErrors.LimitExceeded($"The number of tags has reached the maximum limit of {MaxTags}.");
        var trustIds = ResolveTrustPrincipals(c, tx, trustPolicy);
        var role = new RoleRow(accountId, name, path, AwsIds.RoleId(), Arn.Role(accountId, path, name), trustPolicy, description,
            maxSession, boundaryArn, tags, Now());
        c.Exec(tx, $"INSERT INTO iam_roles({RoleColumns}, trust_ids) VALUES($a,$n,$p,$id,$arn,$t,$d,$m,$b,$tags,$cd,$ti)",
            ("$a", accountId), ("$n", name), ("$p", path), ("$id", role.RoleId), ("$arn", role.Arn), ("$t", trustPolicy),
            ("$d", description), ("$m", maxSession), ("$b", boundaryArn), ("$tags", TagsJson(tags)), ("$cd", Time(role.CreateDate)),
            ("$ti", trustIds));
        return role;
    });

    public void DeleteRole(string accountId, string name) => Change((c, tx) =>
    {
        var role = RequireRole(c, tx, accountId, name);
        if (HasInline(c, tx, accountId, IamEntityKind.Role, role.RoleName))
            throw IamErrors.DeleteConflict("Cannot delete entity, must delete policies first.");
        if (HasAttached(c, tx, accountId, IamEntityKind.Role, role.RoleName))
            throw IamErrors.DeleteConflict("Cannot delete entity, must detach all policies first.");
        c.Exec(tx, "DELETE FROM iam_roles WHERE account_id=$a AND name=$n", ("$a", accountId), ("$n", name));
        // A role made again under the same name is a new role: its first use is recorded.
        _lastRecordedUse.TryRemove(role.Arn, out _);
    });

    /// <summary>Changes a role's description and/or maximum session duration; a null leaves that field as it is.</summary>
    public RoleRow UpdateRole(string accountId, string name, string? description, int? maxSession) => Change((c, tx) =>
    {
        var role = RequireRole(c, tx, accountId, name);
        role = role with { Description = description ?? role.Description, MaxSessionDuration = maxSession ?? role.MaxSessionDuration };
        c.Exec(tx, "UPDATE iam_roles SET description=$d, max_session=$m WHERE account_id=$a AND name=$n",
            ("$d", role.Description), ("$m", role.MaxSessionDuration), ("$a", accountId), ("$n", name));
        return role;
    });

    public void UpdateTrustPolicy(string accountId, string name, string document) => Change((c, tx) =>
    {
        RequireRole(c, tx, accountId, name);
        var trustIds = ResolveTrustPrincipals(c, tx, document);
        c.Exec(tx, "UPDATE iam_roles SET trust_policy=$t, trust_ids=$ti WHERE account_id=$a AND name=$n",
            ("$t", document), ("$ti", trustIds), ("$a", accountId), ("$n", name));
    });

    /// <summary>Applies a change to a role's tags (tag or untag) and stores the result.</summary>
    public RoleRow RetagRole(string accountId, string name, Func<IReadOnlyList<IamTag>, IReadOnlyList<IamTag>> change) => Change((c, tx) =>
    {
        var role = RequireRole(c, tx, accountId, name);
        var tags = change(role.Tags);
        c.Exec(tx, "UPDATE iam_roles SET tags=$t WHERE account_id=$a AND name=$n", ("$t", TagsJson(tags)), ("$a", accountId), ("$n", name));
        return role with { Tags = tags };
    });

    /// <summary>The last use recorded of each role: a role used again within a minute in the same region is not written again.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTimeOffset When, string Region)> _lastRecordedUse = new(StringComparer.Ordinal);

    /// <summary>
    /// Records that a session of the role was created (STS AssumeRole), shown by GetRole as RoleLastUsed. Not a change
    /// policies depend on, so the policy caches stay valid. AWS reports the last use late (within hours); a role used
    /// again within a minute in the same region keeps the time already recorded, which spares a state-store write on
    /// every COPY, UNLOAD and Spectrum query.
    /// </summary>
    public void RecordRoleUse(string roleArn, string region, DateTimeOffset when)
    {
        if (_lastRecordedUse.TryGetValue(roleArn, out var last) && last.Region == region && when >= last.When && when - last.When < TimeSpan.FromMinutes(1))
            return;
        _store.Write((c, tx) => c.Exec(tx, "UPDATE iam_roles SET last_used_date=$d, last_used_region=$r WHERE arn=$arn COLLATE BINARY",
            ("$d", Time(when)), ("$r", region), ("$arn", roleArn)));
        _lastRecordedUse[roleArn] = (when, region);
    }

    public RoleRecord? FindByArn(string roleArn)
    {
        if (!Arn.TryParse(roleArn, out var arn) || arn.Service != "iam") return null;
        return _store.Read(c => RolesWhere(c, null, "account_id=$a AND arn=$arn COLLATE BINARY", ("$a", arn.Account), ("$arn", roleArn))
            .FirstOrDefault()?.ToRecord());
    }

    public RoleRecord? FindByName(string accountId, string roleName) => GetRole(accountId, roleName)?.ToRecord();

    // ---- users ----

    private const string UserColumns = "account_id, name, path, user_id, arn, boundary_arn, tags, create_date";

    private static UserRow ReadUser(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.StringOrNull(5), Tags(r.GetString(6)), Time(r.GetString(7)));

    private static UserRow? UserIn(DbConnection c, DbTransaction? tx, string accountId, string name) =>
        c.Query(tx, $"SELECT {UserColumns} FROM iam_users WHERE account_id=$a AND name=$n", ReadUser, ("$a", accountId), ("$n", name))
            .FirstOrDefault();

    private static UserRow RequireUser(DbConnection c, DbTransaction? tx, string accountId, string name) =>
        UserIn(c, tx, accountId, name) ?? throw IamErrors.NoSuchUser(name);

    public UserRow? GetUser(string accountId, string name) => _store.Read(c => UserIn(c, null, accountId, name));

    public List<UserRow> ListUsers(string accountId, string pathPrefix) => _store.Read(c =>
        c.Query(null, $"SELECT {UserColumns} FROM iam_users WHERE account_id=$a ORDER BY name COLLATE NOCASE", ReadUser, ("$a", accountId))
            .Where(u => u.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList());

    public UserRow CreateUser(string accountId, string name, string path, string? boundaryArn, IReadOnlyList<IamTag> tags) => Change((c, tx) =>
    {
        if (UserIn(c, tx, accountId, name) is not null) throw IamErrors.UserExists(name);
        if (boundaryArn is not null) RequireAttachable(c, tx, accountId, boundaryArn);
        if (tags.Count > MaxTags) throw IamErrors.LimitExceeded($"The number of tags has reached the maximum limit of {MaxTags}.");
        var user = new UserRow(accountId, name, path, AwsIds.UserId(), Arn.User(accountId, path, name), boundaryArn, tags, Now());
        c.Exec(tx, $"INSERT INTO iam_users({UserColumns}) VALUES($a,$n,$p,$id,$arn,$b,$t,$cd)",
            ("$a", accountId), ("$n", name), ("$p", path), ("$id", user.UserId), ("$arn", user.Arn), ("$b", boundaryArn),
            ("$t", TagsJson(tags)), ("$cd", Time(user.CreateDate)));
        return user;
    });

    /// <summary>Applies a change to a user's tags (tag or untag) and stores the result.</summary>
    public UserRow RetagUser(string accountId, string name, Func<IReadOnlyList<IamTag>, IReadOnlyList<IamTag>> change) => Change((c, tx) =>
    {
        var user = RequireUser(c, tx, accountId, name);
        var tags = change(user.Tags);
        c.Exec(tx, "UPDATE iam_users SET tags=$t WHERE account_id=$a AND name=$n", ("$t", TagsJson(tags)), ("$a", accountId), ("$n", name));
        return user with { Tags = tags };
    });

    public void DeleteUser(string accountId, string name) => Change((c, tx) =>
    {
        var user = RequireUser(c, tx, accountId, name);
        if (c.Query(tx, "SELECT 1 FROM iam_access_keys WHERE account_id=$a AND user_name=$n", r => 1, ("$a", accountId), ("$n", user.UserName)).Count > 0)
            throw IamErrors.DeleteConflict("Cannot delete entity, must delete access keys first.");
        if (HasInline(c, tx, accountId, IamEntityKind.User, user.UserName))
            throw IamErrors.DeleteConflict("Cannot delete entity, must delete policies first.");
        if (HasAttached(c, tx, accountId, IamEntityKind.User, user.UserName))
            throw IamErrors.DeleteConflict("Cannot delete entity, must detach all policies first.");
        if (c.Query(tx, "SELECT 1 FROM iam_group_members WHERE account_id=$a AND user_name=$n", r => 1, ("$a", accountId), ("$n", user.UserName)).Count > 0)
            throw IamErrors.DeleteConflict("Cannot delete entity, must remove user from all groups first.");
        c.Exec(tx, "DELETE FROM iam_users WHERE account_id=$a AND name=$n", ("$a", accountId), ("$n", name));
    });

    // ---- groups ----

    private const string GroupColumns = "account_id, name, path, group_id, arn, create_date";

    private static GroupRow ReadGroup(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Time(r.GetString(5)));

    private static GroupRow? GroupIn(DbConnection c, DbTransaction? tx, string accountId, string name) =>
        c.Query(tx, $"SELECT {GroupColumns} FROM iam_groups WHERE account_id=$a AND name=$n", ReadGroup, ("$a", accountId), ("$n", name))
            .FirstOrDefault();

    private static GroupRow RequireGroup(DbConnection c, DbTransaction? tx, string accountId, string name) =>
        GroupIn(c, tx, accountId, name) ?? throw IamErrors.NoSuchGroup(name);

    public GroupRow? GetGroup(string accountId, string name) => _store.Read(c => GroupIn(c, null, accountId, name));

    public List<GroupRow> ListGroups(string accountId, string pathPrefix) => _store.Read(c =>
        c.Query(null, $"SELECT {GroupColumns} FROM iam_groups WHERE account_id=$a ORDER BY name COLLATE NOCASE", ReadGroup, ("$a", accountId))
            .Where(g => g.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList());

    public GroupRow CreateGroup(string accountId, string name, string path) => Change((c, tx) =>
    {
        if (GroupIn(c, tx, accountId, name) is not null) throw IamErrors.GroupExists(name);
        var group = new GroupRow(accountId, name, path, AwsIds.GroupId(), Arn.Iam(accountId, $"group{path}{name}"), Now());
        c.Exec(tx, $"INSERT INTO iam_groups({GroupColumns}) VALUES($a,$n,$p,$id,$arn,$cd)",
            ("$a", accountId), ("$n", name), ("$p", path), ("$id", group.GroupId), ("$arn", group.Arn), ("$cd", Time(group.CreateDate)));
        return group;
    });

    public void DeleteGroup(string accountId, string name) => Change((c, tx) =>
    {
        var group = RequireGroup(c, tx, accountId, name);
        if (c.Query(tx, "SELECT 1 FROM iam_group_members WHERE account_id=$a AND group_name=$g", r => 1, ("$a", accountId), ("$g", group.GroupName)).Count > 0)
            throw IamErrors.DeleteConflict("Cannot delete entity, must remove users from group first.");
        if (HasInline(c, tx, accountId, IamEntityKind.Group, group.GroupName))
            throw IamErrors.DeleteConflict("Cannot delete entity, must delete policies first.");
        if (HasAttached(c, tx, accountId, IamEntityKind.Group, group.GroupName))
            throw IamErrors.DeleteConflict("Cannot delete entity, must detach all policies first.");
        c.Exec(tx, "DELETE FROM iam_groups WHERE account_id=$a AND name=$n", ("$a", accountId), ("$n", name));
    });

    public void AddUserToGroup(string accountId, string groupName, string userName) => Change((c, tx) =>
    {
        var group = RequireGroup(c, tx, accountId, groupName);
        var user = RequireUser(c, tx, accountId, userName);
        var groups = c.Query(tx, "SELECT group_name FROM iam_group_members WHERE account_id=$a AND user_name=$u", r => r.GetString(0),
            ("$a", accountId), ("$u", user.UserName));
        if (groups.Contains(group.GroupName, StringComparer.OrdinalIgnoreCase)) return;
        if (groups.Count >= MaxGroupsPerUser) throw IamErrors.Quota("GroupsPerUser", MaxGroupsPerUser);
        c.Exec(tx, "INSERT INTO iam_group_members(account_id, group_name, user_name) VALUES($a,$g,$u)",
            ("$a", accountId), ("$g", group.GroupName), ("$u", user.UserName));
    });

    public void RemoveUserFromGroup(string accountId, string groupName, string userName) => Change((c, tx) =>
    {
        var group = RequireGroup(c, tx, accountId, groupName);
        var user = RequireUser(c, tx, accountId, userName);
        if (c.Exec(tx, "DELETE FROM iam_group_members WHERE account_id=$a AND group_name=$g AND user_name=$u",
                ("$a", accountId), ("$g", group.GroupName), ("$u", user.UserName)) == 0)
            throw IamErrors.NoSuchEntity($"User {user.UserName} is not in group {group.GroupName}.");
    });

    /// <summary>The group's members; throws NoSuchEntity when the group does not exist.</summary>
    public (GroupRow Group, List<UserRow> Users) GetGroupWithUsers(string accountId, string groupName) => _store.Read(c =>
    {
        var group = RequireGroup(c, null, accountId, groupName);
        var users = c.Query(null,
            $"SELECT {string.Join(", ", UserColumns.Split(", ").Select(x => "u." + x))} FROM iam_group_members m JOIN iam_users u " +
            "ON u.account_id=m.account_id AND u.name=m.user_name WHERE m.account_id=$a AND m.group_name=$g ORDER BY u.name COLLATE NOCASE",
            ReadUser, ("$a", accountId), ("$g", group.GroupName));
        return (group, users);
    });

    /// <summary>The user's groups; throws NoSuchEntity when the user does not exist.</summary>
    public List<GroupRow> ListGroupsForUser(string accountId, string userName) => _store.Read(c =>
    {
        var user = RequireUser(c, null, accountId, userName);
        return c.Query(null,
            $"SELECT {string.Join(", ", GroupColumns.Split(", ").Select(x => "g." + x))} FROM iam_group_members m JOIN iam_groups g " +
            "ON g.account_id=m.account_id AND g.name=m.group_name WHERE m.account_id=$a AND m.user_name=$u ORDER BY g.name COLLATE NOCASE",
            ReadGroup, ("$a", accountId), ("$u", user.UserName));
    });

    /// <summary>Throws the kind's NoSuchEntity unless the user, group or role exists; returns its stored name.</summary>
    private static string RequireEntity(DbConnection c, DbTransaction? tx, IamEntityKind kind, string accountId, string name) => kind switch
    {
        IamEntityKind.Role => RequireRole(c, tx, accountId, name).RoleName,
        IamEntityKind.User => RequireUser(c, tx, accountId, name).UserName,
        _ => RequireGroup(c, tx, accountId, name).GroupName,
    };
}
