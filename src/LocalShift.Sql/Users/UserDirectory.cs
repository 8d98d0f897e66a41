using LocalShift.Engine;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Wire.Auth;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Users;

/// <summary>A database user of the cluster; <paramref name="Secret"/> is null when its password is disabled.</summary>
public sealed record DbUser(string Name, PgPasswordSecret? Secret, bool Superuser);

/// <summary>A role of Redshift's role-based access control (CREATE ROLE).</summary>
public sealed record DbRole(string Name, int Id, string Owner);

/// <summary>
/// Users, groups, grants and table owners of one cluster. Kept in memory for authentication and privilege checks,
/// written through to a hidden schema inside the cluster's own database file so they survive restarts.
/// </summary>
public sealed class UserDirectory
{
    /// <summary>The hidden schema; catalog views leave it out.</summary>
    public const string Schema = "__localshift";

    private readonly IEngineSession _system;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DbUser> _users = new(StringComparer.Ordinal);
    /// <summary>ALTER USER … SET: each user's own defaults for session parameters (lower-case name → value).</summary>
    private readonly Dictionary<string, Dictionary<string, string>> _userSettings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _groups = new(StringComparer.Ordinal);
    private readonly HashSet<(string Type, string Schema, string Object, string Privilege, string Grantee)> _grants = [];
    private readonly Dictionary<(string Schema, string Table), string> _owners = new();
    /// <summary>The CREATE VIEW text of views a non-superuser made: their queries are checked as that owner when read.</summary>
    private readonly Dictionary<(string Schema, string View), string> _views = new();
    private readonly Dictionary<string, DbRole> _roles = new(StringComparer.Ordinal);
    /// <summary>Role memberships: (role, member) where member is a user name or "role r".</summary>
    private readonly HashSet<(string Role, string Member)> _roleMembers = [];
    /// <summary>Group memberships that last as long as a session (an IAM login's DbGroups), counted per open session.</summary>
    private readonly Dictionary<(string User, string Group), int> _sessionMembers = new();

    public UserDirectory(IEngineSession system, string masterUser, PgPasswordSecret masterSecret)
    {
        _system = system;
        _system.Execute($"""
            CREATE SCHEMA IF NOT EXISTS {Schema};
            CREATE TABLE IF NOT EXISTS {Schema}.users(name VARCHAR PRIMARY KEY, password_secret VARCHAR, superuser BOOLEAN NOT NULL, created TIMESTAMP);
            CREATE TABLE IF NOT EXISTS {Schema}.group_members(group_name VARCHAR NOT NULL, user_name VARCHAR);
            CREATE TABLE IF NOT EXISTS {Schema}.grants(object_type VARCHAR, schema_name VARCHAR, object_name VARCHAR, privilege VARCHAR, grantee VARCHAR);
            CREATE TABLE IF NOT EXISTS {Schema}.owners(schema_name VARCHAR, table_name VARCHAR, owner VARCHAR);
            CREATE TABLE IF NOT EXISTS {Schema}.view_definitions(schema_name VARCHAR, view_name VARCHAR, definition VARCHAR);
            CREATE TABLE IF NOT EXISTS {Schema}.roles(name VARCHAR PRIMARY KEY, id INTEGER NOT NULL, owner VARCHAR, external_id VARCHAR);
            CREATE TABLE IF NOT EXISTS {Schema}.role_members(role_name VARCHAR NOT NULL, member VARCHAR NOT NULL, admin_option BOOLEAN NOT NULL);
            CREATE TABLE IF NOT EXISTS {Schema}.user_settings(user_name VARCHAR NOT NULL, name VARCHAR NOT NULL, value VARCHAR NOT NULL);
            CREATE OR REPLACE VIEW main.svv_roles AS
              SELECT id AS role_id, name AS role_name, owner AS role_owner, external_id FROM {Schema}.roles;
            CREATE OR REPLACE VIEW main.svv_user_grants AS
              SELECT CAST(100 + (SELECT count(*) FROM {Schema}.users o WHERE o.name < u.name) AS INTEGER) AS user_id, m.member AS user_name,
                     r.id AS role_id, r.name AS role_name, m.admin_option
              FROM {Schema}.role_members m JOIN {Schema}.roles r ON r.name = m.role_name JOIN {Schema}.users u ON u.name = m.member;
            CREATE OR REPLACE VIEW main.svv_role_grants AS
              SELECT g.id AS role_id, g.name AS role_name, r.id AS granted_role_id, r.name AS granted_role_name
              FROM {Schema}.role_members m JOIN {Schema}.roles r ON r.name = m.role_name JOIN {Schema}.roles g ON 'role ' || g.name = m.member;
            """);
        // The load logs exist before any session's transaction begins, so that every transaction sees them (a table made
        // by another session during a transaction is not visible to it).
        Copy.LoadErrors.Ensure(_system);
        HashClearTextPasswords();
        Load();
        var master = masterUser.ToLowerInvariant();
        Save(new DbUser(master, masterSecret, true));
    }

    public DbUser? Find(string name)
    {
        lock (_lock) return _users.GetValueOrDefault(name);
    }

    public IReadOnlyList<DbUser> Users
    {
        get { lock (_lock) return _users.Values.OrderBy(u => u.Name, StringComparer.Ordinal).ToList(); }
    }

    public IReadOnlyList<string> GroupsOf(string user)
    {
        lock (_lock) return _groups.Where(g => g.Value.Contains(user)).Select(g => g.Key).Order(StringComparer.Ordinal).ToList();
    }

    public bool GroupExists(string group)
    {
        lock (_lock) return _groups.ContainsKey(group);
    }

    /// <summary>
    /// Makes <paramref name="user"/> a member of the existing ones of <paramref name="groups"/> until the returned
    /// handle is disposed (the session ends): nothing is written, and groups that do not exist are ignored, as Redshift
    /// ignores them for an IAM login.
    /// </summary>
    public IDisposable JoinForSession(string user, IReadOnlyList<string> groups)
    {
        List<string> joined;
        lock (_lock)
        {
            joined = groups.Where(_groups.ContainsKey).Distinct(StringComparer.Ordinal).ToList();
            foreach (var group in joined) _sessionMembers[(user, group)] = _sessionMembers.GetValueOrDefault((user, group)) + 1;
        }
        return new SessionMembership(this, user, joined);
    }

    private void LeaveForSession(string user, IReadOnlyList<string> groups)
    {
        lock (_lock)
            foreach (var group in groups)
            {
                var left = _sessionMembers.GetValueOrDefault((user, group)) - 1;
                if (left > 0) _sessionMembers[(user, group)] = left;
                else _sessionMembers.Remove((user, group));
            }
    }

    private sealed class SessionMembership(UserDirectory directory, string user, IReadOnlyList<string> groups) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) directory.LeaveForSession(user, groups);
        }
    }

    /// <summary>
    /// Runs <paramref name="act"/> on the directory's own engine session, outside every client's transaction: for
    /// records Redshift keeps whatever happens to the transaction (stl_load_errors).
    /// </summary>
    public void OutsideTransactions(Action<IEngineSession> act)
    {
        lock (_lock) act(_system);
    }

    public void Save(DbUser user)
    {
        lock (_lock)
        {
            _system.Execute($"DELETE FROM {Schema}.users WHERE name = {QuoteLiteral(user.Name)}; " +
                $"INSERT INTO {Schema}.users(name, password_secret, superuser, created) " +
                $"VALUES ({QuoteLiteral(user.Name)}, {Literal(user.Secret?.ToString())}, {user.Superuser}, current_timestamp)");
            _users[user.Name] = user;
        }
    }

    /// <summary>The session parameters a user's sessions start with (ALTER USER … SET), by lower-case name.</summary>
    public IReadOnlyDictionary<string, string> SettingsOf(string user)
    {
        lock (_lock)
            return _userSettings.TryGetValue(user, out var settings) ? new Dictionary<string, string>(settings) : new Dictionary<string, string>();
    }

    /// <summary>Sets (a value) or removes (null) one of a user's session defaults; "all" with null removes every one.</summary>
    public void SetUserSetting(string user, string name, string? value)
    {
        name = name.ToLowerInvariant();
        lock (_lock)
        {
            var all = name == "all" && value is null;
            _system.Execute($"DELETE FROM {Schema}.user_settings WHERE user_name = {QuoteLiteral(user)}" +
                (all ? "" : $" AND name = {QuoteLiteral(name)}") +
                (value is null ? "" : $"; INSERT INTO {Schema}.user_settings VALUES ({QuoteLiteral(user)}, {QuoteLiteral(name)}, {QuoteLiteral(value)})"));
            if (!_userSettings.TryGetValue(user, out var settings)) _userSettings[user] = settings = new(StringComparer.Ordinal);
            if (all) settings.Clear();
            else if (value is null) settings.Remove(name);
            else settings[name] = value;
        }
    }

    public void Drop(string user)
    {
        lock (_lock)
        {
            _system.Execute($"DELETE FROM {Schema}.users WHERE name = {QuoteLiteral(user)}; " +
                $"DELETE FROM {Schema}.group_members WHERE user_name = {QuoteLiteral(user)}; " +
                $"DELETE FROM {Schema}.grants WHERE grantee = {QuoteLiteral(user)}; " +
                $"DELETE FROM {Schema}.role_members WHERE member = {QuoteLiteral(user)}; " +
                $"DELETE FROM {Schema}.user_settings WHERE user_name = {QuoteLiteral(user)}");
            _users.Remove(user);
            _userSettings.Remove(user);
            _roleMembers.RemoveWhere(m => m.Member == user);
            ForgetAssumeRoleGrants(user);
            foreach (var members in _groups.Values) members.Remove(user);
            _grants.RemoveWhere(g => g.Grantee == user);
        }
    }

    public void CreateGroup(string group, IEnumerable<string> members)
    {
        lock (_lock)
        {
            _system.Execute($"INSERT INTO {Schema}.group_members VALUES ({QuoteLiteral(group)}, NULL)");
            _groups[group] = [];
            AddMembers(group, members);
        }
    }

    public void AddMembers(string group, IEnumerable<string> members)
    {
        lock (_lock)
        {
            foreach (var member in members)
            {
                if (!_groups[group].Add(member)) continue;
                _system.Execute($"INSERT INTO {Schema}.group_members VALUES ({QuoteLiteral(group)}, {QuoteLiteral(member)})");
            }
        }
    }

    public void RemoveMembers(string group, IEnumerable<string> members)
    {
        lock (_lock)
        {
            foreach (var member in members)
            {
                if (!_groups[group].Remove(member)) continue;
                _system.Execute($"DELETE FROM {Schema}.group_members WHERE group_name = {QuoteLiteral(group)} AND user_name = {QuoteLiteral(member)}");
            }
        }
    }

    public void DropGroup(string group)
    {
        lock (_lock)
        {
            _system.Execute($"DELETE FROM {Schema}.group_members WHERE group_name = {QuoteLiteral(group)}; " +
                $"DELETE FROM {Schema}.grants WHERE grantee = {QuoteLiteral("group " + group)}");
            _groups.Remove(group);
            ForgetAssumeRoleGrants("group " + group);
            _grants.RemoveWhere(g => g.Grantee == "group " + group);
        }
    }

    /// <summary>Grantee is a user name, "group g" or "public".</summary>
    public void Grant(string type, string schema, string obj, string privilege, string grantee)
    {
        lock (_lock)
        {
            if (!_grants.Add((type, schema, obj, privilege, grantee))) return;
            _system.Execute($"INSERT INTO {Schema}.grants VALUES ({QuoteLiteral(type)}, {QuoteLiteral(schema)}, {QuoteLiteral(obj)}, {QuoteLiteral(privilege)}, {QuoteLiteral(grantee)})");
        }
    }

    public void Revoke(string type, string schema, string obj, string privilege, string grantee)
    {
        lock (_lock)
        {
            if (!_grants.Remove((type, schema, obj, privilege, grantee))) return;
            _system.Execute($"DELETE FROM {Schema}.grants WHERE object_type = {QuoteLiteral(type)} AND schema_name = {QuoteLiteral(schema)} " +
                $"AND object_name = {QuoteLiteral(obj)} AND privilege = {QuoteLiteral(privilege)} AND grantee = {QuoteLiteral(grantee)}");
        }
    }

    /// <summary>Every grant on one object, which is gone (a dropped function).</summary>
    public void ForgetGrantsOn(string type, string schema, string obj)
    {
        lock (_lock)
        {
            if (_grants.RemoveWhere(g => g.Type == type && g.Schema == schema && g.Object == obj) == 0) return;
            _system.Execute($"DELETE FROM {Schema}.grants WHERE object_type = {QuoteLiteral(type)} AND schema_name = {QuoteLiteral(schema)} " +
                $"AND object_name = {QuoteLiteral(obj)}");
        }
    }

    public void SetOwner(string schema, string table, string owner)
    {
        lock (_lock)
        {
            _system.Execute($"DELETE FROM {Schema}.owners WHERE schema_name = {QuoteLiteral(schema)} AND table_name = {QuoteLiteral(table)}; " +
                $"INSERT INTO {Schema}.owners VALUES ({QuoteLiteral(schema)}, {QuoteLiteral(table)}, {QuoteLiteral(owner)})");
            _owners[(schema, table)] = owner;
        }
    }

    /// <summary>Keeps (or, with null, forgets) the CREATE VIEW statement of a view a non-superuser owns.</summary>
    public void SetViewDefinition(string schema, string view, string? definition)
    {
        lock (_lock)
        {
            if (definition is null && !_views.ContainsKey((schema, view))) return;
            _system.Execute($"DELETE FROM {Schema}.view_definitions WHERE schema_name = {QuoteLiteral(schema)} AND view_name = {QuoteLiteral(view)}" +
                (definition is null ? "" : $"; INSERT INTO {Schema}.view_definitions VALUES ({QuoteLiteral(schema)}, {QuoteLiteral(view)}, {QuoteLiteral(definition)})"));
            if (definition is null) _views.Remove((schema, view));
            else _views[(schema, view)] = definition;
        }
    }

    public string? ViewDefinition(string schema, string view)
    {
        lock (_lock) return _views.GetValueOrDefault((schema, view));
    }

    public string? OwnerOf(string schema, string table)
    {
        lock (_lock) return _owners.GetValueOrDefault((schema, table));
    }

    /// <summary>True when the user (directly, through a group or through PUBLIC) holds the privilege.</summary>
    public bool Holds(string user, string type, string schema, string obj, string privilege)
    {
        lock (_lock)
        {
            if (_users.TryGetValue(user, out var u) && u.Superuser) return true;
            if (type == "table" && _owners.GetValueOrDefault((schema, obj)) == user) return true;
            // Redshift: everyone may use and create in schema public until a superuser revokes it.
            if (type == "schema" && schema == "public" && !_grants.Any(g => g.Type == "revoked-default" && g.Schema == schema && g.Privilege == privilege))
                return true;
            var grantees = GranteesOfLocked(user);
            return _grants.Any(g => g.Type == type && g.Schema == schema && g.Object == obj
                && (g.Privilege == privilege || g.Privilege == "all") && grantees.Contains(g.Grantee));
        }
    }

    /// <summary>
    /// Every name a grant to this user can be made to: the user, PUBLIC, "group g" for its groups and "role r" for
    /// the roles granted to it, directly or through other roles.
    /// </summary>
    public IReadOnlySet<string> GranteesOf(string user)
    {
        lock (_lock) return GranteesOfLocked(user);
    }

    private HashSet<string> GranteesOfLocked(string user)
    {
        var grantees = new HashSet<string>(StringComparer.Ordinal) { user, "public" };
        foreach (var (group, members) in _groups) if (members.Contains(user)) grantees.Add("group " + group);
        foreach (var ((member, group), _) in _sessionMembers) if (member == user && _groups.ContainsKey(group)) grantees.Add("group " + group);
        var pending = new Stack<string>();
        pending.Push(user);
        while (pending.Count > 0)
        {
            var member = pending.Pop();
            foreach (var (role, _) in _roleMembers.Where(m => m.Member == member))
                if (grantees.Add("role " + role)) pending.Push("role " + role);
        }
        return grantees;
    }

    public DbRole? FindRole(string name)
    {
        lock (_lock) return _roles.GetValueOrDefault(name);
    }

    public IReadOnlyList<string> RolesOf(string user)
    {
        lock (_lock) return GranteesOfLocked(user).Where(g => g.StartsWith("role ", StringComparison.Ordinal)).Select(g => g[5..]).Order(StringComparer.Ordinal).ToList();
    }

    public void CreateRole(string name, string owner, string? externalId)
    {
        lock (_lock)
        {
            var id = _roles.Count == 0 ? 100100 : _roles.Values.Max(r => r.Id) + 1;
            _system.Execute($"INSERT INTO {Schema}.roles VALUES ({QuoteLiteral(name)}, {id}, {QuoteLiteral(owner)}, {Literal(externalId)})");
            _roles[name] = new DbRole(name, id, owner);
        }
    }

    /// <summary>Drops the role with its memberships and the grants made to it.</summary>
    public void DropRole(string name)
    {
        lock (_lock)
        {
            var grantee = "role " + name;
            _system.Execute($"DELETE FROM {Schema}.roles WHERE name = {QuoteLiteral(name)}; " +
                $"DELETE FROM {Schema}.role_members WHERE role_name = {QuoteLiteral(name)} OR member = {QuoteLiteral(grantee)}; " +
                $"DELETE FROM {Schema}.grants WHERE grantee = {QuoteLiteral(grantee)}");
            _roles.Remove(name);
            ForgetAssumeRoleGrants(grantee);
            _roleMembers.RemoveWhere(m => m.Role == name || m.Member == grantee);
            _grants.RemoveWhere(g => g.Grantee == grantee);
        }
    }

    /// <summary>A dropped user, group or role takes its ASSUMEROLE grants with it.</summary>
    private void ForgetAssumeRoleGrants(string grantee)
    {
        AssumeRolePrivileges.AssumeRoleGrants.Ensure(_system);
        _system.Execute($"DELETE FROM {AssumeRolePrivileges.AssumeRoleGrants.Table} WHERE grantee = {QuoteLiteral(grantee)}");
    }

    /// <summary>
    /// Why DROP ROLE without FORCE refuses this role, in Redshift's words where it has them; null when nothing holds it.
    /// </summary>
    public string? RoleInUse(string name)
    {
        lock (_lock)
        {
            if (_roleMembers.Any(m => m.Role == name && !m.Member.StartsWith("role ", StringComparison.Ordinal)))
                return "cannot drop this role since it has been granted on a user";
            if (_roleMembers.Any(m => m.Member == "role " + name))
                return "cannot drop this role since it depends on another role";
            // Redshift's documentation gives no text for a role granted to another role; this one is LocalShift's.
            if (_roleMembers.Any(m => m.Role == name)) return "cannot drop this role since it has been granted on another role";
            return null;
        }
    }

    /// <summary>Member is a user name or "role r".</summary>
    public void GrantRole(string role, string member, bool adminOption)
    {
        lock (_lock)
        {
            _system.Execute($"DELETE FROM {Schema}.role_members WHERE role_name = {QuoteLiteral(role)} AND member = {QuoteLiteral(member)}; " +
                $"INSERT INTO {Schema}.role_members VALUES ({QuoteLiteral(role)}, {QuoteLiteral(member)}, {adminOption})");
            _roleMembers.Add((role, member));
        }
    }

    public bool RevokeRole(string role, string member)
    {
        lock (_lock)
        {
            if (!_roleMembers.Remove((role, member))) return false;
            _system.Execute($"DELETE FROM {Schema}.role_members WHERE role_name = {QuoteLiteral(role)} AND member = {QuoteLiteral(member)}");
            return true;
        }
    }

    private void Load()
    {
        using (var roles = _system.Query($"SELECT name, id, owner FROM {Schema}.roles"))
            while (roles.Read()) _roles[(string)roles.GetValue(0)!] = new DbRole((string)roles.GetValue(0)!, Convert.ToInt32(roles.GetValue(1)), roles.GetValue(2) as string ?? "");
        using (var members = _system.Query($"SELECT role_name, member FROM {Schema}.role_members"))
            while (members.Read()) _roleMembers.Add(((string)members.GetValue(0)!, (string)members.GetValue(1)!));
        using (var users = _system.Query($"SELECT name, password_secret, superuser FROM {Schema}.users"))
            while (users.Read())
            {
                var name = (string)users.GetValue(0)!;
                _users[name] = new DbUser(name, users.GetValue(1) is string secret ? PgPasswordSecret.Parse(secret) : null, (bool)users.GetValue(2)!);
            }
        using (var settings = _system.Query($"SELECT user_name, name, value FROM {Schema}.user_settings"))
            while (settings.Read())
            {
                var user = (string)settings.GetValue(0)!;
                if (!_userSettings.TryGetValue(user, out var own)) _userSettings[user] = own = new(StringComparer.Ordinal);
                own[(string)settings.GetValue(1)!] = (string)settings.GetValue(2)!;
            }
        using (var members = _system.Query($"SELECT group_name, user_name FROM {Schema}.group_members"))
            while (members.Read())
            {
                var group = (string)members.GetValue(0)!;
                if (!_groups.TryGetValue(group, out var set)) _groups[group] = set = [];
                if (members.GetValue(1) is string user) set.Add(user);
            }
        using (var grants = _system.Query($"SELECT object_type, schema_name, object_name, privilege, grantee FROM {Schema}.grants"))
            while (grants.Read())
                _grants.Add(((string)grants.GetValue(0)!, (string)grants.GetValue(1)!, (string)grants.GetValue(2)!, (string)grants.GetValue(3)!, (string)grants.GetValue(4)!));
        using (var owners = _system.Query($"SELECT schema_name, table_name, owner FROM {Schema}.owners"))
            while (owners.Read()) _owners[((string)owners.GetValue(0)!, (string)owners.GetValue(1)!)] = (string)owners.GetValue(2)!;
        using (var views = _system.Query($"SELECT schema_name, view_name, definition FROM {Schema}.view_definitions"))
            while (views.Read()) _views[((string)views.GetValue(0)!, (string)views.GetValue(1)!)] = (string)views.GetValue(2)!;
    }

    /// <summary>
    /// A database written before passwords were hashed keeps them in clear in <c>users.password</c>: each becomes
    /// its MD5 hash and SCRAM verifier, then the column goes and a checkpoint rewrites the file without it.
    /// </summary>
    private void HashClearTextPasswords()
    {
        if (!_system.Catalog.Columns(Schema, "users").Contains("password")) return;
        var secrets = new List<(string Name, PgPasswordSecret Secret)>();
        using (var users = _system.Query($"SELECT name, password FROM {Schema}.users WHERE password IS NOT NULL"))
            while (users.Read()) secrets.Add(((string)users.GetValue(0)!, RedshiftPassword.ToSecret((string)users.GetValue(0)!, (string)users.GetValue(1)!)));
        var updates = string.Concat(secrets.Select(s =>
            $"UPDATE {Schema}.users SET password_secret = {QuoteLiteral(s.Secret.ToString())}, password = NULL WHERE name = {QuoteLiteral(s.Name)};\n"));
        _system.Execute($"""
            BEGIN TRANSACTION;
            ALTER TABLE {Schema}.users ADD COLUMN IF NOT EXISTS password_secret VARCHAR;
            {updates}
            COMMIT;
            ALTER TABLE {Schema}.users DROP COLUMN password;
            """);
        _system.Checkpoint();
    }

    private static string Literal(string? value) => value is null ? "NULL" : QuoteLiteral(value);

    /// <summary>Table names of a schema (for GRANT ... ON ALL TABLES IN SCHEMA).</summary>
    public IReadOnlyList<string> TablesIn(string schema)
    {
        lock (_lock)
        {
            using var result = _system.Query($"SELECT table_name FROM information_schema.tables WHERE table_schema = {QuoteLiteral(schema)}");
            var tables = new List<string>();
            while (result.Read()) tables.Add((string)result.GetValue(0)!);
            return tables;
        }
    }

    internal static PgException Denied(string message) => new(SqlState.InsufficientPrivilege, message);
}
