using LocalShift.Sql.Lexing;

namespace LocalShift.Sql.Users;

/// <summary>
/// Finds the tables a statement reads or writes and checks them against the caller's grants. Superusers pass;
/// system catalogs are readable by everyone, as in Redshift.
/// </summary>
internal static class PrivilegeCheck
{
    public static void Check(List<SqlToken> s, DbUser user, UserDirectory directory, string defaultSchema)
    {
        if (user.Superuser || s.Count == 0) return;
        var first = s[0];
        var cteNames = CommonTableExpressions(s);
        for (var i = 0; i < s.Count - 1; i++)
        {
            var token = s[i];
            string privilege;
            if (token.Is("INTO") && first.Is("INSERT")) privilege = "insert";
            else if (token.Is("UPDATE") && i == 0) privilege = "update";
            else if (token.Is("FROM") && first.Is("DELETE") && i == 1) privilege = "delete";
            else if (token.IsAny("FROM", "JOIN")) privilege = "select";
            else if (token.Is("TABLE") && first.Is("TRUNCATE")) privilege = "delete";
            else continue;
            var name = s[i + 1];
            if (name.Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier) || name.Is("LATERAL")) continue;
            var schema = defaultSchema;
            var table = name.Identifier;
            var end = i + 1;
            if (end + 2 < s.Count && s[end + 1].Kind == SqlTokenKind.Dot)
            {
                schema = table;
                table = s[end + 2].Identifier;
                end += 2;
            }
            if (end + 1 < s.Count && s[end + 1].Kind == SqlTokenKind.LeftParen && privilege == "select") continue; // table function
            if (schema == defaultSchema && cteNames.Contains(table)) continue;
            if (IsSystem(schema, table)) continue;
            if (!directory.Holds(user.Name, "schema", schema, "", "usage"))
                throw UserDirectory.Denied($"permission denied for schema {schema}");
            if (!directory.Holds(user.Name, "table", schema, table, privilege))
                throw UserDirectory.Denied($"permission denied for relation {table}");
        }
    }

    /// <summary>CREATE TABLE/VIEW needs CREATE on the schema; DROP/ALTER need ownership.</summary>
    public static void CheckDdl(List<SqlToken> s, DbUser user, UserDirectory directory, string defaultSchema)
    {
        if (user.Superuser || s.Count < 2) return;
        if (s[0].Is("CREATE") && s.Skip(1).FirstOrDefault(t => t.IsAny("TABLE", "VIEW", "SCHEMA", "SEQUENCE")) is { } kind)
        {
            if (kind.Is("SCHEMA")) throw UserDirectory.Denied("permission denied for database");
            var temp = s.Take(4).Any(t => t.IsAny("TEMP", "TEMPORARY"));
            var (schema, _) = TargetName(s, kind, defaultSchema);
            if (!temp && !directory.Holds(user.Name, "schema", schema, "", "create"))
                throw UserDirectory.Denied($"permission denied for schema {schema}");
        }
        else if (s[0].IsAny("DROP", "ALTER") && s[1].IsAny("TABLE", "VIEW"))
        {
            var (schema, table) = TargetName(s, s[1], defaultSchema);
            if (directory.OwnerOf(schema, table) != user.Name && !IsSystem(schema, table))
                throw UserDirectory.Denied($"must be owner of relation {table}");
        }
    }

    /// <summary>The schema and name following the object keyword (after IF [NOT] EXISTS).</summary>
    public static (string Schema, string Name) TargetName(List<SqlToken> s, SqlToken kind, string defaultSchema)
    {
        var i = s.IndexOf(kind) + 1;
        while (i < s.Count && s[i].IsAny("IF", "NOT", "EXISTS")) i++;
        if (i >= s.Count) return (defaultSchema, "");
        if (i + 2 < s.Count && s[i + 1].Kind == SqlTokenKind.Dot) return (s[i].Identifier, s[i + 2].Identifier);
        return (defaultSchema, s[i].Identifier);
    }

    private static bool IsSystem(string schema, string table) =>
        schema is "pg_catalog" or "information_schema" or "main"
        || table.StartsWith("pg_", StringComparison.Ordinal) || table.StartsWith("svv_", StringComparison.Ordinal)
        || table.StartsWith("stv_", StringComparison.Ordinal) || table.StartsWith("stl_", StringComparison.Ordinal)
        || table.StartsWith("svl_", StringComparison.Ordinal) || table.StartsWith("sys_", StringComparison.Ordinal)
        || table.StartsWith("duckdb_", StringComparison.Ordinal);

    private static HashSet<string> CommonTableExpressions(List<SqlToken> s)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 2 < s.Count; i++)
        {
            if (s[i].Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)) continue;
            if (s[i + 1].Is("AS") && s[i + 2].Kind == SqlTokenKind.LeftParen && i > 0 && (s[i - 1].Is("WITH") || s[i - 1].Kind == SqlTokenKind.Comma || s[i - 1].Is("RECURSIVE")))
                names.Add(s[i].Identifier);
        }
        return names;
    }
}
