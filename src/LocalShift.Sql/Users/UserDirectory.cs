using LocalShift.Engine;
using LocalShift.Sql.Lexing;
using LocalShift.Sql.Wire;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Users;

/// <summary>A database user of the cluster.</summary>
public sealed record DbUser(string Name, string? Password, bool Superuser);

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
    private readonly Dictionary<string, HashSet<string>> _groups = new(StringComparer.Ordinal);
    private readonly HashSet<(string Type, string Schema, string Object, string Privilege, string Grantee)> _grants = [];
    private readonly Dictionary<(string Schema, string Table), string> _owners = new();

    public UserDirectory(IEngineSession system, string masterUser, string masterPassword)
    {
        _system = system;
        _system.Execute($"""
            CREATE SCHEMA IF NOT EXISTS {Schema};
            CREATE TABLE IF NOT EXISTS {Schema}.users(name VARCHAR PRIMARY KEY, password VARCHAR, superuser BOOLEAN NOT NULL, created TIMESTAMP);
            CREATE TABLE IF NOT EXISTS {Schema}.group_members(group_name VARCHAR NOT NULL, user_name VARCHAR);
            CREATE TABLE IF NOT EXISTS {Schema}.grants(object_type VARCHAR, schema_name VARCHAR, object_name VARCHAR, privilege VARCHAR, grantee VARCHAR);
            CREATE TABLE IF NOT EXISTS {Schema}.owners(schema_name VARCHAR, table_name VARCHAR, owner VARCHAR);
            """);
        Load();
        var master = masterUser.ToLowerInvariant();
        Save(new DbUser(master, masterPassword, true));
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

    public void Save(DbUser user)
    {
        lock (_lock)
        {
            _system.Execute($"DELETE FROM {Schema}.users WHERE name = {QuoteLiteral(user.Name)}; " +
                $"INSERT INTO {Schema}.users VALUES ({QuoteLiteral(user.Name)}, {Literal(user.Password)}, {user.Superuser}, current_timestamp)");
            _users[user.Name] = user;
        }
    }

    public void Drop(string user)
    {
        lock (_lock)
        {
            _system.Execute($"DELETE FROM {Schema}.users WHERE name = {QuoteLiteral(user)}; " +
                $"DELETE FROM {Schema}.group_members WHERE user_name = {QuoteLiteral(user)}; " +
                $"DELETE FROM {Schema}.grants WHERE grantee = {QuoteLiteral(user)}");
            _users.Remove(user);
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

    public void SetOwner(string schema, string table, string owner)
    {
        lock (_lock)
        {
            _system.Execute($"DELETE FROM {Schema}.owners WHERE schema_name = {QuoteLiteral(schema)} AND table_name = {QuoteLiteral(table)}; " +
                $"INSERT INTO {Schema}.owners VALUES ({QuoteLiteral(schema)}, {QuoteLiteral(table)}, {QuoteLiteral(owner)})");
            _owners[(schema, table)] = owner;
        }
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
            var grantees = new HashSet<string> { user, "public" };
            foreach (var (group, members) in _groups) if (members.Contains(user)) grantees.Add("group " + group);
            return _grants.Any(g => g.Type == type && g.Schema == schema && g.Object == obj
                && (g.Privilege == privilege || g.Privilege == "all") && grantees.Contains(g.Grantee));
        }
    }

    private void Load()
    {
        using (var users = _system.Query($"SELECT name, password, superuser FROM {Schema}.users"))
            while (users.Read()) _users[(string)users.GetValue(0)!] = new DbUser((string)users.GetValue(0)!, users.GetValue(1) as string, (bool)users.GetValue(2)!);
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
