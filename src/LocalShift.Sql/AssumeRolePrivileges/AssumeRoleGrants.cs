using LocalShift.Engine;
using LocalShift.Sql.Users;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.AssumeRolePrivileges;

/// <summary>
/// Who may use which IAM role (chain) for what, kept in the cluster's hidden schema so it survives restarts.
/// A fresh cluster grants ASSUMEROLE ON ALL TO PUBLIC FOR ALL, as Redshift does, until a superuser revokes it.
/// Roles are stored as written: a chain granted as 'a,b' must be used as 'a,b'.
/// </summary>
public static class AssumeRoleGrants
{
    public const string Table = UserDirectory.Schema + ".assumerole_grants";
    public const string All = "all";

    /// <summary>Creates the table on first use and seeds the PUBLIC grant.</summary>
    public static void Ensure(IEngineSession engine)
    {
        if (engine.Catalog.HasTable(UserDirectory.Schema, "assumerole_grants")) return;
        engine.Execute($"""
            CREATE SCHEMA IF NOT EXISTS {UserDirectory.Schema};
            CREATE TABLE IF NOT EXISTS {Table}(role VARCHAR NOT NULL, grantee VARCHAR NOT NULL, purpose VARCHAR NOT NULL);
            INSERT INTO {Table} VALUES ('{All}', 'public', '{All}');
            """);
    }

    /// <summary>Grantee is a user name, "group g", "role r" or "public"; purpose is copy, unload, external function, create model or all.</summary>
    public static void Grant(IEngineSession engine, string role, string grantee, string purpose)
    {
        Ensure(engine);
        engine.Execute($"DELETE FROM {Table} WHERE role = {QuoteLiteral(role)} AND grantee = {QuoteLiteral(grantee)} AND purpose = {QuoteLiteral(purpose)}; " +
            $"INSERT INTO {Table} VALUES ({QuoteLiteral(role)}, {QuoteLiteral(grantee)}, {QuoteLiteral(purpose)})");
    }

    /// <summary>Revoking ALL roles or ALL purposes removes every matching grant.</summary>
    public static void Revoke(IEngineSession engine, string role, string grantee, string purpose)
    {
        Ensure(engine);
        var roleMatch = role == All ? "TRUE" : $"role = {QuoteLiteral(role)}";
        var purposeMatch = purpose == All ? "TRUE" : $"purpose = {QuoteLiteral(purpose)}";
        engine.Execute($"DELETE FROM {Table} WHERE {roleMatch} AND grantee = {QuoteLiteral(grantee)} AND {purposeMatch}");
    }

    /// <summary>
    /// True when the user, one of its groups, one of its roles (directly or through other roles) or PUBLIC holds the
    /// IAM role (or ALL) for the purpose (or ALL). <paramref name="grantees"/> is every name the user is granted as.
    /// </summary>
    public static bool Holds(IEngineSession engine, bool superuser, IEnumerable<string> grantees, string role, string purpose)
    {
        if (superuser) return true;
        Ensure(engine);
        var sql = $"SELECT count(*) FROM {Table} WHERE role IN ({QuoteLiteral(role)}, '{All}') AND purpose IN ({QuoteLiteral(purpose)}, '{All}') " +
            $"AND grantee IN ({string.Join(", ", grantees.Append("public").Select(QuoteLiteral))})";
        using var result = engine.Query(sql);
        result.Read();
        return Convert.ToInt64(result.GetValue(0)) > 0;
    }

    /// <summary>The grantees of a user when no directory is at hand: the user and PUBLIC.</summary>
    public static IReadOnlySet<string> GranteesOf(UserDirectory? users, string user) =>
        users?.GranteesOf(user) ?? new HashSet<string>(StringComparer.Ordinal) { user, "public" };

    public static PgException Missing(string user, string role, string purpose) =>
        new(SqlState.InsufficientPrivilege, $"User {user} does not have ASSUMEROLE permission on IAM role \"{role}\" for {purpose.ToUpperInvariant()}");
}
